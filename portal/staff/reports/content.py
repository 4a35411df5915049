"""A month's report as data: its figures counted now, or as they were kept at a sign-off.

The figures are counts and venue names only (no personal data), kept as JSON so that a sign-off
freezes them: headings, rates and programme names are worked out again whenever a report is
shown, in the reader's language, from the counts as signed.
"""

from __future__ import annotations

import json
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.staff.reports import queries
from portal.staff.reports.queries import (
    Calls,
    Period,
    PhoneStaffing,
    ProgrammeCount,
    ReceptionStaffing,
    Seats,
    month_end,
)


@dataclass(frozen=True)
class Figures:
    """Everything the report counts about one month, and its fiscal year so far."""

    month: date
    total: Seats
    venues: list[Seats]
    wards: list[Seats]
    programmes: list[ProgrammeCount]
    calls: Calls
    phone: PhoneStaffing
    reception: list[ReceptionStaffing]
    fiscal_months: list[Period]
    fiscal_total: Period

    def to_json(self) -> str:
        """The figures as JSON (Decimals as text, dates as ISO days)."""
        return json.dumps({name: _encode(getattr(self, name)) for name in FIELDS}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Figures:
        """Figures kept by to_json."""
        stored = json.loads(text)
        return cls(**{name: _decode(kind, stored[name]) for name, kind in FIELDS.items()})


def count(month: date) -> Figures:
    """The month's figures as the database holds them now."""
    first, last = month, month_end(month)
    fiscal_months, fiscal_total = queries.fiscal_year(month)
    return Figures(
        month=month,
        total=queries.total_seats(first, last),
        venues=queries.seats(first, last, by="venue"),
        wards=queries.seats(first, last, by="ward"),
        programmes=queries.programmes(first, last),
        calls=queries.calls(first, last),
        phone=queries.phone_staffing(month),
        reception=queries.reception_staffing(month),
        fiscal_months=fiscal_months,
        fiscal_total=fiscal_total,
    )


def _encode(value: object) -> object:
    if isinstance(value, tuple):  # a row (NamedTuple)
        return [_encode(item) for item in value]
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decode(kind: object, value: object) -> object:
    if value is None:
        return None
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list:
        return [_decode(args[0], item) for item in value]
    if args:  # X | None
        return _decode(next(arg for arg in args if arg is not type(None)), value)
    if kind is Decimal:
        return Decimal(value)
    if kind is date:
        return date.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, tuple):
        hints = typing.get_type_hints(kind)
        return kind(*(_decode(hints[name], item) for name, item in zip(kind._fields, value, strict=True)))
    return value


FIELDS = typing.get_type_hints(Figures)
