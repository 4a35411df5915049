"""Reading a ledger CSV file: columns date,bureau,people,day_part,status,note, every row checked
before anything is stored, and every problem named by its line.

The file may be UTF-8 (with or without the byte-order mark Excel writes) or Shift_JIS, which
Excel in Japan writes when it saves "CSV". Dates are YYYY-MM-DD, or YYYY/M/D as Excel rewrites
them; full-width digits are read as digits. The header names the six columns, in any order.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from portal.core.dates import in_business_range
from portal.core.models.ledger import DAY_PARTS, STATUSES
from portal.staff.ledger.entries import NOTE_MAX, PEOPLE_MAX, NewEntry

COLUMNS = ("date", "bureau", "people", "day_part", "status", "note")
DAY = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})")
COUNT = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True)
class Problem:
    """What is wrong, and on which line of the file (the header is line 1)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class BadFile(Exception):
    """The file cannot be imported; `problems` names every bad line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def decode(data: bytes) -> str:
    """UTF-8 (a byte-order mark dropped), else Shift_JIS as Excel in Japan saves it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        raise BadFile([Problem(1, "the file is neither UTF-8 nor Shift_JIS text")]) from None


def _day(text: str) -> date:
    match = DAY.fullmatch(text)
    try:
        day = date(*map(int, match.groups())) if match else None
    except ValueError:
        day = None
    if day is None or not in_business_range(day):
        raise ValueError(f"date must be a day written YYYY-MM-DD, got {text!r}")
    return day


def _choice(column: str, text: str, allowed: Sequence[str]) -> str:
    if text not in allowed:
        raise ValueError(f"{column} must be {' or '.join(allowed)}, got {text!r}")
    return text


def _bureau(text: str, bureaus: Sequence[str]) -> str:
    if text not in bureaus:
        raise ValueError(f"bureau {text!r} is not one of PORTAL_BUREAUS")
    return text


def _people(text: str) -> int:
    if not COUNT.fullmatch(text):
        raise ValueError(f"people must be a whole number from 0 to {PEOPLE_MAX}, got {text!r}")
    return int(text)


def _note(text: str) -> str:
    if len(text) > NOTE_MAX:
        raise ValueError(f"note must be at most {NOTE_MAX} characters")
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in text):
        raise ValueError("note holds a control character")
    return text


def entry_of(row: dict[str, str], bureaus: Sequence[str]) -> NewEntry:
    """One row's entry; ValueError says what is wrong with it."""
    cell = {name: unicodedata.normalize("NFKC", row.get(name) or "").strip() for name in COLUMNS}
    return NewEntry(
        day=_day(cell["date"]),
        bureau=_bureau(cell["bureau"], bureaus),
        people=_people(cell["people"]),
        day_part=_choice("day_part", cell["day_part"], DAY_PARTS),
        status=_choice("status", cell["status"], STATUSES),
        note=_note(cell["note"]),
    )


def read_entries(data: bytes, bureaus: Sequence[str]) -> list[NewEntry]:
    """Every row's entry, or BadFile naming every line that is wrong (and nothing is returned)."""
    reader = csv.DictReader(io.StringIO(decode(data), newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    if sorted(header) != sorted(COLUMNS):
        raise BadFile([Problem(1, f"the header must name the columns {','.join(COLUMNS)}")])
    reader.fieldnames = header
    entries, problems = [], []
    try:
        for row in reader:
            if None in row:
                problems.append(Problem(reader.line_num, f"more than {len(COLUMNS)} columns"))
                continue
            try:
                entries.append(entry_of(row, bureaus))
            except ValueError as error:
                problems.append(Problem(reader.line_num, str(error)))
    except csv.Error as error:
        problems.append(Problem(reader.line_num, f"not readable as CSV ({error})"))
    if problems:
        raise BadFile(problems)
    return entries
