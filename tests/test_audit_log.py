"""The audit log page: each filter against a count made here from the rows, refusals and names
shown, pages without gaps or repeats, exports opened and read, reading audited, and who may see it."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from portal.core.database import database
from portal.core.models import AuditEvent, AuditVerification, User
from portal.staff import audit
from tests.conftest import consent_to_exports
from tests.pages import without_tokens

TOKYO = ZoneInfo("Asia/Tokyo")
ROW_SEQ = re.compile(r'<td data-label="番号">(\d+)</td>')
OLDER = re.compile(r'<a href="([^"]+)"[^>]*>古い記録</a>')
NEWER = re.compile(r'<a href="([^"]+)"[^>]*>新しい記録</a>')
# Seeded events: (Tokyo time, actor role or None, action, object type, object id, client, outcome).
# Two land either side of midnight in Tokyo, which is 15:00 UTC the day before.
SEEDS = [
    (datetime(2026, 11, 2, 8, 59), "city", "record.view", "record", "7", "192.0.2.10", "ok"),
    (datetime(2026, 11, 2, 23, 59), "consultant", "record.view", "record", "8", "192.0.2.11", "ok"),
    (datetime(2026, 11, 3, 0, 0), "consultant", "library.download", "document", "3", "192.0.2.11", "ok"),
    (datetime(2026, 11, 3, 12, 0), None, "request.denied", "records.view", "7", "198.51.100.4", "anonymous"),
    (
        datetime(2026, 11, 4, 9, 30),
        "operator",
        "request.denied",
        "records.view",
        "7",
        "192.0.2.12",
        "permission",
    ),
    (datetime(2026, 11, 4, 10, 0), "admin", "user.name", "user", "2", "192.0.2.13", "ok"),
    (datetime(2026, 11, 5, 17, 0), "city", "records.grant", "record", "8", "192.0.2.10", "ok"),
]


def seed(app, accounts, monkeypatch, seeds=SEEDS) -> None:
    """Chain each seed with its own time, actor and address, as requests would."""
    for at, role, action, object_type, object_id, client, outcome in seeds:
        utc = at.replace(tzinfo=TOKYO).astimezone(UTC).replace(tzinfo=None)
        monkeypatch.setattr(audit, "utcnow", lambda utc=utc: utc)
        with app.test_request_context(environ_base={"REMOTE_ADDR": client}), database.connection_context():
            audit.record(
                action,
                outcome=outcome,
                object_type=object_type,
                object_id=object_id,
                actor_id=accounts[role].id if role else None,
            )
    monkeypatch.undo()


def all_rows(app) -> list[dict]:
    """Every event as the database holds it, read without the product's search."""
    with app.app_context(), database.connection_context():
        cursor = database.execute_sql(
            "SELECT seq, at, actor_id, action, object_type, object_id, client, outcome FROM audit_event"
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        at = row["at"] if isinstance(row["at"], datetime) else datetime.fromisoformat(row["at"])
        row["tokyo_day"] = at.replace(tzinfo=UTC).astimezone(TOKYO).date()
    return rows


def every_seq(client, url: str) -> list[int]:
    """The sequence numbers of every page of a search, following "older" links to the end."""
    seen = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.text
        seen += [int(seq) for seq in ROW_SEQ.findall(page.text)]
        older = OLDER.search(page.text)
        url = html.unescape(older.group(1)) if older else None
    return seen


@pytest.fixture
def seeded(staff_app, accounts, monkeypatch):
    """The seeds chained, and the consultant known by name."""
    seed(staff_app, accounts, monkeypatch)
    with staff_app.app_context(), database.connection_context():
        User.update(display_name="相談 花子").where(User.id == accounts["consultant"].id).execute()
    return staff_app


def test_each_filter_finds_exactly_the_events_it_names(seeded, signed_in, accounts):
    city = signed_in("city")
    consultant_id = accounts["consultant"].id
    rules = {
        f"actor={consultant_id}": lambda r: r["actor_id"] == consultant_id,
        "actor=none": lambda r: r["actor_id"] is None,
        "action=record.view": lambda r: r["action"] == "record.view",
        "object_type=records.view&object_id=7": lambda r: (
            (r["object_type"], r["object_id"]) == ("records.view", "7")
        ),
        "object_type=record": lambda r: r["object_type"] == "record",
        "outcome=permission": lambda r: r["outcome"] == "permission",
        "outcome=not-ok": lambda r: r["outcome"] != "ok",
        "client=192.0.2.11": lambda r: r["client"] == "192.0.2.11",
        "since=2026-11-03&until=2026-11-03": lambda r: r["tokyo_day"] == date(2026, 11, 3),
        "since=2026-11-04": lambda r: r["tokyo_day"] >= date(2026, 11, 4),
        "until=2026-11-02": lambda r: r["tokyo_day"] <= date(2026, 11, 2),
        "action=record.view&client=192.0.2.11&since=2026-11-02": lambda r: (
            r["action"] == "record.view"
            and r["client"] == "192.0.2.11"
            and r["tokyo_day"] >= date(2026, 11, 2)
        ),
    }
    for query, rule in rules.items():
        expected = sorted((r["seq"] for r in all_rows(seeded) if rule(r)), reverse=True)
        assert 0 < len(expected) < len(all_rows(seeded)), query  # the filter filters
        assert every_seq(city, f"/audit/?{query}") == expected, query
    assert every_seq(city, "/audit/?action=no.such.action") == []


def test_refused_requests_appear_with_the_actor_by_name(seeded, signed_in, accounts):
    anonymous = seeded.test_client()
    assert anonymous.get("/audit/").status_code == 404
    consultant = signed_in("consultant")
    assert consultant.get("/audit/").status_code == 404
    city = signed_in("city")
    page = city.get("/audit/?action=request.denied&object_type=audit_log.index").text
    rows = page.split("<tr>")[2:]
    assert len(rows) == 2
    # Newest first: the consultant's refusal, named, then the anonymous one.
    assert "相談 花子" in rows[0] and f"#{accounts['consultant'].id}" in rows[0] and "permission" in rows[0]
    assert "アカウントなし" in rows[1] and "anonymous" in rows[1]
    seeds = city.get(f"/audit/?actor={accounts['consultant'].id}&action=library.download").text
    assert "相談 花子" in seeds and "<code>document</code> 3" in seeds and "2026/11/03 00:00:00" in seeds


def test_pages_have_no_gaps_or_repeats_either_way(staff_app, accounts, monkeypatch, signed_in):
    many = [
        (datetime(2026, 11, 6, 9, 0), "city", "bulk.event", "thing", str(n), "192.0.2.20", "ok")
        for n in range(123)
    ]
    seed(staff_app, accounts, monkeypatch, many)
    city = signed_in("city")
    expected = sorted((r["seq"] for r in all_rows(staff_app) if r["action"] == "bulk.event"), reverse=True)
    assert every_seq(city, "/audit/?action=bulk.event") == expected
    # The oldest page, then back up with "newer" links.
    url, back = "/audit/?action=bulk.event", []
    while older := OLDER.search(city.get(url).text):
        url = html.unescape(older.group(1))
    while url:
        page = city.get(url).text
        back = [int(seq) for seq in ROW_SEQ.findall(page)] + back
        newer = NEWER.search(page)
        url = html.unescape(newer.group(1)) if newer else None
    assert back == expected and len(set(back)) == 123


def test_htmx_gets_only_the_results_and_the_form_works_without_it(seeded, signed_in):
    city = signed_in("city")
    full = city.get("/audit/?outcome=permission")
    assert '<form method="get" action="/audit/"' in full.text and 'hx-get="/audit/"' in full.text
    assert 'hx-target="#audit-results"' in full.text and "<option selected>permission</option>" in full.text
    fragment = city.get("/audit/?outcome=permission", headers={"HX-Request": "true"})
    assert "<h1>" not in fragment.text and "<form" not in fragment.text
    assert len(ROW_SEQ.findall(fragment.text)) == 1 and "HX-Request" in fragment.headers["Vary"]
    # The address bar keeps the search, without the form's empty fields.
    empty = "actor=&action=&object_type=&object_id=&outcome=permission&client=&since=&until="
    pushed = city.get(f"/audit/?{empty}", headers={"HX-Request": "true"})
    assert pushed.headers["HX-Push-Url"] == "/audit/?outcome=permission"


def test_a_search_that_cannot_run_says_why_and_keeps_what_was_typed(seeded, signed_in):
    city = signed_in("city")
    page = city.get("/audit/?client=not-an-address&since=2026-13-01&object_id=a%20b").text
    assert "接続元は 192.0.2.1 のようなIPアドレスで入力してください。" in page
    assert "期間の日付は 2026-04-01 のように入力してください。" in page
    assert "対象のIDは英数字と" in page
    assert 'value="not-an-address"' in page and not ROW_SEQ.findall(page)
    backwards = city.get("/audit/?since=2026-11-05&until=2026-11-01").text
    assert "期間の始めは終わりより前の日にしてください。" in backwards


def test_exports_hold_the_searched_events_and_run_no_formula(seeded, signed_in, accounts, monkeypatch):
    seed(
        seeded,
        accounts,
        monkeypatch,
        [(datetime(2026, 11, 7, 9, 0), "admin", "user.name", "user", "=1+1", "192.0.2.13", "ok")],
    )
    with seeded.app_context(), database.connection_context():
        User.update(display_name="=HYPERLINK(1)").where(User.id == accounts["admin"].id).execute()
    city = signed_in("city")
    consent_to_exports(seeded, accounts["city"].id)
    wanted = sorted(
        (r for r in all_rows(seeded) if r["action"] == "user.name"), key=lambda r: r["seq"], reverse=True
    )
    assert len(wanted) == 2
    expected = [
        [
            str(r["seq"]),
            datetime.combine(r["tokyo_day"], datetime.min.time()).strftime("%Y-%m-%d"),
            "'=HYPERLINK(1)",
            str(accounts["admin"].id),
            "user.name",
            "user",
            "'" + r["object_id"] if r["object_id"].startswith("=") else r["object_id"],
            "192.0.2.13",
            "ok",
        ]
        for r in wanted
    ]
    answer = city.get("/audit/export.csv?action=user.name")
    assert answer.status_code == 200 and answer.data.startswith("\ufeff".encode())
    *lines, stamp = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert stamp[0].startswith("出力者")
    assert lines[0] == [
        "番号",
        "日時",
        "操作した人",
        "利用者ID",
        "操作",
        "対象の種類",
        "対象のID",
        "接続元",
        "結果",
    ]
    assert [[*line[:1], line[1][:10], *line[2:]] for line in lines[1:]] == expected
    assert [line[1] for line in lines[1:]] == ["2026-11-07 09:00:00", "2026-11-04 10:00:00"]

    workbook = load_workbook(io.BytesIO(city.get("/audit/export.xlsx?action=user.name").data))
    sheet = workbook.active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == lines[0]
    assert [c[1] for c in cells[1:]] == [datetime(2026, 11, 7, 9, 0), datetime(2026, 11, 4, 10, 0)]
    assert [[str(c[0]), c[1].strftime("%Y-%m-%d"), c[2], str(c[3]), *c[4:]] for c in cells[1:]] == expected
    assert all(sheet.cell(row=r, column=c).data_type != "f" for r in range(1, 4) for c in range(1, 10))


def test_reading_the_log_is_audited(seeded, signed_in, accounts):
    city = signed_in("city")
    consent_to_exports(seeded, accounts["city"].id)
    city.get("/audit/")
    city.get("/audit/?action=record.view&client=192.0.2.11")
    city.get("/audit/export.xlsx?outcome=not-ok")
    city.get("/audit/?client=nowhere")
    reads = [
        (r["actor_id"], r["action"], r["object_type"], r["object_id"], r["outcome"])
        for r in sorted(all_rows(seeded), key=lambda r: r["seq"])
        if r["action"].startswith("audit_log.")
    ]
    me = accounts["city"].id
    assert reads == [
        (me, "audit_log.view", "audit-log", None, "ok"),
        (me, "audit_log.search", "audit-log", "action=record.view&client=192.0.2.11", "ok"),
        (me, "audit_log.export", "audit-log.xlsx", "outcome=not-ok", "ok"),
        (me, "audit_log.search", "audit-log", "client=nowhere", "invalid"),
    ]


def test_the_chain_state_shows_the_last_verification_and_the_anchor(seeded, signed_in, portal_cli):
    city = signed_in("city")
    first = city.get("/audit/").text
    assert "まだ検証していません。" in first and "最新の記録と一致しています" in first
    assert portal_cli("audit", "verify").exit_code == 0
    with seeded.app_context(), database.connection_context():
        verified = AuditVerification.get()
        newest = AuditEvent.select().order_by(AuditEvent.seq.desc()).first().seq
    page = city.get("/audit/").text
    assert f"問題なし（{verified.events}件、{verified.newest}番まで）" in page and verified.newest == newest
    assert "<dd>0件（最新は" in page  # the page is read before its own view is recorded
    assert f"<dd>1件（最新は{newest + 1}番）" in city.get("/audit/").text  # that view
    # Deleting the newest event leaves a shorter valid chain; the anchor's newest line tells.
    with seeded.app_context(), database.connection_context():
        AuditEvent.delete().where(
            AuditEvent.seq == AuditEvent.select().order_by(AuditEvent.seq.desc()).first().seq
        ).execute()
    assert "最新の記録と一致しません" in city.get("/audit/").text
    # A stored result edited in the database no longer matches its signature.
    with seeded.app_context(), database.connection_context():
        AuditVerification.update(problems=0, events=1).execute()
    assert "検証結果の署名が一致しません" in city.get("/audit/").text


@pytest.mark.parametrize("role", ["consultant", "operator", "anonymous"])
def test_only_the_city_and_administrators_reach_the_audit_log(staff_app, signed_in, role):
    client = staff_app.test_client() if role == "anonymous" else signed_in(role)
    unknown = without_tokens(client.get("/no-such-page").data)
    for url in ("/audit/", "/audit/?actor=1", "/audit/export.csv", "/audit/export.xlsx"):
        answer = client.get(url)
        assert answer.status_code == 404 and without_tokens(answer.data) == unknown, url
    if role != "anonymous":
        assert 'href="/audit/"' not in client.get("/").text


@pytest.mark.parametrize("role", ["city", "admin"])
def test_the_menu_leads_the_city_and_administrators_to_the_audit_log(signed_in, role):
    assert '<a href="/audit/">監査ログ</a>' in signed_in(role).get("/").text
