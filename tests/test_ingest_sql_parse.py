"""Plain files parsed in PostgreSQL write exactly what the Python checker writes:
the same rows, the same errors (messages and lines), the same reject file and
the same dirty days, over generated files full of bad and unusual cells."""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import server.ingest.load as load
from server.db import make_engine
from server.ingest import FactWindow, IngestReport, ingest_csv_text, ingest_file
from server.ingest._plain_csv import plain_rows
from tests.conftest import TEMPLATE, _with_database
from tests.test_ingest_helpers import csv_of, rows

WINDOW = FactWindow(date(2026, 1, 1), date(2026, 12, 31))
HEADER = "visit_ref,workshop_ref,vin,arrived_at,departed_at"

SETUP = {
    "importers": csv_of(
        "importer_ref,name,timezone",
        "IMP1,One,Europe/Copenhagen",
        "IMP2,Two,America/New_York",
    ),
    "workshops": csv_of(
        "workshop_ref,importer_ref,name,city",
        "W1,IMP1,One,Aarhus",
        "W2,IMP1,Two,Odense",
        "W3,IMP1,Three,Vejle",
        "W3,IMP2,Three abroad,Boston",
        "W4,IMP2,Four,Boston",
    ),
    "vehicles": csv_of(
        "vin,importer_ref,make,model,model_year",
        "VIN1,IMP1,VW,Golf,2019",
        "VIN2,IMP1,VW,Polo,2021",
        "VIN1,IMP2,VW,Golf,2019",
        "VINB,IMP2,VW,ID.4,2023",
    ),
    "visits": csv_of(
        HEADER,
        "V1,W1,VIN1,2026-10-03T08:00:00+02:00,2026-10-03T16:30:00+02:00",
        "V2,W2,VIN2,2026-10-04T09:00:00Z,",
    ),
}

# Cells a sender may write: canonical ones (parsed in SQL) and every kind of
# unusual or wrong one (left to the Python checker, which accepts or refuses).
TIMESTAMPS = [
    *(f"2026-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:00+02:00" for m, d, h, mi in
      [(10, 3, 8, 0), (10, 3, 16, 30), (10, 4, 23, 59), (3, 29, 1, 30), (6, 1, 0, 0)]),
    "2026-10-03T08:00:00-03:00", "2026-10-03T08:00:00+00:00", "2026-10-03T08:00:00+14:59",
    "2026-10-03T08:00:00+15:30", "2026-10-03T08:00:00+16:00", "2026-10-03T08:00:00+23:59",
    "2026-10-03T08:00:00+02:75", "2026-10-03T08:00:00Z", "2026-10-03T08:00:00.5+02:00",
    "2026-10-03T08:00:00.123456+02:00", "2026-10-03 08:00:00+02:00", "2026-10-03t08:00:00+02:00",
    "2026-10-03T24:00:00+02:00", "2026-10-03T08:60:00+02:00", "2026-10-03T08:00:60+02:00",
    "2026-02-30T08:00:00+02:00", "2026-13-01T08:00:00+02:00", "2026-10-03T08:00:00",
    "2026-10-03T8:00:00+02:00", "2026-10-03T08:00:00+0200", "20261003T080000+0200",
    "1899-10-03T08:00:00+02:00", "0000-10-03T08:00:00+02:00", "2027-01-01T00:30:00+02:00",
    "2026-12-31T23:30:00-02:00", "2025-12-31T23:30:00-02:00", "2026-01-01T00:30:00+02:00",
    "2999-10-03T08:00:00+02:00", " 2026-10-03T08:00:00+02:00", "2026-10-03T08:00:00+02:00 ",
    "\uff12026-10-03T08:00:00+02:00", "2026-1a-03T08:00:00+02:00", "2026-10-03T0-:00:00+02:00",
    "2026-10-03T08:00:00+-2:00", "2026-10-03T08::0:00+02:00", "yesterday", "",
]  # fmt: skip
WORKSHOPS = ["W1", "W2", "W3", "W4", "WX", "", "w1"]
VINS = ["VIN1", "VIN2", "VINB", "VIN9", ""]


def _cell(rng: random.Random, choices: list[str], common: str | None = None) -> str:
    return common if common is not None and rng.random() < 0.5 else rng.choice(choices)


def _visits(seed: int, count: int = 240) -> str:
    rng = random.Random(seed)
    lines = [HEADER]
    for i in range(count):
        ref = rng.choice([f"N{i}", f"N{i}", f"N{i}", "V1", "V2", f"N{i // 2}", "", "Vé"])
        arrived = _cell(rng, TIMESTAMPS, TIMESTAMPS[0])
        departed = _cell(rng, TIMESTAMPS, TIMESTAMPS[1])
        row = [ref, _cell(rng, WORKSHOPS, "W1"), _cell(rng, VINS, "VIN1"), arrived, departed]
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


async def _fresh(server_url: str, name: str) -> str:
    admin = await asyncpg.connect(_with_database(server_url, "postgres"))
    try:
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    finally:
        await admin.close()
    return _with_database(server_url, name)


@pytest.fixture
async def engines(server_url: str, template_url: str) -> AsyncIterator[list[AsyncEngine]]:
    """Two databases with the same setup: one per way of parsing."""
    names = [f"t_{os.getpid()}_sqlparse_{random.randrange(10**9)}" for _ in range(2)]
    urls = [await _fresh(server_url, name) for name in names]
    made = [make_engine(url, pool_size=2) for url in urls]
    for engine in made:
        for kind, body in SETUP.items():
            report = await ingest_csv_text(engine, kind, body, window=WINDOW)
            assert report.errors == [], report.errors
    yield made
    for engine in made:
        await engine.dispose()
    admin = await asyncpg.connect(_with_database(server_url, "postgres"))
    try:
        for name in names:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()


# What foreign keys no longer check (ingestion does), and more: a visit's
# workshop and vehicle exist and belong to the visit's importer.
_STRAY_VISITS = """SELECT v.visit_ref FROM visits v
    LEFT JOIN workshops w ON w.id = v.workshop_id AND w.importer_id = v.importer_id
    LEFT JOIN vehicles h ON h.id = v.vehicle_id AND h.importer_id = v.importer_id
    LEFT JOIN importers i ON i.id = v.importer_id
    WHERE w.id IS NULL OR h.id IS NULL OR i.id IS NULL"""


async def _state(engine: AsyncEngine) -> dict[str, list[tuple[object, ...]]]:
    """What a load writes; visits without their id (the order rows are staged in
    may differ, and nothing refers to a visit's id)."""
    assert await rows(engine, _STRAY_VISITS) == []
    return {
        "visits": await rows(
            engine,
            "SELECT importer_id, visit_ref, workshop_id, vehicle_id, arrived_at, departed_at"
            " FROM visits ORDER BY importer_id, visit_ref",
        ),
        "dirty_days": await rows(engine, "SELECT * FROM dirty_days ORDER BY 1, 2, 3"),
        "processing_state": await rows(engine, "SELECT * FROM processing_state ORDER BY 1"),
    }


async def _both_ways(
    monkeypatch: pytest.MonkeyPatch, engines: list[AsyncEngine], load_one: object
) -> list[tuple[IngestReport, dict[str, list[tuple[object, ...]]]]]:
    outcomes = []
    for engine, in_sql in zip(engines, (True, False), strict=True):
        monkeypatch.setattr(load, "SQL_PARSE", in_sql)
        report = await load_one(engine)  # type: ignore[operator]
        outcomes.append((report, await _state(engine)))
    return outcomes


@pytest.mark.parametrize("scope", [None, "IMP1", "IMP2"])
@pytest.mark.parametrize("seed", range(4))
async def test_text_loads_write_the_same_both_ways(monkeypatch, engines, seed, scope):
    body = _visits(seed)
    assert plain_rows(body.encode()) is not None, "the generated file is parsed in SQL"

    async def load_one(engine: AsyncEngine) -> IngestReport:
        return await ingest_csv_text(engine, "visits", body, importer_ref=scope, window=WINDOW)

    (sql, sql_state), (python, python_state) = await _both_ways(monkeypatch, engines, load_one)
    assert sql.errors, "the generated file holds bad rows"
    assert (sql.accepted, sql.errors) == (python.accepted, python.errors)
    assert sql_state == python_state


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("seed", range(4, 8))
async def test_files_skipping_bad_rows_write_the_same_both_ways(
    monkeypatch, engines, tmp_path: Path, seed, newline
):
    body = _visits(seed).replace("\n", newline)
    paths = []
    for side in ("sql", "python"):
        (tmp_path / side).mkdir()
        path = tmp_path / side / "visits.csv"
        path.write_bytes(body.encode())
        paths.append(path)
    given = iter(paths)

    async def load_one(engine: AsyncEngine) -> IngestReport:
        path = next(given)
        return await ingest_file(engine, "visits", path, skip_invalid=True, window=WINDOW)

    (sql, sql_state), (python, python_state) = await _both_ways(monkeypatch, engines, load_one)
    assert sql.accepted > 0 and sql.errors
    assert (sql.accepted, sql.errors) == (python.accepted, python.errors)
    assert sql_state == python_state
    assert sql.reject_file and python.reject_file
    assert sql.reject_file.read_bytes() == python.reject_file.read_bytes()


@pytest.mark.parametrize(
    "tail",
    [
        "N1,W1,VIN1,2026-10-03T08:00:00+02:00",  # ragged: COPY refuses, Python reports
        "N1,W1,VIN1,2026-10-03T08:00:00+02:00,,",
        'N1,"W1",VIN1,2026-10-03T08:00:00+02:00,',  # quoted: not plain
        "N1,W1,VIN1,2026-10-03T08:00:00+02:00,\n\nN2,W1,VIN1,2026-10-03T08:00:00+02:00,",
        "N1,W1,VIN\x001,2026-10-03T08:00:00+02:00,",
        "N1,W1,VIN1,2026-10-03T08:00:00+02:00,\r",
        "\\.",
    ],
)
async def test_files_that_are_not_plain_write_the_same_both_ways(monkeypatch, engines, tail):
    body = _visits(11, count=30) + tail + "\n"

    async def load_one(engine: AsyncEngine) -> IngestReport:
        return await ingest_csv_text(engine, "visits", body, window=WINDOW)

    (sql, sql_state), (python, python_state) = await _both_ways(monkeypatch, engines, load_one)
    assert (sql.accepted, sql.errors) == (python.accepted, python.errors)
    assert sql_state == python_state


async def test_a_clean_file_loads_every_row_in_sql(monkeypatch, engines):
    body = _visits(3, count=0) + "".join(
        f"C{i},W{1 + i % 2},VIN{1 + i % 2},2026-10-0{1 + i % 9}T0{i % 10}:15:00+02:00,\n"
        for i in range(50)
    )

    async def load_one(engine: AsyncEngine) -> IngestReport:
        return await ingest_csv_text(engine, "visits", body, window=WINDOW)

    (sql, sql_state), (python, python_state) = await _both_ways(monkeypatch, engines, load_one)
    assert sql.accepted == python.accepted == 50
    assert sql.errors == python.errors == []
    assert sql_state == python_state


@pytest.mark.parametrize(
    ("data", "plain"),
    [
        (b"a,b\n1,2\n", b"1,2\n"),
        (b"a,b\r\n1,2\r\n3,4", b"1,2\r\n3,4"),
        (b"\xef\xbb\xbfa,b\n1,2\n", b"1,2\n"),
        (b"a,b\n", b""),
        (b"a,b", None),
        (b"a,b\r\n1,2\n", None),
        (b"a,b\n1,2\r\n", None),
        (b"a,b\n1,2\r3,4\n", None),
        (b"a,b\n\n1,2\n", None),
        (b"a,b\n1,2\n\n3,4\n", None),
        (b'a,b\n"1",2\n', None),
        (b"a,b\n1,\x002\n", None),
        (b"a,b\n\\.\n", None),
        (b"a,b\n" + b"x" * 200_000 + b",2\n", None),
    ],
)
def test_only_plain_csv_text_is_parsed_in_sql(data, plain):
    assert plain_rows(data) == plain
