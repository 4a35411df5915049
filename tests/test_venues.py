"""Staff management of venues, sessions and the operating calendar, as the front desk uses it."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from itertools import product

import pytest
from flask import url_for

from portal.core.dates import business_today
from portal.core.models import AuditEvent, ConsultationSession, Holiday, Season, User, Venue, WeeklyPattern
from portal.core.reservations import book
from tests.conftest import csrf_from, make_account

DAY = business_today() + timedelta(days=7)
MONTH = DAY.strftime("%Y-%m")
VENUE_FORM = {
    "name": "架空市 北区役所 2階 大会議室",
    "ward": "北区",
    "address": "架空市北区北町1-2-3",
    "access_notes": "地下鉄北町駅から徒歩5分",
    "what_to_bring": "本人確認書類",
    "map_url": "https://www.openstreetmap.org/?mlat=35.2&mlon=136.9",
    "active": "y",
}


@pytest.fixture
def consultation(staff_app):
    """A venue with one open session a week ahead, five places, three of them taken."""
    with staff_app.app_context():
        venue = Venue.create(
            name="架空市 中央区役所 3階 会議室", ward="中央区", address="架空市中央区本町1-1"
        )
        created = ConsultationSession.create(
            venue=venue, date=DAY, starts_at=time(10), ends_at=time(12), capacity=5
        )
        for _ in range(3):
            book(created.id, channel="phone", status="confirmed")
        return created.id


def audited(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(AuditEvent.select().where(AuditEvent.action == action))


def venue_routes(app) -> list[tuple[str, str]]:
    """Every (method, URL) of the venues blueprint, with 1 for each id."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("venues."):
                url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, 1))
                routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


@pytest.mark.parametrize("role", ["consultant", "admin", None])
def test_everyone_but_the_front_desk_gets_404_everywhere(staff_app, signed_in, consultation, role):
    client = signed_in(role) if role else staff_app.test_client()
    token = csrf_from(client.get("/").text) if role else "none"
    routes = venue_routes(staff_app)
    assert len(routes) >= 18
    for (method, url), headers in product(routes, ({}, {"HX-Request": "true", "X-CSRFToken": token})):
        response = client.open(url, method=method, data={"csrf_token": token, **VENUE_FORM}, headers=headers)
        assert response.status_code == 404, (method, url, headers)
        assert "会場" not in response.text
    with staff_app.app_context():
        assert Venue.select().count() == 1
    if role:
        assert "/venues/" not in client.get("/").text, "no menu link"


@pytest.mark.parametrize("role", ["operator", "city"])
def test_the_front_desk_opens_every_page(staff_app, signed_in, consultation, role):
    client = signed_in(role)
    assert 'href="/venues/"' in client.get("/").text
    with staff_app.app_context():
        session = ConsultationSession.get_by_id(consultation)
        season = Season.create(name="今期", starts_on=DAY, ends_on=DAY + timedelta(days=30))
    venue = session.venue_id
    for url in (
        "/venues/",
        "/venues/new",
        f"/venues/{venue}/edit",
        f"/venues/{venue}/sessions?month={MONTH}",
        f"/venues/{venue}/sessions/new",
        f"/venues/sessions/{consultation}/edit",
        f"/venues/{venue}/patterns",
        "/venues/calendar",
        "/venues/seasons/new",
        f"/venues/seasons/{season.id}/edit",
    ):
        page = client.get(url)
        assert page.status_code == 200 and "<h1>" in page.text, url
    month = client.get(f"/venues/{venue}/sessions?month={MONTH}").text
    assert "3 / 5" in month and "架空市 中央区役所" in month
    for absurd in ("9999-12", "0001-01", "2026-13", "x"):
        assert client.get(f"/venues/{venue}/sessions?month={absurd}").status_code == 404, absurd
    assert client.get(f"/venues/{venue + 99}/edit").status_code == 404


def test_a_forged_or_missing_form_token_changes_nothing(staff_app, signed_in, consultation):
    operator = signed_in("operator")
    operator.get("/venues/new")
    for data, headers in (
        ({**VENUE_FORM, "csrf_token": "forged"}, {}),
        (VENUE_FORM, {}),
        (VENUE_FORM, {"HX-Request": "true", "X-CSRFToken": "forged"}),
    ):
        assert operator.post("/venues/new", data=data, headers=headers).status_code == 400
    response = operator.post(
        f"/venues/sessions/{consultation}/edit",
        data={f"session-{consultation}-capacity": "9", f"session-{consultation}-status": "closed"},
        headers={"HX-Request": "true", "X-CSRFToken": "forged"},
    )
    assert response.status_code == 400
    with staff_app.app_context():
        assert Venue.select().count() == 1
        assert ConsultationSession.get_by_id(consultation).capacity == 5


def test_venues_are_added_and_edited_and_map_links_must_be_https(staff_app, public_app, signed_in):
    operator = signed_in("operator")
    token = csrf_from(operator.get("/venues/new").text)
    for bad in ("http://maps.example.jp/", "javascript:alert(1)", "https://", "https://exa mple.jp/"):
        page = operator.post("/venues/new", data={**VENUE_FORM, "csrf_token": token, "map_url": bad})
        assert page.status_code == 200 and "https:// で始まるアドレス" in page.text
        assert 'value="架空市 北区役所 2階 大会議室"' in page.text and "地下鉄北町駅から徒歩5分" in page.text
    missing = operator.post("/venues/new", data={**VENUE_FORM, "csrf_token": token, "name": "  "})
    assert missing.status_code == 200 and 'aria-invalid="true"' in missing.text
    with staff_app.app_context():
        assert Venue.select().count() == 0
    created = operator.post("/venues/new", data={**VENUE_FORM, "csrf_token": token})
    assert created.status_code == 303 and created.headers["Location"] == "/venues/"
    with staff_app.app_context():
        venue = Venue.get()
        assert (venue.map_url, venue.active) == (VENUE_FORM["map_url"], True)
        ConsultationSession.create(venue=venue, date=DAY, starts_at=time(10), ends_at=time(11), capacity=4)
    assert "北区役所" in public_app.test_client().get(f"/calendar?month={MONTH}").text
    loaded = hidden_fields(operator.get(f"/venues/{venue.id}/edit").text)
    edited = operator.post(
        f"/venues/{venue.id}/edit",
        data={**VENUE_FORM, **loaded, "name": "架空市 北区役所 別館", "active": ""},
    )
    assert edited.status_code == 303
    with staff_app.app_context():
        venue = Venue.get_by_id(venue.id)
        assert (venue.name, venue.active, venue.access_notes) == (
            "架空市 北区役所 別館",
            False,
            "地下鉄北町駅から徒歩5分",
        )
    assert "北区役所" not in public_app.test_client().get(f"/calendar?month={MONTH}").text, "unpublished"
    assert [e.object_id for e in audited(staff_app, "venue.create")] == [str(venue.id)]
    assert [e.object_id for e in audited(staff_app, "venue.update")] == [str(venue.id)]


HIDDEN = re.compile(r'name="([\w-]+)" type="hidden" value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (the form token and the loaded fingerprint)."""
    return dict(HIDDEN.findall(html))


def edit(client, session_id: int, htmx: bool = False, page: str | None = None, **values):
    """Submit a session's row form as loaded in `page` (fetched now if not given)."""
    loaded = hidden_fields(page or client.get(f"/venues/sessions/{session_id}/edit").text)
    data = {**loaded, **{f"session-{session_id}-{name}": value for name, value in values.items()}}
    token = loaded[f"session-{session_id}-csrf_token"]
    headers = {"HX-Request": "true", "X-CSRFToken": token} if htmx else {}
    return client.post(f"/venues/sessions/{session_id}/edit", data=data, headers=headers)


def test_capacity_below_the_places_taken_is_refused(staff_app, signed_in, consultation):
    operator = signed_in("operator")
    page = edit(operator, consultation, capacity="2", status="open")
    assert page.status_code == 200 and "予約済みの3席より少なくはできません" in page.text
    assert f'id="session-{consultation}-capacity"' in page.text and 'value="2"' in page.text
    row = edit(operator, consultation, htmx=True, capacity="0", status="closed")
    assert row.text.lstrip().startswith(f'<tr id="session-{consultation}"') and "<html" not in row.text
    assert 'aria-invalid="true"' in row.text
    with staff_app.app_context():
        kept = ConsultationSession.get_by_id(consultation)
        assert (kept.capacity, kept.status, kept.taken) == (5, "open", 3)
    assert audited(staff_app, "session.update") == []
    forged = edit(operator, consultation, capacity="3", status="open", taken="0", venue="99")
    assert forged.status_code == 303, "equal to taken is fine; extra fields are ignored"
    with staff_app.app_context():
        kept = ConsultationSession.get_by_id(consultation)
        assert (kept.capacity, kept.taken) == (3, 3)


def test_the_second_of_two_simultaneous_edits_is_told_and_nothing_is_lost(staff_app, signed_in, consultation):
    first, second = signed_in("operator"), signed_in("city")
    first_page = first.get(f"/venues/sessions/{consultation}/edit").text
    second_page = second.get(f"/venues/sessions/{consultation}/edit").text
    assert edit(first, consultation, page=first_page, capacity="9", status="open").status_code == 303
    late = edit(second, consultation, htmx=True, page=second_page, capacity="6", status="closed")
    assert late.status_code == 200 and "ほかの方が先にこの内容を変更しました" in late.text
    assert "3 / 9" in late.text and 'value="6"' in late.text, "the stored state is shown, the typed one kept"
    with staff_app.app_context():
        assert ConsultationSession.get_by_id(consultation).capacity == 9
    again = edit(second, consultation, htmx=True, page=late.text, capacity="6", status="closed")
    assert again.status_code == 200 and "3 / 6" in again.text and "受付停止" in again.text
    assert len(audited(staff_app, "session.update")) == 2

    with staff_app.app_context():
        venue_id = ConsultationSession.get_by_id(consultation).venue_id
    pages = [client.get(f"/venues/{venue_id}/edit").text for client in (first, second)]
    for client, page, notes in ((first, pages[0], "北口から"), (second, pages[1], "南口から")):
        form = {**VENUE_FORM, **hidden_fields(page), "access_notes": notes}
        response = client.post(f"/venues/{venue_id}/edit", data=form)
    assert response.status_code == 200 and "ほかの方が先に" in response.text and "南口から" in response.text
    with staff_app.app_context():
        assert Venue.get_by_id(venue_id).access_notes == "北口から"


def test_hostile_text_is_shown_inert_in_pages_and_fragments(staff_app, signed_in):
    city = signed_in("city")
    token = csrf_from(city.get("/venues/new").text)
    hostile = "<img src=x onerror=alert(1)>{{7*7}}"
    assert (
        city.post("/venues/new", data={**VENUE_FORM, "csrf_token": token, "name": hostile}).status_code == 303
    )
    season = {
        "csrf_token": token,
        "name": hostile,
        "starts_on": "2020-06-15",
        "ends_on": "2020-06-30",
        "intake_weekdays": ["0"],
        "intake_opens": "09:00",
        "intake_closes": "17:00",
    }
    assert city.post("/venues/seasons/new", data=season).status_code == 303
    holiday = {"csrf_token": token, "date": "2020-06-16", "name": hostile}
    assert city.post("/venues/holidays", data=holiday).status_code == 303
    with staff_app.app_context():
        venue, season_id = Venue.get(), Season.get().id
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    fragment = city.post(f"/venues/seasons/{season_id}/generate", headers=headers)
    for page in (
        city.get("/venues/").text,
        city.get("/venues/calendar").text,
        city.get(f"/venues/{venue.id}/sessions").text,
        fragment.text,
    ):
        assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;{{7*7}}" in page
        # Wherever the text shows, its braces show too: no template evaluated it (to 49).
        assert page.count("&lt;img src=x onerror=alert(1)&gt;{{7*7}}") == page.count("onerror=alert(1)")


def test_capacity_and_closing_show_on_the_public_calendar(staff_app, public_app, signed_in, consultation):
    visitor = public_app.test_client()
    calendar = f"/calendar?month={MONTH}"
    assert "残り2席" in visitor.get(calendar).text
    operator = signed_in("operator")
    row = edit(operator, consultation, htmx=True, capacity="8", status="open")
    assert row.status_code == 200 and row.text.lstrip().startswith("<tr") and "3 / 8" in row.text
    assert "残り5席" in visitor.get(calendar).text
    closed = edit(operator, consultation, capacity="8", status="closed")
    with staff_app.app_context():
        venue_id = ConsultationSession.get_by_id(consultation).venue_id
    assert closed.status_code == 303
    assert closed.headers["Location"] == f"/venues/{venue_id}/sessions?month={MONTH}"
    page = visitor.get(calendar).text
    assert f"/sessions/{consultation}" not in page and "残り5席" not in page
    assert "受付停止" in operator.get(closed.headers["Location"]).text
    assert len(audited(staff_app, "session.update")) == 2


def test_only_an_active_consultant_can_be_assigned(staff_app, signed_in, accounts, consultation):
    operator = signed_in("operator")
    retired = make_account(staff_app, "consultant", email="retired@example.jp")
    with staff_app.app_context():
        User.update(disabled_at=User.created_at).where(User.id == retired.id).execute()
    page = operator.get(f"/venues/sessions/{consultation}/edit").text
    assert (
        "consultant@example.jp" in page and "retired@example.jp" not in page and "city@example.jp" not in page
    )
    for refused in (retired.id, accounts["city"].id, 999999):
        response = edit(operator, consultation, capacity="5", status="open", consultant=str(refused))
        assert response.status_code == 200 and 'aria-invalid="true"' in response.text
    assert (
        edit(
            operator, consultation, capacity="5", status="open", consultant=str(accounts["consultant"].id)
        ).status_code
        == 303
    )
    with staff_app.app_context():
        assert ConsultationSession.get_by_id(consultation).consultant_id == accounts["consultant"].id
    row = operator.get(f"/venues/sessions/{consultation}", headers={"HX-Request": "true"})
    assert row.text.lstrip().startswith("<tr") and "consultant@example.jp" in row.text
    assert operator.get(f"/venues/sessions/{consultation}").status_code == 303, "without htmx: the month list"


def test_a_single_session_is_added_once(staff_app, signed_in, consultation):
    operator = signed_in("operator")
    with staff_app.app_context():
        venue_id = ConsultationSession.get_by_id(consultation).venue_id
    url = f"/venues/{venue_id}/sessions/new"
    token = csrf_from(operator.get(url).text)
    form = {
        "csrf_token": token,
        "date": DAY.isoformat(),
        "starts_at": "14:00",
        "ends_at": "13:00",
        "capacity": "4",
    }
    backwards = operator.post(url, data=form)
    assert "終了時刻は開始時刻より後に" in backwards.text and 'value="14:00"' in backwards.text
    added = operator.post(url, data={**form, "ends_at": "16:00"})
    assert (
        added.status_code == 303 and added.headers["Location"] == f"/venues/{venue_id}/sessions?month={MONTH}"
    )
    again = operator.post(url, data={**form, "ends_at": "16:30"})
    assert again.status_code == 200 and "すでにあります" in again.text
    with staff_app.app_context():
        created = ConsultationSession.get(starts_at=time(14))
        assert (created.capacity, created.taken, created.status, created.ends_at) == (4, 0, "open", time(16))
    assert [e.object_id for e in audited(staff_app, "session.create")] == [str(created.id)]


def test_the_operating_calendar_generates_a_season_through_the_pages(staff_app, signed_in, accounts):
    city = signed_in("city")
    token = csrf_from(city.get("/venues/calendar").text)
    with staff_app.app_context():
        venue = Venue.create(name="架空市 産業振興センター", ward="中央区", address="架空市中央区栄1-1")
    season_form = {
        "csrf_token": token,
        "name": "2020年度 相談会",
        "starts_on": "2020-10-31",
        "ends_on": "2020-06-15",
        "intake_weekdays": ["0", "1", "2", "3", "4"],
        "intake_opens": "09:00",
        "intake_closes": "17:00",
    }
    backwards = city.post("/venues/seasons/new", data=season_form)
    assert "終了日は開始日以降に" in backwards.text and 'value="2020年度 相談会"' in backwards.text
    assert city.post("/venues/seasons/new", data={**season_form, "intake_weekdays": []}).status_code == 200
    made = city.post(
        "/venues/seasons/new", data={**season_form, "starts_on": "2020-06-15", "ends_on": "2020-07-31"}
    )
    assert made.status_code == 303
    with staff_app.app_context():
        season = Season.get()
        assert (season.starts_on, season.intake_weekdays) == (date(2020, 6, 15), "0,1,2,3,4")

    pattern = {"csrf_token": token, "weekday": "3", "starts_at": "10:00", "ends_at": "12:00", "capacity": "4"}
    bad = city.post(f"/venues/{venue.id}/patterns", data={**pattern, "capacity": "0"})
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.text
    consultant = str(accounts["consultant"].id)
    assert (
        city.post(f"/venues/{venue.id}/patterns", data={**pattern, "consultant": consultant}).status_code
        == 303
    )
    assert city.post(f"/venues/{venue.id}/patterns", data={**pattern, "weekday": "5"}).status_code == 303
    assert "consultant@example.jp" in city.get(f"/venues/{venue.id}/patterns").text

    holiday = {"csrf_token": token, "date": "2020-07-23", "name": "海の日"}
    assert city.post("/venues/holidays", data=holiday).status_code == 303
    twice = city.post("/venues/holidays", data={**holiday, "name": "重複"})
    assert twice.status_code == 200 and "すでに休日です" in twice.text and 'value="重複"' in twice.text

    generated = city.post(
        f"/venues/seasons/{season.id}/generate", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    # From 15 June to 31 July 2020: seven Thursdays less 23 July, and six Saturdays.
    assert generated.text.lstrip().startswith("<tr") and "相談枠を12件作りました" in generated.text
    again = city.post(f"/venues/seasons/{season.id}/generate", data={"csrf_token": token})
    assert again.status_code == 200 and "相談枠を0件作りました" in again.text and "<html" in again.text
    with staff_app.app_context():
        made = ConsultationSession.select().where(ConsultationSession.venue == venue)
        assert made.count() == 12 and date(2020, 7, 23) not in {s.date for s in made}
        assert {s.consultant_id for s in made if s.date.weekday() == 3} == {accounts["consultant"].id}
    assert [e.outcome for e in audited(staff_app, "season.generate")] == ["12", "0"]

    assert city.post(f"/venues/seasons/{season.id}/holidays", data={"csrf_token": token}).status_code == 303
    with staff_app.app_context():
        assert Holiday.select().count() == 2, "海の日 was there; スポーツの日 added"
        first = Holiday.get(date=date(2020, 7, 23))
        a_pattern = WeeklyPattern.select().first()
    removed = city.post(
        f"/venues/holidays/{first.id}/delete",
        data={"confirmed": "yes"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert removed.status_code == 200 and removed.text == ""
    gone = city.post(
        f"/venues/{venue.id}/patterns/{a_pattern.id}/delete", data={"csrf_token": token, "confirmed": "yes"}
    )
    assert gone.status_code == 303
    assert (
        city.post(
            f"/venues/{venue.id}/patterns/{a_pattern.id}/delete", data={"csrf_token": token}
        ).status_code
        == 404
    )
    with staff_app.app_context():
        assert Holiday.select().count() == 1 and WeeklyPattern.select().count() == 1
    for action in (
        "season.create",
        "pattern.create",
        "holiday.create",
        "holiday.import",
        "holiday.delete",
        "pattern.delete",
    ):
        assert audited(staff_app, action), action
