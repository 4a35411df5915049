"""Consultation records: writing, reading, versions and conflicts, deletion, grants, who has seen
a record, and what the operator's lists and exports hold (existence, never content)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from portal.core.models import AuditEvent, ConsultationRecord, RecordAttachment, RecordGrant, RecordVersion
from portal.staff.records import content
from portal.staff.security.secrets_at_rest import SecretsKeyError
from tests.conftest import consent_to_exports
from tests.files import PDF
from tests.records_world import ADVICE, build, signed_in_as, token, upload


@pytest.fixture
def world(staff_app):
    return build(staff_app)


@pytest.fixture
def clients(staff_app, world):
    """A signed-in client per person, made on first use."""
    made: dict = {}

    def client(who: str):
        if who not in made:
            made[who] = signed_in_as(staff_app, world.accounts[who])
        return made[who]

    return client


def record_data(client, url: str, **changes) -> dict:
    page = client.get(url)
    assert page.status_code == 200, page.text
    data = {
        "csrf_token": token(client),
        "programmes": ["yachin", "yushi"],
        "advice": "融資の申込書を確認した。",
        "follow_up": "決算書を持参してもらう",
        "follow_up_due": "2030-01-15",
        "notes": "次回は午前希望",
    }
    base = page.text.split('name="base_version" type="hidden" value="')
    if len(base) > 1:
        data["base_version"] = base[1].split('"')[0]
    return {**data, **changes}


def count(model, *where) -> int:
    return model.select().where(*where).count() if where else model.select().count()


def test_the_consultant_writes_the_record_and_extra_fields_are_ignored(staff_app, world, clients):
    author = clients("author")
    url = f"/records/new/{world.unwritten}"
    page = author.get(url)
    assert "架空精肉店" in page.text and "山田 花子" in page.text, (
        "the business profile comes from the booking"
    )
    assert 'checked id="programmes-1" name="programmes" type="checkbox" value="yachin"' in page.text, (
        "the programmes asked about are ticked to start with"
    )
    forged = {"author_id": world.accounts["colleague"].id, "org_id": "1", "role": "city", "owner_id": "2"}
    response = author.post(url, data=record_data(author, url, **forged))
    assert response.status_code == 303
    record_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with staff_app.app_context():
        record = ConsultationRecord.get_by_id(record_id)
        assert (record.author_id, record.version, str(record.follow_up_due)) == (
            world.accounts["author"].id,
            1,
            "2030-01-15",
        )
        version = RecordVersion.get(RecordVersion.record == record_id)
        assert "融資".encode() not in bytes(version.body) and b"yushi" not in bytes(version.body)
        assert (
            count(AuditEvent, AuditEvent.action == "record.create", AuditEvent.object_id == str(record_id))
            == 1
        )
        assert count(
            AuditEvent, AuditEvent.action == "booking.view", AuditEvent.object_id == str(world.unwritten)
        )
    shown = author.get(f"/records/{record_id}").text
    assert (
        "融資の申込書を確認した。" in shown and "家賃支援給付金、融資" in shown and "次回は午前希望" in shown
    )
    again = author.get(url)
    assert again.status_code == 303 and again.headers["Location"] == f"/records/{record_id}"


def test_only_the_consultant_of_an_attended_booking_may_write_its_record(world, clients):
    assert clients("author").get(f"/records/new/{world.not_attended}").status_code == 404
    for who in ("colleague", "outsider", "city", "operator", "admin"):
        assert clients(who).get(f"/records/new/{world.unwritten}").status_code == 404, who
    written = clients("colleague").get(f"/records/new/{world.unwritten - 1}")
    assert written.status_code == 404, "another consultant's written booking is not revealed either"


def test_a_refused_form_keeps_what_was_typed(world, clients):
    author = clients("author")
    url = f"/records/new/{world.unwritten}"
    missing = author.post(url, data=record_data(author, url, advice="", notes="残しておくメモ"))
    assert missing.status_code == 200 and "助言の内容を入力してください。" in missing.text
    assert "残しておくメモ" in missing.text and "決算書を持参してもらう" in missing.text
    undated = author.post(url, data=record_data(author, url, follow_up_due=""))
    assert "フォローアップの期日を入力してください。" in undated.text
    dated = author.post(url, data=record_data(author, url, follow_up=""))
    assert "期日を入れる場合は、必要なフォローアップも入力してください。" in dated.text
    nul = author.post(url, data=record_data(author, url, notes="a\x00b"))
    assert "使用できない文字が含まれています。" in nul.text
    unknown = author.post(url, data=record_data(author, url, programmes=["yachin", "forged"]))
    assert unknown.status_code == 200 and "/records/new/" in unknown.text


def test_each_save_is_a_version_and_older_versions_stay_readable(staff_app, world, clients):
    author, city = clients("author"), clients("city")
    edit = f"/records/{world.record}/edit"
    for text in ("二回目の助言", "三回目の助言"):
        assert author.post(edit, data=record_data(author, edit, advice=text)).status_code == 303
    with staff_app.app_context():
        assert ConsultationRecord.get_by_id(world.record).version == 3
        assert count(RecordVersion, RecordVersion.record == world.record) == 3
    for reader in (author, city):
        assert ADVICE in reader.get(f"/records/{world.record}/versions/1").text
        assert "二回目の助言" in reader.get(f"/records/{world.record}/versions/2").text
        assert "三回目の助言" in reader.get(f"/records/{world.record}").text
        assert reader.get(f"/records/{world.record}/versions/4").status_code == 404
    with staff_app.app_context():
        events = AuditEvent.select().where(
            AuditEvent.action == "record.version.view",
            AuditEvent.object_id == str(world.record),
            AuditEvent.outcome == "ok",
        )
        assert events.count() == 4


def test_a_concurrent_edit_is_a_conflict_and_nothing_typed_is_lost(staff_app, world, clients):
    first = clients("author")
    second = signed_in_as(staff_app, world.accounts["author"])  # the same consultant in another tab
    edit = f"/records/{world.record}/edit"
    mine, theirs = record_data(first, edit, advice="先に保存した助言"), record_data(second, edit)
    theirs["advice"], theirs["notes"] = "後から保存しようとした助言", "後から書いたメモ"
    assert first.post(edit, data=mine).status_code == 303
    conflict = second.post(edit, data=theirs)
    assert conflict.status_code == 200
    assert "別の編集で保存されました（第2版" in conflict.text
    assert "後から保存しようとした助言" in conflict.text and "後から書いたメモ" in conflict.text
    assert "先に保存した助言" in conflict.text, "the version saved meanwhile is shown beside the form"
    assert 'name="base_version" type="hidden" value="2"' in conflict.text
    with staff_app.app_context():
        assert ConsultationRecord.get_by_id(world.record).version == 2
        assert count(AuditEvent, AuditEvent.action == "record.edit", AuditEvent.outcome == "conflict") == 1
    theirs["base_version"] = "2"
    assert second.post(edit, data=theirs).status_code == 303
    assert "後から保存しようとした助言" in first.get(f"/records/{world.record}").text
    assert "先に保存した助言" in first.get(f"/records/{world.record}/versions/2").text


def test_simultaneous_saves_from_one_version_save_exactly_one(staff_app, world):
    tabs = [signed_in_as(staff_app, world.accounts["author"]) for _ in range(4)]
    edit = f"/records/{world.record}/edit"
    forms = [record_data(tab, edit, advice=f"同時の編集 {n}") for n, tab in enumerate(tabs)]
    statuses: list[int] = []
    start = threading.Barrier(len(tabs))

    def save(tab, data):
        start.wait()
        statuses.append(tab.post(edit, data=data).status_code)

    threads = [threading.Thread(target=save, args=pair) for pair in zip(tabs, forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 200, 303]
    with staff_app.app_context():
        assert ConsultationRecord.get_by_id(world.record).version == 2
        assert count(RecordVersion, RecordVersion.record == world.record) == 2


def test_a_sealed_body_does_not_open_in_another_row(staff_app, world):
    with staff_app.app_context():
        first = RecordVersion.get(RecordVersion.record == world.record)
        moved = RecordVersion(record=world.other_record, version=1, body=first.body)
        with pytest.raises(SecretsKeyError):
            content.opened_body(moved)
        later = RecordVersion(record=world.record, version=2, body=first.body)
        with pytest.raises(SecretsKeyError):
            content.opened_body(later)


def test_deletion_is_soft_with_a_sealed_reason_by_the_author_or_the_city(staff_app, world, clients):
    author, city, operator = clients("author"), clients("city"), clients("operator")
    refused = author.post(f"/records/{world.record}/delete", data={"csrf_token": token(author), "reason": ""})
    assert refused.status_code == 200 and "削除の理由を入力してください。" in refused.text
    reason = "別の記録と重複していたため REASON-CANARY"
    deleted = author.post(
        f"/records/{world.record}/delete",
        data={"csrf_token": token(author), "reason": reason, "confirmed": "yes"},
    )
    assert deleted.status_code == 303
    with staff_app.app_context():
        record = ConsultationRecord.get_by_id(world.record)
        assert record.deleted_at is not None and b"REASON-CANARY" not in bytes(record.deletion_reason)
        assert count(RecordVersion, RecordVersion.record == world.record) == 1, "kept until retention"
    shown = city.get(f"/records/{world.record}")
    assert shown.status_code == 200 and reason in shown.text and "削除しました" in shown.text
    assert reason in author.get(f"/records/{world.record}").text
    assert "/edit" not in shown.text and 'action="/records/1/delete"' not in shown.text
    assert author.get(f"/records/{world.record}/edit").status_code == 404
    again = city.post(f"/records/{world.record}/delete", data={"csrf_token": token(city), "reason": "二度目"})
    assert again.status_code == 404
    with staff_app.app_context():
        reference = record.booking.reference
    assert reference not in operator.get("/records").text, "deleted records leave the scheduling list"
    assert reference in city.get("/records").text.split("削除された記録")[1]
    city_deletes = city.post(
        f"/records/{world.other_record}/delete",
        data={"csrf_token": token(city), "reason": "市による削除", "confirmed": "yes"},
    )
    assert city_deletes.status_code == 303


def test_a_grant_lets_another_consultant_read_until_it_is_revoked(staff_app, world, clients):
    author, city, colleague = clients("author"), clients("city"), clients("colleague")
    assert upload(author, world.record, PDF, "資料.pdf").status_code == 303
    page = colleague.get("/records")
    assert f"/records/{world.record}" not in page.text
    offered = city.get(f"/records/{world.record}").text
    assert (
        "consultant-b@example.jp" in offered
        and 'value="' + str(world.accounts["author"].id) + '"' not in offered
    )
    granted = city.post(
        f"/records/{world.record}/grants",
        data={"csrf_token": token(city), "grantee": world.accounts["colleague"].id},
        headers={"HX-Request": "true"},
    )
    assert (
        granted.status_code == 200
        and "<html" not in granted.text
        and "consultant-b@example.jp" in granted.text
    )
    with staff_app.app_context():
        grant = RecordGrant.get()
        assert (
            count(AuditEvent, AuditEvent.action == "record.grant", AuditEvent.object_id == str(grant.id)) == 1
        )
    opened = colleague.get(f"/records/{world.record}")
    assert opened.status_code == 200 and ADVICE in opened.text
    assert f"/records/{world.record}" in colleague.get("/records").text
    download = opened.text.split('href="')[1:]
    link = next(part.split('"')[0] for part in download if "/attachments/" in part and "preview" not in part)
    assert colleague.get(link).data == PDF
    for denied in (f"/records/{world.record}/edit", f"/records/{world.record}/viewers"):
        assert colleague.get(denied).status_code == 404, denied
    assert upload(colleague, world.record, PDF).status_code == 404
    revoked = city.post(f"/records/{world.record}/grants/{grant.id}/revoke", data={"csrf_token": token(city)})
    assert revoked.status_code == 303
    assert colleague.get(link).status_code == 404, "the next download from the open page is refused"
    assert colleague.get(f"/records/{world.record}").status_code == 404
    with staff_app.app_context():
        assert (
            count(AuditEvent, AuditEvent.action == "record.revoke", AuditEvent.object_id == str(grant.id))
            == 1
        )
        refused = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()  # the view after revocation
        assert (refused.action, refused.outcome, refused.object_type, refused.object_id) == (
            "request.denied",
            "refused",
            "record",
            str(world.record),
        )
    again = city.post(f"/records/{world.record}/grants/{grant.id}/revoke", data={"csrf_token": token(city)})
    assert again.status_code == 404
    forged = city.post(
        f"/records/{world.record}/grants",
        data={"csrf_token": token(city), "grantee": world.accounts["operator"].id},
    )
    assert forged.status_code == 200 and "<html" in forged.text
    with staff_app.app_context():
        assert count(RecordGrant, RecordGrant.revoked_at.is_null()) == 0, "only consultants can be granted"


def test_who_has_seen_a_record_is_read_from_the_audit_log(staff_app, world, clients):
    author, city = clients("author"), clients("city")
    assert upload(author, world.record, PDF, "見積書.pdf").status_code == 303
    page = city.get(f"/records/{world.record}").text
    link = next(part.split('"')[0] for part in page.split('href="') if "/attachments/" in part)
    assert city.get(link).status_code == 200
    fragment = author.get(f"/records/{world.record}/viewers", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "city@example.jp" in fragment.text and "127.0.0.1" in fragment.text
    assert "記録を閲覧" in fragment.text and "ファイルをダウンロード: 見積書.pdf" in fragment.text
    full = city.get(f"/records/{world.record}/viewers")
    assert (
        "<html" in full.text
        and "consultant-a@example.jp" not in full.text.split("<main")[1].split("閲覧の記録")[0]
    )
    assert clients("operator").get(f"/records/{world.record}/viewers").status_code == 404


def test_the_operator_and_admins_see_that_a_record_exists_never_its_content(staff_app, world, clients):
    author = clients("author")
    edit = f"/records/{world.record}/edit"
    assert author.post(edit, data=record_data(author, edit, advice=ADVICE)).status_code == 303
    with staff_app.app_context():
        reference = ConsultationRecord.get_by_id(world.record).booking.reference
    consent_to_exports(staff_app, *(world.accounts[who].id for who in ("operator", "admin")))
    for who in ("operator", "admin"):
        listing = clients(who).get("/records")
        assert listing.status_code == 200 and reference in listing.text and "2030年1月15日" in listing.text
        assert ADVICE not in listing.text and f'href="/records/{world.record}"' not in listing.text
        assert "決算書" not in listing.text
        assert clients(who).get(f"/records/{world.record}").status_code == 404
        exported = clients(who).get("/records/follow-ups.csv")
        assert exported.status_code == 200 and reference in exported.text and "2030-01-15" in exported.text
        assert (
            ADVICE not in exported.text
            and "決算書" not in exported.text
            and "架空精肉店" not in exported.text
        )


def test_exports_stay_in_the_callers_scope_and_hold_no_record_content(staff_app, world, clients):
    with staff_app.app_context():
        mine = ConsultationRecord.get_by_id(world.record).booking.reference
        theirs = ConsultationRecord.get_by_id(world.other_record).booking.reference
    consent_to_exports(staff_app, world.accounts["colleague"].id)
    colleague = clients("colleague").get("/records/follow-ups.csv").text
    assert theirs in colleague and mine not in colleague
    operator = clients("operator")
    consent_to_exports(staff_app, world.accounts["operator"].id)
    day = world.day.isoformat()
    for url in (f"/bookings/daily.csv?date={day}", f"/bookings/daily.xlsx?date={day}"):
        exported = operator.get(url)
        assert exported.status_code == 200
        assert ADVICE.encode() not in exported.data and "B の助言".encode() not in exported.data
    assert ADVICE not in operator.get(f"/bookings/daily?date={day}").text


def test_the_demo_seed_writes_records_with_a_workbook_and_a_pdf(staff_app, portal_cli, config):
    result = portal_cli("demo-seed")
    assert result.exit_code == 0, result.output
    with staff_app.app_context():
        store = staff_app.extensions["portal.objects"]
        records = list(ConsultationRecord.select())
        assert len(records) == 3 and all(record.author.role == "consultant" for record in records)
        attachments = list(RecordAttachment.select())
        assert sorted(a.extension for a in attachments) == ["pdf", "pdf", "pdf", "xlsx", "xlsx", "xlsx"]
        assert all(store.verify(a.stored) for a in attachments)
    if config["DATABASE_URL"].startswith("sqlite"):
        database_file = Path(config["DATABASE_URL"].removeprefix("sqlite:///"))
        raw = b"".join(path.read_bytes() for path in database_file.parent.glob(database_file.name + "*"))
        for secret in ("架空パン工房", "青木", "0300000101", "hina@example.com", "家賃支援給付金の申請要件"):
            assert secret.encode() not in raw


def test_demo_records_go_on_attended_bookings_that_exist(staff_app, world):
    from portal.demo.records import seed_records

    with staff_app.app_context():
        assert seed_records() == 1
        record = ConsultationRecord.get(ConsultationRecord.booking == world.unwritten)
        assert record.author_id == world.accounts["author"].id
        assert RecordAttachment.select().where(RecordAttachment.record == record.id).count() == 2


def test_every_view_and_download_is_an_audit_event_with_who_what_where_and_when(staff_app, world, clients):
    from portal.core.models.base import utcnow
    from portal.staff.audit.keys import audit_keys
    from portal.staff.audit.verify import verify

    author, city = clients("author"), clients("city")
    assert upload(author, world.record, PDF, "記録.pdf").status_code == 303
    with staff_app.app_context():
        attachment = str(RecordAttachment.get().id)
    readings = {
        f"/records/{world.record}": ("record.view", str(world.record)),
        f"/records/{world.record}/versions/1": ("record.version.view", str(world.record)),
        f"/records/{world.record}/viewers": ("record.viewers", str(world.record)),
        f"/records/{world.record}/attachments/{attachment}": ("attachment.download", attachment),
        f"/records/{world.record}/attachments/{attachment}/preview": ("attachment.preview", attachment),
    }
    for url, (action, object_id) in readings.items():
        started = utcnow().replace(microsecond=0)
        response = city.get(url)
        assert response.status_code == 200 and response.data
        response.close()
        with staff_app.app_context():
            event = (
                AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq.desc()).get()
            )
        assert (event.actor_id, event.object_id, event.client, event.outcome) == (
            world.accounts["city"].id,
            object_id,
            "127.0.0.1",
            "ok",
        ), url
        assert started <= event.at.replace(microsecond=0) <= utcnow(), url
    with staff_app.app_context():
        opened = AuditEvent.select().where(
            AuditEvent.action == "booking.view", AuditEvent.actor_id == world.accounts["city"].id
        )
        assert opened.count() == 1, "the business profile shown on the record page is an audited opening"
        assert verify(staff_app.config["PORTAL"].audit_anchor, audit_keys()).problems == []


def test_hostile_text_and_filenames_are_inert_in_pages_and_fragments(world, clients):
    hostile = "<img src=x onerror=alert(1)>{{7*7}}"
    escaped = "&lt;img src=x onerror=alert(1)&gt;{{7*7}}"
    author = clients("author")
    edit = f"/records/{world.record}/edit"
    assert author.post(edit, data=record_data(author, edit, advice=hostile, notes=hostile)).status_code == 303
    fragment = upload(author, world.record, PDF, hostile + ".pdf", htmx=True).text
    for html in (
        author.get(f"/records/{world.record}").text,
        fragment,
        clients("city").get(edit.removesuffix("/edit")).text,
    ):
        assert hostile not in html and "<img" not in html and escaped in html
    assert escaped in author.get(f"/records/{world.record}").text
    assert escaped + ".pdf" in fragment
