"""The demo's venues, weekly patterns, seasons and holidays as rows."""

from __future__ import annotations

from datetime import date, timedelta

from peewee import chunked

from portal.core.models import Holiday, Season, Venue, WeeklyPattern
from portal.demo.venues import VENUES
from portal.staff.venues.season import national_holidays

PAST_SEASON = (date(2020, 6, 15), date(2020, 10, 31))
CURRENT_WEEKS = 20
YEAR_END = "年末年始休業"  # city offices close from 29 December to 3 January


def _year_end(day: date) -> bool:
    return (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3)


def next_business_day(today: date) -> date:
    """The first weekday after today that is no public holiday and not the year-end closure."""
    closed = national_holidays(today, today + timedelta(days=31))
    day = today + timedelta(days=1)
    while day.weekday() >= 5 or day in closed or _year_end(day):
        day += timedelta(days=1)
    return day


def create_venues(consultant_id: int | None) -> None:
    """The sixteen venues and their weekly sessions."""
    patterns = []
    for demo in VENUES:
        venue = Venue.create(
            name=demo.name,
            ward=demo.ward,
            address=demo.address,
            access_notes=demo.access_notes,
            what_to_bring=demo.what_to_bring,
            map_url=demo.map_url,
        )
        patterns += [
            {
                "venue": venue.id,
                "weekday": weekday,
                "starts_at": hours[0],
                "ends_at": hours[1],
                "capacity": places,
                "consultant": consultant_id if assigned else None,
            }
            for weekdays, hours, places, assigned in demo.plan
            for weekday in weekdays
        ]
    for batch in chunked(patterns, 100):
        WeeklyPattern.insert_many(batch).execute()


def create_season(name: str, starts_on: date, ends_on: date) -> Season:
    """A season, with the public holidays and the year-end closure of its period as Holiday rows."""
    season = Season.create(name=name, starts_on=starts_on, ends_on=ends_on)
    closed = national_holidays(starts_on, ends_on)
    days = (starts_on + timedelta(days=n) for n in range((ends_on - starts_on).days + 1))
    closed |= {day: YEAR_END for day in days if _year_end(day) and day not in closed}
    Holiday.insert_many(
        [{"date": day, "name": name} for day, name in closed.items()]
    ).on_conflict_ignore().execute()
    return season


def create_seasons(today: date) -> list[Season]:
    """The real 2020 season, and a current one from the next business day so something is bookable."""
    first = next_business_day(today)
    last = first + timedelta(weeks=CURRENT_WEEKS, days=-1)
    fiscal_year = first.year if first.month >= 4 else first.year - 1
    return [
        create_season("2020年度 申請サポート相談会（6月15日〜10月31日）", *PAST_SEASON),
        create_season(
            f"{fiscal_year}年度 経営相談会（{first.month}月{first.day}日〜{last.month}月{last.day}日）",
            first,
            last,
        ),
    ]
