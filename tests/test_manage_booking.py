"""The manage link: moving a booking to another session until the cut-off, and its calendar file."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from icalendar import Calendar

from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession, PublicEvent, Venue
from portal.core.settings import ConfigError, load_settings
from tests.conftest import change_settings, csrf_from
from tests.test_reservations import form_data

PERSONAL = ("架空商店", "山田", "09012345678", "090-1234-5678", "hanako@example.jp")


@pytest.fixture
def sessions(public_app):
    """At one venue a session a week ahead (booked below), another with places and a full one;
    a second venue's session; one for tomorrow (past its cut-off: the cut-off is set to 00:00, so
    the test does not depend on the hour it runs at); a closed one."""
    change_settings(public_app, change_cutoff=time(0, 0))
    week = business_today() + timedelta(days=7)
    with public_app.app_context():
        first = Venue.create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")
        second = Venue.create(name="架空公民館", ward="架空西区", address="架空市架空西区2-2")

        def make(venue, day, hour, **extra):
            values = {"capacity": 2, **extra}
            return ConsultationSession.create(
                venue=venue, date=day, starts_at=time(hour), ends_at=time(hour + 1), **values
            ).id

        return {
            "booked": make(first, week, 10),
            "same": make(first, week + timedelta(days=1), 13),
            "full": make(first, week, 15, taken=2),
            "other": make(second, week, 10),
            "tomorrow": make(first, business_today() + timedelta(days=1), 10),
            "closed": make(first, week, 16, status="closed"),
        }


@pytest.fixture
def manage_url(public_app, sessions):
    """A web request for the first session; returns its manage path."""
    visitor = public_app.test_client()
    visitor.post(f"/sessions/{sessions['booked']}", data=form_data(visitor, sessions["booked"]))
    done = visitor.get("/booking/complete").text
    return "/manage/" + done.split('href="/manage/')[1].split('"')[0]


def taken(app, *ids):
    with app.app_context():
        return [ConsultationSession.get_by_id(i).taken for i in ids]


def move(client, url, session_id):
    page = client.get(url)
    return client.post(f"{url}/move", data={"csrf_token": csrf_from(page.text), "session_id": session_id})


def test_a_visitor_moves_a_request_to_another_session_at_the_same_venue(public_app, sessions, manage_url):
    client = public_app.test_client()
    page = client.get(manage_url)
    assert page.headers["Cache-Control"] == "no-store" and "noindex" in page.headers["X-Robots-Tag"]
    assert f'id="session-{sessions["same"]}" name="session_id" value="{sessions["same"]}">' in page.text
    assert (
        f'id="session-{sessions["full"]}" name="session_id" value="{sessions["full"]}" disabled>' in page.text
    )
    for absent in ("booked", "tomorrow", "closed", "other"):
        assert f'id="session-{sessions[absent]}"' not in page.text, absent
    response = move(client, manage_url, sessions["same"])
    assert response.status_code == 303 and response.headers["Location"] == manage_url
    page = client.get(manage_url)
    assert "予約の日時を変更しました" in page.text and "13:00" in page.text and "受付済み" in page.text
    with public_app.app_context():
        booking = Booking.get()
        assert (booking.session_id, booking.status) == (sessions["same"], "requested")
        assert booking.manage_valid_until == business_today() + timedelta(days=8)
        assert PublicEvent.select().where(PublicEvent.action == "booking.move").count() == 1
    assert taken(public_app, sessions["booked"], sessions["same"]) == [0, 1]


def test_another_venue_is_listed_on_request_and_can_be_chosen(public_app, sessions, manage_url):
    client = public_app.test_client()
    with public_app.app_context():
        other_venue = ConsultationSession.get_by_id(sessions["other"]).venue_id
    page = client.get(f"{manage_url}?venue={other_venue}")
    assert (
        f'id="session-{sessions["other"]}"' in page.text
        and f'id="session-{sessions["same"]}"' not in page.text
    )
    assert client.get(f"{manage_url}?venue=999999").status_code == 404
    assert move(client, manage_url, sessions["other"]).status_code == 303
    assert taken(public_app, sessions["booked"], sessions["other"]) == [0, 1]
    assert "架空公民館" in client.get(manage_url).text


@pytest.mark.parametrize("target", ["full", "tomorrow", "closed", "booked", "missing"])
def test_sessions_that_cannot_be_chosen_are_refused_with_a_message(public_app, sessions, manage_url, target):
    client = public_app.test_client()
    response = move(client, manage_url, sessions.get(target, 999999))
    assert response.status_code == 200 and 'role="alert"' in response.text
    assert "別の日時をお選びください" in response.text
    with public_app.app_context():
        assert Booking.get().session_id == sessions["booked"]
    assert taken(public_app, sessions["booked"]) == [1]


def test_a_session_that_fills_up_meanwhile_says_it_is_full(public_app, sessions, manage_url):
    client = public_app.test_client()
    page = client.get(manage_url)
    with public_app.app_context():
        ConsultationSession.update(taken=2).where(ConsultationSession.id == sessions["same"]).execute()
    response = client.post(
        f"{manage_url}/move", data={"csrf_token": csrf_from(page.text), "session_id": sessions["same"]}
    )
    assert "別の日時をお選びください" in response.text
    with public_app.app_context():
        assert Booking.get().session_id == sessions["booked"]


def test_moving_needs_a_post_with_a_token_and_the_right_link(public_app, sessions, manage_url):
    client = public_app.test_client()
    assert client.get(f"{manage_url}/move?session_id={sessions['same']}").status_code == 404
    assert client.post(f"{manage_url}/move", data={"session_id": sessions["same"]}).status_code == 400
    page = client.get(manage_url)
    forged = client.post(
        "/manage/not-the-secret/move",
        data={"csrf_token": csrf_from(page.text), "session_id": sessions["same"]},
    )
    assert forged.status_code == 404
    with public_app.app_context():
        assert Booking.get().session_id == sessions["booked"]


def test_after_the_cut_off_nothing_can_be_changed(public_app, sessions, manage_url):
    change_settings(public_app, change_cutoff=time(0, 0))
    with public_app.app_context():
        Booking.update(session=sessions["tomorrow"]).execute()
        ConsultationSession.update(taken=1).where(ConsultationSession.id == sessions["tomorrow"]).execute()
    client = public_app.test_client()
    page = client.get(manage_url)
    assert "この予約を取り消す" not in page.text and "この日時に変更する" not in page.text
    assert "締め切りを過ぎたため" in page.text and "0120-000-000" in page.text
    token = csrf_from(client.get(f"/sessions/{sessions['same']}").text)
    moved = client.post(f"{manage_url}/move", data={"csrf_token": token, "session_id": sessions["same"]})
    assert moved.status_code == 303
    assert client.post(f"{manage_url}/cancel", data={"csrf_token": token}).status_code == 303
    assert client.get(f"{manage_url}/cancel").status_code == 303
    with public_app.app_context():
        assert (Booking.get().session_id, Booking.get().status) == (sessions["tomorrow"], "requested")
    assert taken(public_app, sessions["tomorrow"], sessions["same"]) == [1, 0]


def test_the_cut_off_setting_is_validated(tmp_path):
    assert str(
        load_settings("public", {"INSTANCE_PATH": tmp_path, "CHANGE_CUTOFF": "12:30"}).change_cutoff
    ) == ("12:30:00")
    with pytest.raises(ConfigError, match="PORTAL_CHANGE_CUTOFF"):
        load_settings("public", {"INSTANCE_PATH": tmp_path, "CHANGE_CUTOFF": "25:00"})


def test_the_calendar_file_holds_the_booking_and_no_personal_data(public_app, sessions, manage_url):
    client = public_app.test_client()
    response = client.get(f"{manage_url}/booking.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in response.headers
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.data.decode()
    for secret in PERSONAL:
        assert secret not in text
    event = Calendar.from_ical(response.data).events[0]
    with public_app.app_context():
        booking = Booking.get()
    day = business_today() + timedelta(days=7)
    assert event.start.isoformat() == f"{day.isoformat()}T10:00:00+09:00"
    assert event.end.isoformat() == f"{day.isoformat()}T11:00:00+09:00"
    assert "架空区役所 会議室A" in event["LOCATION"] and "架空市架空区1-1" in event["LOCATION"]
    assert booking.reference in event["DESCRIPTION"] and str(event["STATUS"]) == "TENTATIVE"
    assert str(event["URL"]) == f"http://127.0.0.1:8000{manage_url}"
    assert str(event["URL"]) in event["DESCRIPTION"]
    assert client.get("/manage/not-the-secret/booking.ics").status_code == 404


def test_a_declined_booking_keeps_showing_the_reason(public_app, sessions, manage_url):
    from portal.core.reservations import cancel

    with public_app.app_context():
        cancel(Booking.get(), "当日は会場が使えなくなりました")
    page = public_app.test_client().get(manage_url).text
    assert "当日は会場が使えなくなりました" in page and "取り消し済み" in page
    assert "この日時に変更する" not in page
    for secret in PERSONAL:
        assert secret not in page


def test_cancelling_asks_first_then_says_what_it_did_and_offers_no_calendar_file(
    public_app, sessions, manage_url
):
    client = public_app.test_client()
    page = client.get(manage_url)
    assert f'href="{manage_url}/booking.ics"' in page.text
    assert f'href="{manage_url}/cancel"' in page.text, "a link to a page that asks, not a form that cancels"
    assert f'method="post" action="{manage_url}/cancel"' not in page.text
    asked = client.get(f"{manage_url}/cancel")
    assert asked.headers["Cache-Control"] == "no-store"
    assert "元に戻すことはできません" in asked.text and f'action="{manage_url}/cancel"' in asked.text
    assert f'href="{manage_url}"' in asked.text, "a way back without cancelling"
    assert taken(public_app, sessions["booked"]) == [1], "asking changes nothing"
    assert client.post(f"{manage_url}/cancel").status_code == 400, "no form token"
    assert client.post(manage_url, data={"csrf_token": csrf_from(asked.text)}).status_code in (404, 405)
    assert taken(public_app, sessions["booked"]) == [1]
    done = client.post(f"{manage_url}/cancel", data={"csrf_token": csrf_from(asked.text)})
    assert done.status_code == 303 and done.headers["Location"] == manage_url
    page = client.get(manage_url).text
    with public_app.app_context():
        booking = Booking.get()
    assert f"予約を取り消しました（受付番号 {booking.reference}）" in page and 'role="status"' in page
    assert "取り消し済み" in page and "booking.ics" not in page and "カレンダーに登録" not in page
    assert "この予約を取り消す" not in page and "この日時に変更する" not in page
    assert taken(public_app, sessions["booked"]) == [0]
    again = client.post(f"{manage_url}/cancel", data={"csrf_token": csrf_from(asked.text)})
    assert again.status_code == 303 and "予約を取り消しました" not in client.get(manage_url).text
    with public_app.app_context():
        assert PublicEvent.select().where(PublicEvent.action == "booking.cancel").count() == 1


def test_the_move_list_narrows_by_date_ward_and_venue_without_javascript_and_with_htmx(
    public_app, sessions, manage_url
):
    client = public_app.test_client()
    week = business_today() + timedelta(days=7)
    with public_app.app_context():
        other_venue = ConsultationSession.get_by_id(sessions["other"]).venue_id

    def listed(query: str = "", **headers) -> set[str]:
        page = client.get(manage_url + query, headers=headers)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
        return {name for name in ("same", "full", "other") if f'id="session-{sessions[name]}"' in page.text}

    assert listed() == {"same", "full"}, "at first, the booking's own venue"
    assert listed("?ward=架空西区") == {"other"}
    assert listed(f"?venue={other_venue}") == {"other"}
    assert listed(f"?date={week + timedelta(days=1)}&venue=") == {"same"}
    assert listed(f"?date={week}&venue=") == {"full", "other"}
    assert listed(f"?ward=架空区&venue={other_venue}") == {"same", "full"}, (
        "a venue outside the ward is dropped"
    )
    assert listed("?date=not-a-date&ward=&venue=") == {"same", "full", "other"}
    fragment = client.get(f"{manage_url}?ward=架空西区", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="move"') and "<html" not in fragment.text
    assert f'id="session-{sessions["other"]}"' in fragment.text and "HX-Request" in fragment.headers["Vary"]
    assert f'action="{manage_url}/move?ward=' in fragment.text, "a refused move comes back to the same list"
