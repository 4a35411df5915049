"""The frozen schemas of earlier releases build on an empty database of each kind."""

from __future__ import annotations

import pytest

from portal.core.database import bind
from tests.old_releases import create_release_schema

RELEASE_0_TABLES = {
    "audit_event",
    "booking",
    "consultation_session",
    "key_check",
    "organisation",
    "recovery_code",
    "schema_version",
    "staff_session",
    "throttle",
    "stored_object",
    "user",
    "venue",
}
RELEASE_4_TABLES = RELEASE_0_TABLES | {
    "availability_version",
    "booking",
    "call_event",
    "consultation_record",
    "consultation_session",
    "daily_report",
    "deletion_certificate",
    "document",
    "document_version",
    "folder",
    "folder_grant",
    "holiday",
    "key_check",
    "list_notice",
    "record_attachment",
    "record_grant",
    "record_version",
    "season",
    "stored_object",
    "venue",
    "weekly_pattern",
}


@pytest.mark.parametrize(("release", "tables"), [(0, RELEASE_0_TABLES), (4, RELEASE_4_TABLES)])
def test_a_release_schema_builds_on_an_empty_database(stores, release, tables):
    db = bind(stores)
    with db.connection_context():
        assert db.get_tables() == []
        create_release_schema(db, release)
        assert set(db.get_tables()) == tables
        assert db.execute_sql("SELECT version FROM schema_version").fetchall() == [(release,)]
        if "availability_version" in tables:
            counter = db.execute_sql("SELECT id, version FROM availability_version").fetchall()
            assert counter == [(1, 0)]
