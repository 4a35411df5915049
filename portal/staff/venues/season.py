"""Sessions made from the operating calendar: each pattern on every season day that is no holiday.

Generation only adds: a session that exists already (the same venue, date and start) is left as
staff have edited it, so running it again, or after adding a venue's pattern, is safe.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
from peewee import chunked

from portal.core import availability
from portal.core.database import write_transaction
from portal.core.models import ConsultationSession, Holiday, Season, Venue, WeeklyPattern

INSERT_BATCH = 200


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def _holidays_in(season: Season) -> set[date]:
    query = Holiday.select(Holiday.date).where(Holiday.date.between(season.starts_on, season.ends_on))
    return {row.date for row in query}


def season_days(season: Season) -> list[date]:
    """The season's dates without its holidays."""
    closed = _holidays_in(season)
    return [day for day in _days(season.starts_on, season.ends_on) if day not in closed]


def planned_sessions(season: Season) -> list[dict]:
    """Every session the active venues' patterns give for the season, as rows to insert."""
    by_weekday: dict[int, list[WeeklyPattern]] = {}
    patterns = WeeklyPattern.select(WeeklyPattern, Venue).join(Venue).where(Venue.active == True)  # noqa: E712
    for pattern in patterns:
        by_weekday.setdefault(pattern.weekday, []).append(pattern)
    return [
        {
            "venue": pattern.venue_id,
            "date": day,
            "starts_at": pattern.starts_at,
            "ends_at": pattern.ends_at,
            "capacity": pattern.capacity,
            "consultant": pattern.consultant_id,
        }
        for day in season_days(season)
        for pattern in by_weekday.get(day.weekday(), ())
    ]


def generate(season: Season) -> int:
    """Create the season's missing sessions; returns how many were created."""
    with write_transaction():
        # First: on PostgreSQL the counter's row lock makes two generations run one after the other.
        availability.changed()
        existing = {
            (row.venue_id, row.date, row.starts_at)
            for row in ConsultationSession.select(
                ConsultationSession.venue, ConsultationSession.date, ConsultationSession.starts_at
            ).where(ConsultationSession.date.between(season.starts_on, season.ends_on))
        }
        missing = [
            row
            for row in planned_sessions(season)
            if (row["venue"], row["date"], row["starts_at"]) not in existing
        ]
        for batch in chunked(missing, INSERT_BATCH):
            ConsultationSession.insert_many(batch).execute()
    return len(missing)


def national_holidays(start: date, end: date) -> dict[date, str]:
    """Japan's public holidays (substitute days included) between two dates, with their names."""
    calendar = holidays.country_holidays("JP", years=range(start.year, end.year + 1), language="ja")
    return {day: name for day, name in sorted(calendar.items()) if start <= day <= end}


def add_national_holidays(season: Season) -> int:
    """Record the public holidays of the season's period that are not Holiday rows yet."""
    with write_transaction():
        known = _holidays_in(season)
        rows = [
            {"date": day, "name": name}
            for day, name in national_holidays(season.starts_on, season.ends_on).items()
            if day not in known
        ]
        if rows:
            Holiday.insert_many(rows).on_conflict_ignore().execute()
    return len(rows)
