"""Kept dashboard filters: the typed inputs ``saveFilters`` takes, and their
validation, by the same rules as the dashboards' own arguments, so a filter that
saved fine but no longer parses (a workshop gone, a custom range now too old) is
reported with what to fix, never silently dropped.

Filters are stored as JSON with the keys of the typed inputs (the same JSON the
deprecated ``filters`` argument takes), so both ways read back alike."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import strawberry

from server.errors import BadUserInput, NotFound
from server.metrics.definition import DashboardKind
from server.metrics.periods import Preset, resolve_period
from server.schema.common import Exclusivity, LeadSource, PeriodInput
from server.schema.context import Context

_KEYS = {
    DashboardKind.ACTIVATIONS: {"workshopIds", "period"},
    DashboardKind.PARTNER: {"period", "source", "exclusivity", "marketplaceId", "partnerId"},
}
_CHOICES = {
    "source": ("MARKETPLACE", "DIRECT", "ALL"),
    "exclusivity": ("EXCLUSIVE", "SHARED", "ALL"),
}


@strawberry.input(
    description="Filters of the Activations dashboard to keep; a field left out is not kept."
)
class SavedActivationsFiltersInput:
    period: PeriodInput | None = strawberry.field(
        default=strawberry.UNSET, description="The period."
    )
    workshop_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="The workshops (null: all in scope)."
    )


@strawberry.input(
    description="Filters of the Partner dashboard to keep; a field left out is not kept."
)
class SavedPartnerFiltersInput:
    period: PeriodInput | None = strawberry.field(
        default=strawberry.UNSET, description="The period."
    )
    source: LeadSource | None = strawberry.field(
        default=strawberry.UNSET, description="The lead source."
    )
    exclusivity: Exclusivity | None = strawberry.field(
        default=strawberry.UNSET, description="Exclusive or shared leads."
    )
    marketplace_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="One marketplace (null: all)."
    )
    partner_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The sales partner shown."
    )


_JSON_KEYS = {
    "period": "period",
    "workshop_ids": "workshopIds",
    "source": "source",
    "exclusivity": "exclusivity",
    "marketplace_id": "marketplaceId",
    "partner_id": "partnerId",
}


def _json_value(value: Any) -> Any:
    if isinstance(value, PeriodInput):
        period = {"preset": value.preset, "from": value.from_, "to": value.to}
        return {k: _json_value(v) for k, v in period.items() if v is not None}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(item) for item in value]
    if hasattr(value, "value"):  # an enum
        return value.value
    return None if value is None else str(value)


def filters_json(
    filters: SavedActivationsFiltersInput | SavedPartnerFiltersInput,
) -> dict[str, Any]:
    """The JSON a typed input is stored as (only the fields given)."""
    return {
        json_key: _json_value(getattr(filters, name))
        for name, json_key in _JSON_KEYS.items()
        if getattr(filters, name, strawberry.UNSET) is not strawberry.UNSET
    }


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadUserInput(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from None


def _period(value: Any, as_of: date) -> None:
    if not isinstance(value, dict):
        raise BadUserInput('period must be an object like {"preset": "LAST_30_DAYS"}')
    unknown = set(value) - {"preset", "from", "to"}
    if unknown:
        raise BadUserInput(f"period has unknown keys {sorted(unknown)}; use preset, from, to")
    preset = value.get("preset")
    if preset is not None and preset not in Preset.__members__:
        raise BadUserInput(
            f"period.preset '{preset}' is unknown; use one of {list(Preset.__members__)}"
        )
    resolve_period(
        Preset(preset) if preset else None,
        _date(value.get("from"), "period.from"),
        _date(value.get("to"), "period.to"),
        as_of=as_of,
    )


async def validate_filters(ctx: Context, dashboard: DashboardKind, filters: Any) -> None:
    """Raise BadUserInput (or NotFound for an unknown id) naming the first problem."""
    if not isinstance(filters, dict):
        raise BadUserInput("filters must be a JSON object")
    unknown = set(filters) - _KEYS[dashboard]
    if unknown:
        allowed = sorted(_KEYS[dashboard])
        raise BadUserInput(f"filters have unknown keys {sorted(unknown)}; allowed: {allowed}")
    if "period" in filters:
        _period(filters["period"], (await ctx.today()) - timedelta(days=1))
    for key, choices in _CHOICES.items():
        if key in filters and filters[key] not in choices:
            raise BadUserInput(f"{key} '{filters[key]}' is unknown; use one of {list(choices)}")
    if "workshopIds" in filters:
        ids = filters["workshopIds"]
        if ids is not None and not (isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
            raise BadUserInput("workshopIds must be a list of workshop ids (strings) or null")
        await ctx.workshops_in_scope(ids)
    if filters.get("marketplaceId") is not None:
        importer = await ctx.importer()
        ref = str(filters["marketplaceId"])
        if await ctx.loaders.partners.marketplace.load((importer.id, ref)) is None:
            raise NotFound.of("marketplace", ref)
