"""uvicorn's HTTP protocol with Nagle's algorithm off on every connection.

With ``--workers N`` uvicorn's supervisor binds the listening socket itself
(``Config.bind_socket``) with ``proto`` left at 0; accepted sockets inherit it, and
asyncio only turns ``TCP_NODELAY`` on when a socket says ``IPPROTO_TCP``
(uvicorn issue #3149, open). uvicorn writes a response's head and body in two
writes, so on a keep-alive connection the body waited for the client's delayed
ACK: a steady ~40-50 ms per request with one client, whatever the request cost.
With one worker asyncio builds the listener from ``getaddrinfo`` and the option
was already on. Setting it per connection here covers every way a socket reaches
the server (one worker, the supervisor, an inherited descriptor).
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

_TCP_FAMILIES = (socket.AF_INET, socket.AF_INET6)


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol (what ``http="auto"`` picks without httptools), with
    ``TCP_NODELAY`` set on the connection's socket before it serves anything."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in _TCP_FAMILIES:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
