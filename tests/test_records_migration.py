"""A database from before consultation records gets their tables, keeping its rows."""

from __future__ import annotations

from portal.database import bind
from portal.migrations import MIGRATIONS, consultation_records, migrate
from portal.models import RECORD_MODELS, SchemaVersion, Venue


def test_the_records_step_creates_its_tables_on_an_existing_database(database_url):
    db = bind(database_url)
    with db.connection_context():
        migrate(db)
        db.drop_tables(RECORD_MODELS)
        step = MIGRATIONS.index(consultation_records)
        SchemaVersion.update(version=step).execute()
        Venue.create(name="会場", ward="区", address="住所")

        assert migrate(db) == len(MIGRATIONS) - step
        assert all(db.table_exists(model._meta.table_name) for model in RECORD_MODELS)
        indexes = db.get_indexes("record_version")
        assert any(index.unique and set(index.columns) == {"record_id", "version"} for index in indexes)
        assert Venue.select().count() == 1 and SchemaVersion.get().version == len(MIGRATIONS)
        assert migrate(db) == 0
