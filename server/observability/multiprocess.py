"""Where the worker processes of one ``insights serve`` keep their metrics.

prometheus-client picks its storage when it is first imported, from
``PROMETHEUS_MULTIPROC_DIR``; so ``serve`` sets it before uvicorn starts any
worker, to a fresh folder of its own (files left by an earlier run would be
added to this run's numbers), removed again when ``serve`` exits. An operator
may set the variable to choose the folder; it is then emptied the same way.
"""

from __future__ import annotations

import atexit
import os
import shutil
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare_metrics_dir(data_dir: Path) -> Path:
    """Create (or empty) the metrics folder and point the variable at it."""
    chosen = os.environ.get(VARIABLE)
    folder = Path(chosen) if chosen else data_dir.resolve() / "metrics" / str(os.getpid())
    if folder.exists():
        for stale in folder.glob("*.db"):
            stale.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[VARIABLE] = str(folder)
    if not chosen:
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
