"""The idle heap trim (server/heap_trim.py): a burst of requests ends in one
trim once the loop is idle, none runs while the burst is still being handled,
and steady load still trims at least every ``at_least_s``."""

from __future__ import annotations

import asyncio

from server.heap_trim import HeapTrimmer


async def _turns(n: int = 3) -> None:
    for _ in range(n):
        await asyncio.sleep(0)  # let the loop run what is due (no wall-clock wait)


async def test_a_burst_of_requests_ends_in_one_trim_when_idle():
    trims: list[int] = []
    trimmer = HeapTrimmer(lambda: trims.append(1), idle_s=0.0, at_least_s=3600)
    for _ in range(5):
        trimmer(None)
    assert trims == []  # nothing during the requests themselves
    await _turns()
    assert trims == [1]
    await _turns()
    assert trims == [1]  # and nothing more until another request ends


async def test_steady_load_still_trims_at_least_every_interval():
    trims: list[int] = []
    trimmer = HeapTrimmer(lambda: trims.append(1), idle_s=3600, at_least_s=0.0)
    for _ in range(3):
        trimmer(None)
    assert trims == [1, 1, 1]


async def test_no_trim_while_requests_keep_ending():
    trims: list[int] = []
    trimmer = HeapTrimmer(lambda: trims.append(1), idle_s=3600, at_least_s=3600)
    trimmer(None)
    await _turns()
    trimmer(None)
    await _turns()
    assert trims == []
