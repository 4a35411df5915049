"""The steps that give accounts their names and bookings their name tokens: an older store comes up
to the schema today's models describe, and keeps its rows."""

from __future__ import annotations

from datetime import datetime

from portal.core.database import bind
from portal.core.migrations import migrate
from portal.core.models import BookingIndex, BookingNameToken, Organisation, User
from tests.old_releases import create_release_schema
from tests.test_migrations import _insert, _old_venue_and_session, _shape, separate  # noqa: F401


def test_names_and_name_tokens_arrive_as_today_s_models_describe_them(stores, separate):  # noqa: F811
    db = bind(stores)
    with db.connection_context():
        create_release_schema(db, 4)
        _insert(db, "organisation", id=1, name="架空市", created_at=datetime(2026, 1, 5))
        _insert(
            db,
            "user",
            id=1,
            email="old@example.jp",
            password_hash="x",
            role="operator",
            organisation_id=1,
            totp_last_step=0,
            created_at=datetime(2026, 1, 5),
        )
        _old_venue_and_session(db)
        _insert(
            db,
            "booking",
            id=7,
            session_id=1,
            channel="phone",
            status="confirmed",
            reference="ABCD-EFGH",
            sealed=b"sealed",
            programmes="",
            phone_index="p" * 64,
            created_at=datetime(2026, 11, 1, 9),
        )
        migrate(db)
        assert User.get_by_id(1).display_name is None, "the email stands in until a name is given"
        assert BookingIndex.get_by_id(7).name_tokens == 0, "tokens are written when the staff zone next looks"
        migrated = _shape(db)
    tables = [Organisation, User, BookingIndex, BookingNameToken]
    with separate.connection_context(), separate.bind_ctx(tables):
        separate.create_tables(tables)
        fresh = _shape(separate)
    for table in ("user", "booking_index", "booking_name_token"):
        assert migrated[table] == fresh[table], table
