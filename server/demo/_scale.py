"""How big the demo is, and the fixed names the rest of the system may rely on."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_IMPORTER = "demo"
OTHER_IMPORTER = "other"

# The demo workshop whose dealer-management feed lags: its visits stop this many
# days before the last day, so the dashboard's data age is visibly non-zero.
LAGGING_WORKSHOP = "DK-W002"
FEED_LAG_DAYS = 4


@dataclass(frozen=True)
class DemoScale:
    """Size of the main demo importer.

    At the default scale the whole data set (both importers) is about 200,000
    rows. ``workshops`` and ``factor`` scale it linearly: ``factor`` multiplies
    every daily volume (visits, chats, leads, campaigns) and the number of app
    users that follow from them; ``days`` adds rows proportionally too.
    """

    workshops: int = 25
    partners: int = 8
    days: int = 400
    marketplaces: int = 2
    factor: float = 1.0

    def __post_init__(self) -> None:
        problems = []
        if self.workshops < 2:
            problems.append(f"workshops={self.workshops} (need at least 2)")
        if self.partners < 2:
            problems.append(f"partners={self.partners} (need at least 2)")
        if self.days < FEED_LAG_DAYS + 1:
            problems.append(f"days={self.days} (need at least {FEED_LAG_DAYS + 1})")
        if self.marketplaces < 1:
            problems.append(f"marketplaces={self.marketplaces} (need at least 1)")
        if self.factor <= 0:
            problems.append(f"factor={self.factor} (need a positive number)")
        if problems:
            raise ValueError("DemoScale out of range: " + ", ".join(problems))
