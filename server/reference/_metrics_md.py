"""docs/metrics.md: every catalog entry with its definition, unit, judgement,
place in the schema, the roles that see it, the filters that apply and its traps."""

from __future__ import annotations

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLType

from server.auth.principal import Role
from server.config import Settings
from server.metrics.catalog import CATALOG
from server.metrics.definition import DashboardKind, Judgement, MetricDef
from server.metrics.formulas import Distinct, Formula, Mean, Ratio, Sum
from server.schema.build import build_schema

_ROOTS = {
    DashboardKind.ACTIVATIONS: ("activationsDashboard", "ActivationsDashboard"),
    DashboardKind.PARTNER: ("salesPartner.dashboard", "PartnerDashboard"),
}
_JUDGEMENT = {
    Judgement.HIGHER_IS_BETTER: "higher is better",
    Judgement.LOWER_IS_BETTER: "lower is better",
    Judgement.NEUTRAL: "not judged (a fact)",
}
_UNIT = {
    "count": "count",
    "rate": "fraction 0..1",
    "seconds": "seconds",
    "rating": "rating 1..5",
    "date": "date",
}
_TITLES = {
    DashboardKind.ACTIVATIONS: "Activations and Performance",
    DashboardKind.PARTNER: "Partner",
}
_CONNECTION_FAMILY = {"connectionRate", "throughput", "eligible", "connected"}
_COHORT_NOTE = (
    "counted over the leads accepted in the period (the cohort of their acceptance day); "
    "later events on those leads still change a past period"
)


def _named(type_: GraphQLType) -> GraphQLType:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _paths(type_: GraphQLObjectType, key: str, prefix: str, depth: int = 0) -> list[str]:
    """Every path below ``type_`` to a field named ``key`` (metric fields sit <= 2 deep)."""
    found = []
    for name, field in type_.fields.items():
        if name == key:
            found.append(f"{prefix}.{name}")
        inner = _named(field.type)
        if depth < 1 and isinstance(inner, GraphQLObjectType) and not name.endswith("info"):
            found += _paths(inner, key, f"{prefix}.{name}", depth + 1)
    return found


def _where(schema: GraphQLSchema, entry: MetricDef) -> list[str]:
    root, type_name = _ROOTS[entry.dashboard]
    dashboard = schema.type_map.get(type_name)
    if not isinstance(dashboard, GraphQLObjectType):
        return []
    return _paths(dashboard, entry.key, root)


def _formula(formula: Formula | None) -> str:
    if isinstance(formula, Sum):
        return "Σ " + " + ".join(f"`{c}`" for c in formula.components)
    if isinstance(formula, Ratio):
        top = " + ".join(f"`{c}`" for c in formula.numerator)
        bottom = " + ".join(f"`{c}`" for c in formula.denominator)
        return f"Σ({top}) / Σ({bottom})"
    if isinstance(formula, Mean):
        return f"Σ `{formula.total}` / Σ `{formula.count}`"
    if isinstance(formula, Distinct):
        return f"distinct `{formula.kind}` ids over all days of the bucket"
    return "computed from the raw facts (not a rollup sum)"


def _filters(entry: MetricDef, paths: list[str]) -> str:
    if any(".pipeline." in p for p in paths):
        return "none: the current state, independent of period and filters"
    if entry.dashboard is DashboardKind.ACTIVATIONS:
        return "period; workshops (`workshopIds`, or one workshop's `dashboard`)"
    return "period; source; exclusivity; marketplace"


def _traps(entry: MetricDef, paths: list[str]) -> list[str]:
    traps = []
    if entry.key in _CONNECTION_FAMILY:
        traps.append(
            "a vehicle counts as connected when activated within 7 days (168 hours) of "
            "leaving the workshop, so a day stays provisional for 11 days "
            "(`provisionalFrom`) and its numbers can still rise"
        )
    if isinstance(entry.formula, Ratio):
        traps.append(
            "null, not 0, when the denominator is 0; a bucket's rate is the ratio of the "
            "bucket's sums, never a mean of daily rates"
        )
    if isinstance(entry.formula, Mean):
        traps.append("null, not 0, when there is nothing to average")
    if isinstance(entry.formula, Distinct):
        traps.append(
            "each person counts once per period (and per bucket): never the sum of daily "
            "counts, so buckets do not add up to the period's value"
        )
    if entry.dashboard is DashboardKind.PARTNER and any(
        f".{card}." in p
        for p in paths
        for card in ("feedback", "conversion", "processingSpeed", "satisfaction")
    ):
        traps.append(_COHORT_NOTE)
    if entry.key == "silentLeads":
        traps.append("depends on today: a lead turns silent 14 days after its latest feedback")
    if entry.key == "outflow":
        traps.append("a sales partner sees the receiving partners anonymised (competitor-N)")
    if entry.key == "overdueLeads":
        traps.append("the due time is the importer's `leadDueDays` (default 30)")
    return traps


def render(settings: Settings) -> str:
    schemas = {role: build_schema(role, settings)._schema for role in Role}
    lines = [
        "# Metrics",
        "",
        "<!-- Generated from server/metrics/catalog.py by `python -m server.reference`;",
        "     do not edit by hand (tests/test_reference_docs.py fails on drift). -->",
        "",
        "Every number the API returns is defined once in the metric catalog; this page,",
        "the schema descriptions and the `metricCatalog` query are derived from it.",
        "",
        "## Rules that apply to every metric",
        "",
        "- **Days are calendar days in the importer's timezone** (`Importer.timezone`): a",
        "  timestamp counts on the day it falls on there, not in UTC.",
        "- **Data is processed once a day.** The newest day a period may contain is `asOf`,",
        "  yesterday in the importer's timezone; periods and their previous periods are",
        "  described in [api.md](api.md#periods-and-previous-periods).",
        "- **Values come from day rollups** (the column names below): a period's value is",
        "  the formula over the sums of its days, a series point the formula over the sums",
        "  of its bucket's days.",
        "- **Empty denominators give null, never 0** (rates and means); counts are 0.",
        "- **Trends** compare with the previous period: `favorable` follows the judgement",
        "  below and is null when the value did not move or the metric is not judged.",
        "",
        "## Catalog",
        "",
    ]
    for dashboard in DashboardKind:
        title = (
            "Activations and Performance" if dashboard is DashboardKind.ACTIVATIONS else "Partner"
        )
        lines += [f"### {title} dashboard", ""]
        for entry in (e for e in CATALOG if e.dashboard is dashboard):
            paths = _where(schemas[Role.IMPORTER], entry)
            roles = [r.value for r in Role if _where(schemas[r], entry)]
            lines += [f"#### {entry.title} (`{entry.key}`)", "", entry.description, ""]
            lines += [
                f"- unit: {_UNIT[entry.unit]}; {_JUDGEMENT[entry.judgement]}",
                f"- formula: {_formula(entry.formula)}",
                "- in the schema: " + (", ".join(f"`{p}`" for p in paths) or "-"),
                "- seen by: " + ", ".join(f"`{r}`" for r in roles),
                f"- filters: {_filters(entry, paths)}",
            ]
            if entry.part_of:
                lines.append(f"- part of: `{entry.part_of}`")
            lines += [f"- trap: {trap}" for trap in _traps(entry, paths)]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
