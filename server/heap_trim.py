"""Giving back the heap requests leave behind, once the server is idle.

A request over a big scope allocates tens of MiB of temporaries (numpy arrays,
GraphQL results); glibc keeps what they freed in its heap, so a worker's RSS
climbed ~30-50 MiB over a few hundred requests at full scale and stayed there
(``malloc_trim`` gave it all back). A trim is cheap (~1 ms: it walks the free
chunks) but holds the allocator's lock, so not after every request: it runs
(in a thread, see ``server.memory``) once no request has ended for ``IDLE_S``,
and at most ``AT_LEAST_S`` apart under steady load.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from server.memory import trim_soon

IDLE_S = 0.5
AT_LEAST_S = 5.0


class HeapTrimmer:
    """A request sink (``RequestObserver``) that trims the heap when requests pause."""

    def __init__(
        self,
        trim: Callable[[], None] = trim_soon,
        idle_s: float = IDLE_S,
        at_least_s: float = AT_LEAST_S,
    ) -> None:
        self._trim = trim
        self._idle_s = idle_s
        self._at_least_s = at_least_s
        self._last_request = 0.0
        self._last_trim = time.monotonic()
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self, record: object) -> None:
        self._last_request = time.monotonic()
        if self._last_request - self._last_trim >= self._at_least_s:
            self._trim_now()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._idle_s, self._check)

    def _check(self) -> None:
        self._timer = None
        quiet = time.monotonic() - self._last_request
        if quiet >= self._idle_s:
            self._trim_now()
        else:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._idle_s - quiet, self._check)

    def _trim_now(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._last_trim = time.monotonic()
        self._trim()
