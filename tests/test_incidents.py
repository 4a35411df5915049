"""Incident response: 89 businesses whose records (with attachments) were exposed, and others that were
not; the affected list computed from a selection and from "everything an organisation could read";
the apology work counted into the city's status report; every access in the window from the audit
log, refused anonymous ones included; the contact details revealed only on request, audited; the
report printed and exported."""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

import pytest
from openpyxl import load_workbook

from portal.core.database import database
from portal.core.dates import TOKYO, business_today
from portal.core.models import (
    AffectedBusiness,
    AuditEvent,
    Booking,
    ConsultationSession,
    ContactEntry,
    Incident,
    TimelineEntry,
    User,
    Venue,
)
from portal.core.models.base import utcnow
from portal.core.reservations import book
from portal.staff import audit
from portal.staff.incidents import contacts
from portal.staff.incidents.access_history import accesses
from portal.staff.incidents.affected import exposed
from portal.staff.incidents.registry import Facts
from portal.staff.incidents.registry import register as registry_register
from portal.staff.people import sealed_with_indexes
from portal.staff.records import content, files
from portal.staff.storage.uploads import as_upload
from tests.conftest import consent_to_exports, csrf_from, make_account
from tests.files import PDF
from tests.library_support import first_version, make_document, make_folder
from tests.records_world import signed_in_as

EXPOSED, OTHERS = 89, 6
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def person(n: int, prefix: str) -> dict:
    """A business with its own phone number (n makes it unique)."""
    return {
        "business_name": f"{prefix}商店{n:03d}",
        "business_kana": "カクウショウテン",
        "contact_name": f"担当 {prefix}{n:03d}",
        "contact_kana": "たんとう",
        "phone": f"03{'1' if prefix == '露出' else '2'}000{n:04d}",
        "email": "",
        "address": "",
        "industry": "小売業",
    }


@dataclass
class World:
    accounts: dict
    exposed_records: list[int]  # consultant A's: 90 records of 89 businesses (one came twice)
    exposed_bookings: set[int]
    other_bookings: set[int]
    attachment: tuple[int, str]  # (record, attachment) of an exposed file
    organisation_a: int


def build(app) -> World:
    """Consultant A's association held the exposed records; consultant B's did not."""
    accounts = {
        "author": make_account(app, "consultant", "架空行政書士会", "consultant-a@example.jp"),
        "other": make_account(app, "consultant", "別の行政書士会", "consultant-b@example.jp"),
        "city": make_account(app, "city", "架空市 産業観光局", "city@example.jp"),
        "operator": make_account(app, "operator", "株式会社サンプル窓口サービス", "operator@example.jp"),
        "admin": make_account(app, "admin", "架空市 情報システム課", "admin@example.jp"),
    }
    with app.app_context(), database.connection_context():
        author, other = (User.get_by_id(accounts[name].id) for name in ("author", "other"))
        venue = Venue.create(name="架空区役所 相談室", ward="架空区", address="架空市架空区1-1")
        session = ConsultationSession.create(
            venue=venue,
            date=business_today() - timedelta(days=3),
            starts_at=time(10),
            ends_at=time(11),
            capacity=200,
        ).id

        def recorded(who: dict, writer: User) -> tuple[int, int, str]:
            booking = book(session, channel="phone", status="attended", **sealed_with_indexes(who)).booking
            record = content.create(booking, writer, content.Body(advice="助言"))
            attachment = files.attach(record, as_upload(PDF, "相談票.pdf"), writer.id)
            return booking.id, record.id, str(attachment.id)

        exposed = [recorded(person(n, "露出"), author) for n in range(EXPOSED)]
        exposed.append(recorded(person(0, "露出"), author))  # the first business came twice
        others = [recorded(person(n, "別"), other) for n in range(OTHERS)]
        organisation_a = author.organisation_id
    return World(
        accounts,
        [record for _b, record, _a in exposed],
        {booking for booking, _r, _a in exposed},
        {booking for booking, _r, _a in others},
        (exposed[1][1], exposed[1][2]),
        organisation_a,
    )


def organisation_of(app, account) -> int:
    with app.app_context(), database.connection_context():
        return User.get_by_id(account.id).organisation_id


def typed(moment: datetime) -> str:
    """A stored time as the form's field takes it (Tokyo, to the minute)."""
    return moment.replace(tzinfo=UTC).astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")


def register(client, start: datetime, end: datetime, **exposure) -> int:
    """Register an incident through the form; returns its id."""
    page = client.get("/incidents/new")
    response = client.post(
        "/incidents/new",
        data={
            "csrf_token": csrf_from(page.text),
            "discovered_at": typed(end),
            "discovered_how": "search-engine",
            "discovery_note": "電話番号で検索した市民から通報 NOTE-CANARY-51",
            "window_start": typed(start),
            "window_end": typed(end),
            "cause": "ログインの外にあるフォルダに保存 CAUSE-CANARY-77",
            **exposure,
        },
    )
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def affected_bookings(app, incident_id: int) -> list[int]:
    with app.app_context(), database.connection_context():
        return [
            row.booking_id
            for row in AffectedBusiness.select().where(AffectedBusiness.incident == incident_id)
        ]


def at(moment: datetime, monkeypatch, action) -> None:
    """Run `action` with the audit clock at `moment`."""
    with monkeypatch.context() as patch:
        patch.setattr(audit, "utcnow", lambda: moment)
        action()


def test_the_89_businesses_their_accesses_and_the_status_report(staff_app, monkeypatch):
    world = build(staff_app)
    city = signed_in_as(staff_app, world.accounts["city"])
    now = utcnow().replace(second=0, microsecond=0)
    start, end = now - timedelta(days=1), now + timedelta(days=1)
    record, attachment = world.attachment
    download = f"/records/{record}/attachments/{attachment}"
    anonymous = staff_app.test_client()
    # In the window: the city reads an exposed record, an anonymous download of its file is refused.
    assert city.get(f"/records/{record}").status_code == 200
    assert anonymous.get(download).status_code == 404
    # Outside it: a read the day before the window, and an anonymous attempt the day after.
    at(start - timedelta(hours=2), monkeypatch, lambda: city.get(f"/records/{record}"))
    at(end + timedelta(hours=2), monkeypatch, lambda: anonymous.get(download))

    chosen = register(city, start, end, records=" ".join(map(str, world.exposed_records)))
    scoped = register(city, start, end, scope_organisation=str(world.organisation_a))
    for incident_id in (chosen, scoped):
        listed = affected_bookings(staff_app, incident_id)
        assert len(listed) == EXPOSED  # 90 records, 89 businesses: the one that came twice once
        assert set(listed) <= world.exposed_bookings and not set(listed) & world.other_bookings

    page = city.get(f"/incidents/{chosen}")
    assert page.status_code == 200
    assert "CAUSE-CANARY-77" in page.text and "NOTE-CANARY-51" in page.text
    with staff_app.app_context(), database.connection_context():
        incident = Incident.get_by_id(chosen)
        assert b"CAUSE-CANARY-77" not in bytes(incident.cause)
        touched = AuditEvent.select().where(
            ((AuditEvent.object_type == "record") & (AuditEvent.object_id == str(record)))
            | (
                (AuditEvent.object_type == "records.download")
                & (AuditEvent.object_id == f"{record},{attachment}")
            )
        )
        window = (incident.window_start, incident.window_end)
        inside = {e.seq for e in touched if window[0] <= e.at <= window[1]}
        everywhere = {e.seq for e in touched}
        outside = everywhere - inside
    assert len(inside) == 2 and len(outside) == 2
    listed = set(int(n) for n in _access_rows(page.text))
    assert listed == inside and not listed & outside
    assert "records.download" in page.text and "anonymous" in page.text


def _access_rows(html: str) -> list[str]:
    """The event numbers of the access history's table."""
    import re

    section = html.split('id="access"', 1)[1].split('id="timeline"', 1)[0]
    return re.findall(r'data-label="番号">(\d+)</td>', section)


def _businesses(app, incident_id: int) -> list[AffectedBusiness]:
    with app.app_context(), database.connection_context():
        return list(
            AffectedBusiness.select()
            .where(AffectedBusiness.incident == incident_id)
            .order_by(AffectedBusiness.id)
        )


@pytest.fixture
def registered(staff_app):
    """The world, and the incident over consultant A's records registered by the city."""
    world = build(staff_app)
    city = signed_in_as(staff_app, world.accounts["city"])
    now = utcnow()
    incident = register(city, now - timedelta(days=1), now, records=" ".join(map(str, world.exposed_records)))
    return world, city, incident


@sqlite_only
def _business_views(staff_app) -> int:
    with staff_app.app_context(), database.connection_context():
        return AuditEvent.select().where(AuditEvent.action == "incident.business").count()


def test_the_status_report_counts_calls_and_visits_as_the_city_reports_them(staff_app, registered):
    world, city, incident = registered
    businesses = _businesses(staff_app, incident)
    assert sorted(b.bookings for b in businesses) == [1] * (EXPOSED - 1) + [2]  # one business came twice
    with staff_app.app_context(), database.connection_context():
        who = User.get_by_id(world.accounts["operator"].id)
        contacts.record_entry(businesses[0], contacts.NO_ANSWER, None, "", who)
        for business in businesses:
            contacts.record_entry(business, contacts.PHONE, None, "", who)
    operator = signed_in_as(staff_app, world.accounts["operator"])
    visits = [(contacts.VISITED,)] * 4 + [(contacts.VISIT_REFUSED,)]
    for business, (outcome,) in zip(businesses[:5], visits, strict=True):
        url = f"/incidents/{incident}/businesses/{business.id}"
        token = csrf_from(operator.get(url).text)
        needed = {
            "csrf_token": token,
            "kind": contacts.VISIT_NEEDED,
            "reason": "compensation",
            "note": "補償の要求",
        }
        assert operator.post(f"{url}/entries", data=needed).status_code == 303
        assert operator.post(f"{url}/entries", data={"csrf_token": token, "kind": outcome}).status_code == 303
    views = _business_views(staff_app)
    refused = operator.post(
        f"/incidents/{incident}/businesses/{businesses[5].id}/entries",
        data={"csrf_token": token, "kind": contacts.VISIT_NEEDED},
    )
    assert refused.status_code == 200 and "訪問が必要な理由を選んでください" in refused.text
    assert _business_views(staff_app) == views + 1, "the page shown again, its notes with it, is a view"

    page = operator.get(f"/incidents/{incident}/businesses")
    assert "全89者中 電話で説明、謝罪を行った方 89者" in page.text
    assert "訪問説明が必要と判断した方 5者（うち訪問済み4者、訪問の承諾が得られなかった方1者）" in page.text
    assert "まだ連絡していない方 0者" in page.text
    assert "露出商店" not in page.text  # the operator's list names no business
    assert "露出商店001" in city.get(f"/incidents/{incident}/businesses").text  # the city's does
    with staff_app.app_context(), database.connection_context():
        entries = ContactEntry.select().where(ContactEntry.business == businesses[0].id)
        assert [e.kind for e in entries.order_by(ContactEntry.id)] == [
            contacts.NO_ANSWER,
            contacts.PHONE,
            contacts.VISIT_NEEDED,
            contacts.VISITED,
        ]
        assert all(b"\xe8\xa3\x9c\xe5\x84\x9f" not in bytes(e.note) for e in entries)  # 補償, sealed
        assert AuditEvent.select().where(AuditEvent.action == "incident.contact").count() == 89 + 1 + 10


@sqlite_only
def test_contact_details_are_shown_on_request_only_audited_and_to_no_other_role(staff_app, registered):
    world, _city, incident = registered
    business = _businesses(staff_app, incident)[3]
    url = f"/incidents/{incident}/businesses/{business.id}"
    operator = signed_in_as(staff_app, world.accounts["operator"])
    page = operator.get(url)
    assert "031000" not in page.text and "担当 露出" not in page.text
    shown = operator.post(
        f"{url}/reveal", data={"csrf_token": csrf_from(page.text)}, headers={"HX-Request": "true"}
    )
    assert shown.status_code == 200 and "<html" not in shown.text
    assert "0310000003" in shown.text and "担当 露出003" in shown.text
    with staff_app.app_context(), database.connection_context():
        revealed = AuditEvent.select().where(AuditEvent.action == "incident.reveal")
        assert [(e.object_type, e.object_id, e.actor_id) for e in revealed] == [
            ("booking", str(business.booking_id), world.accounts["operator"].id)
        ]
    assert operator.get(f"/incidents/{incident}").status_code == 404  # the facts are the city's
    for role in ("author", "admin"):
        client = signed_in_as(staff_app, world.accounts[role])
        token = csrf_from(client.get("/").text)
        refused = client.post(f"{url}/reveal", data={"csrf_token": token})
        assert refused.status_code == 404 and "0310000003" not in refused.text
    assert staff_app.test_client().post(f"{url}/reveal").status_code == 404
    with staff_app.app_context(), database.connection_context():
        assert AuditEvent.select().where(AuditEvent.action == "incident.reveal").count() == 1
        denied = AuditEvent.select().where(
            AuditEvent.action == "request.denied", AuditEvent.object_type == "incidents.reveal"
        )
        assert sorted(e.outcome for e in denied) == ["anonymous", "permission", "permission"]


@sqlite_only
def test_a_business_of_another_incident_is_the_404(staff_app, registered):
    world, city, incident = registered
    business = _businesses(staff_app, incident)[0]
    now = utcnow()
    other = register(city, now - timedelta(days=1), now, records=str(world.exposed_records[0]))
    assert city.get(f"/incidents/{other}/businesses/{business.id}").status_code == 404
    assert city.get(f"/incidents/{incident}/businesses/{business.id}").status_code == 200


@sqlite_only
def test_the_timeline_prints_and_exports_as_the_report_to_the_city(staff_app, registered):
    world, city, incident = registered
    page = city.get(f"/incidents/{incident}")
    entered = typed(utcnow())
    added = city.post(
        f"/incidents/{incident}/timeline",
        data={"csrf_token": csrf_from(page.text), "at": entered, "text": "報道発表 TIMELINE-CANARY-3"},
    )
    assert added.status_code == 303
    with staff_app.app_context(), database.connection_context():
        assert b"TIMELINE-CANARY-3" not in bytes(TimelineEntry.get().text)
    printed = city.get(f"/incidents/{incident}/print")
    assert printed.status_code == 200
    for text in (
        "TIMELINE-CANARY-3",
        "全89者中 電話で説明、謝罪を行った方 0者",
        "露出の始まり",
        "事故として登録",
    ):
        assert text in printed.text, text

    assert city.get(f"/incidents/{incident}/report.xlsx").status_code == 403  # no consent yet
    consent_to_exports(staff_app, world.accounts["city"].id)
    exported = city.get(f"/incidents/{incident}/report.xlsx")
    assert exported.status_code == 200
    workbook = load_workbook(io.BytesIO(exported.data))
    assert workbook.sheetnames == ["概要", "経過", "対象事業者", "出力情報"]
    overview = {
        row[0]: row[1]
        for row in workbook["概要"].iter_rows(min_row=2, values_only=True)
        if row[0] != "対応状況"
    }
    assert overview["原因"] == "ログインの外にあるフォルダに保存 CAUSE-CANARY-77"
    timeline = [row[1] for row in workbook["経過"].iter_rows(min_row=2, values_only=True)]
    assert "報道発表 TIMELINE-CANARY-3" in timeline
    businesses = list(workbook["対象事業者"].iter_rows(min_row=2, values_only=True))
    assert len(businesses) == EXPOSED and {row[1] for row in businesses} == {
        f"露出商店{n:03d}" for n in range(EXPOSED)
    }
    with staff_app.app_context(), database.connection_context():
        references = {
            b.reference for b in Booking.select().where(Booking.id.in_(list(world.exposed_bookings)))
        }
    assert {row[0] for row in businesses} <= references
    assert workbook["出力情報"]["A2"].value == "出力者"


@sqlite_only
def test_a_folder_exposes_its_documents_and_their_refused_downloads_are_found(staff_app):
    city = make_account(staff_app, "city", "架空市 産業観光局", "city@example.jp")
    folder = make_folder(staff_app, organisation_of(staff_app, city), name="共有")
    documents = [make_document(staff_app, folder, city.id, title=f"名簿{n}") for n in range(2)]
    elsewhere = make_document(staff_app, make_folder(staff_app, organisation_of(staff_app, city)), city.id)
    versions = [first_version(staff_app, document) for document in (*documents, elsewhere)]
    anonymous = staff_app.test_client()
    for version in versions:
        assert anonymous.get(f"/library/versions/{version}/download").status_code == 404
    now = utcnow()
    facts = Facts(now, "outside-report", "", now - timedelta(hours=1), now + timedelta(hours=1), "設定誤り")
    with staff_app.app_context(), database.connection_context():
        incident = registry_register(replace(facts, folders=frozenset({folder})), User.get_by_id(city.id))
        found = exposed(incident)
        history = accesses(incident, found)
    assert found.documents == set(documents) and found.records == set()
    refused = [e.object_id for e in history if e.action == "request.denied" and e.actor_id is None]
    assert sorted(refused) == sorted(str(v) for v in versions[:2])


def test_a_business_reached_by_no_means_is_still_to_contact_and_a_visit_made_was_needed():
    report = contacts.status_report(
        {
            1: contacts.BusinessState(attempts=2),  # two calls, nobody answered
            2: contacts.BusinessState(letter=True, attempts=1),
            3: contacts.BusinessState(visit_outcome=contacts.VISITED, attempts=1),
            4: contacts.BusinessState(phoned=True, attempts=1),
        }
    )
    assert (report.not_contacted, report.visit_needed, report.visited, report.visit_refused) == (1, 1, 1, 0)
