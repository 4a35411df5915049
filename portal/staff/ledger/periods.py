"""Dates compressed into periods, as the city writes them: runs of working days, weekend days apart.

Working days are Monday to Friday. A run is a series of working days with entries, each the
working day after the one before, so a weekend between two of them neither ends nor splits it:
Monday 11 May to Friday 19 June is one run, 5月11日(月)～6月19日(金)の平日, whether or not that
weekend has entries. A weekday without entries (a public holiday as well) ends a run. Weekend days
with entries are listed apart, each a single day ("5月23日(土)、24日(日)"), and a run of one working
day is a single day too. Runs come first, then the single days, each in date order.

Shown, a run that spans a weekend reads "…の平日" (its weekend days are not counted in it); a run
within one week is a plain range, 5月25日(月)～5月27日(水), as in the city's published figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from flask_babel import format_date, get_locale
from flask_babel import gettext as _

WEEKDAYS, SINGLE = "weekdays", "single"
SATURDAY = 5


@dataclass(frozen=True)
class Period:
    """A run of working days (`weekdays`), or one day (`single`: first and last are the same)."""

    first: date
    last: date
    kind: str

    @property
    def spans_weekend(self) -> bool:
        """Whether a Saturday lies between the run's first and last day."""
        return self.first.weekday() + (self.last - self.first).days >= SATURDAY

    def as_json(self) -> list[str]:
        """[first, last, kind] with ISO dates."""
        return [self.first.isoformat(), self.last.isoformat(), self.kind]


def is_working_day(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() < SATURDAY


def next_working_day(day: date) -> date:
    """The working day after `day`: Friday is followed by Monday."""
    following = day + timedelta(days=1)
    while not is_working_day(following):
        following += timedelta(days=1)
    return following


def compress(days: Iterable[date]) -> list[Period]:
    """The runs of working days among `days`, then their single days, each in date order."""
    ordered = sorted(set(days))
    runs: list[list[date]] = []
    for day in filter(is_working_day, ordered):
        if runs and next_working_day(runs[-1][-1]) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    ranges = [Period(run[0], run[-1], WEEKDAYS) for run in runs if len(run) > 1]
    alone = [run[0] for run in runs if len(run) == 1] + [day for day in ordered if not is_working_day(day)]
    return ranges + [Period(day, day, SINGLE) for day in sorted(alone)]


def _day(day: date, month_too: bool = True) -> str:
    """5月11日(月) in Japanese (11日(月) within the month just named), Mon 11 May in English."""
    if get_locale().language != "ja":
        return format_date(day, "EEE d MMM")
    return format_date(day, "M月d日(E)" if month_too else "d日(E)")


def describe(periods: list[Period]) -> list[str]:
    """One line per run, then one line of every single day, as the city writes them."""
    lines = []
    for period in (p for p in periods if p.kind == WEEKDAYS):
        first, last = _day(period.first), _day(period.last)
        if period.spans_weekend:
            lines.append(_("%(first)s～%(last)sの平日", first=first, last=last))
        else:
            lines.append(_("%(first)s～%(last)s", first=first, last=last))
    singles = [p.first for p in periods if p.kind == SINGLE]
    if singles:
        named = [_day(singles[0])]
        for before, day in pairwise(singles):
            named.append(_day(day, month_too=(before.year, before.month) != (day.year, day.month)))
        lines.append(_("、").join(named))
    return lines
