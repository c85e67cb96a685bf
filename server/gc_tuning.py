"""Keep the garbage collector off the heap that start-up leaves behind.

A request over a big list allocates hundreds of thousands of objects, which
sets off full (generation 2) collections; each one walks every object still
alive — the schemas, the modules, the loaded copies — though none of those
are garbage. Measured in process at 2,000 workshops, such collections were
most of a list request's time and its spread (p50 several times its minimum).
Freezing the start-up heap (``gc.freeze``) moves it out of the collector's
sight; what requests allocate is collected as before. No collection first: it
would cost a start (and every test that starts an app) a full walk of the heap,
and start-up leaves little garbage to keep.

The youngest generation is collected every ``YOUNG_THRESHOLD`` net allocations
instead of 700: a list request allocates tens of thousands of short-lived
objects, nearly all freed by reference counting as it ends, so at 700 the
collector ran ~30 times per request, promoted what was still alive and set off
older collections (measured in process on b_leads_per_workshop at 2,000
workshops: collector time per 60 requests 367 ms -> 33 ms, no full collection).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000
"""Net allocations between collections of the youngest generation while serving."""

_before: list[tuple[int, int, int]] = []


def freeze_startup_heap() -> None:
    """Exempt everything alive now from future collections; collect the
    youngest generation less often."""
    gc.freeze()
    thresholds = gc.get_threshold()
    _before.append(thresholds)
    gc.set_threshold(max(YOUNG_THRESHOLD, thresholds[0]), *thresholds[1:])


def unfreeze() -> None:
    """At shutdown: hand the frozen objects back to the collector and restore the
    thresholds (tests start and stop many apps in one process)."""
    gc.unfreeze()
    if _before:
        gc.set_threshold(*_before.pop())
