"""Generating a season's sessions from the weekly patterns: holidays skipped, idempotent, in period."""

from __future__ import annotations

from datetime import date, time

import pytest

from portal.core import availability
from portal.core.models import ConsultationSession, Holiday, Season, Venue, WeeklyPattern
from portal.staff.venues.season import add_national_holidays, generate, national_holidays

# Monday 2020-07-20 to Sunday 2020-08-02: the 23rd and 24th of July were national holidays.
PERIOD = (date(2020, 7, 20), date(2020, 8, 2))


@pytest.fixture
def calendar(staff_app):
    """A two-week season, one holiday, a venue meeting Mondays and Thursdays, an inactive venue."""
    with staff_app.app_context():
        season = Season.create(name="2020年夏", starts_on=PERIOD[0], ends_on=PERIOD[1])
        Holiday.create(date=date(2020, 7, 23), name="海の日")
        venue = Venue.create(name="架空市 中央区役所", ward="中央区", address="架空市中央区1-1")
        for weekday, starts in ((0, time(10)), (0, time(13, 30)), (3, time(10))):
            WeeklyPattern.create(
                venue=venue, weekday=weekday, starts_at=starts, ends_at=time(starts.hour + 2), capacity=4
            )
        closed = Venue.create(name="架空市 休館中の会場", ward="北区", address="-", active=False)
        WeeklyPattern.create(venue=closed, weekday=1, starts_at=time(10), ends_at=time(12), capacity=4)
        yield season, venue


def dates(venue) -> list[tuple[date, time]]:
    rows = ConsultationSession.select().where(ConsultationSession.venue == venue)
    return sorted((row.date, row.starts_at) for row in rows)


def test_sessions_fall_on_pattern_days_of_the_season_except_holidays(staff_app, calendar):
    season, venue = calendar
    with staff_app.app_context():
        before = availability.current()
        assert generate(season) == 5
        assert dates(venue) == [
            (date(2020, 7, 20), time(10)),
            (date(2020, 7, 20), time(13, 30)),
            (date(2020, 7, 27), time(10)),
            (date(2020, 7, 27), time(13, 30)),
            (date(2020, 7, 30), time(10)),
        ], "Thursday the 23rd is a holiday; nothing before or after the period"
        assert ConsultationSession.select().count() == 5, "an inactive venue gets no sessions"
        assert {(s.capacity, s.taken, s.status) for s in ConsultationSession.select()} == {(4, 0, "open")}
        assert availability.current() > before


def test_generating_again_creates_nothing_and_keeps_staff_edits(staff_app, calendar):
    season, venue = calendar
    with staff_app.app_context():
        ConsultationSession.create(
            venue=venue,
            date=date(2020, 7, 27),
            starts_at=time(10),
            ends_at=time(11),
            capacity=2,
            status="closed",
        )
        assert generate(season) == 4
        assert generate(season) == 0
        edited = ConsultationSession.get(date=date(2020, 7, 27), starts_at=time(10))
        assert (edited.capacity, edited.status, edited.ends_at) == (2, "closed", time(11))
        assert len(dates(venue)) == 5


def test_a_removed_holiday_is_filled_by_the_next_generation(staff_app, calendar):
    season, venue = calendar
    with staff_app.app_context():
        generate(season)
        Holiday.delete().execute()
        assert generate(season) == 1
        assert (date(2020, 7, 23), time(10)) in dates(venue)


def test_national_holidays_of_the_2020_season():
    found = national_holidays(date(2020, 6, 15), date(2020, 10, 31))
    assert found == {
        date(2020, 7, 23): "海の日",
        date(2020, 7, 24): "スポーツの日",
        date(2020, 8, 10): "山の日",
        date(2020, 9, 21): "敬老の日",
        date(2020, 9, 22): "秋分の日",
    }


def test_national_holidays_are_added_once(staff_app, calendar):
    season, _venue = calendar
    with staff_app.app_context():
        assert add_national_holidays(season) == 1, "the 23rd is recorded already"
        assert add_national_holidays(season) == 0
        assert Holiday.get(date=date(2020, 7, 24)).name == "スポーツの日"
        assert Holiday.get(date=date(2020, 7, 23)).name == "海の日"
