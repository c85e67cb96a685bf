"""Timing GraphQL requests over real HTTP: one client in sequence (latency,
every request kept in order so the first ones can be told apart), or N
concurrent clients for a while (throughput)."""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from dataclasses import dataclass
from typing import Any

import httpx


class RequestFailed(RuntimeError):
    """The server answered with errors: timing it would measure the wrong thing."""


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "p99_ms": round(percentile(values, 0.99), 2),
    }


async def post(client: httpx.AsyncClient, url: str, query: str, token: str | None) -> float:
    """One request; its wall time in ms (body read and checked)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.perf_counter()
    response = await client.post(url, json={"query": query}, headers=headers)
    body: dict[str, Any] = response.json()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or body.get("errors"):
        first = (body.get("errors") or [{}])[0]
        raise RequestFailed(f"HTTP {response.status_code}: {first.get('message', body)}"[:500])
    return elapsed


async def sequence(url: str, query: str, token: str | None, runs: int) -> list[float]:
    """``runs`` requests one after the other on one keep-alive connection."""
    async with httpx.AsyncClient(timeout=120) as client:
        return [await post(client, url, query, token) for _ in range(runs)]


@dataclass(frozen=True)
class Throughput:
    clients: int
    seconds: float
    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float


async def throughput(
    url: str, query: str, token: str | None, *, clients: int, seconds: float
) -> Throughput:
    """``clients`` concurrent clients, each sending requests back to back."""
    done: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client_loop() -> None:
        async with httpx.AsyncClient(timeout=120) as client:
            while time.perf_counter() < deadline:
                done.append(await post(client, url, query, token))

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    wall = time.perf_counter() - started
    return Throughput(
        clients,
        round(wall, 2),
        len(done),
        round(len(done) / wall, 1),
        round(statistics.median(done), 1),
        round(percentile(done, 0.99), 1),
    )
