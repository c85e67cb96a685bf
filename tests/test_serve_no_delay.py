"""Every connection `insights serve` accepts has Nagle's algorithm off, also on
the listening socket uvicorn's supervisor binds for ``--workers N``.

That socket says ``proto`` 0, so asyncio left ``TCP_NODELAY`` off on the
connections it accepted, and a response's body (written after its head) waited
for the client's delayed ACK: ~50 ms per request with one keep-alive client
(server/http/no_delay.py). Real sockets and real HTTP; the option is read on the
server's side of the connection, not inferred from timings."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from server.http.no_delay import NoDelayH11Protocol


async def _hello(scope: Scope, receive: Receive, send: Send) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


@pytest.fixture
async def supervised() -> AsyncIterator[tuple[uvicorn.Server, str]]:
    """A uvicorn server as each ``--workers N`` worker runs: on the socket the
    supervisor bound with ``Config.bind_socket``, with the protocol serve uses."""
    config = uvicorn.Config(
        _hello, host="127.0.0.1", port=0, lifespan="off", http=NoDelayH11Protocol
    )
    listener = config.bind_socket()
    assert listener.proto == 0  # what made asyncio skip TCP_NODELAY
    listener.listen()  # connections wait in the backlog until the server accepts them
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        yield server, f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        await serving


def _server_side_no_delay(server: uvicorn.Server) -> list[int]:
    connections = server.server_state.connections
    sockets = [c.transport.get_extra_info("socket") for c in connections]  # type: ignore[attr-defined]
    return [s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in sockets]


async def test_keep_alive_connections_of_a_supervised_worker_send_without_delay(
    supervised: tuple[uvicorn.Server, str],
) -> None:
    server, url = supervised
    async with httpx.AsyncClient() as http:
        for _ in range(3):  # one keep-alive connection, as the bench's single client
            assert (await http.get(url)).status_code == 200
        assert _server_side_no_delay(server) == [1]
