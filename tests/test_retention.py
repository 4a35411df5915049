"""Retention: settings, the storage layer's destroy, `portal retention purge [--dry-run]`, the
certificates, and proof that nothing of a destroyed item can be recovered from what is left."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from portal import create_app
from portal.cli import cli
from portal.core.database import database
from portal.core.dates import business_today
from portal.core.models import (
    AuditEvent,
    DailyReport,
    DeletionCertificate,
    Document,
    DocumentVersion,
    Folder,
    StoredObject,
    User,
)
from portal.core.models.base import utcnow
from portal.core.settings import ConfigError, load_settings
from portal.staff.accounts import create_user, organisation_named
from portal.staff.daily_reports.service import file_report
from portal.staff.library.store import add_document, add_version, filename_context
from portal.staff.retention import EXPIRED, KINDS, Expired, register
from portal.staff.security.secrets_at_rest import SecretsKeyError
from storage_backends import BackendError
from tests.library_support import PDF, make_document, make_folder, upload_file

OLD = utcnow() - timedelta(days=2000)
TITLE = "消去される文書ZQX"


def test_retention_settings_have_defaults_and_refuse_nonsense(tmp_path, monkeypatch):
    settings = load_settings("staff", {"instance_path": tmp_path})
    assert (settings.retention_documents_days, settings.retention_deleted_days) == (1827, 30)
    assert settings.retention_daily_reports_days == 1096 and settings.retention_exports_days == 30
    monkeypatch.setenv("PORTAL_RETENTION_RECORDS_DAYS", "3650")
    assert load_settings("staff", {"instance_path": tmp_path}).retention_records_days == 3650
    for value in ("0", "-5", "abc", "36526", "1.5"):
        monkeypatch.setenv("PORTAL_RETENTION_ATTACHMENTS_DAYS", value)
        with pytest.raises(ConfigError, match="PORTAL_RETENTION_ATTACHMENTS_DAYS"):
            load_settings("staff", {"instance_path": tmp_path})


def test_destroy_deletes_the_ciphertext_then_the_row_and_keeps_the_row_if_the_backend_fails(
    staff_app, monkeypatch
):
    with staff_app.app_context(), database.connection_context():
        store = staff_app.extensions["portal.objects"]
        kept, gone = (store.store([PDF], kind="document") for _ in range(2))
        path = store.backend.root / gone.storage_key
        assert path.exists()
        store.destroy(gone)
        assert not path.exists() and StoredObject.get_or_none(StoredObject.id == gone.id) is None

        def down(_key):
            raise BackendError("the disk went away")

        monkeypatch.setattr(store.backend, "_delete", down)
        with pytest.raises(BackendError):
            store.destroy(kept)
        assert StoredObject.get_or_none(StoredObject.id == kept.id) is not None
        assert b"".join(store.read(kept)) == PDF


def age(app, model, row_id: int, **values) -> None:
    with app.app_context(), database.connection_context():
        model.update(**values).where(model.id == row_id).execute()


@pytest.fixture
def estate(cast):
    """Documents and reports at every stage of their life, and what each should become."""
    app = cast.app
    city, operator = cast.accounts["city"].id, cast.accounts["operator"].id
    manuals = make_folder(app, cast.org("city"))
    daily = make_folder(app, cast.org("operator"), "daily-reports", name="日報")
    items = {
        "fresh": make_document(app, manuals, city, "最新の手引き"),
        "deleted_long_ago": make_document(app, manuals, city, TITLE),
        "deleted_recently": make_document(app, manuals, city, "最近削除"),
        "unchanged_for_years": make_document(app, manuals, city, "古い手引き"),
        "revised": make_document(app, manuals, city, "改訂した手引き"),
    }
    age(
        app,
        Document,
        items["deleted_long_ago"],
        deleted_at=utcnow() - timedelta(days=31),
        deletion_reason=b"x",
    )
    age(
        app,
        Document,
        items["deleted_recently"],
        deleted_at=utcnow() - timedelta(days=5),
        deletion_reason=b"x",
    )
    age(app, Document, items["unchanged_for_years"], updated_at=OLD)
    with app.app_context(), database.connection_context():
        revised = Document.get_by_id(items["revised"])
        user = User.get_by_id(city)
        add_version(revised, upload_file(PDF.replace(b"%PDF-1.3", b"%PDF-1.4")), user)
        add_version(revised, upload_file(PDF.replace(b"%PDF-1.3", b"%PDF-1.5")), user)
        first, second, _ = (
            DocumentVersion.select()
            .where(DocumentVersion.document == revised.id)
            .order_by(DocumentVersion.number)
        )
        DocumentVersion.update(created_at=OLD).where(DocumentVersion.id.in_([first.id, second.id])).execute()
        reports = {}
        for label, day in (
            ("old_report", business_today() - timedelta(days=1200)),
            ("recent_report", business_today()),
        ):
            reports[label] = file_report(day, 5, 2, f"{label} の課題", 0, User.get_by_id(operator)).id
    attachment = make_document(app, daily, operator, "日報の添付", daily_report=reports["old_report"])
    return {**items, **reports, "attachment": attachment, "first": first.id, "second": second.id}


def raw_files(app) -> dict[str, bytes]:
    root = app.extensions["portal.objects"].backend.root
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def snapshot(app) -> dict:
    with app.app_context(), database.connection_context():
        return {
            model.__name__: sorted(str(sorted(row.items())) for row in model.select().dicts())
            for model in (Document, DocumentVersion, DailyReport, StoredObject, DeletionCertificate)
        }


def secrets_of(app, estate) -> dict[str, list[bytes]]:
    """What each doomed item leaves in the database and storage: keys, ciphertexts, titles."""
    doomed = [estate["deleted_long_ago"], estate["unchanged_for_years"], estate["attachment"]]
    found = {"wrapped": [], "sealed": [], "objects": [], "titles": []}
    with app.app_context(), database.connection_context():
        versions = DocumentVersion.select().where(
            DocumentVersion.document.in_(doomed) | (DocumentVersion.id == estate["first"])
        )
        for version in versions:
            stored = StoredObject.get_by_id(version.stored_id)
            found["wrapped"].append(bytes(stored.wrapped_key))
            found["sealed"].append(bytes(version.filename))
            found["objects"].append(stored.storage_key)
        found["sealed"].append(bytes(DailyReport.get_by_id(estate["old_report"]).issues))
    found["titles"].append(TITLE.encode())
    return found


def test_dry_run_lists_what_would_go_and_changes_nothing(cast, estate, portal_cli):
    app = cast.app
    before, files = snapshot(app), raw_files(app)
    result = portal_cli("retention", "purge", "--dry-run")
    assert result.exit_code == 0, result.output
    expected = [
        f"would destroy document {estate['deleted_long_ago']} (deleted: retention_deleted_days=30)",
        f"would destroy document {estate['unchanged_for_years']} (expired: retention_documents_days=1827)",
        f"would destroy document-version {estate['first']} (expired: retention_documents_days=1827)",
        f"would destroy daily-report {estate['old_report']} (expired: retention_daily_reports_days=1096)",
    ]
    for line in expected:
        assert line in result.output
    assert f"document-version {estate['second']}" not in result.output, "replaced only recently"
    assert "4 items would be destroyed" in result.output
    assert snapshot(app) == before and raw_files(app) == files


def test_purge_destroys_objects_keys_and_rows_certifies_each_and_leaves_nothing_recoverable(
    cast, estate, portal_cli, config
):
    app = cast.app
    left_behind = secrets_of(app, estate)
    result = portal_cli("retention", "purge")
    assert result.exit_code == 0, result.output
    assert "4 items destroyed" in result.output
    files = raw_files(app)
    for key in left_behind["objects"]:
        assert key not in files, "the ciphertext is gone from the backend"
    with app.app_context(), database.connection_context():
        live = {d.id for d in Document.select()}
        assert live == {estate["fresh"], estate["deleted_recently"], estate["revised"]}
        assert DocumentVersion.get_or_none(DocumentVersion.id == estate["first"]) is None
        assert DocumentVersion.get_or_none(DocumentVersion.id == estate["second"]) is not None
        assert {r.id for r in DailyReport.select()} == {estate["recent_report"]}
        referenced = {v.stored_id for v in DocumentVersion.select()}
        assert {s.id for s in StoredObject.select()} == referenced, "no orphaned key or object"
        assert len(files) == len(referenced)
        certificates = {(c.kind, c.object_id): c for c in DeletionCertificate.select()}
        events = {
            (e.object_type, e.object_id)
            for e in AuditEvent.select().where(AuditEvent.action == "retention.destroy")
        }
        version_of = {v.document_id: v.id for v in DocumentVersion.select()}
    assert certificates[("document", str(estate["deleted_long_ago"]))].reason == "deleted"
    assert (
        certificates[("document", str(estate["unchanged_for_years"]))].rule == "retention_documents_days=1827"
    )
    attachment = certificates[("document", str(estate["attachment"]))]
    assert attachment.part_of == f"daily-report:{estate['old_report']}" and attachment.reason == "expired"
    assert len(certificates) == 4 + 1 + 3, "four items, the attachment and the versions of three documents"
    for certificate in certificates.values():
        assert set(certificate.object_id) <= set("0123456789") and TITLE not in str(certificate.__data__)
    assert ("daily-report", str(estate["old_report"])) in events and len(events) == 4
    assert estate["revised"] in version_of
    if config["DATABASE_URL"].startswith("sqlite"):
        database_file = Path(config["DATABASE_URL"].removeprefix("sqlite:///"))
        stored = b"".join(p.read_bytes() for p in database_file.parent.glob(database_file.name + "*"))
        for kind in ("wrapped", "sealed", "titles"):
            for secret in left_behind[kind]:
                assert secret not in stored, f"a destroyed item's {kind} bytes are still in the database file"
    again = portal_cli("retention", "purge")
    assert again.exit_code == 0 and "0 items destroyed" in again.output


def test_a_backend_fault_leaves_the_item_for_the_next_run_and_exits_1(cast, estate, portal_cli, monkeypatch):
    app = cast.app
    backend = app.extensions["portal.objects"].backend

    def down(_key):
        raise BackendError("the disk went away")

    monkeypatch.setattr(backend, "_delete", down)
    result = portal_cli("retention", "purge")
    assert result.exit_code == 1
    failure = f"could not destroy document {estate['deleted_long_ago']} (deleted: retention_deleted_days=30)"
    assert f"{failure}: BackendError" in result.output and "0 items destroyed" in result.output
    with app.app_context(), database.connection_context():
        assert Document.get_or_none(Document.id == estate["deleted_long_ago"]) is not None
        assert DeletionCertificate.select().count() == 0
    monkeypatch.undo()
    assert portal_cli("retention", "purge").exit_code == 0


def test_another_feature_registers_its_kind_with_one_call(cast, portal_cli):
    destroyed = []
    register(
        "record",
        lambda settings, now: [
            Expired("41", EXPIRED, f"retention_records_days={settings.retention_records_days}")
        ],
        lambda object_id: destroyed.append(object_id) or [("attachment", "7")],
    )
    try:
        result = portal_cli("retention", "purge")
    finally:
        del KINDS["record"]
    assert result.exit_code == 0 and destroyed == ["41"]
    assert "destroyed record 41 (expired: retention_records_days=1827) with 1 parts" in result.output
    with cast.app.app_context(), database.connection_context():
        parts = [
            (c.kind, c.object_id, c.part_of)
            for c in DeletionCertificate.select().order_by(DeletionCertificate.id)
        ]
    assert parts == [("record", "41", None), ("attachment", "7", "record:41")]


def test_the_certificates_page_is_for_the_city_and_admins(cast, estate, portal_cli):
    assert portal_cli("retention", "purge").exit_code == 0
    for name in ("city", "admin"):
        page = cast.clients[name].get("/retention/certificates")
        assert page.status_code == 200
        assert f"<td>{estate['old_report']}</td>" in page.text and "保存期間が経過" in page.text
        assert TITLE not in page.text and "日報の添付" not in page.text
    for name in ("operator", "consultant"):
        assert cast.clients[name].get("/retention/certificates").status_code == 404


def test_objects_in_minio_are_gone_from_the_bucket_after_the_purge(config, minio_settings):
    app = create_app("staff", {**config, **minio_settings, "TESTING": True})
    with app.app_context(), database.connection_context():
        user = create_user(
            "city@example.jp",
            "city",
            organisation_named("市"),
            "correct horse battery 窓口",
            enrol_now=True,
            requested_by=None,
        ).user
        folder = Folder.create(name="f", purpose="manuals", owner=user.organisation_id)
        document = add_document(folder, "t", upload_file(), user)
        Document.update(deleted_at=utcnow() - timedelta(days=40)).where(Document.id == document.id).execute()
        backend = app.extensions["portal.objects"].backend
        assert len(list(backend.list())) == 1
    result = app.test_cli_runner().invoke(cli, ["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert list(backend.list()) == []


def test_sealed_filenames_are_bound_to_their_version(cast, estate):
    app = cast.app
    with app.app_context(), database.connection_context():
        box = app.extensions["portal.secret_box"]
        version = DocumentVersion.get_by_id(estate["second"])
        assert box.open(version.filename, filename_context(version.document_id, version.number)).endswith(
            ".pdf"
        )
        with pytest.raises(SecretsKeyError):
            box.open(version.filename, filename_context(version.document_id, version.number + 1))
