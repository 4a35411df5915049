"""Venue pages: where each venue is, how to get there, what to bring, and its sessions with places.

Like the calendar they set no cookie and carry no form token, so any cache may keep them.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby
from urllib.parse import urlencode, urlsplit

from flask import Response

from portal.core.dates import business_today
from portal.core.models import ConsultationSession, Venue
from portal.core.reservations import open_sessions
from portal.core.web import not_found, render
from portal.public.views import bp

UPCOMING = timedelta(days=62)  # how far ahead venue pages and the manage page offer sessions
MAP_SEARCH = "https://www.openstreetmap.org/search?"


def active_venues():
    """Active venues by ward, then name."""
    return Venue.select().where(Venue.active == True).order_by(Venue.ward, Venue.name)  # noqa: E712


def active_venue(venue_id: int) -> Venue:
    """An active venue, or 404."""
    venue = Venue.get_or_none(Venue.id == venue_id, Venue.active == True)  # noqa: E712
    if venue is None:
        not_found()
    return venue


def upcoming_sessions(venue_id: int) -> list[ConsultationSession]:
    """A venue's open sessions from today on, in date order."""
    today = business_today()
    return list(open_sessions(today, today + UPCOMING).where(Venue.id == venue_id))


def map_link(venue: Venue) -> str:
    """The venue's own map link, else a map search for its address: a plain link, nothing embedded."""
    if urlsplit(venue.map_url).scheme in ("http", "https"):
        return venue.map_url
    return MAP_SEARCH + urlencode({"query": venue.address})


@bp.get("/venues")
def venues() -> Response:
    """Every venue, grouped by ward."""
    wards = [(ward, list(items)) for ward, items in groupby(active_venues(), key=lambda v: v.ward)]
    return render("public/venues.html", wards=wards)


@bp.get("/venues/<int:venue_id>")
def venue_page(venue_id: int) -> Response:
    """One venue: address, access, what to bring, a map link, the centre's phone and its sessions."""
    venue = active_venue(venue_id)
    return render(
        "public/venue.html",
        venue=venue,
        map_link=map_link(venue),
        sessions=upcoming_sessions(venue.id),
    )
