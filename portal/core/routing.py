"""URL converters both instances share: a value in a path is one the portal can hold, or no route.

`<int:…>` and `<date:…>` turn anything else into the unknown-URL 404 before a view runs, so no
path reaches the database as a number past its integers or a date with no month beside it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from werkzeug.routing import BaseConverter, IntegerConverter, Map, ValidationError

from portal.core.database import MAX_INTEGER
from portal.core.dates import parse_day


class IdConverter(IntegerConverter):
    """Flask's `int`, in ASCII digits and at most the database's largest integer."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, **options: Any) -> None:
        super().__init__(map, **{"max": MAX_INTEGER, **options})


class DayConverter(BaseConverter):
    """A business day written YYYY-MM-DD (see dates.parse_day)."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        day = parse_day(value)
        if day is None:
            raise ValidationError()
        return day

    def to_url(self, value: date | str) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


def init_app(app: Flask) -> None:
    """Register the converters; called before any route is added, since rules bind them then."""
    app.url_map.converters.update(int=IdConverter, date=DayConverter)
