"""Every state-changing route of the public instance, from its url_map, attacked as a cross-site
form would: without the form token, with a forged one, with another visitor's, and with a forged
htmx header. Each is refused (400) with nothing changed in the database; the same request with
the page's own token then makes its change, so the refusal was the token's doing (D27)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta

import pytest

from portal.core import refusal_log
from portal.core.dates import business_today
from portal.core.models import (
    Booking,
    ConsultationSession,
    ManageLinkRequest,
    PublicEvent,
    Venue,
    WaitingOffer,
    WaitingRequest,
)
from portal.core.models.base import utcnow
from portal.core.reservations import book, manage_hash
from tests.conftest import change_settings, csrf_from
from tests.routes import reached, state_changing_routes
from tests.test_reservations import form_data
from tests.test_waiting_list import WAITING

# name -> (the token sent, given a token of another visitor's session; extra headers)
FORGERIES: dict[str, Callable[[str], tuple[str | None, dict]]] = {
    "no token": lambda _others: (None, {}),
    "a forged token": lambda _others: ("forged", {}),
    "another visitor's token": lambda others: (others, {}),
    "a forged htmx header": lambda _others: (None, {"HX-Request": "true", "X-CSRFToken": "forged"}),
}


@dataclass
class Visit:
    """A visitor's booking with its manage page, and a session it may move to."""

    client: object
    booked: int
    other: int
    manage_url: str
    booking: int
    reference: str
    full: int  # a session with no place left, whose waiting list the visitor may join
    offers: dict[
        str, str
    ]  # a place offered from the waiting list, by what the visitor will answer: its secret


@dataclass(frozen=True)
class Change:
    """A state-changing request as the visitor's own page sends it, and the change it makes."""

    request: Callable[[Visit], tuple[str, dict]]
    made: Callable[[object, Visit], bool]


def _book(visit: Visit) -> tuple[str, dict]:
    return f"/sessions/{visit.other}", form_data(visit.client, visit.other)


def _cancel(visit: Visit) -> tuple[str, dict]:
    asking = f"{visit.manage_url}/cancel"
    return asking, {"csrf_token": csrf_from(visit.client.get(asking).text)}


def _ask_for_lost_link(visit: Visit) -> tuple[str, dict]:
    token = csrf_from(visit.client.get("/manage/lost").text)
    return "/manage/lost", {"csrf_token": token, "reference": visit.reference, "contact": "090-1234-5678"}


def _move(visit: Visit) -> tuple[str, dict]:
    token = csrf_from(visit.client.get(visit.manage_url).text)
    return f"{visit.manage_url}/move", {"csrf_token": token, "session_id": visit.other}


def _join_waiting_list(visit: Visit) -> tuple[str, dict]:
    asking = f"/sessions/{visit.full}/waiting"
    page = visit.client.get(asking).text
    key = page.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    return asking, {**WAITING, "csrf_token": csrf_from(page), "idempotency_key": key}


def _answer_offer(choice: str) -> Callable[[Visit], tuple[str, dict]]:
    def request(visit: Visit) -> tuple[str, dict]:
        link = f"/waiting/{visit.offers[choice]}"
        return f"{link}/{choice}", {"csrf_token": csrf_from(visit.client.get(link).text)}

    return request


def _answered(choice: str) -> Callable[[object, Visit], bool]:
    def made(app, visit: Visit) -> bool:
        with app.app_context():
            return (
                WaitingOffer.get(WaitingOffer.offer_hash == manage_hash(visit.offers[choice])).answer
                is not None
            )

    return made


def _booking(app, visit: Visit) -> Booking:
    with app.app_context():
        return Booking.get_by_id(visit.booking)


# Every public (endpoint, method) that may change state: a new one fails until it is added here.
CHANGES = {
    ("public.session_page", "POST"): Change(
        _book, lambda app, visit: web_requests(app) == 2 and taken(app, visit.other) == 1
    ),
    ("public.manage_cancel", "POST"): Change(
        _cancel, lambda app, visit: _booking(app, visit).status == "cancelled"
    ),
    ("public.lost_link", "POST"): Change(
        _ask_for_lost_link, lambda app, _visit: lost_link_requests(app) == 1
    ),
    ("public.manage_move", "POST"): Change(
        _move, lambda app, visit: _booking(app, visit).session_id == visit.other
    ),
    ("public.waiting_form", "POST"): Change(
        _join_waiting_list,
        lambda app, visit: WaitingRequest.select().where(WaitingRequest.session == visit.full).count() == 1,
    ),
    ("public.offer_accept", "POST"): Change(_answer_offer("accept"), _answered("accept")),
    ("public.offer_decline", "POST"): Change(_answer_offer("decline"), _answered("decline")),
}


def web_requests(app) -> int:
    with app.app_context():
        return Booking.select().where(Booking.status == "requested").count()


def lost_link_requests(app) -> int:
    with app.app_context():
        return ManageLinkRequest.select().count()


REFUSALS = (refusal_log.CSRF, refusal_log.RATE_LIMIT)


def taken(app, session_id: int) -> int:
    with app.app_context():
        return ConsultationSession.get_by_id(session_id).taken


def snapshot(app) -> tuple:
    """Everything a public POST could change: bookings, places taken, the public event log (but
    the refusal the forgery itself is recorded as)."""
    with app.app_context():
        return (
            [
                (b.id, b.status, b.session_id, b.manage_valid_until)
                for b in Booking.select().order_by(Booking.id)
            ],
            [(s.id, s.taken) for s in ConsultationSession.select().order_by(ConsultationSession.id)],
            PublicEvent.select().where(PublicEvent.action.not_in(REFUSALS)).count(),
            ManageLinkRequest.select().count(),
            [(r.id, r.status) for r in WaitingRequest.select().order_by(WaitingRequest.id)],
            [(o.id, o.answer) for o in WaitingOffer.select().order_by(WaitingOffer.id)],
        )


@pytest.fixture
def visit(public_app) -> Visit:
    """Two sessions a week ahead; the visitor booked the first through the form. A full one, and
    one whose two places are offered to the visitor from the waiting list."""
    change_settings(public_app, booking_rate_limit="100 per minute")
    day = business_today() + timedelta(days=7)
    with public_app.app_context():
        venue = Venue.create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")
        booked, other = (
            ConsultationSession.create(
                venue=venue, date=day, starts_at=time(hour), ends_at=time(hour + 1), capacity=3
            ).id
            for hour in (10, 13)
        )
        full = ConsultationSession.create(
            venue=venue, date=day, starts_at=time(15), ends_at=time(16), capacity=1, taken=1
        ).id
        offers = {
            choice: _offered(venue, day, hour, choice) for hour, choice in ((8, "accept"), (9, "decline"))
        }
    client = public_app.test_client()
    assert client.post(f"/sessions/{booked}", data=form_data(client, booked)).status_code == 303
    done = client.get("/booking/complete").text
    manage_url = "/manage/" + done.split('href="/manage/')[1].split('"')[0]
    with public_app.app_context():
        booking = Booking.get(Booking.session == booked)
    return Visit(client, booked, other, manage_url, booking.id, booking.reference, full, offers)


def _offered(venue: Venue, day, hour: int, secret: str) -> str:
    """A place offered to a waiting request, as the staff zone leaves it (the secret is given)."""
    session = ConsultationSession.create(
        venue=venue, date=day, starts_at=time(hour), ends_at=time(hour + 1), capacity=1
    )
    waiting = WaitingRequest.create(session=session, sealed=b"sealed", status="offered")
    held = book(session.id, channel="web", status="offered", sealed=b"sealed").booking
    WaitingOffer.create(
        request=waiting,
        booking=held,
        offer_hash=manage_hash(secret),
        valid_until=utcnow() + timedelta(hours=1),
    )
    return secret


def test_every_state_changing_public_route_is_attacked(public_app):
    assert state_changing_routes(public_app) == set(CHANGES), "add the route to CHANGES with its change"


@pytest.mark.parametrize("route", sorted(CHANGES), ids=lambda route: route[0])
def test_a_state_change_without_the_visitors_own_token_is_refused_and_changes_nothing(
    public_app, visit, route
):
    change = CHANGES[route]
    url, data = change.request(visit)
    assert reached(public_app, "POST", url) == route
    stranger = public_app.test_client()
    others_token = csrf_from(stranger.get(f"/sessions/{visit.other}").text)
    before = snapshot(public_app)
    for name, forgery in FORGERIES.items():
        token, headers = forgery(others_token)
        forged = {key: value for key, value in data.items() if key != "csrf_token"}
        forged |= {"csrf_token": token} if token else {}
        response = visit.client.post(url, data=forged, headers=headers)
        assert response.status_code == 400, name
        assert "送信を受け付けられませんでした" in response.text, name
        assert snapshot(public_app) == before, name
    assert not change.made(public_app, visit)
    response = visit.client.post(url, data=data)
    assert response.status_code == 303, "with its own token the same request is accepted"
    assert change.made(public_app, visit)
