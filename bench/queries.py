"""The GraphQL documents the benchmark sends: the dashboards as a client would
ask for them, with every card and metric filled in."""

from __future__ import annotations

from typing import Any

_TREND = "trend { previous change changePercent direction favorable }"
_POINTS = "series { date value }"

ACTIVATIONS_DASHBOARD = f"""
query ($period: PeriodInput!) {{
  activationsDashboard(period: $period) {{
    period {{ from to days }} previousPeriod {{ from to days }} asOf
    newActivations {{ value {_TREND} {_POINTS} previousSeries {{ date value }} }}
    leadsCreated {{ value {_TREND} {_POINTS} }}
    chatConversations {{ value {_TREND} {_POINTS} }}
    chatMessages {{ value {_TREND} {_POINTS} }}
    chatFirstResponseTime {{ value {_TREND} }}
    activeStaff {{ value {_TREND} {_POINTS} }}
    appUsers {{ value {_TREND} {_POINTS} }}
    marketingCampaignsSent {{ value recipients {_TREND} }}
    connectionRate {{
      rate throughput eligible connected goal provisionalFrom newestDataDate dataAgeDays
      {_TREND}
      series {{ date rate throughput eligible connected provisional }}
    }}
    workshopActivity(sortBy: ACTIONS) {{
      workshop {{ id name }} activeDays activeDayShare actions lastActiveDay
    }}
  }}
}}"""

WORKSHOP_LIST = """
{
  workshops(first: 500) {
    nodes {
      dashboard(period: {preset: LAST_30_DAYS}) {
        newActivations { value trend { change } }
        leadsCreated { value trend { changePercent } }
        connectionRate { rate }
      }
    }
  }
}"""

_VALUE = f"value {_TREND}"
PARTNER_CARDS = f"""
fragment Cards on PartnerDashboard {{
  period {{ from to days }} previousPeriod {{ from to }} asOf
  pipeline {{ openLeads overdueLeads totalLeadsReceived partnerSince }}
  leadPick {{
    offersReceived {{ {_VALUE} }} accepted {{ {_VALUE} }} declined {{ {_VALUE} }}
    expired {{ {_VALUE} }} pickRate {{ {_VALUE} }} timeToAccept {{ {_VALUE} }}
    timeToDecline {{ {_VALUE} }}
  }}
  feedback {{
    feedbackRate {{ {_VALUE} }} timeToFirstFeedback {{ {_VALUE} }} silentLeads {{ {_VALUE} }}
  }}
  conversion {{ won {{ {_VALUE} }} lost {{ {_VALUE} }} conversionRate {{ {_VALUE} }} }}
  processingSpeed {{ timeToFirstContact {{ {_VALUE} }} salesCycle {{ {_VALUE} }} }}
  outflow {{ total {{ {_VALUE} }} byPartner {{ partner {{ id name }} count }} }}
  satisfaction {{
    leadRating {{ enabled {_VALUE} }} customerRating {{ enabled {_VALUE} }}
  }}
}}"""

_PARTNER_FILTER = "filter: {period: {preset: CURRENT_QUARTER}}"


def partner_dashboards(refs: list[str]) -> str:
    """One aliased ``salesPartner(id:)`` per ref, each with every card."""
    aliased = "\n".join(
        f'  p{n}: salesPartner(id: "{ref}") {{ id dashboard({_PARTNER_FILTER}) {{ ...Cards }} }}'
        for n, ref in enumerate(refs, start=1)
    )
    return f"{{\n{aliased}\n}}\n{PARTNER_CARDS}"


ALL_PARTNER_DASHBOARDS = (
    "{ salesPartners(first: 500) { nodes { id "
    f"dashboard({_PARTNER_FILTER}) {{ ...Cards }} }} }} }}\n{PARTNER_CARDS}"
)


def last_30_days() -> dict[str, Any]:
    return {"period": {"preset": "LAST_30_DAYS"}}
