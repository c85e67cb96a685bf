"""The partner day rollups' in-process copies (offers, cohorts) answer exactly
what SQL answers: every partner dashboard card under every combination of lead
filters, presets and custom periods, series granularities, aliased and listed
dashboards, for every role, asked of an app reading the copies and of one
reading SQL, give byte-identical JSON; and the copy app read no offer or cohort
rows from SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest

from bench import queries as bench
from server.config import Settings
from tests.both_ways import serve_both_ways
from tests.statements import counting
from tests.test_day_copy import _periods
from tests.test_fast_execution import ROLES
from tests.test_partner_dashboard import DASHBOARD, MANY, NAMES, build_world

_SERIES = """
query($id: ID!, $filter: PartnerFilterInput!) {
  salesPartner(id: $id) { dashboard(filter: $filter) {
    leadPick { offersReceived { value series(granularity: %(g)s) { date value }
                                previousSeries(granularity: %(g)s) { date value } }
               pickRate { value series(granularity: %(g)s) { date value } }
               timeToAccept { value trend { previous change } } }
    feedback { feedbackRate { value series(granularity: %(g)s) { date value } } }
    conversion { won { value series(granularity: %(g)s) { value } } conversionRate { value } }
    processingSpeed { timeToFirstContact { value } salesCycle { value } }
    satisfaction { leadRating { value } customerRating { value } }
  } }
}"""

_FILTERS: list[dict[str, Any]] = [
    {},
    {"source": "MARKETPLACE"},
    {"source": "DIRECT"},
    {"exclusivity": "EXCLUSIVE"},
    {"exclusivity": "SHARED", "source": "MARKETPLACE"},
    {"marketplaceId": "mp-1"},
    {"marketplaceId": "mp-2", "exclusivity": "SHARED"},
]


def _queries() -> list[tuple[str, dict[str, Any]]]:
    queries: list[tuple[str, dict[str, Any]]] = [
        (bench.partner_dashboards(sorted(NAMES)), {}),
        (bench.ALL_PARTNER_DASHBOARDS, {}),
    ]
    for n, period in enumerate(_periods()):
        granularity = ("DAY", "WEEK", "MONTH")[n % 3]
        for k, filters in enumerate(_FILTERS):
            filter_ = {"period": period, **filters}
            partner = sorted(NAMES)[(n + k) % len(NAMES)]
            queries.append((DASHBOARD, {"id": partner, "filter": filter_}))
            queries.append((_SERIES % {"g": granularity}, {"id": partner, "filter": filter_}))
        queries.append((MANY, {"f": {"period": period}}))
    return queries


@pytest.fixture
async def copy_and_sql(
    settings: Settings, database_url: str, token: Callable[..., str], engine: Any
) -> AsyncIterator[tuple[Callable[..., Any], list[str], Any]]:
    await build_world(engine)
    async with AsyncExitStack() as stack:
        both = await serve_both_ways(stack, settings, database_url, "day_copy")
        copies = both.apps[0].state.insights.day_copy
        from_copy = stack.enter_context(counting(both.apps[0].state.insights.engine))
        yield both.asker(token), from_copy, copies


async def test_the_partner_copies_answer_what_sql_answers(copy_and_sql):
    ask, from_copy, copies = copy_and_sql
    assert copies.state == "warm" and copies.offers.nbytes > 0 and copies.cohort.nbytes > 0
    compared = 0
    for role, claims in ROLES:
        for query, variables in _queries():
            copy, sql = await ask(query, variables, role, claims)
            assert copy == sql, f"{role}: differs for {variables} {query[:300]}"
            compared += 1
    assert compared > 400
    # the day sums' statements (the pipeline's totals read partner_offer_day apart)
    read = [
        s for s in from_copy if "FROM partner_offer_day d" in s or "FROM partner_cohort_day d" in s
    ]
    assert not read, "offer or cohort day rows read from SQL"
