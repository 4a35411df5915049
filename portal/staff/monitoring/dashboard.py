"""What the dashboard shows for a scope: the figures, as charts and as the tables beside them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _

from portal.core.models import Venue
from portal.core.months import shift
from portal.core.query_args import date_arg, int_arg, text_arg
from portal.staff.monitoring import charts, figures
from portal.staff.monitoring.figures import Scope, Utilisation

WARD_LIMIT = 50  # the ward column's length


def short_day(day: date) -> str:
    """5/11(月): a day on a chart's axis and in the tables (Babel's names of the weekdays, without
    its date formatting, which costs more than the figures themselves over a year of days)."""
    weekday = get_locale().days["format"]["abbreviated"][day.weekday()]
    return f"{day.month}/{day.day}({weekday})"


def percent(row: Utilisation) -> float:
    """Utilisation as a percentage with one decimal (0 where nothing was offered)."""
    return round(100 * row.rate, 1) if row.rate is not None else 0.0


def requested_scope(today: date) -> Scope:
    """The period, venue and ward in the query string; the current month by default."""
    first = today.replace(day=1)
    start = date_arg("from") or first
    end = date_arg("to") or shift(first, 1) - timedelta(days=1)
    start, end = min(start, end), max(start, end)
    return Scope(start, end, int_arg("venue"), text_arg("ward", WARD_LIMIT) or None)


def choices() -> dict:
    """The venues and wards the filter offers."""
    venues = list(Venue.select().order_by(Venue.ward, Venue.name))
    return {"venues": venues, "wards": sorted({venue.ward for venue in venues})}


@dataclass(frozen=True)
class VenueRow:
    """A venue's line of the utilisation table."""

    venue: Venue
    seats: Utilisation

    @property
    def percent(self) -> float:
        return percent(self.seats)


def _bookings_chart(days: list[figures.DayCounts]) -> charts.Chart:
    return charts.columns(
        "bookings-by-day",
        _("日別の予約件数（電話・Web）"),
        _("相談日ごとの予約件数を、電話とWebに分けて積み上げた棒グラフ。数値は隣の表のとおり。"),
        [short_day(row.day) for row in days],
        [
            ("phone", _("電話"), [row.phone for row in days]),
            ("web", _("Web"), [row.web for row in days]),
        ],
    )


def _day_use_chart(days: list[Utilisation]) -> charts.Chart:
    return charts.columns(
        "utilisation-by-day",
        _("日別の利用率"),
        _("相談日ごとの利用率（予約済みの席÷定員）の棒グラフ。数値は隣の表のとおり。"),
        [short_day(row.key) for row in days],
        [("rate", _("利用率"), [percent(row) for row in days])],
        top=100,
        unit="%",
    )


def _venue_use_chart(rows: list[VenueRow]) -> charts.Chart:
    return charts.rows(
        "utilisation-by-venue",
        _("会場別の利用率"),
        _("会場ごとの利用率（予約済みの席÷定員）の横棒グラフ。数値は隣の表のとおり。"),
        [(row.venue.name, row.percent, "rate") for row in rows],
        top=100,
        unit="%",
    )


def shown(scope: Scope, today: date) -> dict:
    """The template context of the figures for `scope`."""
    days = figures.by_day(scope)
    day_use = figures.utilisation_by_day(scope)
    by_venue = figures.utilisation_by_venue(scope)
    named = {venue.id: venue for venue in Venue.select().where(Venue.id.in_([row.key for row in by_venue]))}
    venue_use = sorted(
        (VenueRow(named[row.key], row) for row in by_venue),
        key=lambda row: (row.venue.ward, row.venue.name),
    )
    return {
        "scope": scope,
        "today": today,
        "totals": figures.totals(days),
        "follow_ups": figures.follow_ups(scope, today),
        "days": days,
        "day_use": day_use,
        "venue_use": venue_use,
        "bookings_chart": _bookings_chart(days),
        "day_use_chart": _day_use_chart(day_use),
        "venue_use_chart": _venue_use_chart(venue_use),
        "short_day": short_day,
        "percent": percent,
    }
