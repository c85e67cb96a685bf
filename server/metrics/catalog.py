"""The metric catalog: every metric the API returns, defined once (METRICS.md).

Component names in the formulas are the day rollups' columns
(``server/models/rollups.py``): ``workshop_day`` for the activations dashboard,
``partner_offer_day`` and ``partner_cohort_day`` for the partner dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.metrics.definition import DashboardKind, MetricDef
from server.metrics.formulas import Distinct, Mean, Ratio, Sum
from server.metrics.validation import CatalogError, catalog_problems

__all__ = [
    "CATALOG",
    "DashboardKind",
    "MetricDef",
    "metric",
    "validate_catalog",
    "visible_metrics",
]

_A = DashboardKind.ACTIVATIONS
_P = DashboardKind.PARTNER

_ACTIVATIONS: tuple[MetricDef, ...] = (
    MetricDef(
        key="newActivations",
        title="New activations",
        description=(
            "The number of vehicles activated in the period: customers invited by the "
            "selected workshops who completed the connection flow on a day in the period."
        ),
        unit="count",
        dashboard=_A,
        formula=Sum("new_activations"),
    ),
    MetricDef(
        key="connectionRate",
        title="Connection rate",
        description=(
            "The share of eligible vehicles leaving the workshop in the period with an active "
            "connection. A vehicle counts as connected when it is activated within 7 days "
            "(168 hours) of leaving, so the last 11 days can still change."
        ),
        unit="rate",
        dashboard=_A,
        formula=Ratio(("connected",), ("eligible",)),
    ),
    MetricDef(
        key="throughput",
        title="Throughput",
        description=(
            "The number of vehicles that left the selected workshops in the period, "
            "as delivered by the workshop tool system."
        ),
        unit="count",
        dashboard=_A,
        formula=Sum("throughput"),
        part_of="connectionRate",
    ),
    MetricDef(
        key="eligible",
        title="Eligible vehicles",
        description=(
            "The vehicles of the throughput that can be connected, as decided by the "
            "importer's eligibility rules (for example by make, model or year)."
        ),
        unit="count",
        dashboard=_A,
        formula=Sum("eligible"),
        part_of="connectionRate",
    ),
    MetricDef(
        key="connected",
        title="Connected vehicles",
        description=(
            "The eligible vehicles that were activated no later than 7 days (168 hours) "
            "after leaving the workshop and not deactivated by then. An activation counts "
            "whichever workshop sent the invitation."
        ),
        unit="count",
        dashboard=_A,
        formula=Sum("connected"),
        part_of="connectionRate",
    ),
    MetricDef(
        key="leadsCreated",
        title="Leads created",
        description="The number of leads the selected workshops created in the period.",
        unit="count",
        dashboard=_A,
        formula=Sum("leads_created"),
    ),
    MetricDef(
        key="chatConversations",
        title="Chat conversations",
        description=(
            "The number of chat conversations with the selected workshops that started "
            "in the period."
        ),
        unit="count",
        dashboard=_A,
        formula=Sum("chats"),
    ),
    MetricDef(
        key="chatMessages",
        title="Chat messages",
        description="The total number of messages in the chat conversations started in the period.",
        unit="count",
        dashboard=_A,
        formula=Sum("chat_messages"),
    ),
    MetricDef(
        key="chatFirstResponseTime",
        title="Chat first response time",
        description=(
            "The average time from the start of a chat conversation to the workshop's first "
            "response, over the conversations started in the period that received one."
        ),
        unit="seconds",
        dashboard=_A,
        formula=Mean("chat_response_seconds", "chat_responses"),
        higher_is_better=False,
    ),
    MetricDef(
        key="activeStaff",
        title="Active staff",
        description=(
            "The number of different workshop staff members who used the platform in the "
            "period. Each person counts once, however many days they were active."
        ),
        unit="count",
        dashboard=_A,
        formula=Distinct("staff"),
    ),
    MetricDef(
        key="appUsers",
        title="App users",
        description=(
            "The number of different customers of the selected workshops who used the app in "
            "the period. Each user counts once, however many days they were active."
        ),
        unit="count",
        dashboard=_A,
        formula=Distinct("app"),
        importer_only=True,
    ),
    MetricDef(
        key="marketingCampaignsSent",
        title="Marketing campaigns sent",
        description=(
            "The number of marketing campaigns the selected workshops sent in the period, "
            "with the total number of recipients they reached."
        ),
        unit="count",
        dashboard=_A,
        # The recipients figure is the sum of campaign_recipients.
        formula=Sum("campaigns"),
        importer_only=True,
    ),
    MetricDef(
        key="workshopActivity",
        title="Workshop activity",
        description=(
            "Per workshop: on how many days of the period its staff used the platform and "
            "which share of the period's days that is, the total number of actions, and the "
            "last day with any activity."
        ),
        unit="rate",
        dashboard=_A,
        formula=None,
        importer_only=True,
    ),
)

_PIPELINE: tuple[MetricDef, ...] = (
    MetricDef(
        key="openLeads",
        title="Open leads",
        description=(
            "Leads the partner has accepted that are neither won nor lost yet. This is the "
            "current state, independent of the selected period and filters."
        ),
        unit="count",
        dashboard=_P,
        formula=None,
        higher_is_better=None,
    ),
    MetricDef(
        key="overdueLeads",
        title="Overdue leads",
        description=(
            "Open leads accepted longer ago than the importer's due time "
            "(30 days unless the importer set another)."
        ),
        unit="count",
        dashboard=_P,
        formula=None,
        higher_is_better=False,
    ),
    MetricDef(
        key="totalLeadsReceived",
        title="Total leads received",
        description="The number of leads ever offered to this partner.",
        unit="count",
        dashboard=_P,
        formula=None,
        higher_is_better=None,
    ),
    MetricDef(
        key="partnerSince",
        title="Partner since",
        description="The date since which the partnership with this sales partner has existed.",
        unit="date",
        dashboard=_P,
        formula=None,
        higher_is_better=None,
    ),
)


def _offer_count(key: str, title: str, description: str, *, lower: bool = False) -> MetricDef:
    return MetricDef(
        key=key,
        title=title,
        description=description,
        unit="count",
        dashboard=_P,
        formula=Sum(key),
        higher_is_better=not lower,
    )


_LEAD_PICK: tuple[MetricDef, ...] = (
    MetricDef(
        key="offersReceived",
        title="Offers received",
        description="The number of leads offered to this partner in the period.",
        unit="count",
        dashboard=_P,
        formula=Sum("offers"),
    ),
    _offer_count("accepted", "Accepted", "The offers received in the period that were accepted."),
    _offer_count(
        "declined", "Declined", "The offers received in the period that were declined.", lower=True
    ),
    _offer_count(
        "expired",
        "Missed or expired",
        "The offers received in the period that expired without an answer.",
        lower=True,
    ),
    MetricDef(
        key="pickRate",
        title="Pick rate",
        description=(
            "The share of answered offers the partner accepted: accepted / (accepted + "
            "declined + expired), over the offers received in the period. Offers still "
            "awaiting an answer count in neither."
        ),
        unit="rate",
        dashboard=_P,
        formula=Ratio(("accepted",), ("accepted", "declined", "expired")),
    ),
    MetricDef(
        key="timeToAccept",
        title="Time to accept",
        description=(
            "The average time from receiving an offer to accepting it, over the offers "
            "received in the period that were accepted."
        ),
        unit="seconds",
        dashboard=_P,
        formula=Mean("accept_seconds", "accepted"),
        higher_is_better=False,
    ),
    MetricDef(
        key="timeToDecline",
        title="Time to decline",
        description=(
            "The average time from receiving an offer to declining it, over the offers "
            "received in the period that were declined."
        ),
        unit="seconds",
        dashboard=_P,
        formula=Mean("decline_seconds", "declined"),
        higher_is_better=False,
    ),
)

_COHORT_NOTE = "over the leads accepted in the period"

_FEEDBACK: tuple[MetricDef, ...] = (
    MetricDef(
        key="feedbackRate",
        title="Feedback rate",
        description=(
            "The share of the leads accepted in the period on which the partner gave "
            "feedback at least once."
        ),
        unit="rate",
        dashboard=_P,
        formula=Ratio(("with_feedback",), ("cohort",)),
    ),
    MetricDef(
        key="timeToFirstFeedback",
        title="Time to first feedback",
        description=(
            "The average time from accepting a lead to its first feedback, "
            f"{_COHORT_NOTE} that have feedback."
        ),
        unit="seconds",
        dashboard=_P,
        formula=Mean("feedback_seconds", "with_feedback"),
        higher_is_better=False,
    ),
    MetricDef(
        key="silentLeads",
        title="Silent leads",
        description=(
            "Leads accepted in the period that are still open and have had no feedback for "
            "more than 14 days (since the latest feedback, or since the acceptance if "
            "there was none)."
        ),
        unit="count",
        dashboard=_P,
        formula=None,
        higher_is_better=False,
    ),
)

_CONVERSION: tuple[MetricDef, ...] = (
    MetricDef(
        key="won",
        title="Won",
        description="The leads accepted in the period that have been won so far.",
        unit="count",
        dashboard=_P,
        formula=Sum("won"),
    ),
    MetricDef(
        key="lost",
        title="Lost",
        description="The leads accepted in the period that have been lost so far.",
        unit="count",
        dashboard=_P,
        formula=Sum("lost"),
        higher_is_better=False,
    ),
    MetricDef(
        key="conversionRate",
        title="Conversion rate",
        description=(
            f"The share of closed leads that were won: won / (won + lost), {_COHORT_NOTE}."
        ),
        unit="rate",
        dashboard=_P,
        formula=Ratio(("won",), ("won", "lost")),
    ),
)

_SPEED_AND_OUTFLOW: tuple[MetricDef, ...] = (
    MetricDef(
        key="timeToFirstContact",
        title="Time to first contact",
        description=(
            f"The average time from accepting a lead to the first contact with the customer, "
            f"{_COHORT_NOTE} that have been contacted."
        ),
        unit="seconds",
        dashboard=_P,
        formula=Mean("contact_seconds", "contacted"),
        higher_is_better=False,
    ),
    MetricDef(
        key="salesCycle",
        title="Sales cycle",
        description=(
            "The average time from accepting a lead to winning or losing it, "
            f"{_COHORT_NOTE} that are closed."
        ),
        unit="seconds",
        dashboard=_P,
        formula=Mean("cycle_seconds", "closed"),
        higher_is_better=False,
    ),
    MetricDef(
        key="outflow",
        title="Lead outflow",
        description=(
            "Marketplace leads offered to this partner in the period that the partner "
            "declined or let expire and another sales partner accepted, with the number "
            "per receiving partner."
        ),
        unit="count",
        dashboard=_P,
        formula=Sum("outflow"),
        higher_is_better=False,
    ),
)

_SATISFACTION: tuple[MetricDef, ...] = (
    MetricDef(
        key="leadRating",
        title="Lead rating",
        description=(
            f"The average lead rating (1 to 5) given {_COHORT_NOTE}. Shown when the "
            "importer has enabled lead rating."
        ),
        unit="rating",
        dashboard=_P,
        formula=Mean("lead_rating_sum", "lead_ratings"),
    ),
    MetricDef(
        key="customerRating",
        title="Customer rating",
        description=(
            f"The average rating (1 to 5) end customers gave, {_COHORT_NOTE}. Shown when the "
            "importer has enabled customer rating."
        ),
        unit="rating",
        dashboard=_P,
        formula=Mean("customer_rating_sum", "customer_ratings"),
    ),
)

CATALOG: tuple[MetricDef, ...] = (
    _ACTIVATIONS
    + _PIPELINE
    + _LEAD_PICK
    + _FEEDBACK
    + _CONVERSION
    + _SPEED_AND_OUTFLOW
    + _SATISFACTION
)

_BY_KEY: dict[str, MetricDef] = {entry.key: entry for entry in CATALOG}


def metric(key: str) -> MetricDef:
    """The catalog entry for ``key``; ``KeyError`` names the known keys."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown metric {key!r}; known: {', '.join(_BY_KEY)}") from None


def visible_metrics(
    *, importer_only_allowed: bool, dashboards: set[DashboardKind]
) -> list[MetricDef]:
    """The entries a principal may see, in catalog order.

    Args:
        importer_only_allowed: True for importers; everyone else gets no importer-only entry.
        dashboards: the dashboards the principal has access to.
    """
    return [
        entry
        for entry in CATALOG
        if entry.dashboard in dashboards and (importer_only_allowed or not entry.importer_only)
    ]


def validate_catalog(entries: Sequence[MetricDef] = CATALOG) -> None:
    """Raise ``CatalogError`` listing every problem in ``entries`` (none: return)."""
    problems = catalog_problems(entries)
    if problems:
        raise CatalogError(problems)


validate_catalog()
