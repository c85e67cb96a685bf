"""One file is one transaction: all rows or none, the same file twice changes
nothing, and skipped rows land in a reject file (DOMAIN.md, "Bad input")."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from sqlalchemy import text

from server.errors import BadUserInput
from server.ingest import RowError, ingest_directory, ingest_file
from tests.test_ingest_helpers import BASE, csv_of, rows, seed, snapshot, ts, write_files

VISITS_HEADER = "visit_ref,workshop_ref,vin,arrived_at,departed_at"


async def test_one_bad_row_writes_nothing_not_even_updates(engine, tmp_path):
    await seed(engine, "importers", "workshops", "vehicles", "visits")
    before = await snapshot(engine)
    path = tmp_path / "visits.csv"
    path.write_text(
        csv_of(
            VISITS_HEADER,
            "V1,W1,VIN1,2026-10-03T08:00:00+02:00,2026-10-09T16:30:00+02:00",  # an update
            "V3,W1,VIN2,2026-10-05T08:00:00+02:00,",  # a new visit
            "V4,W1,VIN2,2026-10-05T08:00:00+02:00,yesterday",
        )
    )
    report = await ingest_file(engine, "visits", path)
    assert report.accepted == 0
    assert report.errors == [
        RowError(
            4,
            "departed_at",
            "bad timestamp 'yesterday': use ISO 8601 with an offset, e.g. 2026-10-03T14:05:00+02:00",
        )
    ]
    assert report.reject_file is None
    assert await snapshot(engine) == before
    assert await rows(engine, "SELECT departed_at FROM visits WHERE visit_ref = 'V1'") == [
        (ts("2026-10-03T16:30:00+02:00"),)
    ]
    assert not (tmp_path / "visits.csv.rejects.csv").exists()


async def test_the_same_files_twice_change_nothing(engine, tmp_path):
    write_files(tmp_path, BASE)
    first = await ingest_directory(engine, tmp_path)
    after_first = await snapshot(engine)
    second = await ingest_directory(engine, tmp_path)
    assert [(r.kind, r.accepted, r.errors) for r in second] == [
        (r.kind, r.accepted, r.errors) for r in first
    ]
    assert await snapshot(engine) == after_first
    # Copenhagen is at +02:00 in October; see BASE for the timestamps.
    assert [row[:3] for row in after_first["dirty_days"]] == [
        (1, "partner", date(2026, 10, 1)),
        (1, "partner", date(2026, 10, 2)),
        (1, "workshop", date(2026, 10, 1)),
        (1, "workshop", date(2026, 10, 2)),
        (1, "workshop", date(2026, 10, 3)),
        (1, "workshop", date(2026, 10, 4)),
        (1, "workshop", date(2026, 10, 5)),
    ]
    # A first rule set for the importer: every day of it must be rebuilt.
    assert [row[:2] for row in after_first["processing_state"]] == [(1, True)]


async def test_rows_sent_again_unchanged_mark_no_day(engine, tmp_path):
    write_files(tmp_path, BASE)
    await ingest_directory(engine, tmp_path)
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM dirty_days"))
        await conn.execute(text("DELETE FROM processing_state"))
    await ingest_directory(engine, tmp_path)
    assert await rows(engine, "SELECT count(*) FROM dirty_days") == [(0,)]
    assert await rows(engine, "SELECT count(*) FROM processing_state") == [(0,)]


async def test_skip_invalid_loads_the_good_rows_and_writes_the_bad_ones_aside(engine, tmp_path):
    await seed(engine, "importers", "workshops", "vehicles")
    path = tmp_path / "visits.csv"
    path.write_text(
        csv_of(
            VISITS_HEADER,
            "V1,W1,VIN1,2026-10-03T08:00:00+02:00,2026-10-03T16:30:00+02:00",
            "V2,W9,VIN1,2026-10-03T08:00:00,",
            "V3,W1,VIN9,2026-10-04T08:00:00+02:00,",
            "V1,W2,VIN2,2026-10-05T08:00:00+02:00,",
            'V5,W2,VIN2,"2026-10-06T08:00:00+02:00",',
        )
    )
    report = await ingest_file(engine, "visits", path, skip_invalid=True)
    assert report.accepted == 2
    assert report.errors == [
        RowError(
            3, "arrived_at", "timestamp without offset: add one, e.g. 2026-10-03T14:05:00+02:00"
        ),
        RowError(3, "workshop_ref", "unknown workshop_ref 'W9'"),
        RowError(4, "vin", "unknown vin 'VIN9': load it in vehicles first"),
        RowError(
            5,
            "visit_ref",
            "duplicate key (visit_ref) in this file: line 2 has the same; send each once",
        ),
    ]
    assert report.reject_file == tmp_path / "visits.csv.rejects.csv"
    with report.reject_file.open(encoding="utf-8", newline="") as rejects:
        assert list(csv.reader(rejects)) == [
            ["visit_ref", "workshop_ref", "vin", "arrived_at", "departed_at", "line", "column", "reason"],
            [
                "V2", "W9", "VIN1", "2026-10-03T08:00:00", "", "3", "arrived_at; workshop_ref",
                "timestamp without offset: add one, e.g. 2026-10-03T14:05:00+02:00; "
                "unknown workshop_ref 'W9'",
            ],
            [
                "V3", "W1", "VIN9", "2026-10-04T08:00:00+02:00", "", "4", "vin",
                "unknown vin 'VIN9': load it in vehicles first",
            ],
            [
                "V1", "W2", "VIN2", "2026-10-05T08:00:00+02:00", "", "5", "visit_ref",
                "duplicate key (visit_ref) in this file: line 2 has the same; send each once",
            ],
        ]  # fmt: skip
    assert await rows(engine, "SELECT visit_ref, arrived_at FROM visits ORDER BY 1") == [
        ("V1", ts("2026-10-03T08:00:00+02:00")),
        ("V5", ts("2026-10-06T08:00:00+02:00")),
    ]


async def test_a_directory_stops_at_the_first_file_with_errors(engine, tmp_path):
    files = dict(BASE)
    files["workshops"] = csv_of("workshop_ref,importer_ref,name", "W1,IMP9,One")
    write_files(tmp_path, files)
    reports = await ingest_directory(engine, tmp_path)
    assert [(r.kind, r.accepted, len(r.errors)) for r in reports] == [
        ("importers", 1, 0),
        ("workshops", 0, 1),
    ]
    assert await rows(engine, "SELECT count(*) FROM importers") == [(1,)]
    assert await rows(engine, "SELECT count(*) FROM eligibility_rules") == [(0,)]


async def test_a_missing_file_or_directory_is_bad_input(engine, tmp_path):
    with pytest.raises(BadUserInput, match="no such file"):
        await ingest_file(engine, "visits", tmp_path / "nope.csv")
    with pytest.raises(BadUserInput, match="no such directory"):
        await ingest_directory(engine, tmp_path / "nope")


async def test_a_file_that_is_not_utf8_is_reported(engine, tmp_path):
    path = tmp_path / "importers.csv"
    path.write_bytes("importer_ref,name\nIMP1,Bj\xf8rn\n".encode("latin-1"))
    report = await ingest_file(engine, "importers", path)
    assert (report.accepted, report.errors) == (
        0,
        [RowError(2, None, "the file is not UTF-8 text: save it as UTF-8")],
    )
