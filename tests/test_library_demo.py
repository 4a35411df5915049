"""After `portal demo-seed`, the database file and the raw object storage hold none of the
seeded personal data in clear: every value that was sealed or encrypted while seeding (bookings'
names, phone numbers and emails, daily reports' text, filenames, second-factor seeds) and
pieces of every stored file are searched for in the bytes on disk."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.core.database import bind, database, stores_of
from portal.core.migrations import migrate
from portal.core.models import Booking, DailyReport, Document, DocumentVersion, Folder, StoredObject
from portal.core.security.sealing import Sealer
from portal.core.settings import load_settings
from portal.staff.keys import ensure_keys
from portal.staff.security.secrets_at_rest import SecretBox
from portal.staff.storage.objects import ObjectStore
from tests.test_gate import assert_staff_headers, sample_urls

PERSONAL = ("business_name", "business_kana", "contact_name", "contact_kana", "phone", "email", "address")


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    """A SQLite instance after `portal demo-seed`, with everything that was encrypted on the way."""
    config = {
        "INSTANCE_PATH": tmp_path / "instance",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "PUBLIC_DATABASE_URL": f"sqlite:///{tmp_path / 'public.db'}",
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


def pieces(data: bytes) -> list[bytes]:
    """Three 32-byte windows from inside a file: enough to recognise it, never a common header."""
    return [data[i : i + 32] for i in (len(data) // 4, len(data) // 2, 3 * len(data) // 4) if len(data) > 96]


def test_the_database_file_and_raw_storage_hold_no_seeded_personal_data(seeded):
    app, root, texts, files = seeded
    with app.app_context(), database.connection_context():
        assert Folder.select().count() == 4 and Document.select().count() >= 5
        assert DocumentVersion.select().count() >= 6 and DailyReport.select().count() >= 3
        assert StoredObject.select().count() == len(files)
        bookings = Booking.select().count()
    sought = needles(texts)
    assert any("特記事項" in t for t in texts) and any(t.endswith(".pdf") for t in texts)
    assert len(sought) >= 10, sought
    on_disk = {
        path: path.read_bytes()
        for path in [*root.glob("p*.db*"), *(root / "instance" / "objects").rglob("*")]
        if path.is_file()
    }
    assert {root / "portal.db", root / "public.db"} <= set(on_disk) and len(on_disk) > len(files)
    # The control: sign-in addresses are kept in clear by design, and the scan must see them
    # (in the database file or its write-ahead log, wherever SQLite has them now); so are venues.
    staff_files = b"".join(data for path, data in on_disk.items() if path.name.startswith("portal.db"))
    assert b"operator@example.jp" in staff_files and "日報".encode() in staff_files
    public_files = b"".join(data for path, data in on_disk.items() if path.name.startswith("public.db"))
    assert "架空".encode() in public_files
    for path, data in on_disk.items():
        for needle in sought:
            assert needle not in data, f"{needle.decode()!r} is in clear in {path.name}"
        for file_data in files:
            for piece in pieces(file_data):
                assert piece not in data, f"a stored file's plaintext is in {path.name}"
        assert not data.startswith((b"%PDF", b"PK\x03\x04")), path
    print(
        f"searched {len(on_disk)} files for {len(sought)} values and {len(files)} files ({bookings} bookings)"
    )


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


def test_the_minio_bucket_holds_no_seeded_plaintext(minio_settings, monkeypatch, request):
    """The same seeding against the real S3 server: every object in the bucket, read raw with the
    portal's own credentials, is ciphertext holding no seeded value and no piece of a stored file."""
    settings = minio_settings
    for name, value in settings.items():
        monkeypatch.setenv(f"PORTAL_{name}", value)
    app, _, texts, files = request.getfixturevalue("seeded")
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
