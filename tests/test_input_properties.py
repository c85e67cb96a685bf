"""Properties of input validation at the edges, through the real doors: any
string as an id or search, any date as a period, any CSV cell or ingest value
never yields INTERNAL (or a 500), and a refused ingest call writes nothing."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import text

from server.app import create_app
from server.db import make_engine
from tests.oracle.fixtures import insert_importer, insert_workshop

PROPERTY = hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Every character class a sender gets wrong: NUL, quotes, separators, line breaks,
# surrogate-free unicode, digits and the letters of dates and offsets.
CELL = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", '"', '""', ",", "\n", "\r\n", "w1", "c1", "-1", "1e309"]),
    st.dates().map(date.isoformat),
    st.datetimes().map(lambda d: d.isoformat() + st_offset(d.microsecond)),
    st.integers(min_value=-(2**40), max_value=2**40).map(str),
)


def st_offset(seed: int) -> str:
    return ("", "Z", "+02:00", "-14:00", "+25:00")[seed % 5]


class Doors:
    """The app over ASGI plus a database engine, on one event loop for all examples."""

    def __init__(self, runner: asyncio.Runner, database_url: str, settings: Any) -> None:
        self.runner = runner
        self.engine = make_engine(database_url, pool_size=2)
        app = create_app(settings, database_url=database_url, migrate=False)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.http = httpx.AsyncClient(transport=transport, base_url="http://t")

    def run(self, work: Any) -> Any:
        return self.runner.run(work)

    async def rows(self, table: str) -> list[tuple[Any, ...]]:
        async with self.engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text(f"SELECT * FROM {table}"))).all()]


@pytest.fixture
def doors(database_url, settings) -> Iterator[Doors]:
    with asyncio.Runner() as runner:
        doors = Doors(runner, database_url, settings)

        async def world() -> None:
            async with doors.engine.begin() as c:
                await insert_workshop(c, await insert_importer(c, ref="imp"), ref="w1")

        runner.run(world())
        yield doors
        runner.run(doors.http.aclose())
        runner.run(doors.engine.dispose())


def _codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors") or []}


def _auth(token: Callable[..., str], role: str = "importer") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role)}"}


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_any_string_as_an_id_or_search(doors, token):
    queries = (
        "query($s: ID!) { workshop(id: $s) { id } }",
        "query($s: String) { workshops(search: $s) { totalCount } }",
        "query($s: ID!) { salesPartner(id: $s) { id } }",
        "query($s: ID!) { activationsDashboard(workshopIds: [$s], "
        "period: {preset: LAST_7_DAYS}) { newActivations { value } } }",
    )

    strings = st.one_of(st.text(max_size=60), st.sampled_from(["\x00", "w\x001", "w1", ""]))

    @PROPERTY
    @given(value=strings, which=st.integers(0, len(queries) - 1))
    def check(value: str, which: int) -> None:
        response = doors.run(
            doors.http.post(
                "/graphql",
                json={"query": queries[which], "variables": {"s": value}},
                headers=_auth(token),
            )
        )
        assert response.status_code in (200, 400), response.text
        assert _codes(response.json()) <= {"NOT_FOUND", "BAD_USER_INPUT"}, response.text

    check()


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_any_dates_as_a_period(doors, token):
    query = (
        "query($f: Date, $t: Date) { activationsDashboard(period: {preset: CUSTOM, from: $f, "
        "to: $t}) { period { from to } newActivations { value trend { previous } } } }"
    )

    # the far edges of the calendar on purpose: that is where date arithmetic breaks
    edges = st.one_of(st.dates(max_value=date(1, 12, 31)), st.dates(min_value=date(9999, 1, 1)))

    @PROPERTY
    @given(
        start=st.one_of(st.dates(), edges),
        span=st.one_of(st.integers(0, 1200), st.integers(-1, 10**6)),
    )
    def check(start: date, span: int) -> None:
        end = date.fromordinal(min(max(start.toordinal() + span, 1), date.max.toordinal()))
        response = doors.run(
            doors.http.post(
                "/graphql",
                json={"query": query, "variables": {"f": str(start), "t": str(end)}},
                headers=_auth(token),
            )
        )
        assert response.status_code == 200, response.text
        assert _codes(response.json()) <= {"BAD_USER_INPUT"}, response.text

    check()


def _csv(rows: list[list[str]], quoted: bool) -> str:
    if not quoted:  # as a careless sender writes it: possibly broken CSV
        return "".join(",".join(row) + "\n" for row in rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_any_csv_cells_are_all_or_nothing(doors, token):
    header = ["campaign_ref", "workshop_ref", "sent_at", "recipients"]
    good = ["c-good", "w1", "2026-11-02T10:00:00+01:00", "4"]

    @PROPERTY
    @given(
        rows=st.lists(st.lists(CELL, min_size=3, max_size=5), min_size=1, max_size=4),
        with_good=st.booleans(),
        quoted=st.booleans(),
    )
    def check(rows: list[list[str]], with_good: bool, quoted: bool) -> None:
        body = _csv([header, *([good] if with_good else []), *rows], quoted)
        before = doors.run(doors.rows("campaigns"))
        response = doors.run(
            doors.http.post(
                "/ingest/campaigns",
                content=body.encode("utf-8", "surrogatepass"),
                headers={**_auth(token, "integration"), "Content-Type": "text/csv"},
            )
        )
        assert response.status_code in (200, 400, 422), response.text
        if response.status_code != 200:
            assert doors.run(doors.rows("campaigns")) == before  # nothing written

    check()


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_any_ingest_mutation_values_are_all_or_nothing(doors, token):
    mutation = """mutation($rows: [VisitRowInput!]!) {
      ingestVisits(rows: $rows) { accepted errors { row column reason } } }"""
    row = st.fixed_dictionaries(
        {"visitRef": CELL, "workshopRef": CELL, "vin": CELL, "arrivedAt": CELL},
        optional={"departedAt": st.one_of(st.none(), CELL)},
    )

    async def vehicle() -> None:
        async with doors.engine.begin() as c:
            await c.execute(
                text(
                    "INSERT INTO vehicles (importer_id, vin, make, model, model_year) "
                    "SELECT id, 'c1', 'VW', 'Up', 2020 FROM importers"
                )
            )

    doors.run(vehicle())

    @PROPERTY
    @given(rows=st.lists(row, min_size=1, max_size=3))
    def check(rows: list[dict[str, Any]]) -> None:
        before = doors.run(doors.rows("visits"))
        response = doors.run(
            doors.http.post(
                "/graphql",
                json={"query": mutation, "variables": {"rows": rows}},
                headers=_auth(token, "integration"),
            )
        )
        assert response.status_code in (200, 400), response.text
        body = response.json()
        assert _codes(body) <= {"BAD_USER_INPUT"}, body
        result = (body.get("data") or {}).get("ingestVisits")
        if result is None or result["errors"]:
            assert doors.run(doors.rows("visits")) == before
        else:
            assert result["accepted"] == len(rows)

    check()
