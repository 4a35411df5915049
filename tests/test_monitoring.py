"""The monitoring dashboard: every figure held against a count made here from the seeded season,
the filters by period, venue and ward, the charts' numbers against their tables, the fragment
htmx swaps, and who may see it."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.core.database import database
from portal.core.models import Booking, ConsultationSession, User, Venue
from portal.core.reservations import book, cancel
from portal.staff.records import content
from tests.pages import without_tokens

TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()
# Two weeks of consultations in the 2025 season, and one session the week after.
WEEKDAYS = [date(2025, 6, 2) + timedelta(days=n) for n in range(12) if n % 7 < 5]
LATE_DAY = date(2025, 6, 20)
VENUES = {  # key: (name, ward)
    "east-hall": ("架空東区役所 相談室", "架空東区"),
    "east-branch": ("架空東区 北出張所", "架空東区"),
    "west-hall": ("架空西区役所 会議室", "架空西区"),
}
FINAL = ("attended", "attended", "attended", "no-show", "cancelled", "declined", "confirmed")


@dataclass(frozen=True)
class Planned:
    """One seeded booking: where, how it came in and how it ended."""

    venue: str
    day: date
    channel: str  # phone, web or walk-in
    outcome: str  # attended, no-show, cancelled, declined (a web request staff turned down), confirmed
    follow_up: str = ""  # open (due in the future), overdue, cleared (closed by a later version), deleted


@dataclass(frozen=True)
class Offered:
    venue: str
    day: date
    capacity: int


@dataclass
class Season:
    sessions: list[Offered]
    bookings: list[Planned]
    venue_ids: dict[str, int]


def plan() -> tuple[list[Offered], list[Planned]]:
    """Sessions at every venue on every weekday (and one late one), and bookings in each."""
    rng = random.Random(20250602)
    sessions = [Offered(venue, day, rng.choice((3, 4, 6))) for venue in VENUES for day in WEEKDAYS]
    sessions.append(Offered("west-hall", LATE_DAY, 4))
    bookings = []
    for offered in sessions:
        for _ in range(rng.randint(0, offered.capacity)):
            channel = rng.choice(("phone", "phone", "web", "web", "walk-in"))
            outcome = "attended" if channel == "walk-in" else rng.choice(FINAL)
            if outcome == "declined" and channel == "phone":
                outcome = "cancelled"
            follow_up = (
                rng.choice(("", "", "open", "overdue", "cleared", "deleted")) if outcome == "attended" else ""
            )
            bookings.append(Planned(offered.venue, offered.day, channel, outcome, follow_up))
    return sessions, bookings


FOLLOW_UP_DUE = {"open": TODAY + timedelta(days=30), "overdue": TODAY - timedelta(days=30)}


def _record(booking: Booking, author: User, follow_up: str) -> None:
    due = FOLLOW_UP_DUE.get(follow_up, TODAY + timedelta(days=14))
    body = content.Body(advice="助言", programmes=["yachin"], follow_up="書類の確認", follow_up_due=due)
    record = content.create(booking, author, body)
    if follow_up == "cleared":
        content.save(record, 1, content.Body(advice="助言", programmes=["yachin"]), author)
    elif follow_up == "deleted":
        content.delete(record, "二重登録", author)


def seed(app, consultant_id: int) -> Season:
    """The planned season, made as the product makes it: bookings take seats, cancellations and
    declines give them back, reception marks attendance, consultants write records."""
    sessions, bookings = plan()
    with app.app_context(), database.connection_context():
        author = User.get_by_id(consultant_id)
        venue_ids = {
            key: Venue.create(name=name, ward=ward, address="架空市").id
            for key, (name, ward) in VENUES.items()
        }
        session_ids = {
            (o.venue, o.day): ConsultationSession.create(
                venue=venue_ids[o.venue],
                date=o.day,
                starts_at=time(10),
                ends_at=time(12),
                capacity=o.capacity,
                consultant=consultant_id,
            ).id
            for o in sessions
        }
        for planned in bookings:
            status = "requested" if planned.channel == "web" else "confirmed"
            made = book(
                session_ids[planned.venue, planned.day], channel=planned.channel, status=status
            ).booking
            if planned.outcome in ("cancelled", "declined"):
                assert cancel(made, "満席のため" if planned.outcome == "declined" else None)
            elif planned.outcome != "confirmed" or planned.channel == "walk-in":
                Booking.update(status=planned.outcome).where(Booking.id == made.id).execute()
            if planned.follow_up:
                _record(Booking.get_by_id(made.id), author, planned.follow_up)
    return Season(sessions, bookings, venue_ids)


@pytest.fixture
def season(staff_app, accounts) -> Season:
    return seed(staff_app, accounts["consultant"].id)


def chosen(season: Season, start: date, end: date, venue: str | None = None, ward: str | None = None):
    """What the filter picks: its venues, and a test for a consultation day."""
    keys = {key for key, (_, w) in VENUES.items() if (venue in (None, key)) and (ward in (None, w))}
    return lambda where, day: where in keys and start <= day <= end


def expected(
    season: Season, start: date, end: date, venue: str | None = None, ward: str | None = None
) -> dict:
    """Every figure, counted from the plan."""
    inside = chosen(season, start, end, venue, ward)
    mine = [b for b in season.bookings if inside(b.venue, b.day)]
    booked = [b for b in mine if b.channel != "walk-in"]
    days = sorted({b.day for b in mine})
    holding = [b for b in mine if b.outcome not in ("cancelled", "declined")]
    offered = [o for o in season.sessions if inside(o.venue, o.day)]
    capacity_by_day, capacity_by_venue = Counter(), Counter()
    for o in offered:
        capacity_by_day[o.day] += o.capacity
        capacity_by_venue[o.venue] += o.capacity
    held_by_day = Counter(b.day for b in holding)
    held_by_venue = Counter(b.venue for b in holding)
    return {
        "totals": {
            "booked": len(booked),
            "phone": sum(b.channel == "phone" for b in booked),
            "web": sum(b.channel == "web" for b in booked),
            "cancelled": sum(b.outcome in ("cancelled", "declined") for b in booked),
            "no-show": sum(b.outcome == "no-show" for b in booked),
            "walk-in": sum(b.channel == "walk-in" for b in mine),
            "follow-ups": sum(b.follow_up in ("open", "overdue") for b in mine),
            "overdue": sum(b.follow_up == "overdue" for b in mine),
        },
        "by_day": {
            day: [
                sum(b.day == day and b.channel == "phone" for b in mine),
                sum(b.day == day and b.channel == "web" for b in mine),
                sum(b.day == day and b.channel != "walk-in" for b in mine),
                sum(b.day == day and b.outcome in ("cancelled", "declined") for b in mine),
                sum(b.day == day and b.outcome == "no-show" for b in mine),
                sum(b.day == day and b.channel == "walk-in" for b in mine),
            ]
            for day in days
        },
        "day_use": {day: (held_by_day[day], capacity_by_day[day]) for day in sorted(capacity_by_day)},
        "venue_use": {
            season.venue_ids[v]: (held_by_venue[v], capacity_by_venue[v]) for v in capacity_by_venue
        },
    }


CARD = re.compile(r'<dd data-figure="([a-z-]+)">(\d+)</dd>')
ROW = re.compile(r'<tr data-(day|venue)="([^"]+)"><th scope="row">([^<]*)</th>(.*?)</tr>')
CELL = re.compile(r"<td>([^<]*)</td>")
BAR = re.compile(r'data-series="([a-z]+)" data-category="([^"]*)" data-value="([^"]*)"')


def section(page: str, table_id: str) -> str:
    """The chart and table pair that holds the table `table_id` (nothing if there is no such table)."""
    if f'id="{table_id}"' not in page:
        return ""
    start = page.index(f'id="{table_id}"')
    return page[page.rindex('<div class="figure-pair">', 0, start) : page.index("</table>", start)]


def table(page: str, table_id: str) -> dict[str, tuple[str, list[str]]]:
    """The table's rows by their day or venue id: the row's heading and its cells."""
    return {
        key: (heading, CELL.findall(cells)) for _, key, heading, cells in ROW.findall(section(page, table_id))
    }


def bars(page: str, table_id: str) -> dict[tuple[str, str], float]:
    """The chart beside the table: each bar's value by series and category."""
    return {
        (series, category): float(value) for series, category, value in BAR.findall(section(page, table_id))
    }


def rate(held: int, capacity: int) -> float:
    return round(100 * held / capacity, 1) if capacity else 0.0


def short(day: date) -> str:
    """A day as the Japanese axis and tables write it: 6/2(月)."""
    return f"{day.month}/{day.day}({'月火水木金土日'[day.weekday()]})"


def assert_figures(page: str, want: dict) -> None:
    """The cards, the tables and the charts all say what the plan says."""
    cards = {name: int(value) for name, value in CARD.findall(page)}
    totals = want["totals"]
    assert cards == {k: totals[k] for k in ("booked", "cancelled", "no-show", "walk-in", "follow-ups")}
    assert f"電話 {totals['phone']}・Web {totals['web']}" in page
    assert f"うち期日超過 {totals['overdue']}" in page
    if want["by_day"]:
        days = table(page, "bookings-table")
        assert {date.fromisoformat(k): [int(c) for c in cells] for k, (_, cells) in days.items()} == want[
            "by_day"
        ]
        drawn = bars(page, "bookings-table")
        for key, (heading, cells) in days.items():
            assert heading == short(date.fromisoformat(key))
            assert (drawn["phone", heading], drawn["web", heading]) == (float(cells[0]), float(cells[1]))
        assert len(drawn) == 2 * len(days)
    else:
        assert 'id="bookings-table"' not in page
    day_use = table(page, "day-use-table")
    assert {date.fromisoformat(k): (int(c[0]), int(c[1])) for k, (_, c) in day_use.items()} == want["day_use"]
    drawn = bars(page, "day-use-table")
    assert len(drawn) == len(day_use)
    for key, (heading, cells) in day_use.items():
        assert cells[2] == f"{rate(*want['day_use'][date.fromisoformat(key)])}%"
        assert drawn["rate", heading] == float(cells[2].rstrip("%"))
    venue_use = table(page, "venue-use-table")
    assert {int(k): (int(c[1]), int(c[2])) for k, (_, c) in venue_use.items()} == want["venue_use"]
    drawn = bars(page, "venue-use-table")
    assert len(drawn) == len(venue_use)
    for key, (heading, cells) in venue_use.items():
        assert cells[3] == f"{rate(*want['venue_use'][int(key)])}%"
        assert drawn["rate", heading] == float(cells[3].rstrip("%"))


START, END = WEEKDAYS[0], LATE_DAY


def test_every_figure_matches_the_season(season, signed_in):
    want = expected(season, START, END)
    # The plan holds every kind of figure, so none of the checks below can pass on zeros.
    assert all(want["totals"][name] > 0 for name in want["totals"])
    assert len({v for b in season.bookings for v in [b.venue]}) == 3
    for role in ("city", "operator"):
        page = signed_in(role).get(f"/monitoring/?from={START}&to={END}")
        assert page.status_code == 200
        assert_figures(page.text, want)


@pytest.mark.parametrize(
    ("start", "end", "venue", "ward"),
    [
        (WEEKDAYS[0], WEEKDAYS[4], None, None),  # the first week
        (WEEKDAYS[5], LATE_DAY, None, None),  # the second week and the late session
        (START, END, "east-branch", None),
        (START, END, None, "架空西区"),
        (WEEKDAYS[2], WEEKDAYS[7], None, "架空東区"),
        (START, END, "west-hall", "架空東区"),  # a venue outside the ward: nothing
    ],
)
def test_filters_change_the_figures(season, signed_in, start, end, venue, ward):
    query = f"/monitoring/?from={start}&to={end}"
    if venue:
        query += f"&venue={season.venue_ids[venue]}"
    if ward:
        query += f"&ward={ward}"
    page = signed_in("city").get(query).text
    want = expected(season, start, end, venue, ward)
    assert_figures(page, want)
    assert want != expected(season, START, END)


def test_a_reversed_period_is_read_the_right_way_round(season, signed_in):
    city = signed_in("city")
    assert_figures(city.get(f"/monitoring/?from={END}&to={START}").text, expected(season, START, END))


def test_the_current_month_by_default_and_nonsense_reads_as_absent(season, signed_in, staff_app):
    first = TODAY.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    with staff_app.app_context(), database.connection_context():
        venue = Venue.create(name="今月の会場", ward="架空南区", address="架空市")
        session = ConsultationSession.create(
            venue=venue, date=TODAY, starts_at=time(9), ends_at=time(10), capacity=2
        )
        book(session.id, channel="phone", status="confirmed")
    city = signed_in("city")
    for query in ("", "?from=2025-13-40&to=soon&venue=99999999999&ward=%00"):
        page = city.get(f"/monitoring/{query}").text
        assert (
            f'name="from" type="date" value="{first}"' in page
            and f'name="to" type="date" value="{last}"' in page
        )
        cards = dict(CARD.findall(page))
        assert cards["booked"] == "1" and cards["walk-in"] == "0"


def test_htmx_gets_the_figures_alone(season, signed_in):
    response = signed_in("operator").get(
        f"/monitoring/?from={START}&to={END}", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="figures"')
    assert "<html" not in response.text and "<form" not in response.text
    assert "HX-Request" in response.headers["Vary"]
    assert_figures(response.text, expected(season, START, END))


def test_the_charts_are_accessible_images_within_the_policy(season, signed_in):
    page = signed_in("city").get(f"/monitoring/?from={START}&to={END}").text
    charts = re.findall(
        r'<svg class="chart-svg" id="([a-z-]+)" role="img"[^>]*aria-labelledby="([^"]+)"', page
    )
    assert [c for c, _ in charts] == ["bookings-by-day", "utilisation-by-day", "utilisation-by-venue"]
    for chart_id, labelled_by in charts:
        assert labelled_by == f"{chart_id}-title {chart_id}-desc"
        assert f'<title id="{chart_id}-title">' in page and f'<desc id="{chart_id}-desc">' in page
    # Nothing the policy (script-src 'self', style-src 'self') would block: no style attribute or
    # element, every script from a file.
    assert "style=" not in page and "<style" not in page
    assert all(" src=" in tag for tag in re.findall(r"<script[^>]*>", page))


def test_the_menu_leads_there_for_the_city_and_the_operator_only(signed_in):
    for role in ("city", "operator", "consultant", "admin"):
        home = signed_in(role).get("/").text
        assert ('href="/monitoring/"' in home) == (role in ("city", "operator")), role


def test_nobody_else_reaches_it(season, client, signed_in):
    """Anonymous visitors, consultants and administrators get the unknown-URL 404, htmx or not."""
    for asker in (client, signed_in("consultant"), signed_in("admin")):
        unknown = asker.get("/no-such-page")
        for headers in ({}, {"HX-Request": "true"}):
            response = asker.get(f"/monitoring/?from={START}&to={END}", headers=headers)
            assert response.status_code == 404
            assert without_tokens(response.data) == without_tokens(unknown.data)
