"""Following the data version of every importer with PostgreSQL LISTEN/NOTIFY,
so each process (every worker, every replica) starts reloading its in-process
copies within a moment of a processing run committing — before a request
would find them behind.

A trigger on ``processing_state`` (migration 0010) sends
``NOTIFY insights_data_version, '<importer id>:<version>'``. The listener keeps
one connection of its own; after (re)connecting it re-reads every version,
so notifications missed while it was away are caught up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from server.db import plain_url

log = logging.getLogger(__name__)

CHANNEL = "insights_data_version"

RECONNECT_SECONDS = 1.0


def parse(payload: str) -> tuple[int, int] | None:
    """(importer id, version) from a notification's payload; None if malformed."""
    importer, _, version = payload.partition(":")
    try:
        return int(importer), int(version)
    except ValueError:
        return None


async def follow(
    url: str,
    on_change: Callable[[int, int], None],
    on_connect: Callable[[], Awaitable[None]],
) -> None:
    """Run until cancelled: call ``on_change(importer, version)`` per notification
    and ``on_connect()`` after every (re)connection."""
    while True:
        try:
            await _listen(url, on_change, on_connect)
        except Exception as exc:  # whatever went wrong, keep following (a later try may work)
            log.warning("data-version listener: %s; reconnecting", exc)
        await asyncio.sleep(RECONNECT_SECONDS)


async def _listen(
    url: str,
    on_change: Callable[[int, int], None],
    on_connect: Callable[[], Awaitable[None]],
) -> None:
    """One connection's life: listen until it is lost."""
    lost = asyncio.Event()

    def notified(_c: object, _pid: int, _channel: str, payload: object) -> None:
        found = parse(str(payload))
        if found is not None:
            on_change(*found)

    conn = await asyncpg.connect(plain_url(url))
    try:
        conn.add_termination_listener(lambda _c: lost.set())
        await conn.add_listener(CHANNEL, notified)
        await on_connect()
        await lost.wait()
    finally:
        if not conn.is_closed():
            await conn.close()
