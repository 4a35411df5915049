"""The ledger's figures: person-days in total, inside the home bureau against all others, per
bureau, and the periods each group covers; planned and actual apart, so the day's cancellations
show as their difference.

Person-days are counted in whole halves (a full day is two, a half day one, per person) and
shown as Decimal, so 0.5 steps add up exactly, however many entries there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.core.models import SupportEntry
from portal.core.models.ledger import STATUSES
from portal.staff.ledger.periods import Period, compress

HALVES = {"full": 2, "half": 1}
GROUPS = ("home", "other", "all")


def halves(entry: SupportEntry) -> int:
    """The entry's person-days, in halves."""
    return entry.people * HALVES[entry.day_part]


def person_days(count: int) -> Decimal:
    """Halves as person-days: 1043 halves are Decimal('521.5')."""
    return Decimal(count) / 2


@dataclass(frozen=True)
class Figures:
    """One status's figures (planned, or actual)."""

    total: Decimal
    home: Decimal
    other: Decimal
    by_bureau: dict[str, Decimal]
    periods: dict[str, list[Period]]  # by group: "home", "other" and "all" together

    def as_json(self) -> dict:
        """Person-days as JSON numbers (halves are exact in them), periods as [first, last, kind]."""
        return {
            "total": _number(self.total),
            "home": _number(self.home),
            "other": _number(self.other),
            "by_bureau": {name: _number(value) for name, value in self.by_bureau.items()},
            "periods": {group: [p.as_json() for p in periods] for group, periods in self.periods.items()},
        }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def figures(entries: Iterable[SupportEntry], home: str, bureaus: Sequence[str]) -> Figures:
    """Sum `entries` (of one status); bureaus in the configured order, any no longer configured last.

    A day counts towards a group's periods only if someone was lent on it (an entry of no people,
    such as an actual figure for a day called off, adds no day).
    """
    by_bureau: dict[str, int] = defaultdict(int)
    days: dict[str, set[date]] = {group: set() for group in GROUPS}
    for entry in entries:
        count = halves(entry)
        by_bureau[entry.bureau] += count
        if count:
            days["home" if entry.bureau == home else "other"].add(entry.day)
            days["all"].add(entry.day)
    rank = {name: index for index, name in enumerate(dict.fromkeys([home, *bureaus]))}
    ordered = sorted(by_bureau, key=lambda name: (rank.get(name, len(rank)), name))
    home_halves = by_bureau.get(home, 0)
    total = sum(by_bureau.values())
    return Figures(
        total=person_days(total),
        home=person_days(home_halves),
        other=person_days(total - home_halves),
        by_bureau={name: person_days(by_bureau[name]) for name in ordered},
        periods={group: compress(dates) for group, dates in days.items()},
    )


@dataclass(frozen=True)
class Summary:
    """Planned and actual figures of the whole ledger, and the bureau they count as home."""

    home_bureau: str
    planned: Figures
    actual: Figures

    def bureaus(self) -> list[str]:
        """Every bureau with entries of either status, planned ones' order first."""
        return list(dict.fromkeys([*self.planned.by_bureau, *self.actual.by_bureau]))

    def as_json(self) -> dict:
        """What `portal ledger summary --json` prints."""
        return {
            "home_bureau": self.home_bureau,
            "planned": self.planned.as_json(),
            "actual": self.actual.as_json(),
        }


def summarise(home: str, bureaus: Sequence[str]) -> Summary:
    """The whole ledger's summary, with `home` as the home bureau."""
    entries: dict[str, list[SupportEntry]] = {status: [] for status in STATUSES}
    for entry in SupportEntry.select():
        entries[entry.status].append(entry)
    return Summary(
        home_bureau=home,
        planned=figures(entries["planned"], home, bureaus),
        actual=figures(entries["actual"], home, bureaus),
    )
