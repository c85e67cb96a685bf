"""A small partner tool: prints the cards of its own partner dashboard.

It runs one fixed GraphQL document (``partner_dashboard.graphql`` beside it),
sent by hash the way a partner tool that embeds its query for years should:
register it once in the API's trusted documents
(``insights documents add examples/partner_dashboard.graphql``), and a role in
``INSIGHTS_TRUSTED_ONLY_ROLES`` can run it and nothing else. On an API without
that manifest entry it falls back to automatic persisted queries (it sends the
document once, then the hash alone works).

Usage (standard library only):

    INSIGHTS_TOKEN=<sales_partner JWT> python examples/partner_tool.py
    INSIGHTS_URL=https://insights.example.com/graphql INSIGHTS_TOKEN=... python ...

Exit codes: 0 printed, 1 the API refused (its message is printed).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DOCUMENT = (Path(__file__).with_name("partner_dashboard.graphql")).read_text(encoding="utf-8")
HASH = hashlib.sha256(DOCUMENT.encode("utf-8")).hexdigest()


def post(url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/graphql-response+json, application/json;q=0.9",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as error:  # 4xx/5xx still carry the GraphQL error body
        answer = json.load(error)
    return answer


def run(url: str, token: str) -> dict[str, Any]:
    """The dashboard data: by hash first, with the document only if the API asks."""
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": HASH}}
    answer = post(url, token, {"extensions": persisted})
    codes = {e.get("extensions", {}).get("code") for e in answer.get("errors", [])}
    if "PERSISTED_QUERY_NOT_FOUND" in codes:
        answer = post(url, token, {"query": DOCUMENT, "extensions": persisted})
    return answer


def cards(partner: dict[str, Any]) -> list[str]:
    board = partner["dashboard"]
    pick, conv = board["leadPick"], board["conversion"]
    change = pick["offersReceived"]["trend"]["changePercent"]
    rows = [
        ("Open leads", board["pipeline"]["openLeads"]),
        ("Overdue leads", board["pipeline"]["overdueLeads"]),
        ("Offers received", pick["offersReceived"]["value"]),
        ("  change vs. previous period", "-" if change is None else f"{change:+.1f} %"),
        ("Accepted", pick["accepted"]["value"]),
        ("Pick rate", _percent(pick["pickRate"]["value"])),
        ("Feedback rate", _percent(board["feedback"]["feedbackRate"]["value"])),
        ("Silent leads", board["feedback"]["silentLeads"]["value"]),
        ("Won / lost", f"{conv['won']['value']} / {conv['lost']['value']}"),
        ("Conversion rate", _percent(conv["conversionRate"]["value"])),
        ("Lead outflow", board["outflow"]["total"]["value"]),
    ]
    period = board["period"]
    head = f"{partner['name']} ({partner['id']}), {period['from']} to {period['to']}"
    return [head, *(f"  {label:<30} {value}" for label, value in rows)]


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def main() -> int:
    url = os.environ.get("INSIGHTS_URL", "http://127.0.0.1:8000/graphql")
    token = os.environ.get("INSIGHTS_TOKEN")
    if not token:
        print("set INSIGHTS_TOKEN to a token of your partner (role sales_partner)", file=sys.stderr)
        return 1
    answer = run(url, token)
    if answer.get("errors"):
        for error in answer["errors"]:
            code = error.get("extensions", {}).get("code")
            print(f"{code}: {error.get('message')}", file=sys.stderr)
        return 1
    for partner in answer["data"]["salesPartners"]["nodes"]:
        print("\n".join(cards(partner)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
