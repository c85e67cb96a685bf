"""Refreshing a copy from the blocks of the days a run rewrote — in place or
rebuilt, with days added, rewritten and vanished anywhere (before the first
held day, after the last, in between), workshops and partner keys new to the
copy, and labels that sort before the held ones — gives exactly the copy built
afresh from every block: day rollups, partner rollups and distinct ids."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pytest

from server.metrics.monthly_ids import MonthlyIds
from server.models.copy_blocks import APP_USERS, OFFERS, WORKSHOP_DAY, BlockLayout
from server.resolvers.blocks import Block, record_type
from server.resolvers.day_copy import from_blocks
from server.resolvers.distinct_ids import _of_blocks
from server.resolvers.partner_copy import _from_blocks

BASE = date(2025, 1, 1).toordinal()
BUDGET = 1 << 40
Rows = dict[Any, dict[str, float]]


def _block(layout: BlockLayout, day: int, rows: Rows, version: int) -> Block:
    """A block as the writer's SQL lays it out (keys first, big-endian)."""
    dtype = record_type(layout)
    labels = sorted({k[1] for k in rows}) if "source" in layout.keys else []
    records = np.zeros(len(rows), dtype.newbyteorder("="))
    for i, (key, values) in enumerate(rows.items()):
        keys = key[: len(layout.keys)] if isinstance(key, tuple) else (key,)
        for name, value in zip(layout.keys, keys, strict=True):
            if name == "source":
                value = labels.index(value)
            records[i][name] = -1 if value is None else value
        for name, value in values.items():
            records[i][name] = value
    return Block(day, version, records.astype(dtype), tuple(labels))


def _runs(
    rng: random.Random, make: Callable[[], Rows]
) -> list[tuple[dict[int, Rows], list[int], dict[int, int]]]:
    """A first state, then runs rewriting or emptying a few days each: per
    state, every day's rows, the days the run wrote, and every held day's version."""
    state = {BASE + d: make() for d in rng.sample(range(100), rng.randint(1, 100))}
    held = dict.fromkeys(state, 1)
    found = [(dict(state), list(state), dict(held))]
    for version in range(2, 6):
        written = []
        for d in rng.sample(range(-10, 110), rng.randint(1, 6)):
            if rng.random() < 0.3:
                state.pop(BASE + d, None)
                held.pop(BASE + d, None)
            else:
                state[BASE + d] = make()
                held[BASE + d] = version
                written.append(BASE + d)
        found.append((dict(state), written, dict(held)))
    return found


def _cells(days: Any, name: Callable[[int], Any]) -> dict[tuple[str, Any, int], float]:
    out = {}
    for column in days.columns:
        values = days.raw_days(column)
        for r, d in zip(*np.nonzero(values), strict=True):
            out[(column, name(int(r)), days.first_day + int(d))] = float(values[r, d])
    return out


@pytest.mark.parametrize("seed", range(60))
def test_day_copy_refreshes_equal_fresh_builds(seed: int) -> None:
    rng = random.Random(seed)
    floating = WORKSHOP_DAY.floating

    def make() -> Rows:
        return {
            rng.randint(1, 8): {
                c: rng.random() * 99 if c in floating else rng.randint(0, 50)
                for c in WORKSHOP_DAY.columns
                if rng.random() < 0.5
            }
            for _ in range(rng.randint(1, 4))
        }

    held: Any = None
    for state, written, versions in _runs(rng, make):
        blocks = [_block(WORKSHOP_DAY, d, state[d], 0) for d in written]
        held = from_blocks(blocks, versions, held, BUDGET)
        fresh = from_blocks(
            [_block(WORKSHOP_DAY, d, r, 0) for d, r in state.items()], versions, None, BUDGET
        )
        assert held is not None and fresh is not None
        assert _cells(held, held.workshops.item) == _cells(fresh, fresh.workshops.item)


@pytest.mark.parametrize("seed", range(60))
def test_partner_copy_refreshes_equal_fresh_builds(seed: int) -> None:
    rng = random.Random(seed)
    sources = ["DIRECT", "web", "Web", "ZZ", "aa", "B"]

    def make() -> Rows:
        return {
            (
                rng.randint(1, 5),
                rng.choice(sources),
                rng.random() < 0.5,
                rng.choice([None, 1, 7]),
            ): {c: rng.randint(0, 9) for c in OFFERS.columns if rng.random() < 0.6}
            for _ in range(rng.randint(1, 4))
        }

    held: Any = None
    for state, written, versions in _runs(rng, make):
        blocks = [_block(OFFERS, d, state[d], 0) for d in written]
        held = _from_blocks(OFFERS, blocks, versions, held, BUDGET)
        every = [_block(OFFERS, d, r, 0) for d, r in state.items()]
        fresh = _from_blocks(OFFERS, every, versions, None, BUDGET)
        assert held is not None and fresh is not None
        expected = {
            (c, k, d): float(v)
            for d, r in state.items()
            for k, vs in r.items()
            for c, v in vs.items()
            if v
        }
        assert _cells(held.days, held.keys.__getitem__) == expected
        assert _cells(fresh.days, fresh.keys.__getitem__) == expected


@pytest.mark.parametrize("seed", range(60))
def test_distinct_ids_refreshes_equal_fresh_builds(seed: int) -> None:
    rng = random.Random(seed)

    def make() -> Rows:
        return {(rng.randint(1, 6), rng.randint(1, 20)): {} for _ in range(rng.randint(1, 6))}

    def triples(ids: MonthlyIds) -> list[tuple[int, int, int]]:
        found: list[tuple[int, int, int]] = []
        for p in ids.parts:
            workshops = np.repeat(p.workshop_ids, np.diff(p.starts))
            found += zip(workshops.tolist(), p.days.tolist(), p.users.tolist(), strict=True)
        return sorted(found)

    def block(day: int, rows: Rows) -> Block:
        return _block(APP_USERS, day, {(w, u): {"user_id": u} for w, u in rows}, 0)

    held: Any = None
    for state, written, versions in _runs(rng, make):
        held = _of_blocks([block(d, state[d]) for d in written], versions, held)
        fresh = _of_blocks([block(d, r) for d, r in state.items()], versions, None)
        expected = sorted((w, d, u) for d, r in state.items() for w, u in r)
        assert triples(held) == triples(fresh) == expected
