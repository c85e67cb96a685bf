"""Giving freed heap memory back to the system after a copy is loaded.

A load allocates far more than the copy it leaves (the fetched bytes, the
per-day values before the cumulative sums); glibc keeps what it freed in its
arenas, so without a trim a worker's RSS stays at the load's peak."""

from __future__ import annotations

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


def release_freed_memory() -> None:
    """``malloc_trim(0)`` where the C library has it (glibc); else nothing."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
