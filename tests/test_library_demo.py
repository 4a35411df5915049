"""After `portal demo-seed`, the databases (SQLite's files, or a `pg_dump` of PostgreSQL's two
schemas) and the raw object storage hold none of the seeded personal data in clear: every value
that was sealed or encrypted while seeding (bookings' names, phone numbers and emails, daily
reports' text, filenames, second-factor seeds) and pieces of every stored file are searched for in
the bytes at rest."""

from __future__ import annotations

import re
import shutil
import subprocess
from glob import glob
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal import create_app
from portal.core.database import bind, database, first_search_path, stores_of
from portal.core.migrations import migrate
from portal.core.models import Booking, DailyReport, Document, DocumentVersion, Folder, StoredObject
from portal.core.security.sealing import Sealer
from portal.core.settings import load_settings
from portal.staff.keys import ensure_keys
from portal.staff.security.secrets_at_rest import SecretBox
from portal.staff.storage.objects import ObjectStore
from tests.at_rest import pieces
from tests.test_gate import assert_staff_headers, sample_urls

PERSONAL = ("business_name", "business_kana", "contact_name", "contact_kana", "phone", "email", "address")


@pytest.fixture
def seeded(tmp_path, monkeypatch, database_url, public_database_url):
    """An instance after `portal demo-seed`, with everything that was encrypted on the way."""
    config = {
        "INSTANCE_PATH": tmp_path / "instance",
        "DATABASE_URL": database_url,
        "PUBLIC_DATABASE_URL": public_database_url,
    }
    settings = load_settings("staff", config)
    settings.instance_path.mkdir(mode=0o700)
    ensure_keys(settings)
    db = bind(stores_of(settings))
    with db.connection_context():
        migrate(db)
    app = create_app("staff", {**config, "TESTING": True})
    texts: list[str] = []
    files: list[bytes] = []
    seal_text, seal_payload, store = SecretBox.seal, Sealer.seal, ObjectStore.store

    def recording_seal_text(box, plaintext, context):
        texts.append(plaintext)
        return seal_text(box, plaintext, context)

    def recording_seal_payload(sealer, payload):
        texts.extend(str(payload.get(name) or "") for name in PERSONAL)
        return seal_payload(sealer, payload)

    def recording_store(object_store, chunks, kind, max_size=None):
        data = b"".join(chunks)
        files.append(data)
        return store(object_store, [data], kind, max_size)

    monkeypatch.setattr(SecretBox, "seal", recording_seal_text)
    monkeypatch.setattr(Sealer, "seal", recording_seal_payload)
    monkeypatch.setattr(ObjectStore, "store", recording_store)
    from portal.cli import cli

    result = app.test_cli_runner().invoke(cli, ["demo-seed"])
    assert result.exit_code == 0, result.output
    monkeypatch.undo()
    with app.app_context(), database.connection_context():
        unsealer = app.extensions["portal.unsealer"]
        for booking in Booking.select().where(Booking.sealed.is_null(False)):
            texts.extend(str(unsealer.open(booking.sealed).get(name) or "") for name in PERSONAL)
    return app, tmp_path, texts, files


def needles(texts: list[str]) -> set[bytes]:
    """Each value as stored text would hold it, and a phone number also as bare digits."""
    found = set()
    for text in texts:
        for line in text.splitlines():
            if len(line.strip()) >= 3:
                found.add(line.strip().encode())
        digits = "".join(c for c in text if c.isdigit())
        if 10 <= len(digits) <= 11 and digits.startswith("0"):
            found.add(digits.encode())
    return found


BYTEA = re.compile(rb"\\\\x((?:[0-9a-f]{2})+)")


def pg_dump_binary() -> str:
    """The `pg_dump` on the path, or the one PostgreSQL's Debian packages keep aside."""
    found = shutil.which("pg_dump") or next(iter(sorted(glob("/usr/lib/postgresql/*/bin/pg_dump"))), None)
    if found is None:
        pytest.fail("pg_dump is not installed (postgresql-client)")
    return found


def dumped(url: str) -> bytes:
    """A plain `pg_dump` of the schema a test URL points at, each bytea value also as its raw
    bytes: a value kept in clear in a bytea column would otherwise hide behind its hex spelling."""
    dsn = url.split("?", 1)[0]
    schema = first_search_path(url)
    dump = subprocess.run(
        [pg_dump_binary(), "--data-only", "--schema", schema, "--dbname", dsn],
        check=True,
        capture_output=True,
        timeout=120,
    ).stdout
    assert urlsplit(dsn).scheme.startswith("postgres") and b"COPY " in dump, "the dump holds the tables"
    return dump + b"\n".join(bytes.fromhex(m.group(1).decode()) for m in BYTEA.finditer(dump))


def at_rest(app, root: Path) -> dict[str, bytes]:
    """Each store's bytes at rest, by name: both databases (staff first, then public) and every
    file under the instance's object storage."""
    settings = app.config["PORTAL"]
    found = {}
    for name, url in (("staff", settings.database_url), ("public", settings.public_database_url)):
        if url.startswith("sqlite"):
            path = Path(urlsplit(url).path)
            # the database file and its write-ahead log, wherever SQLite has the rows now
            found[name] = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())
        else:
            found[name] = dumped(url)
    for path in (root / "instance" / "objects").rglob("*"):
        if path.is_file():
            found[str(path.relative_to(root))] = path.read_bytes()
    return found


def test_the_databases_and_raw_storage_hold_no_seeded_personal_data(seeded):
    app, root, texts, files = seeded
    with app.app_context(), database.connection_context():
        assert Folder.select().count() == 4 and Document.select().count() >= 5
        assert DocumentVersion.select().count() >= 6 and DailyReport.select().count() >= 3
        assert StoredObject.select().count() == len(files)
        bookings = Booking.select().count()
    sought = needles(texts)
    assert any("特記事項" in t for t in texts) and any(t.endswith(".pdf") for t in texts)
    assert len(sought) >= 10, sought
    on_disk = at_rest(app, root)
    assert len(on_disk) > len(files)
    # The control: sign-in addresses, folder names and library titles are kept in clear by
    # design, and the scan must see them; so are the public zone's venues.
    with app.app_context(), database.connection_context():
        titles = [d.title.encode() for d in Document.select()]
        folders = [f.name.encode() for f in Folder.select()]
    assert b"operator@example.jp" in on_disk["staff"] and "日報".encode() in on_disk["staff"]
    assert all(title in on_disk["staff"] for title in titles + folders)
    assert "架空".encode() in on_disk["public"]
    for where, data in on_disk.items():
        for needle in sought:
            assert needle not in data, f"{needle.decode()!r} is in clear in {where}"
        for file_data in files:
            for piece in pieces(file_data):
                assert piece not in data, f"a stored file's plaintext is in {where}"
        assert not data.startswith((b"%PDF", b"PK\x03\x04")), where
    print(f"searched {len(on_disk)} stores: {len(sought)} values, {len(files)} files, {bookings} bookings")


def test_an_anonymous_crawl_after_seeding_gets_only_the_404_page(seeded):
    app, _, texts, _ = seeded
    with app.app_context(), database.connection_context():
        ids = (
            Document.select().first().id,
            DocumentVersion.select().order_by(DocumentVersion.id.desc()).first().id,
            Folder.select().first().id,
        )
        days = [r.day.isoformat() for r in DailyReport.select()]
    anonymous = app.test_client()
    unknown = anonymous.get("/no-such-page")
    urls = [f"/daily-reports/{day}" for day in days]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in ("library", "daily_reports", "retention"):
            urls += sample_urls(app, rule, ids)
    assert len(urls) > 30
    for url in urls:
        for method, headers in (("GET", {}), ("GET", {"HX-Request": "true"}), ("HEAD", {}), ("POST", {})):
            response = anonymous.open(url, method=method, headers=headers)
            assert response.status_code == 404, url
            assert_staff_headers(response)
            assert response.data == (b"" if method == "HEAD" else unknown.data), (method, url)
    assert not any(text.encode() in unknown.data for text in texts if len(text) >= 3)


@pytest.fixture
def on_minio(minio_settings, monkeypatch) -> dict:
    """Instances made from here on store files in the test's bucket on the real S3 server."""
    for name, value in minio_settings.items():
        monkeypatch.setenv(f"PORTAL_{name}", value)
    return minio_settings


def test_the_minio_bucket_holds_no_seeded_plaintext(on_minio, seeded):
    """The same seeding against the real S3 server: every object in the bucket, read raw with the
    portal's own credentials, is ciphertext holding no seeded value and no piece of a stored file."""
    settings = on_minio
    app, _, texts, files = seeded
    backend = app.extensions["portal.objects"].backend
    client, bucket = backend.client, settings["MINIO_BUCKET"]
    names = [item.object_name for item in client.list_objects(bucket, recursive=True)]
    with app.app_context(), database.connection_context():
        assert len(names) == StoredObject.select().count() == len(files) > 0
    sought = needles(texts)
    for name in names:
        response = client.get_object(bucket, name)
        try:
            data = response.read()
        finally:
            response.close()
            response.release_conn()
        assert not any(needle in data for needle in sought), name
        assert not any(piece in data for file_data in files for piece in pieces(file_data)), name
