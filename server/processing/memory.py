"""Working memory for a processing run's statements.

The default ``work_mem`` (4 MB) sends a full rebuild's sorts and hash
aggregates to disk: the distinct users of every workshop and day are sorted in
batches, the day sums spill in 81 batches. A processing run is one
transaction of a few large statements per importer and runs at most once per
importer at a time (its advisory lock), so it may use more, for its own
transaction only (``SET LOCAL``); requests keep the server's setting.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# Per sort or hash node (hashes may use hash_mem_multiplier times this): at
# 2,000 workshops x 730 days a full rebuild's largest hash holds ~2.4 M vehicles.
REBUILD_WORK_MEM = "256MB"


async def widen_work_mem(conn: AsyncConnection) -> None:
    """Let the rest of this transaction sort and hash in memory."""
    await conn.execute(text(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'"))
