"""Reading the query string: a malformed or out-of-range value reads as absent, never as an error.

Views read `request.args` (or a form posted back to narrow a list) through these, so no value a
visitor types reaches the database as something it cannot hold (a number past its integers, a NUL
in text), and no date is so far out that the day or month beside it cannot be computed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from flask import request
from werkzeug.datastructures import MultiDict

from portal.core.database import MAX_INTEGER
from portal.core.dates import parse_day, parse_month

NUMBER = re.compile(r"[0-9]{1,10}")


def _read(name: str, values: MultiDict | None) -> str:
    return (request.args if values is None else values).get(name, "")


def int_arg(name: str, values: MultiDict | None = None) -> int | None:
    """A whole number from 0 to the database's largest integer, as ids and page numbers are."""
    value = _read(name, values)
    if not NUMBER.fullmatch(value) or int(value) > MAX_INTEGER:
        return None
    return int(value)


def date_arg(name: str, values: MultiDict | None = None) -> date | None:
    """A day written YYYY-MM-DD, within the dates the portal deals in."""
    return parse_day(_read(name, values))


def month_arg(name: str) -> date | None:
    """The first day of a month written YYYY-MM, within the dates the portal deals in."""
    return parse_month(request.args.get(name, ""))


def text_arg(name: str, limit: int, values: MultiDict | None = None) -> str:
    """Text without control or format characters (PostgreSQL stores no NUL), trimmed, at most `limit` long."""
    value = _read(name, values)
    return "".join(c for c in value if unicodedata.category(c)[0] != "C").strip()[:limit]
