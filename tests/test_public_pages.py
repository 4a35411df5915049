"""The public pages a citizen meets first: a session to book one click from the front page, the
calendar opening on a month with something to book, messages that say what to do, the
confirmation that repeats the booking, the privacy notice and the site's icon."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest

from portal.core.dates import business_today
from portal.core.models import ConsultationSession, Venue
from tests.test_reservations import form_data

SESSION_LINK = re.compile(r'href="/sessions/(\d+)"')


def later_month(months: int) -> date:
    """A day in the month `months` after this one, on the 10th (so every month has one)."""
    first = business_today().replace(day=1)
    return date(first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12 + 1, 10)


@pytest.fixture
def later(public_app) -> dict:
    """Nothing this month; in two months a full session, in three an open one; a closed one earlier."""
    with public_app.app_context():
        venue = Venue.create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")

        def make(day: date, **values) -> int:
            return ConsultationSession.create(
                venue=venue, date=day, starts_at=time(10), ends_at=time(11), **{"capacity": 3, **values}
            ).id

        return {
            "closed": make(later_month(1), status="closed"),
            "full": make(later_month(2), taken=3),
            "open": make(later_month(3)),
        }


def test_the_front_page_offers_the_next_bookable_sessions(public_app, later):
    page = public_app.test_client().get("/").text
    assert SESSION_LINK.findall(page) == [str(later["open"])], "bookable ones only, full and closed left out"
    assert "予約できる直近の相談会" in page and "残り3席" in page


def test_the_front_page_says_so_when_nothing_is_open(public_app):
    page = public_app.test_client().get("/").text
    assert not SESSION_LINK.search(page) and "いまは予約を受け付けている相談会がありません" in page
    assert "0120-000-000" in page


def test_the_calendar_opens_on_the_first_month_with_a_place_to_book(public_app, later):
    client = public_app.test_client()
    page = client.get("/calendar").text
    opened = later_month(3)
    assert f"{opened.year}年{opened.month}月" in page and f'href="/sessions/{later["open"]}"' in page
    ward = client.get("/calendar?ward=架空区", headers={"HX-Request": "true"}).text
    assert f'href="/sessions/{later["open"]}"' in ward
    nothing_there = client.get("/calendar?ward=どこにもない区").text
    this_month = business_today()
    assert f"{this_month.year}年{this_month.month}月" in nothing_there, "no bookable month: this one"


def test_a_month_without_places_points_to_one_with_them(public_app, later):
    client = public_app.test_client()
    opened = later_month(3)
    there = f'href="/calendar?month={opened:%Y-%m}"'
    empty = client.get(f"/calendar?month={business_today():%Y-%m}").text
    assert "この月に予約できる相談会はありません" in empty and there in empty
    full = client.get(f"/calendar?month={later_month(2):%Y-%m}").text
    assert "満席" in full and "すべて満席です" in full and there in full, "a full session stays, marked 満席"
    after = client.get(f"/calendar?month={later_month(4):%Y-%m}").text
    assert there in after, "past the last session, the way back to it"
    bookable = client.get(f"/calendar?month={opened:%Y-%m}").text
    assert "すべて満席" not in bookable and "相談会を見る" not in bookable


@pytest.fixture
def consultation(public_app) -> int:
    with public_app.app_context():
        venue = Venue.create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")
        return ConsultationSession.create(
            venue=venue,
            date=business_today() + timedelta(days=7),
            starts_at=time(10),
            ends_at=time(11, 30),
            capacity=5,
        ).id


def test_messages_name_the_field_and_say_what_to_do_and_a_tampered_choice_is_in_japanese(
    public_app, consultation
):
    client = public_app.test_client()
    data = form_data(
        client, consultation, business_name="", phone="", email="not-an-address", programmes=["evil"]
    )
    page = client.post(f"/sessions/{consultation}", data=data).text
    for message in (
        "事業者名（屋号）を入力してください。",
        "電話番号を入力してください。",
        "メールアドレスの形が正しくありません。info@example.jp のように入力してください。",
        "選べない値が送られました。表示されている選択肢から選び直してください。",
    ):
        assert message in page, message
    assert "このフィールドは必須です" not in page and "not a valid choice" not in page and "evil" not in page
    assert 'class="error-summary"' in page and 'href="#business_name"' in page
    assert (
        'aria-invalid="true"' in page and 'aria-describedby="business_name-hint business_name-errors"' in page
    )
    assert 'value="架空商店"' not in page and 'value="山田 花子"' in page, "what was typed comes back"


def test_in_english_the_same_messages_are_in_english(public_app, consultation):
    client = public_app.test_client()
    client.set_cookie("lang", "en")
    data = form_data(client, consultation, business_name="", programmes=["evil"])
    page = client.post(f"/sessions/{consultation}", data=data).text
    assert "Business name (trade name): please fill this in." in page
    assert "A value that is not on the list was sent. Choose again from the options shown." in page


def test_the_confirmation_repeats_the_booking_says_whether_mail_went_and_how_to_keep_the_link(
    public_app, consultation
):
    client = public_app.test_client()
    client.post(f"/sessions/{consultation}", data=form_data(client, consultation, email=""))
    page = client.get("/booking/complete").text
    day = business_today() + timedelta(days=7)
    for said in (
        f"{day.year}年{day.month}月{day.day}日",
        "10:00–11:30",
        "架空区役所 会議室A",
        "架空市架空区1-1",
        "メールアドレスの入力がなかったため、メールはお送りしていません",
        "一度しか表示されません",
        "ブックマーク",
        'href="/manage/lost"',
    ):
        assert said in page, said
    secret = page.split('href="/manage/')[1].split('"')[0]
    assert f"http://127.0.0.1:8000/manage/{secret}" in page, "the link written out in full, to copy down"
    assert client.get("/booking/complete").status_code == 303, "shown once"


def test_the_consent_links_to_a_privacy_notice_that_says_how_data_is_kept(public_app, consultation):
    client = public_app.test_client()
    form = client.get(f"/sessions/{consultation}").text
    assert 'href="/privacy" target="_blank" rel="noopener"' in form
    notice = client.get("/privacy")
    assert notice.status_code == 200 and "Set-Cookie" not in notice.headers
    for said in ("お預かりする情報", "使う目的", "暗号化", "読み出すことができません", "0120-000-000"):
        assert said in notice.text, said
    assert "/privacy" in client.get("/sitemap.xml").text


@pytest.mark.parametrize("zone", ["public", "staff"])
def test_both_instances_answer_the_browsers_icon_request(public_app, staff_app, zone):
    app = public_app if zone == "public" else staff_app
    with app.test_client().get("/favicon.ico") as response:
        assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"
        assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
