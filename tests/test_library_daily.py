"""Daily reports: filed by the operator once a day from the counters, edited with a conflict
check, read by the city in date order; who files and reads follows the daily-report folder."""

from __future__ import annotations

import io
import re
from datetime import time, timedelta

import pytest

from portal.core.database import database
from portal.core.dates import business_today
from portal.core.models import (
    AuditEvent,
    Booking,
    CallEvent,
    ConsultationSession,
    DailyReport,
    Document,
    DocumentVersion,
    Venue,
)
from tests.at_rest import assert_only_ciphertext
from tests.conftest import STORAGE_BACKENDS, csrf_from, make_account, sign_in
from tests.files import workbook_bytes
from tests.library_support import PDF, counts, make_folder

HOSTILE = "<img src=x onerror=alert(1)>{{7*7}}"


@pytest.fixture
def daily(cast):
    """The daily-report folder: the operator's, read by the city's organisation."""
    return make_folder(
        cast.app,
        cast.org("operator"),
        "daily-reports",
        ({"organisation": cast.org("city"), "access": "read"},),
        "日報",
    )


def counted_day(app, day) -> None:
    """Two phone bookings and an enquiry on `day`, and one web booking made that day."""
    with app.app_context(), database.connection_context():
        for kind in ("booking", "booking", "enquiry"):
            CallEvent.create(day=day, kind=kind)
        venue = Venue.create(name="架空区役所", ward="架空区", address="架空市1-1")
        session = ConsultationSession.create(
            venue=venue, date=day + timedelta(days=7), starts_at=time(10), ends_at=time(11), capacity=5
        )
        Booking.create(session=session, channel="web", status="requested", reference="WEB0001")


def file(client, token, day=None, **values):
    query = f"?day={day.isoformat()}" if day else ""
    data = {
        "csrf_token": token,
        "calls": 3,
        "bookings": 1,
        "issues": "特記事項なし",
        "version": "0",
        **values,
    }
    return client.post(f"/daily-reports/file{query}", data=data)


def test_without_a_daily_report_folder_the_pages_say_so(cast):
    for name in ("operator", "city"):
        page = cast.clients[name].get("/daily-reports/")
        assert page.status_code == 200 and "日報のフォルダがまだありません" in page.text
    page = cast.clients["operator"].get("/daily-reports/file")
    assert page.status_code == 200 and "<form" not in page.text.split("<main")[1]
    assert file(cast.clients["operator"], cast.tokens["operator"]).status_code == 200
    with cast.app.app_context(), database.connection_context():
        assert DailyReport.select().count() == 0


def test_the_operator_files_from_prefilled_counts_and_the_issues_are_sealed(cast, daily):
    app = cast.app
    today = business_today()
    counted_day(app, today)
    operator = cast.clients["operator"]
    page = operator.get("/daily-reports/file")
    assert re.search(r'id="calls"[^>]*value="3"', page.text) and re.search(
        r'id="bookings"[^>]*value="1"', page.text
    )
    assert "予約 2 件、問い合わせ 1 件" in page.text
    response = file(operator, csrf_from(page.text), issues="午後に電話が集中しました。" + HOSTILE)
    assert response.status_code == 303
    with app.app_context(), database.connection_context():
        report = DailyReport.get(DailyReport.day == today)
        assert "電話".encode() not in bytes(report.issues) and (report.calls, report.version) == (3, 1)
        event = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
        assert (event.action, event.object_id) == ("daily-report.file", str(report.id))
    shown = cast.clients["city"].get(response.headers["Location"])
    assert "午後に電話が集中しました。" in shown.text
    assert "<img src=x" not in shown.text and "&lt;img src=x onerror=alert(1)&gt;{{7*7}}" in shown.text
    with app.app_context(), database.connection_context():
        event = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
    assert (event.action, event.actor_id) == ("daily-report.view", cast.accounts["city"].id)


def test_filing_again_edits_and_a_stale_form_is_a_conflict_that_loses_nothing(cast, daily):
    app = cast.app
    operator, token = cast.clients["operator"], cast.tokens["operator"]
    assert file(operator, token, issues="最初の内容").status_code == 303
    page = operator.get("/daily-reports/file")
    assert "最初の内容" in page.text and 'name="version" type="hidden" value="1"' in page.text
    assert file(operator, token, issues="二人目が保存", version="1").status_code == 303
    stale = file(operator, token, calls=9, issues="古い画面から保存", version="1")
    assert stale.status_code == 200
    assert "ほかの人が保存しました" in stale.text and "二人目が保存" in stale.text
    assert "古い画面から保存" in stale.text, "what was typed stays in the form"
    assert 'name="version" type="hidden" value="2"' in stale.text
    new = file(operator, token, issues="古い画面から保存", version="0")
    assert new.status_code == 200 and "ほかの人が保存しました" in new.text
    with app.app_context(), database.connection_context():
        report = DailyReport.get()
        assert (report.version, report.calls) == (2, 3)
    assert file(operator, token, calls=9, issues="確認して保存", version="2").status_code == 303
    with app.app_context(), database.connection_context():
        assert DailyReport.get().version == 3 and DailyReport.select().count() == 1


def test_the_city_reads_the_reports_in_date_order_and_nobody_else_may(cast, daily):
    operator, token = cast.clients["operator"], cast.tokens["operator"]
    today = business_today()
    days = [today, today - timedelta(days=2), today - timedelta(days=1)]
    for day in days:
        assert file(operator, token, day=day, issues=f"{day.isoformat()} の報告").status_code == 303
    listing = cast.clients["city"].get(f"/daily-reports/?month={today.strftime('%Y-%m')}").text
    shown = [day for day in sorted(days) if day.month == today.month]
    positions = [listing.index(f"/daily-reports/{day.isoformat()}") for day in shown]
    assert positions == sorted(positions)
    url = f"/daily-reports/{today.isoformat()}"
    assert cast.clients["city"].get(url).status_code == 200
    for name in ("consultant", "consultant2", "admin"):
        assert cast.clients[name].get(url).status_code == 404
        assert cast.clients[name].get("/daily-reports/").status_code == 404
    assert file(cast.clients["city"], cast.tokens["city"]).status_code == 404
    assert (
        operator.get(f"/daily-reports/file?day={(today + timedelta(days=1)).isoformat()}").status_code == 404
    )


def test_an_operator_or_city_user_of_another_organisation_is_refused(cast, daily):
    app = cast.app
    assert file(cast.clients["operator"], cast.tokens["operator"], issues="本日の報告").status_code == 303
    others = {}
    for role in ("operator", "city"):
        account = make_account(app, role, f"another {role} org", f"{role}2@example.jp")
        client = app.test_client()
        assert sign_in(client, account).status_code == 303
        others[role] = (client, csrf_from(client.get("/").text))
    url = f"/daily-reports/{business_today().isoformat()}"
    for client, _ in others.values():
        assert client.get(url).status_code == 404
        assert "本日の報告" not in client.get("/daily-reports/").text
    client, token = others["operator"]
    assert client.get("/daily-reports/file").status_code == 404
    assert file(client, token, issues="上書き").status_code == 404
    with app.app_context(), database.connection_context():
        assert DailyReport.get().version == 1
        event = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
        assert (event.action, event.outcome) == ("request.denied", "refused")


@pytest.mark.parametrize("storage_settings", STORAGE_BACKENDS, indirect=True)
def test_attachments_are_documents_of_the_daily_folder_and_forged_days_store_nothing(cast, daily):
    app = cast.app
    operator, token = cast.clients["operator"], cast.tokens["operator"]
    today = business_today().isoformat()
    yesterday = (business_today() - timedelta(days=1)).isoformat()
    assert file(operator, token, issues="報告").status_code == 303
    before = counts(app)
    for day in (yesterday, "2020-13-45", "../../etc"):
        response = operator.post(
            f"/daily-reports/{day}/attachments",
            data={"csrf_token": token, "title": "集計", "file": (io.BytesIO(PDF), "集計.pdf")},
        )
        assert response.status_code == 404, day
    for name in ("city", "consultant"):
        response = cast.clients[name].post(
            f"/daily-reports/{today}/attachments",
            data={"csrf_token": cast.tokens[name], "title": "集計", "file": (io.BytesIO(PDF), "集計.pdf")},
        )
        assert response.status_code == 404
    assert counts(app) == before
    table = workbook_bytes()
    response = operator.post(
        f"/daily-reports/{today}/attachments",
        data={
            "csrf_token": token,
            "title": "時間帯別の件数",
            "file": (io.BytesIO(table), "時間帯別.xlsx"),
        },
    )
    assert response.status_code == 303
    with app.app_context(), database.connection_context():
        document = Document.get(Document.title == "時間帯別の件数")
        version = DocumentVersion.get(DocumentVersion.document == document.id)
        assert document.folder_id == daily and document.daily_report_id == DailyReport.get().id
    page = cast.clients["city"].get(f"/daily-reports/{today}")
    assert f"/library/documents/{document.id}" in page.text
    download = cast.clients["city"].get(f"/library/versions/{version.id}/download")
    assert download.status_code == 200 and download.data == table
    assert_only_ciphertext(app, table)
    moved = operator.post(
        f"/library/documents/{document.id}/move", data={"csrf_token": token, "destination": daily}
    )
    assert moved.status_code == 200 and "日報の添付ファイルは移動できません" in moved.text
