"""The confidentiality pledge (秘密保持に関する誓約書), from the contract: everyone who handles the work
signs it before starting.

Written out again: an account that has not accepted the newest version reaches nothing but the
pledge page and signing out (its idle session kept alive while reading); every other endpoint its
role may reach sends it to the pledge (htmx by HX-Redirect), and the ones its role may not reach
stay the unknown-URL 404. Publishing a new version asks everyone again. Only the city publishes
and sees who signed which version when.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from portal.core.models import AuditEvent, PledgeAcceptance, PledgeVersion, User
from portal.staff.pledge.first_text import FIRST_TEXT
from portal.staff.pledge.service import publish
from tests.conftest import consent_to_exports, csrf_from, make_account, sign_in
from tests.expected_access import OPEN, ROLES
from tests.records_world import signed_in_as
from tests.staff_world import WALKER, build_staff_world
from tests.test_staff_access import ask, calls, may_reach

# Reachable before accepting: the pledge and the way out (and "stay signed in" while reading).
BEFORE_PLEDGE = {"pledge.sign", "auth.logout", "auth.keepalive"}
CITY_PAGES = ("/pledge/signatures", "/pledge/signatures.csv", "/pledge/signatures.xlsx", "/pledge/new")


def unpledged(staff_app, role: str, email: str | None = None):
    """A signed-in client of an account that has accepted nothing, and the account."""
    account = make_account(staff_app, role, email=email or f"new-{role}@example.jp", pledged=False)
    client = staff_app.test_client()
    assert sign_in(client, account).status_code == 303
    return client, account


def pledge_location(response) -> str:
    return response.headers.get("HX-Redirect") or response.headers.get("Location", "")


def comes_back_to(response) -> list[str]:
    """Where the pledge page returns to once accepted, as the redirect to it says."""
    return parse_qs(urlsplit(pledge_location(response)).query).get("next", [])


def accept(client, **fields):
    page = client.get("/pledge")
    return client.post("/pledge", data={"csrf_token": csrf_from(page.text), **fields})


def events(staff_app, action: str) -> list[AuditEvent]:
    with staff_app.app_context():
        return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq))


# The walk of every endpoint runs on SQLite: the gate's pledge check is the same query on both
# databases, and the other tests of this file run it on PostgreSQL too.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
def test_a_new_version_sends_every_account_to_the_pledge_from_every_endpoint_it_may_reach(staff_app, role):
    world = build_staff_world(staff_app)
    account = world.records.accounts[WALKER[role]]
    client = signed_in_as(staff_app, account)
    token = csrf_from(client.get("/").text)
    assert client.get("/").status_code == 200, "the walker accepted the first version"
    with staff_app.app_context():
        publish("第2版の本文", User.get(User.role == "city"))
    sent = refused = 0
    for call in calls(staff_app, world, role):
        if call.endpoint in OPEN or call.endpoint in BEFORE_PLEDGE:
            continue
        for htmx in (False, True):
            answer = ask(staff_app, client, call, token, {}, htmx)
            where = (role, call, htmx)
            if call.endpoint is not None and may_reach(role, call.endpoint):
                status = 200 if htmx else 303
                assert answer.response.status_code == status, where
                assert pledge_location(answer.response).startswith("/pledge"), where
                assert answer.at_gate == ["pledge-awaited"], where
                if call.method == "GET" and not htmx:
                    assert comes_back_to(answer.response) == [call.url], where
                else:
                    assert comes_back_to(answer.response) == [], "never back to a change"
                sent += 1
            else:
                assert answer.response.status_code == 404, where
                assert "pledge" not in pledge_location(answer.response), where
                refused += 1
    assert sent and refused, (sent, refused)
    with staff_app.app_context():
        assert PledgeAcceptance.select().where(PledgeAcceptance.user == account.id).count() == 1
    assert client.post("/session/keepalive", headers={"X-CSRFToken": token}).status_code == 204
    assert "第2版の本文" in client.get("/pledge").text
    assert accept(client, agree="y").headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_first_sign_in_reads_the_pledge_accepts_it_once_and_goes_where_it_was_going(staff_app):
    client, account = unpledged(staff_app, "operator")
    home = client.get("/bookings/daily")
    assert home.status_code == 303 and comes_back_to(home) == ["/bookings/daily"]
    page = client.get(home.headers["Location"])
    assert page.status_code == 200
    assert "秘密保持に関する誓約書" in page.text and "市の同意なく" in page.text
    assert 'class="staff-nav"' not in page.text, "no menu whose every entry would lead back here"
    assert 'action="/logout"' in page.text, "signing out stays possible"
    form = {"csrf_token": csrf_from(page.text), "next": "/bookings/daily"}
    unticked = client.post("/pledge", data=form)
    assert unticked.status_code == 200 and "にチェックを入れてください" in unticked.text
    accepted = client.post("/pledge", data={**form, "agree": "y"})
    assert accepted.status_code == 303 and accepted.headers["Location"] == "/bookings/daily"
    assert client.get("/bookings/daily").status_code == 200
    with staff_app.app_context():
        rows = list(PledgeAcceptance.select().where(PledgeAcceptance.user == account.id))
        assert [row.version.version for row in rows] == [1]
        assert rows[0].version.text == FIRST_TEXT
    [event] = events(staff_app, "pledge.accept")
    assert (event.actor_id, event.object_type, event.object_id) == (account.id, "pledge-version", "1")
    again = client.post("/pledge", data={**form, "agree": "y"})
    assert again.status_code == 200 and "同意済み" in again.text
    assert len(events(staff_app, "pledge.accept")) == 1, "accepting twice records nothing more"


def test_next_never_leaves_the_site(staff_app):
    client, _account = unpledged(staff_app, "consultant", "c-next@example.jp")
    page = client.get("/pledge")
    answer = client.post(
        "/pledge", data={"csrf_token": csrf_from(page.text), "agree": "y", "next": "//evil.example/"}
    )
    assert answer.headers["Location"] == "/"


def test_the_city_publishes_a_new_version_and_everyone_is_asked_again(staff_app, signed_in, accounts):
    city, operator = signed_in("city"), signed_in("operator")
    assert operator.get("/").status_code == 200
    page = city.get("/pledge/new")
    assert FIRST_TEXT.splitlines()[0] in page.text, "the form starts from the text in force"
    same = city.post("/pledge/new", data={"csrf_token": csrf_from(page.text), "text": FIRST_TEXT})
    assert same.status_code == 200 and "今の版と同じ" in same.text
    text = FIRST_TEXT + "\n6. 私物のスマートフォンで画面を撮影しません。"
    published = city.post("/pledge/new", data={"csrf_token": csrf_from(page.text), "text": text})
    assert published.status_code == 303
    with staff_app.app_context():
        newest = PledgeVersion.select().order_by(PledgeVersion.version.desc()).first()
        assert (newest.version, newest.text, newest.published_by_id) == (2, text, accounts["city"].id)
    [event] = events(staff_app, "pledge.publish")
    assert (event.actor_id, event.object_id) == (accounts["city"].id, "2")
    for client in (city, operator):
        assert comes_back_to(client.get("/")) == ["/"]
        assert "私物のスマートフォン" in client.get("/pledge").text
        assert accept(client, agree="y").status_code == 303
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", ["consultant", "operator", "admin"])
def test_only_the_city_publishes_and_sees_the_signatures(signed_in, role):
    client = signed_in(role)
    token = csrf_from(client.get("/").text)
    for url in (*CITY_PAGES, "/pledge/versions/1"):
        assert client.get(url).status_code == 404, url
    assert client.post("/pledge/new", data={"csrf_token": token, "text": "管理者の版"}).status_code == 404
    assert 'href="/pledge/signatures"' not in client.get("/").text


def test_the_city_sees_who_signed_which_version_when_on_the_page_and_in_the_files(
    staff_app, signed_in, accounts
):
    client, account = unpledged(staff_app, "consultant", "signer@example.jp")
    accept(client, agree="y")
    unpledged(staff_app, "operator", "waiting@example.jp")
    city = signed_in("city")
    consent_to_exports(staff_app, accounts["city"].id)
    with staff_app.app_context():
        signed = PledgeAcceptance.get(PledgeAcceptance.user == account.id).accepted_at
    page = city.get("/pledge/signatures").text
    acceptances = page.split("同意の記録")[1]
    assert "signer@example.jp" in acceptances and "第1版" in acceptances
    unsigned = page.split("未同意のアカウント")[1].split("同意の記録")[0]
    assert "waiting@example.jp" in unsigned and "signer@example.jp" not in unsigned
    assert "city@example.jp" not in unsigned, "the city's own fixture account accepted"
    expected_time = signed.replace(tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    exported = city.get("/pledge/signatures.csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["版", "同意日時（日本時間）", "氏名", "メールアドレス", "組織", "役割"]
    assert [
        "1",
        expected_time.strftime("%Y-%m-%d %H:%M"),
        "signer@example.jp",
        "signer@example.jp",
        "consultant org",
        "相談員",
    ] in rows
    assert rows[-1][0] == "出力者" and rows[-1][1] == "city@example.jp（city org）"
    workbook = load_workbook(io.BytesIO(city.get("/pledge/signatures.xlsx").data))
    assert workbook.sheetnames == ["誓約書の署名", "出力情報"]
    assert workbook.properties.creator == "city@example.jp（city org）"
    in_sheet = [[str(c.value) for c in row] for row in workbook["誓約書の署名"].iter_rows()]
    assert in_sheet == rows[:-1], "the workbook holds the CSV's rows"
    assert [e.outcome for e in events(staff_app, "pledge.signatures-export")] == ["csv", "xlsx"]
    assert re.search(r"第1版</a> <span class=\"badge\">現在の版", page)
