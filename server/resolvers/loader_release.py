"""Let go of what a request's DataLoaders hold once its answer is written.

Each loader of a request is built on a bound method or closure of the object
that holds it (``Loaders``, ``PartnerLoaders``), so those objects sit in
reference cycles: nothing they cache — every row a request read, 2,000
workshop rows for a big list — is freed when the request ends, but only by
the next full garbage collection, which then walks all of it. With the
start-up heap frozen (``server/gc_tuning.py``) such collections come every few
list requests and were a request's slowest moments (p99 several times p50).
Emptying the caches and batches at the end frees that data by reference
counting; only the loaders' own small cycle is left for the collector."""

from __future__ import annotations

from typing import Any

from strawberry.dataloader import DataLoader


def release_loaders(holder: object) -> None:
    """Empties every DataLoader among ``holder``'s attributes (cache and last batch)."""
    for value in vars(holder).values():
        if isinstance(value, DataLoader):
            _release(value)


def _release(loader: DataLoader[Any, Any]) -> None:
    loader.clear_all()
    batch = loader.batch
    if batch is not None and batch.dispatched:
        loader.batch = None
