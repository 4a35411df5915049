"""Reading the query string: a malformed or out-of-range value reads as absent, never as an error.

Views read `request.args` through these, so no value a visitor types reaches the database as
something it cannot hold (a number past its integers, a NUL in text), and no date is so far out
that the day or month beside it cannot be computed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from flask import request

from portal.core.database import MAX_INTEGER
from portal.core.dates import parse_day, parse_month

NUMBER = re.compile(r"[0-9]{1,10}")


def int_arg(name: str) -> int | None:
    """A whole number from 0 to the database's largest integer, as ids and page numbers are."""
    value = request.args.get(name, "")
    if not NUMBER.fullmatch(value) or int(value) > MAX_INTEGER:
        return None
    return int(value)


def date_arg(name: str) -> date | None:
    """A day written YYYY-MM-DD, within the dates the portal deals in."""
    return parse_day(request.args.get(name, ""))


def month_arg(name: str) -> date | None:
    """The first day of a month written YYYY-MM, within the dates the portal deals in."""
    return parse_month(request.args.get(name, ""))


def text_arg(name: str, limit: int) -> str:
    """Text without control or format characters (PostgreSQL stores no NUL), trimmed, at most `limit` long."""
    value = request.args.get(name, "")
    return "".join(c for c in value if unicodedata.category(c)[0] != "C").strip()[:limit]
