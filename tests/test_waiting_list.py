"""The waiting list for full sessions: a visitor joins it on the public site (sealed, never read back
there), the operator sees a freed place first in the inbox and offers it, the staff zone mails the
link, and the visitor accepts or declines it before it runs out; `portal notify waiting-list` gives
back what nobody took, mails the accepted booking and forgets ended requests."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from portal.core.dates import business_today, week_of
from portal.core.models import (
    AuditEvent,
    Booking,
    ConsultationSession,
    PublicEvent,
    Venue,
    WaitingOffer,
    WaitingRequest,
)
from portal.core.models.base import utcnow
from portal.core.reservations import book, cancel
from portal.staff.people import sealed_with_indexes
from tests.conftest import change_settings, csrf_from
from tests.records_world import VISITOR
from tests.test_reservations import form_data

PUBLIC_URL = "https://yoyaku.example.jp"
WAITING = {
    "business_name": "待機商店",
    "contact_name": "待田 一郎",
    "email": "machida@example.jp",
    "phone": "03-5555-0199",
    "programmes": ["yushi"],
    "consent": "y",
}
LINK = re.compile(re.escape(PUBLIC_URL) + r"(/waiting/[A-Za-z0-9_-]+)")


@pytest.fixture
def config(config, smtp):
    """Every instance in this module mails through the test server and links to the public site."""
    return {**config, **smtp.settings, "PUBLIC_URL": PUBLIC_URL}


@dataclass
class Week:
    """A venue's week two weeks ahead: two full sessions (one place each) and their holders, a full
    session of another venue that Monday, and a full one at the first venue the week after."""

    monday: int
    wednesday: int
    elsewhere: int
    next_week: int
    holders: dict[int, int]  # session id -> the booking holding its place


def _full_session(venue: Venue, day, hour: int = 10) -> tuple[int, int]:
    session = ConsultationSession.create(
        venue=venue, date=day, starts_at=time(hour), ends_at=time(hour + 1), capacity=1
    )
    holder = book(session.id, channel="phone", status="confirmed", **sealed_with_indexes(VISITOR))
    return session.id, holder.booking.id


@pytest.fixture
def week(staff_app) -> Week:
    monday = week_of(business_today() + timedelta(days=14))[0]
    with staff_app.app_context():
        ward_office = Venue.create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")
        branch = Venue.create(name="北架空支所 相談室", ward="北架空区", address="架空市北架空区2-2")
        made = {
            "monday": _full_session(ward_office, monday),
            "wednesday": _full_session(ward_office, monday + timedelta(days=2)),
            "elsewhere": _full_session(branch, monday),
            "next_week": _full_session(ward_office, monday + timedelta(days=7)),
        }
    return Week(**{name: session for name, (session, _) in made.items()}, holders=dict(made.values()))


def join(app, session_id: int, address: str = "198.51.100.7", **changes):
    """Fill in a full session's waiting-list form as a visitor; returns the answer to the post."""
    visitor = app.test_client()
    page = visitor.get(f"/sessions/{session_id}/waiting")
    assert page.status_code == 200, page.status_code
    key = page.text.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    data = {**WAITING, "csrf_token": csrf_from(page.text), "idempotency_key": key, **changes}
    return visitor.post(f"/sessions/{session_id}/waiting", data=data, environ_base={"REMOTE_ADDR": address})


def joined(app, session_id: int, **changes) -> int:
    """A visitor joins the list; returns the request's id."""
    assert join(app, session_id, **changes).status_code == 303
    with app.app_context():
        return WaitingRequest.select().order_by(WaitingRequest.id.desc()).get().id


def free_place(staff_app, week: Week, session_id: int) -> None:
    """The booking holding the session's place is cancelled (a phone call to the centre)."""
    with staff_app.app_context():
        cancel(Booking.get_by_id(week.holders[session_id]))


def offer(operator, request_id: int, htmx: bool = False):
    """The operator presses 「空きを案内する」 in the inbox."""
    page = operator.get("/bookings/requests")
    headers = {"HX-Request": "true"} if htmx else {}
    return operator.post(
        f"/bookings/waiting/{request_id}/offer", data={"csrf_token": csrf_from(page.text)}, headers=headers
    )


def main_of(response) -> str:
    """A page's main content."""
    return response.text.split('<main id="main">')[1].split("</main>")[0]


def offered_link(smtp, to: str = WAITING["email"]) -> str:
    """The path of the offer link in the newest message to `to`."""
    return LINK.search(smtp.to(to)[-1].get_content()).group(1)


def taken(app, session_id: int) -> int:
    with app.app_context():
        return ConsultationSession.get_by_id(session_id).taken


def request_of(app, request_id: int) -> WaitingRequest:
    with app.app_context():
        return WaitingRequest.get_by_id(request_id)


def answer(public_app, link: str, choice: str):
    """Open the offer link and press one of its buttons; returns the answer, redirects followed."""
    visitor = public_app.test_client()
    page = visitor.get(link)
    assert page.status_code == 200, page.text
    return visitor.post(f"{link}/{choice}", data={"csrf_token": csrf_from(page.text)}, follow_redirects=True)


@pytest.fixture
def operator(signed_in):
    return signed_in("operator")


@pytest.fixture
def offered(public_app, staff_app, week, operator, smtp) -> tuple[int, str]:
    """A visitor waits for Monday; its place frees and is offered: the request and the link's path."""
    request_id = joined(public_app, week.monday)
    free_place(staff_app, week, week.monday)
    assert offer(operator, request_id).status_code == 303
    return request_id, offered_link(smtp)


def test_a_full_session_stays_on_the_calendar_as_full_and_leads_to_its_waiting_list(public_app, week):
    visitor = public_app.test_client()
    monday = business_today() + timedelta(days=14)
    calendar = visitor.get(f"/calendar?month={week_of(monday)[0]:%Y-%m}").text
    assert "満席" in calendar and f'href="/sessions/{week.monday}/waiting"' in calendar
    page = visitor.get(f"/sessions/{week.monday}")
    assert page.status_code == 200 and "この回は満席です" in page.text
    assert "予約を申し込む" not in page.text and f'href="/sessions/{week.monday}/waiting"' in page.text
    form = visitor.get(f"/sessions/{week.monday}/waiting")
    assert "キャンセル待ちの登録" in form.text and "24時間以内" in form.text
    assert form.headers["Cache-Control"] == "no-store"


def test_a_session_with_a_place_has_no_waiting_form(public_app, staff_app, week):
    free_place(staff_app, week, week.monday)
    visitor = public_app.test_client()
    token = csrf_from(visitor.get(f"/sessions/{week.wednesday}/waiting").text)
    for method, data in (("GET", None), ("POST", {**WAITING, "csrf_token": token})):
        response = visitor.open(f"/sessions/{week.monday}/waiting", method=method, data=data)
        assert (response.status_code, response.headers["Location"]) == (303, f"/sessions/{week.monday}")
    with public_app.app_context():
        assert WaitingRequest.select().count() == 0
    assert visitor.get("/sessions/999999/waiting").status_code == 404


def test_the_form_comes_back_with_what_was_typed_and_says_what_to_do(public_app, week):
    response = join(public_app, week.monday, email="", consent="", phone="12")
    assert response.status_code == 200 and 'class="error-summary"' in response.text
    assert "メールアドレスを入力してください。" in response.text
    assert "電話番号は 03-1234-5678 や 090-1234-5678 の形で入力してください。" in response.text
    assert "個人情報の取扱いへの同意が必要です" in response.text
    assert 'value="待機商店"' in response.text and 'value="待田 一郎"' in response.text
    with public_app.app_context():
        assert WaitingRequest.select().count() == 0
    assert join(public_app, week.monday, phone="").status_code == 303, "the phone number may be left out"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_request_is_sealed_at_rest_and_the_answer_holds_nothing_of_it(public_app, week, stores, config):
    canary = "waiting-canary@example.jp"
    first = join(public_app, week.monday, email=canary, any_in_week="y")
    assert first.headers["Location"] == "/waiting/registered"
    page = public_app.test_client().get("/waiting/registered")
    assert "キャンセル待ちの登録を受け付けました" in page.text and canary not in page.text
    with public_app.app_context():
        [row] = WaitingRequest.select()
        assert (row.session_id, row.any_in_week, row.programmes, row.status) == (
            week.monday,
            True,
            "yushi",
            "waiting",
        )
        logged = PublicEvent.get(PublicEvent.action == "waiting.request")
        assert (logged.object_type, logged.object_id) == ("waiting_request", str(row.id))
    for value in (canary, "待機商店", "待田", "0355550199"):
        assert value.encode() not in bytes(row.sealed)
    store = Path(stores.public_file)
    files = [store, *store.parent.glob(store.name + "-*")]  # the write-ahead log too
    assert all(canary.encode() not in f.read_bytes() for f in files if f.exists())
    assert not (Path(config["INSTANCE_PATH"]) / "public" / "seal.key").exists()


def test_a_double_submitted_form_is_one_request_and_the_honeypot_registers_nothing(public_app, week):
    visitor = public_app.test_client()
    page = visitor.get(f"/sessions/{week.monday}/waiting")
    key = page.text.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    data = {**WAITING, "csrf_token": csrf_from(page.text), "idempotency_key": key}
    for _ in range(2):
        assert visitor.post(f"/sessions/{week.monday}/waiting", data=data).status_code == 303
    trapped = visitor.post(
        f"/sessions/{week.monday}/waiting", data={**data, "idempotency_key": "another", "website": "x"}
    )
    assert trapped.headers["Location"] == "/calendar"
    with public_app.app_context():
        assert WaitingRequest.select().count() == 1
        assert PublicEvent.select().where(PublicEvent.action == "waiting.honeypot").count() == 1


def test_joining_again_and_again_from_one_address_is_rate_limited(public_app, week):
    statuses = [join(public_app, week.monday, consent="").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert join(public_app, week.monday, address="192.0.2.99").status_code == 303, "others are not affected"


def test_the_inbox_shows_the_first_in_line_for_a_freed_place_and_offers_it_by_email(
    public_app, staff_app, week, operator, smtp
):
    first = joined(public_app, week.monday)
    second = joined(public_app, week.monday, email="second@example.jp", business_name="二番商店")
    inbox = operator.get("/bookings/requests").text
    assert "空きを案内できるキャンセル待ちはありません" in inbox and "ほかに2件" in inbox
    assert "待機商店" not in inbox, "nobody's contact is opened while there is no place"

    free_place(staff_app, week, week.monday)
    inbox = operator.get("/bookings/requests").text
    waiting_list = inbox.split('id="waiting-heading"')[1].split("</section>")[0]
    assert inbox.split("</h1>")[1].lstrip().startswith('<section class="waiting-list"'), "first in the inbox"
    assert f'id="waiting-{first}"' in waiting_list and f'id="waiting-{second}"' not in waiting_list
    assert "待機商店" in waiting_list and "machida@example.jp" in waiting_list and "ほかに1件" in waiting_list
    assert "二番商店" not in inbox, "the second in line is not opened"
    refused = offer(operator, second, htmx=True)
    assert "この方に案内できる空きは、いまはありません。" in refused.text
    assert smtp.messages == [] and taken(public_app, week.monday) == 0

    done = offer(operator, first, htmx=True)
    assert done.status_code == 200 and "空きを案内しました" in done.text
    assert taken(public_app, week.monday) == 1, "the offer holds the place"
    with staff_app.app_context():
        held = WaitingOffer.get(WaitingOffer.request == first).booking
        assert (held.status, held.channel, held.session_id, held.manage_valid_until) == (
            "offered",
            "web",
            week.monday,
            None,
        )
        assert WaitingRequest.get_by_id(first).status == "offered"
        actions = [
            (e.action, e.outcome) for e in AuditEvent.select().where(AuditEvent.action.contains("wait"))
        ]
        viewed = {e.object_id for e in AuditEvent.select().where(AuditEvent.action == "waiting_request.view")}
    assert viewed == {str(first)}, "a request without a place is never opened"
    assert ("waiting_request.view", "ok") in actions and ("waiting_request.offer", "no-place") in actions
    assert ("waiting_request.offer", "ok") in actions and ("mail.waiting_offer", "ok") in actions
    [message] = smtp.messages
    assert message["To"] == WAITING["email"] and "キャンセル待ち" in message["Subject"]
    body = message.get_content()
    assert LINK.search(body) and "架空区役所 会議室A" in body and "までに" in body
    for personal in ("待機商店", "待田", "0355550199", "machida"):
        assert personal not in body, "the email holds the link and the session, nothing the visitor gave"
    calendar = public_app.test_client().get(f"/sessions/{week.monday}").text
    assert "この回は満席です" in calendar, "a held place is not offered to anyone else"
    inbox = operator.get("/bookings/requests").text
    assert "案内中（回答待ち）" in inbox and held.reference in inbox and "二番商店" not in inbox


def test_the_visitor_accepts_and_the_staff_zone_mails_the_booking_with_its_manage_link(
    public_app, staff_app, week, offered, portal_cli, smtp
):
    request_id, link = offered
    page = public_app.test_client().get(link)
    assert "北架空" not in page.text and "架空区役所 会議室A" in page.text and "回答の期限" in page.text
    assert page.headers["Cache-Control"] == "no-store" and "noindex" in page.headers["X-Robots-Tag"]
    answered = answer(public_app, link, "accept")
    assert answered.request.path == "/waiting/answered" and "予約が確定しました" in answered.text
    with public_app.app_context():
        booking = WaitingOffer.get(WaitingOffer.request == request_id).booking
        assert booking.status == "confirmed" and booking.manage_valid_until == booking.session.date
        assert booking.reference in answered.text
        assert PublicEvent.select().where(PublicEvent.action == "waiting.accept").count() == 1
    assert request_of(public_app, request_id).status == "booked"
    assert taken(public_app, week.monday) == 1

    smtp.messages.clear()
    result = portal_cli("notify", "waiting-list")
    assert result.exit_code == 0, result.output
    assert "0 expired, 1 confirmed, 0 failed, 0 lapsed, 1 forgotten" in result.output
    [message] = smtp.messages
    assert message["To"] == WAITING["email"] and booking.reference in message["Subject"]
    manage = re.search(re.escape(PUBLIC_URL) + r"(/manage/\S+)", message.get_content()).group(1)
    shown = public_app.test_client().get(manage)
    assert shown.status_code == 200 and "確定" in shown.text and booking.reference in shown.text
    assert request_of(public_app, request_id).sealed is None, "an ended request's contact is forgotten"
    again = portal_cli("notify", "waiting-list").output
    assert "0 expired, 0 confirmed, 0 failed, 0 lapsed, 0 forgotten" in again, "nothing is done twice"
    assert len(smtp.messages) == 1


def test_declining_gives_the_place_back_and_ends_the_request(
    public_app, staff_app, week, offered, portal_cli
):
    request_id, link = offered
    answered = answer(public_app, link, "decline")
    assert "ご案内を辞退しました" in answered.text and "登録も終わりました" in answered.text
    assert taken(public_app, week.monday) == 0
    assert request_of(public_app, request_id).status == "declined"
    with public_app.app_context():
        assert WaitingOffer.get().answer == "declined" and WaitingOffer.get().booking.status == "cancelled"
    assert "1 forgotten" in portal_cli("notify", "waiting-list").output


def test_an_offer_nobody_answered_in_time_gives_the_place_back(
    public_app, staff_app, week, offered, portal_cli
):
    request_id, link = offered
    with staff_app.app_context():
        WaitingOffer.update(valid_until=utcnow() - timedelta(seconds=1)).execute()
    assert public_app.test_client().get(link).status_code == 404, "ran out: no longer offered"
    assert taken(public_app, week.monday) == 1, "held until the sweep gives it back"
    result = portal_cli("notify", "waiting-list")
    assert "1 expired, 0 confirmed, 0 failed, 0 lapsed, 1 forgotten" in result.output
    assert taken(public_app, week.monday) == 0
    assert request_of(public_app, request_id).status == "expired"
    with staff_app.app_context():
        assert WaitingOffer.get().answer == "expired"
        assert AuditEvent.select().where(AuditEvent.action == "waiting_offer.expire").count() == 1


def test_an_unknown_answered_or_expired_link_gets_one_and_the_same_answer(
    public_app, staff_app, week, operator, smtp
):
    links = {}
    for name, session_id in (
        ("accepted", week.monday),
        ("declined", week.wednesday),
        ("expired", week.elsewhere),
    ):
        request_id = joined(public_app, session_id)
        free_place(staff_app, week, session_id)
        assert offer(operator, request_id).status_code == 303
        links[name] = offered_link(smtp)
    answer(public_app, links["accepted"], "accept")
    answer(public_app, links["declined"], "decline")
    with staff_app.app_context():
        WaitingOffer.update(valid_until=utcnow()).where(WaitingOffer.answer.is_null()).execute()
    links["unknown"] = "/waiting/not-a-real-secret"
    visitor = public_app.test_client()
    answers = []
    for link in links.values():
        answers.append(visitor.get(link))
        page_token = csrf_from(visitor.get(f"/sessions/{week.next_week}/waiting").text)
        for choice in ("accept", "decline"):
            answers.append(visitor.post(f"{link}/{choice}", data={"csrf_token": page_token}))
    # The whole page but the language switch, whose link returns to the address asked for.
    assert {(a.status_code, main_of(a)) for a in answers} == {(404, main_of(answers[0]))}
    assert "このご案内は有効ではありません" in answers[0].text
    assert all(
        a.headers["Cache-Control"] == "no-store" and "noindex" in a.headers["X-Robots-Tag"] for a in answers
    )
    with staff_app.app_context():
        assert [o.answer for o in WaitingOffer.select().order_by(WaitingOffer.id)] == [
            "accepted",
            "declined",
            None,
        ]


def test_any_session_of_that_venue_that_week_will_do_when_the_visitor_says_so(
    public_app, staff_app, week, operator, smtp
):
    only_monday = joined(public_app, week.monday)
    any_day = joined(public_app, week.monday, any_in_week="y", email="anyday@example.jp")
    for session_id in (week.elsewhere, week.next_week):
        free_place(staff_app, week, session_id)
    inbox = operator.get("/bookings/requests").text
    assert "空きを案内できるキャンセル待ちはありません" in inbox, "another venue or week is not that week"
    free_place(staff_app, week, week.wednesday)
    waiting_list = operator.get("/bookings/requests").text.split("</section>")[0]
    assert f'id="waiting-{any_day}"' in waiting_list and f'id="waiting-{only_monday}"' not in waiting_list
    assert offer(operator, any_day).status_code == 303
    assert taken(public_app, week.wednesday) == 1 and smtp.messages[-1]["To"] == "anyday@example.jp"


def test_an_offer_takes_the_place_so_a_web_booking_at_the_same_moment_cannot_oversell(
    public_app, staff_app, week, operator, smtp
):
    change_settings(public_app, booking_rate_limit="1000 per minute")
    request_id = None
    for _attempt in range(4):
        request_id = request_id or joined(public_app, week.monday)
        free_place(staff_app, week, week.monday)
        visitor = public_app.test_client()
        data = form_data(visitor, week.monday)
        with ThreadPoolExecutor(max_workers=2) as pool:
            web = pool.submit(visitor.post, f"/sessions/{week.monday}", data=data)
            offered = pool.submit(offer, operator, request_id, True)
            booked, held = web.result().status_code == 303, "空きを案内しました" in offered.result().text
        assert booked != held, "exactly one of them has the place"
        assert taken(public_app, week.monday) == 1
        assert request_of(public_app, request_id).status == ("offered" if held else "waiting")
        with staff_app.app_context():
            holder = Booking.get(Booking.session == week.monday, Booking.status.in_(("requested", "offered")))
        week.holders[week.monday] = holder.id
        request_id = None if held else request_id


def test_an_offer_whose_email_cannot_go_is_undone(public_app, staff_app, week, operator, smtp):
    request_id = joined(public_app, week.monday)
    free_place(staff_app, week, week.monday)
    smtp.refusing = True
    refused = offer(operator, request_id, htmx=True)
    assert "メールを送れなかったため、案内を取りやめました" in refused.text
    assert taken(public_app, week.monday) == 0 and request_of(public_app, request_id).status == "waiting"
    with staff_app.app_context():
        assert WaitingOffer.select().count() == 0
        assert (
            Booking.select().where(Booking.session == week.monday, Booking.status == "offered").count() == 0
        )
        outcomes = {
            e.action: e.outcome for e in AuditEvent.select().where(AuditEvent.action.contains("offer"))
        }
    assert outcomes == {"mail.waiting_offer": "failed", "waiting_request.offer": "mail-failed"}
    change_settings(staff_app, smtp_host="")
    page = operator.get("/bookings/requests")
    without = operator.post(
        f"/bookings/waiting/{request_id}/offer", data={"csrf_token": csrf_from(page.text)}
    )
    assert without.status_code == 303
    assert "メールの送信が設定されていないため" in operator.get("/bookings/requests").text
    assert taken(public_app, week.monday) == 0 and request_of(public_app, request_id).status == "waiting"
    assert offer(operator, 999999).status_code == 404


def test_a_request_whose_day_has_passed_lapses_and_is_forgotten(public_app, staff_app, week, portal_cli):
    request_id = joined(public_app, week.monday)
    with staff_app.app_context():
        ConsultationSession.update(date=business_today() - timedelta(days=1)).where(
            ConsultationSession.id == week.monday
        ).execute()
    result = portal_cli("notify", "waiting-list")
    assert "0 expired, 0 confirmed, 0 failed, 1 lapsed, 1 forgotten" in result.output
    assert (request_of(public_app, request_id).status, request_of(public_app, request_id).sealed) == (
        "lapsed",
        None,
    )


def test_the_offer_runs_for_the_set_hours_but_never_past_the_change_cutoff(staff_app):
    from portal.staff.bookings.offers import offer_deadline

    now = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
    with staff_app.app_context():
        assert offer_deadline(date_of(now, 10), now) == datetime(2026, 6, 2, 0, 0)
        assert offer_deadline(date_of(now, 1), now) == datetime(2026, 6, 1, 8, 0), "17:00 Tokyo, today"
        change_settings(staff_app, waiting_offer_hours=2)
        assert offer_deadline(date_of(now, 10), now) == datetime(2026, 6, 1, 2, 0)


def date_of(now: datetime, days: int):
    return (now + timedelta(days=days)).date()


def test_a_place_offered_is_not_reminded_before_it_is_accepted(
    public_app, staff_app, week, offered, portal_cli, smtp
):
    with staff_app.app_context():
        day = ConsultationSession.get_by_id(week.monday).date
    smtp.messages.clear()
    result = portal_cli("notify", "reminders", "--date", day.isoformat())
    assert result.exit_code == 0 and "1 sent" in result.output, "the other venue's booking that day"
    assert smtp.to(WAITING["email"]) == []


def test_how_long_an_offer_runs_is_a_setting_of_one_hour_to_a_week(tmp_path):
    from portal.core.settings import ConfigError, load_settings

    assert load_settings("staff", {"INSTANCE_PATH": tmp_path}).waiting_offer_hours == 24
    assert (
        load_settings("public", {"INSTANCE_PATH": tmp_path, "WAITING_OFFER_HOURS": "168"}).waiting_offer_hours
        == 168
    )
    for wrong in ("0", "169", "a day"):
        with pytest.raises(ConfigError, match="PORTAL_WAITING_OFFER_HOURS"):
            load_settings("staff", {"INSTANCE_PATH": tmp_path, "WAITING_OFFER_HOURS": wrong})


def test_the_offer_email_is_in_japanese_whatever_the_operator_reads(
    public_app, staff_app, week, operator, smtp
):
    request_id = joined(public_app, week.monday)
    free_place(staff_app, week, week.monday)
    operator.get("/language/en?next=/bookings/requests")
    assert "Waiting list" in operator.get("/bookings/requests").text
    assert "The place has been offered" in offer(operator, request_id, htmx=True).text
    [message] = smtp.messages
    assert (
        "キャンセル待ちの空きのご案内" in message["Subject"]
        and "までに、次のリンクから" in message.get_content()
    )


def test_a_booking_form_sent_after_the_last_place_went_offers_the_waiting_list(public_app, staff_app, week):
    free_place(staff_app, week, week.monday)
    late, early = public_app.test_client(), public_app.test_client()
    late_form = form_data(late, week.monday)
    assert early.post(f"/sessions/{week.monday}", data=form_data(early, week.monday)).status_code == 303
    answer = late.post(f"/sessions/{week.monday}", data=late_form)
    assert answer.status_code == 200 and "この回は満席になりました" in answer.text
    assert f'href="/sessions/{week.monday}/waiting"' in answer.text and "予約を申し込む" not in answer.text


def test_a_request_for_any_session_that_week_waits_until_the_week_is_over():
    from portal.staff.bookings.waiting import last_day

    thursday = date(2026, 6, 4)
    session = ConsultationSession(date=thursday)
    assert last_day(WaitingRequest(session=session, any_in_week=False)) == thursday
    assert last_day(WaitingRequest(session=session, any_in_week=True)) == date(2026, 6, 7)
