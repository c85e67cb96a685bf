"""Giving freed heap memory back to the system after a copy is loaded.

A load allocates far more than the copy it leaves (the fetched bytes, the
per-day values before the cumulative sums); glibc keeps what it freed in its
arenas, so without a trim a worker's RSS stays at the load's peak."""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


_M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


def configure_allocator() -> None:
    """Keep to two malloc arenas (each load thread would hold one of its own).
    A fixed mmap threshold (every array its own mapping) kept RSS flat too, but
    made each refresh fault its pages in anew (a request waiting for the
    refresh of a full-scale copy took ~300 ms instead of ~100): freed heap is
    trimmed after each load instead. Nothing where the C library has no
    ``mallopt``."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_ARENA_MAX, 2)


_trims: set[asyncio.Task[None]] = set()


def trim_soon() -> None:
    """Trim the heap in a thread, without holding up whoever waits for the
    load that freed it."""
    task = asyncio.get_running_loop().create_task(asyncio.to_thread(release_freed_memory))
    _trims.add(task)
    task.add_done_callback(_trims.discard)


def release_freed_memory() -> None:
    """``malloc_trim(0)`` where the C library has it (glibc); else nothing."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
