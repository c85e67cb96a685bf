"""Checks on the metric catalog. Every problem is collected with the entry it
belongs to, so one run shows everything to fix, not just the first mistake."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from server.metrics.definition import UNITS, MetricDef
from server.metrics.formulas import Distinct, Mean, Ratio, Sum

# METRICS.md, "Higher is better for every metric except these". Copied by hand
# on purpose: the catalog's flags are checked against the spec's list, and a
# test checks this copy against the spec text.
LOWER_IS_BETTER: frozenset[str] = frozenset(
    {
        "chatFirstResponseTime",
        "declined",
        "expired",
        "timeToAccept",
        "timeToDecline",
        "timeToFirstFeedback",
        "silentLeads",
        "lost",
        "timeToFirstContact",
        "salesCycle",
        "outflow",
        # Not in METRICS.md's list, which calls every other metric higher-is-better;
        # more overdue leads is plainly worse (issue 13).
        "overdueLeads",
    }
)
NOT_JUDGED: frozenset[str] = frozenset({"openLeads", "totalLeadsReceived", "partnerSince"})
"""Facts shown without a verdict: higher_is_better is None."""

_KEY = re.compile(r"^[a-z][a-zA-Z0-9]*$")

# Which units each kind of formula can produce.
_FORMULA_UNITS: dict[type, frozenset[str]] = {
    Sum: frozenset({"count"}),
    Distinct: frozenset({"count"}),
    Ratio: frozenset({"rate"}),
    Mean: frozenset({"seconds", "rating"}),
}


@dataclass(frozen=True)
class CatalogProblem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class CatalogError(ValueError):
    """The catalog is inconsistent; ``problems`` lists every finding."""

    def __init__(self, problems: Sequence[CatalogProblem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"the metric catalog has {len(self.problems)} problem(s):\n{lines}")


def catalog_problems(entries: Sequence[MetricDef]) -> list[CatalogProblem]:
    """Every problem in ``entries``, in catalog order, whole-catalog checks last."""
    problems = [problem for entry in entries for check in _ENTRY_CHECKS for problem in check(entry)]
    problems += _duplicates(entries)
    problems += _dangling_parts(entries)
    problems += _lower_is_better(entries)
    return problems


def _key(entry: MetricDef) -> Iterator[CatalogProblem]:
    if not _KEY.match(entry.key):
        yield CatalogProblem(entry.key, "the key must be camelCase (letters and digits)")


def _texts(entry: MetricDef) -> Iterator[CatalogProblem]:
    if not entry.title.strip():
        yield CatalogProblem(entry.key, "the title is empty")
    if not entry.description.strip():
        yield CatalogProblem(entry.key, "the description is empty")
    elif not entry.description.rstrip().endswith("."):
        yield CatalogProblem(entry.key, "the description must be full sentences ending in '.'")


def _unit(entry: MetricDef) -> Iterator[CatalogProblem]:
    if entry.unit not in UNITS:
        yield CatalogProblem(
            entry.key, f"unknown unit {entry.unit!r}; use one of {', '.join(sorted(UNITS))}"
        )
        return
    if entry.formula is None:
        return
    allowed = _FORMULA_UNITS[type(entry.formula)]
    if entry.unit not in allowed:
        kind = type(entry.formula).__name__
        yield CatalogProblem(
            entry.key,
            f"a {kind} formula gives unit {' or '.join(sorted(allowed))}, not {entry.unit!r}",
        )


_ENTRY_CHECKS: tuple[Callable[[MetricDef], Iterator[CatalogProblem]], ...] = (_key, _texts, _unit)


def _duplicates(entries: Sequence[MetricDef]) -> list[CatalogProblem]:
    counts = Counter(entry.key for entry in entries)
    return [
        CatalogProblem(key, f"the key is defined {count} times; keys must be unique")
        for key, count in counts.items()
        if count > 1
    ]


def _dangling_parts(entries: Sequence[MetricDef]) -> list[CatalogProblem]:
    owners = {entry.key: entry for entry in entries}
    problems = []
    for entry in entries:
        if entry.part_of is None:
            continue
        owner = owners.get(entry.part_of)
        if owner is None:
            problems.append(CatalogProblem(entry.key, f"part_of names no entry: {entry.part_of!r}"))
        elif owner.dashboard is not entry.dashboard:
            problems.append(
                CatalogProblem(entry.key, f"part_of {owner.key!r} is on another dashboard")
            )
    return problems


def _lower_is_better(entries: Sequence[MetricDef]) -> list[CatalogProblem]:
    keys = {entry.key for entry in entries}
    problems = [
        CatalogProblem(key, "METRICS.md lists it as lower-is-better, but the catalog lacks it")
        for key in sorted(LOWER_IS_BETTER - keys)
    ]
    for entry in entries:
        listed = entry.key in LOWER_IS_BETTER
        if (entry.key in NOT_JUDGED) != (entry.higher_is_better is None):
            problems.append(
                CatalogProblem(entry.key, "only the facts in NOT_JUDGED have higher_is_better=None")
            )
        elif entry.higher_is_better is None:
            continue
        elif listed and entry.higher_is_better:
            problems.append(
                CatalogProblem(
                    entry.key, "METRICS.md says lower is better; set higher_is_better=False"
                )
            )
        elif not listed and not entry.higher_is_better:
            problems.append(
                CatalogProblem(
                    entry.key,
                    "higher_is_better=False, but METRICS.md does not list it as lower-is-better",
                )
            )
    return problems
