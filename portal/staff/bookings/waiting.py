"""The waiting list in the web inbox: requests a freed place can go to now, oldest first.

Places go in the order people joined: a request is shown as ready only while a place is free for
it after every older request has had one, so with one place free only the first in line can be
offered it (the offer asks the same question again, see offers.py). Only places a visitor could still
answer for online count: open sessions of an active venue, before the change cut-off. Opening a
ready request's contact for the inbox is audited, as opening a web request is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.core.dates import business_today, week_of
from portal.core.models import Booking, ConsultationSession, Venue, WaitingOffer, WaitingRequest
from portal.core.models.waiting import WaitingStatus
from portal.core.reservations import before_cutoff, open_sessions
from portal.staff import audit
from portal.staff.security.unseal import unsealer


@dataclass
class Ready:
    """A request, the place it can be offered, and who is waiting (opened for the operator)."""

    request: WaitingRequest
    place: ConsultationSession
    person: dict


@dataclass
class WaitingList:
    """What the inbox shows of the waiting list."""

    ready: list[Ready]
    offered: list[WaitingOffer]  # places held, waiting for the visitor's answer
    waiting: int  # requests with no place for them yet


def last_day(request: WaitingRequest) -> date:
    """The last day a request could still be offered a place: its session's, or its week's end."""
    return week_of(request.session.date)[1] if request.any_in_week else request.session.date


def waiting_requests() -> list[WaitingRequest]:
    """Requests waiting for a place whose session (or week) has not passed, oldest first."""
    today = business_today()
    rows = (
        WaitingRequest.select(WaitingRequest, ConsultationSession, Venue)
        .join(ConsultationSession)
        .join(Venue)
        .where(
            WaitingRequest.status == WaitingStatus.WAITING,
            ConsultationSession.date >= today - timedelta(days=6),
        )
        .order_by(WaitingRequest.created_at, WaitingRequest.id)
    )
    return [request for request in rows if last_day(request) >= today]


def may_take(request: WaitingRequest, session: ConsultationSession) -> bool:
    """Whether the request waits for this session: its own, or another of its venue that week."""
    if session.id == request.session_id:
        return True
    return (
        request.any_in_week
        and session.venue_id == request.session.venue_id
        and week_of(session.date) == week_of(request.session.date)
    )


def _places_free(requests: list[WaitingRequest]) -> list[ConsultationSession]:
    """Sessions with a place that the requests' visitors could still answer for, in date order."""
    if not requests:
        return []
    found = open_sessions(business_today(), max(last_day(r) for r in requests)).where(
        Venue.id.in_({r.session.venue_id for r in requests}),
        ConsultationSession.taken < ConsultationSession.capacity,
    )
    return [session for session in found if before_cutoff(session.date)]


def places_in_turn(requests: list[WaitingRequest]) -> dict[int, ConsultationSession]:
    """Request id -> the place it is to be offered, handed out oldest request first (its own
    session before the others of its week)."""
    sessions = _places_free(requests)
    left = {session.id: session.places_left for session in sessions}
    handed = {}
    for request in requests:
        mine = sorted(
            (s for s in sessions if may_take(request, s) and left[s.id]),
            key=lambda s: s.id != request.session_id,
        )
        if mine:
            left[mine[0].id] -= 1
            handed[request.id] = mine[0]
    return handed


def _opened(request: WaitingRequest) -> dict:
    audit.record("waiting_request.view", object_type="waiting_request", object_id=request.id)
    return unsealer().open(request.sealed)


def inbox_waiting_list() -> WaitingList:
    """The ready requests with their contact, the open offers, and how many still wait."""
    requests = waiting_requests()
    places = places_in_turn(requests)
    ready = [Ready(r, places[r.id], _opened(r)) for r in requests if r.id in places]
    offered = list(
        WaitingOffer.select(WaitingOffer, Booking, ConsultationSession, Venue)
        .join(Booking)
        .join(ConsultationSession)
        .join(Venue)
        .where(WaitingOffer.answer.is_null())
        .order_by(WaitingOffer.valid_until)
    )
    return WaitingList(ready, offered, len(requests) - len(ready))
