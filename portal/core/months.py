"""Which months a month-by-month page offers: those around its data, so a crawler's walk ends.

The public calendar, a venue's sessions and the daily reports each offer the current month and
the months from the first to the last holding their data, with MARGIN more on either side. Any
other month is an unknown URL, and the previous and next links stop at the ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import request
from peewee import Field, fn

from portal.core.dates import EARLIEST, LATEST
from portal.core.query_args import month_arg
from portal.core.web import not_found

MARGIN = 1  # a link made just before the data grew or shrank still opens


def shift(month: date, count: int) -> date:
    """The first day of the month `count` months after `month`'s (before it when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class MonthSpan:
    """The first days of the first and last months a page offers."""

    first: date
    last: date

    @classmethod
    def of(cls, today: date) -> MonthSpan:
        """Only the current month."""
        return cls(today.replace(day=1), today.replace(day=1))

    def __contains__(self, month: date) -> bool:
        return self.first <= month <= self.last

    def before(self, month: date) -> date | None:
        """The month a "previous" link leads to, or None at the start."""
        return shift(month, -1) if month > self.first else None

    def after(self, month: date) -> date | None:
        """The month a "next" link leads to, or None at the end."""
        return shift(month, 1) if month < self.last else None


def span_of(column: Field, today: date, since: date | None = None) -> MonthSpan:
    """This month and the months holding `column`'s dates, MARGIN either side, none before `since`'s,
    and none outside the dates the portal deals in."""
    low, high = column.model.select(fn.MIN(column), fn.MAX(column)).tuples().get()
    if low is None:
        return MonthSpan.of(today)
    current = today.replace(day=1)
    floor = max(EARLIEST, since or EARLIEST).replace(day=1)
    first = max(floor, min(current, shift(max(low, EARLIEST), -MARGIN)))
    last = min(LATEST.replace(day=1), max(current, shift(min(high, LATEST), MARGIN)))
    return MonthSpan(first, last)


def requested_month(span: MonthSpan, today: date) -> date:
    """`?month=YYYY-MM`, this month when absent; a malformed month or one outside `span` is not found."""
    if not request.args.get("month"):
        return today.replace(day=1)
    month = month_arg("month")
    if month is None or month not in span:
        not_found()
    return month
