"""Retention of consultation records: an aged record goes with its attachments, versions and
grants; a deleted attachment goes after the grace period; each leaves a certificate."""

from __future__ import annotations

from datetime import timedelta

from portal.core.database import database
from portal.core.models import (
    ConsultationRecord,
    DeletionCertificate,
    RecordAttachment,
    RecordVersion,
    StoredObject,
)
from portal.core.models.base import utcnow
from tests.files import workbook_bytes
from tests.records_world import build, signed_in_as, upload

OLD = utcnow() - timedelta(days=2000)


def test_the_purge_destroys_aged_records_and_deleted_attachments_with_their_keys(staff_app, portal_cli):
    world = build(staff_app)
    author = signed_in_as(staff_app, world.accounts["author"])
    colleague = signed_in_as(staff_app, world.accounts["colleague"])
    assert upload(author, world.record, workbook_bytes("古い記録の添付")).status_code == 303
    assert upload(colleague, world.other_record, workbook_bytes("残る添付")).status_code == 303
    assert upload(colleague, world.other_record, workbook_bytes("消した添付")).status_code == 303
    backend = staff_app.extensions["portal.objects"].backend
    with staff_app.app_context(), database.connection_context():
        aged = RecordAttachment.get(RecordAttachment.record == world.record)
        kept, removed = RecordAttachment.select().where(RecordAttachment.record == world.other_record)
        ConsultationRecord.update(updated_at=OLD).where(ConsultationRecord.id == world.record).execute()
        RecordAttachment.update(deleted_at=OLD).where(RecordAttachment.id == removed.id).execute()
        keys = {
            name: row.stored.storage_key
            for name, row in (("aged", aged), ("kept", kept), ("removed", removed))
        }
    assert all(backend.exists(key) for key in keys.values())

    dry = portal_cli("retention", "purge", "--dry-run")
    assert dry.exit_code == 0 and all(backend.exists(key) for key in keys.values())
    result = portal_cli("retention", "purge")
    assert result.exit_code == 0, result.output

    assert not backend.exists(keys["aged"]) and not backend.exists(keys["removed"])
    assert backend.exists(keys["kept"])
    with staff_app.app_context(), database.connection_context():
        assert ConsultationRecord.get_or_none(ConsultationRecord.id == world.record) is None
        assert not RecordVersion.select().where(RecordVersion.record == world.record).exists()
        assert {a.id for a in RecordAttachment.select()} == {kept.id}
        assert StoredObject.select().count() == 1
        certificates = {(c.kind, c.object_id): c for c in DeletionCertificate.select()}
    assert certificates[("record", str(world.record))].rule == "retention_records_days=1827"
    assert certificates[("record-attachment", str(aged.id))].part_of == f"record:{world.record}"
    assert certificates[("record-attachment", str(removed.id))].reason == "deleted"
