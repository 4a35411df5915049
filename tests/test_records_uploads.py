"""Attachments: hostile names and contents, the size limit, storage faults mid-upload, and downloads
that arrive intact with the headers that keep a browser from running them (D31–D35, E37–E38)."""

from __future__ import annotations

import hashlib
import io
import os
import re

import pytest

from portal import REQUEST_BODY_LIMIT, create_app
from portal.core.models import AuditEvent, ConsultationRecord, RecordAttachment, StoredObject
from portal.staff.records.files import name_of
from portal.staff.storage import stream_aead
from portal.staff.storage.filetypes import LEGACY, MACROS, NOT_ALLOWED, TOO_COMPLEX, TYPES
from portal.staff.storage.uploads import display_filename
from storage_backends.base import KEY_PATTERN
from tests.at_rest import assert_only_ciphertext
from tests.conftest import STORAGE_BACKENDS
from tests.files import (
    DOCX_TYPE,
    HTML,
    LEGACY_XLS,
    MULTIPART,
    PDF,
    PNG,
    SVG,
    XLSX_TYPE,
    docx,
    macro_workbook,
    multipart,
    pdf_of,
    workbook_bytes,
    zip_bomb,
)
from tests.hostile_names import INVALID, TRAVERSAL
from tests.records_world import build, signed_in_as, token, upload
from tests.storage.test_backends import disk_fills_up

LIMIT = 64 * 1024  # PORTAL_UPLOAD_MAX_BYTES, below the server's body limit


@pytest.fixture
def app(config, storage_settings):
    return create_app("staff", {**config, **storage_settings, "TESTING": True, "UPLOAD_MAX_BYTES": LIMIT})


@pytest.fixture
def world(app):
    return build(app)


@pytest.fixture
def author(app, world):
    return signed_in_as(app, world.accounts["author"])


def sent_like_a_browser(client, record_id: int, data: bytes, filename: str):
    """The file in a multipart body as browsers write it."""
    body = multipart(data, filename, {"csrf_token": token(client)})
    return client.post(f"/records/{record_id}/attachments", data=body, content_type=MULTIPART)


def stored_state(app) -> tuple:
    with app.app_context():
        backend = app.extensions["portal.objects"].backend
        return RecordAttachment.select().count(), StoredObject.select().count(), sorted(backend.list())


def newest(app) -> RecordAttachment:
    with app.app_context():
        return RecordAttachment.select().order_by(RecordAttachment.uploaded_at.desc()).first()


def names(app) -> list[str]:
    with app.app_context():
        return [name_of(a) for a in RecordAttachment.select().order_by(RecordAttachment.uploaded_at)]


@pytest.mark.parametrize(
    ("data", "name", "mimetype"),
    [
        (pdf_of(3 * 1024), "相談記録.pdf", "application/pdf"),
        (PNG, "写真.png", "image/png"),
        (workbook_bytes(), "相談記録.xlsx", XLSX_TYPE),
        (docx(), "議事録.docx", DOCX_TYPE),
    ],
    ids=["pdf", "png", "xlsx", "docx"],
)
@pytest.mark.parametrize("storage_settings", STORAGE_BACKENDS, indirect=True)
def test_a_download_arrives_intact_with_the_headers_that_keep_it_inert(
    app, world, author, data, name, mimetype
):
    claimed = author.post(
        f"/records/{world.record}/attachments",
        data={
            "csrf_token": token(author),
            "file": (io.BytesIO(data), name, "text/html"),
        },
        content_type="multipart/form-data",
    )
    assert claimed.status_code == 303
    attachment = newest(app)
    page = author.get(f"/records/{world.record}").text
    assert name in page
    response = author.get(f"/records/{world.record}/attachments/{attachment.id}")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert response.mimetype == mimetype, "the type decided from the bytes, never the uploader's claim"
    assert response.headers["Content-Length"] == str(len(data))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "filename*=UTF-8''" + name.encode().hex() not in disposition
    assert re.search(r"filename\*=UTF-8''%[0-9A-F]{2}", disposition)
    with app.app_context():
        stored = StoredObject.get_by_id(attachment.stored_id)
        assert KEY_PATTERN.fullmatch(stored.storage_key) and stored.sha256 == hashlib.sha256(data).hexdigest()
        with app.extensions["portal.objects"].backend.open(stored.storage_key) as stream:
            raw = stream.read()
        assert data[:64] not in raw and len(raw) == stream_aead.ciphertext_size(len(data))
        assert_only_ciphertext(app, data)
        assert name.encode() not in bytes(RecordAttachment.get_by_id(attachment.id).filename)
        events = AuditEvent.select().where(AuditEvent.object_id == str(attachment.id))
        assert [e.action for e in events.order_by(AuditEvent.seq)] == [
            "attachment.upload",
            "attachment.download",
        ]


def test_a_download_never_read_closes_the_object_it_opened(app, world, author, monkeypatch):
    """A HEAD request (or a client gone before the first byte) releases the file or connection."""
    assert upload(author, world.record, PDF, "図面.pdf").status_code == 303
    backend = app.extensions["portal.objects"].backend
    opened = []
    real_open = backend.open
    monkeypatch.setattr(backend, "open", lambda key: opened.append(real_open(key)) or opened[-1])
    url = f"/records/{world.record}/attachments/{newest(app).id}"
    for suffix in ("", "/preview"):
        with author.head(url + suffix) as response:
            assert response.status_code == 200 and response.data == b""
    assert len(opened) == 2 and all(stream.closed for stream in opened)


def test_previews_are_for_pdf_and_images_only_and_equally_gated(app, world, author):
    for data, name in ((PDF, "図面.pdf"), (PNG, "写真.png"), (workbook_bytes(), "表.xlsx")):
        assert upload(author, world.record, data, name).status_code == 303
    with app.app_context():
        rows = {a.extension: a.id for a in RecordAttachment.select()}
    for extension, data in (("pdf", PDF), ("png", PNG)):
        shown = author.get(f"/records/{world.record}/attachments/{rows[extension]}/preview")
        assert shown.status_code == 200 and shown.data == data
        assert shown.headers["Content-Disposition"].startswith("inline;")
        assert shown.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert author.get(f"/records/{world.record}/attachments/{rows['xlsx']}/preview").status_code == 404
    page = author.get(f"/records/{world.record}").text
    assert page.count("/preview") == 2
    operator = signed_in_as(app, world.accounts["operator"])
    assert operator.get(f"/records/{world.record}/attachments/{rows['pdf']}/preview").status_code == 404
    with app.app_context():
        previews = AuditEvent.select().where(AuditEvent.action == "attachment.preview")
        assert previews.where(AuditEvent.outcome == "ok").count() == 2 and previews.count() == 2
        refused = AuditEvent.select().where(
            AuditEvent.action == "request.denied", AuditEvent.object_id == str(rows["xlsx"])
        )
        assert refused.count() == 1


@pytest.mark.parametrize("name", TRAVERSAL)
def test_traversal_filenames_are_stored_under_a_server_key_and_shown_as_a_plain_name(
    app, world, author, name
):
    assert sent_like_a_browser(author, world.record, PDF, name).status_code == 303
    (shown,) = names(app)
    assert "/" not in shown and "\\" not in shown and not shown.startswith(".") and shown.endswith(".txt.pdf")
    assert "hax0rd" in shown
    with app.app_context():
        stored = StoredObject.get()
        assert KEY_PATTERN.fullmatch(stored.storage_key)
        assert app.extensions["portal.objects"].backend.exists(stored.storage_key)
    root = app.config["PORTAL"].storage_options("local")["path"]
    assert not any("hax0rd" in str(path) for path in root.rglob("*"))
    assert not (root.parent / "hax0rd.txt").exists() and not os.path.exists("/tmp/hax0rd.txt")


@pytest.mark.parametrize(("name", "shown"), INVALID.items(), ids=[repr(name) for name in INVALID])
def test_names_without_a_file_part_are_never_a_directory(app, world, author, name, shown):
    response = sent_like_a_browser(author, world.record, PDF, name)
    if shown is None:
        assert response.status_code == 200 and "ファイルを選んでください。" in response.text
        assert names(app) == []
    else:
        assert response.status_code == 303 and names(app) == [shown]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("相談記録.xlsx", "相談記録.xlsx"),
        ("見積\x00書.xlsx", "見積書.xlsx"),
        ("報告\r\nX-Injected: 1.xlsx", "報告%0D%0AX-Injected: 1.xlsx"),
        ("表\x1b[31m\x07.xlsx", "表[31m.xlsx"),
        ("invoice\u202excod.xlsx", "invoicexcod.xlsx"),
        ("report.exe", "report.exe.xlsx"),
        ("あ" * 300 + ".xlsx", "あ" * 115 + ".xlsx"),
    ],
    ids=["japanese", "nul", "crlf", "controls", "rtl-override", "wrong-extension", "300-characters"],
)
def test_hostile_names_are_neutralised_and_japanese_stays_readable(app, world, author, name, expected):
    response = sent_like_a_browser(author, world.record, workbook_bytes(), name)
    assert response.status_code == 303
    assert names(app) == [expected]
    attachment = newest(app)
    download = author.get(f"/records/{world.record}/attachments/{attachment.id}")
    disposition = download.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "X-Injected" not in download.headers
    assert download.headers["Content-Type"] == XLSX_TYPE


def test_a_raw_line_break_in_a_filename_ends_the_header_and_the_form_asks_for_a_file(app, world, author):
    before = stored_state(app)
    # The test client writes the name unescaped: the part's header ends at the CR LF.
    response = upload(author, world.record, workbook_bytes(), "報告\r\nX-Injected: 1.xlsx")
    assert response.status_code == 200 and "ファイルを選んでください。" in response.text
    assert "X-Injected" not in response.headers
    assert stored_state(app) == before


def test_display_names_keep_a_matching_extension():
    assert display_filename("photo.JPEG", TYPES["jpg"]) == "photo.jpg"
    assert display_filename("scan.PDF", TYPES["pdf"]) == "scan.pdf"
    assert display_filename("2026.06.01 相談", TYPES["pdf"]) == "2026.06.01 相談.pdf"
    assert display_filename(None, TYPES["png"]) == "添付ファイル.png"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (HTML, "請求書.pdf", NOT_ALLOWED),
        (SVG, "写真.png", NOT_ALLOWED),
        (b"%PDX-1.7 not really", "偽物.pdf", NOT_ALLOWED),
        (macro_workbook(), "集計.xlsx", MACROS),
        (macro_workbook(), "集計.xlsm", MACROS),
        (zip_bomb(), "爆弾.xlsx", TOO_COMPLEX),
        (LEGACY_XLS, "古い表.xls", LEGACY),
    ],
    ids=["html-as-pdf", "svg-as-png", "bad-magic", "macro-workbook", "xlsm", "zip-bomb", "legacy-office"],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_refused_contents_get_the_clear_message_and_the_form_again(
    app, world, author, data, name, message, htmx
):
    before = stored_state(app)
    response = upload(author, world.record, data, name, htmx=htmx)
    assert response.status_code == 200
    assert str(message) in response.text
    assert 'enctype="multipart/form-data"' in response.text and 'name="file"' in response.text
    assert ("<html" in response.text) is not htmx
    assert stored_state(app) == before
    with app.app_context():
        assert AuditEvent.select().where(AuditEvent.outcome == "refused-type").count() == 1


def test_a_request_without_a_file_is_asked_for_one(app, world, author):
    response = upload(author, world.record, b"", "")
    assert response.status_code == 200 and "ファイルを選んでください。" in response.text


def test_one_byte_over_the_limit_is_refused_and_nothing_is_kept(app, world, author):
    before = stored_state(app)
    too_large = upload(author, world.record, pdf_of(LIMIT + 1))
    assert too_large.status_code == 200 and "ファイルが大きすぎます（上限 64\u00a0KB）" in too_large.text
    over = sent_like_a_browser(author, world.record, pdf_of(REQUEST_BODY_LIMIT + 1), "大きな資料.pdf")
    assert over.status_code == 413
    assert stored_state(app) == before
    assert not list((app.config["PORTAL"].storage_options("local")["path"] / ".incoming").iterdir())
    assert upload(author, world.record, pdf_of(LIMIT - 1024)).status_code == 303
    other_form = author.post(f"/records/{world.record}/delete", data={"reason": "x" * (2 * 1024 * 1024)})
    assert other_form.status_code == 413, "only the upload view takes large bodies"


def test_the_author_soft_deletes_a_file_and_its_object_stays_until_retention(app, world, author):
    assert upload(author, world.record, PDF, "消す資料.pdf").status_code == 303
    attachment = newest(app)
    url = f"/records/{world.record}/attachments/{attachment.id}"
    removed = author.post(
        f"{url}/delete",
        data={"csrf_token": token(author), "confirmed": "yes"},
        headers={"HX-Request": "true"},
    )
    assert removed.status_code == 200 and "<html" not in removed.text and "消す資料.pdf" not in removed.text
    assert author.get(url).status_code == 404
    with app.app_context():
        row = RecordAttachment.get_by_id(attachment.id)
        assert row.deleted_at is not None and row.deleted_by_id == world.accounts["author"].id
        assert app.extensions["portal.objects"].backend.exists(row.stored.storage_key)


def test_a_record_deleted_while_its_file_was_stored_keeps_nothing(app, world, author, monkeypatch):
    import portal.staff.storage.uploads as files

    real = files.store_stream

    def store_then_the_record_is_deleted(stream, kind):
        stored = real(stream, kind)
        ConsultationRecord.update(deleted_at=ConsultationRecord.created_at).execute()
        return stored

    monkeypatch.setattr(files, "store_stream", store_then_the_record_is_deleted)
    before = stored_state(app)
    assert upload(author, world.record, PDF).status_code == 404
    assert stored_state(app) == before


def test_a_full_disk_mid_upload_leaves_no_row_and_no_object(app, world, author, monkeypatch):
    disk_fills_up(monkeypatch)
    before = stored_state(app)
    response = upload(
        author, world.record, pdf_of(LIMIT - 1024)
    )  # the header is written, then the disk is full
    monkeypatch.undo()
    assert response.status_code == 503 and "ファイルを保存できませんでした" in response.text
    assert stored_state(app) == before
    assert not list((app.config["PORTAL"].storage_options("local")["path"] / ".incoming").iterdir())
    with app.app_context():
        assert AuditEvent.select().where(AuditEvent.outcome == "storage-failed").count() == 1


def test_the_s3_server_dying_mid_upload_leaves_no_row_and_no_object(
    config, s3_server, minio_settings, monkeypatch
):
    import portal.staff.storage.transfer as transfer

    app = create_app("staff", {**config, **minio_settings, "TESTING": True})
    world = build(app)
    author = signed_in_as(app, world.accounts["author"])
    real = transfer.read_chunks

    def chunks_then_the_server_dies(stream):
        for number, chunk in enumerate(real(stream)):
            if number == 2:
                s3_server.stop()
            yield chunk

    monkeypatch.setattr(transfer, "read_chunks", chunks_then_the_server_dies)
    before = stored_state(app)
    try:
        response = sent_like_a_browser(author, world.record, pdf_of(4 * 1024 * 1024), "大きな資料.pdf")
    finally:
        s3_server.start()
    assert response.status_code == 503 and "ファイルを保存できませんでした" in response.text
    with app.app_context():
        backend = app.extensions["portal.objects"].backend
        backend.sweep(older_than=0)
        assert backend.client._list_multipart_uploads(backend.bucket).uploads == []
    assert stored_state(app) == before
