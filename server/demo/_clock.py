"""Days and instants of one importer's demo window, in its timezone.

Instants are kept in UTC while generating (so adding hours never lands on a wall
clock time that does not exist) and rendered in the importer's local time with
its offset, the way a dealer system in that country would send them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=4096)
def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Clock:
    timezone: str
    first: date
    end: date
    tz: ZoneInfo = field(init=False)
    limit: datetime = field(init=False)

    def __post_init__(self) -> None:
        tz = ZoneInfo(self.timezone)
        object.__setattr__(self, "tz", tz)
        # The first instant that is too late: midnight starting the day after end.
        object.__setattr__(self, "limit", self.at(self.end + timedelta(days=1), 0))

    @classmethod
    def ending(cls, timezone: str, end: date, days: int) -> Clock:
        return cls(timezone, end - timedelta(days=days - 1), end)

    @property
    def days(self) -> list[date]:
        count = (self.end - self.first).days + 1
        return [self.first + timedelta(days=n) for n in range(count)]

    def index(self, day: date) -> int:
        """Days since the first day (0 on the first day)."""
        return (day - self.first).days

    def at(self, day: date, seconds: float) -> datetime:
        """The instant ``seconds`` after local midnight of ``day``, as UTC."""
        return _midnight(day, self.tz) + timedelta(seconds=int(seconds))

    def day_of(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def known(self, instant: datetime | None) -> datetime | None:
        """The instant if it has happened by the end of the window, else None."""
        return instant if instant is not None and instant < self.limit else None

    def render(self, instant: datetime | None) -> str | None:
        if instant is None:
            return None
        return instant.astimezone(self.tz).isoformat(timespec="seconds")
