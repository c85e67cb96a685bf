"""Reading an ingest request body with a cap.

A body over ``INSIGHTS_MAX_INGEST_BYTES`` is refused with 413, but only after
the rest of it has been read and thrown away (up to a bound): a server that
answers and closes while the client is still sending makes the client see a
connection reset instead of the answer (what nginx's lingering close avoids).
"""

from __future__ import annotations

from starlette.requests import Request

DRAIN_FACTOR = 4
"""Past the cap, up to this many times the cap more is read and discarded; a
body larger still gets the 413 at once and the connection closes."""
_MIN_DRAIN = 64 * 1_048_576


class BodyTooLarge(Exception):
    """The body is over the cap; ``drained`` says whether all of it was read."""

    def __init__(self, cap: int, drained: bool) -> None:
        super().__init__(f"the body is over {cap} bytes")
        self.cap = cap
        self.drained = drained

    @property
    def message(self) -> str:
        return (
            f"the request body is over {self.cap} bytes (INSIGHTS_MAX_INGEST_BYTES): "
            "split the file into smaller ones"
        )


async def capped_body(request: Request, cap: int) -> bytes:
    """The whole body, if it is at most ``cap`` bytes.

    Raises:
        BodyTooLarge: after draining the rest of the body up to the bound.
    """
    bound = cap + max(DRAIN_FACTOR * cap, _MIN_DRAIN)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > bound:
        raise BodyTooLarge(cap, drained=False)
    chunks: list[bytes] = []
    size = 0
    stream = request.stream()
    async for chunk in stream:
        size += len(chunk)
        if size > cap:
            chunks.clear()
            break
        chunks.append(chunk)
    else:
        return b"".join(chunks)
    async for chunk in stream:
        size += len(chunk)
        if size > bound:
            raise BodyTooLarge(cap, drained=False)
    raise BodyTooLarge(cap, drained=True)
