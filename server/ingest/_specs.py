"""Every kind's definition, by kind name."""

from __future__ import annotations

from server.ingest import _lead_kinds as leads
from server.ingest import _reference_kinds as ref
from server.ingest import _workshop_kinds as facts
from server.ingest._spec import KindSpec
from server.ingest.kinds import KINDS, check_kind

SPECS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        ref.IMPORTERS,
        ref.WORKSHOPS,
        ref.ELIGIBILITY_RULES,
        ref.MARKETPLACES,
        ref.SALES_PARTNERS,
        facts.VEHICLES,
        facts.VISITS,
        facts.ACTIVATIONS,
        facts.CHATS,
        leads.LEADS,
        leads.LEAD_OFFERS,
        leads.LEAD_EVENTS,
        facts.APP_ACTIVITY,
        facts.STAFF_ACTIVITY,
        facts.CAMPAIGNS,
    )
}
assert tuple(SPECS) == KINDS, "every kind needs exactly one definition, in KINDS order"
# asyncpg caches the column types COPY looks up by the query text, which names
# only the staging table and its columns: two kinds must not share a column list.
assert len({tuple(name for name, _ in s.stage) for s in SPECS.values()}) == len(SPECS)


def spec_for(kind: str) -> KindSpec:
    """The definition of ``kind``; raises UnknownKind for anything else."""
    return SPECS[check_kind(kind)]
