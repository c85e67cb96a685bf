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
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Exempt everything alive now from future collections."""
    gc.freeze()


def unfreeze() -> None:
    """At shutdown: hand the frozen objects back to the collector (tests start
    and stop many apps in one process)."""
    gc.unfreeze()
