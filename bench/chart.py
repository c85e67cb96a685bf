"""Latency against scale from ``insights bench`` results, as a PNG (matplotlib).

One point per result file and canonical request: p50 over HTTP against the
set's size in workshop-days, one line per request; several files (e.g. 100,
500 and 2,000 workshops) make the growth curve.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def draw(results: list[dict[str, Any]], out: Path) -> None:
    """Write the chart of ``results`` to ``out``."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    ordered = sorted(results, key=lambda r: r["scale"]["workshops"] * r["scale"]["days"])
    names = sorted({name for r in ordered for name in r["queries"]})
    figure, axes = plt.subplots(figsize=(9, 5.5))
    for name in names:
        points = [
            (r["scale"]["workshops"] * r["scale"]["days"], r["queries"][name]["p50_ms"])
            for r in ordered
            if r["queries"].get(name, {}).get("p50_ms") is not None
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, marker="o", label=name)
    axes.set_xlabel("workshop-days in the set (workshops x days)")
    axes.set_ylabel("p50 over HTTP, ms")
    axes.set_yscale("log")
    if len(ordered) > 1:
        axes.set_xscale("log")
    axes.set_title("insights bench: latency against scale")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=110)
    plt.close(figure)
