"""Hostile uploads and downloads in the library (D31–D35), storage faults mid-upload (E37–E38),
and document URLs as an anonymous crawler or a walker of ids would try them (A1–A3)."""

from __future__ import annotations

import errno
import io
import re

import pytest

from portal import REQUEST_BODY_LIMIT, create_app
from portal.core.database import database
from portal.core.models import AuditEvent, Document, DocumentVersion, StoredObject, User
from portal.staff.library.store import filename_of
from portal.staff.storage.filetypes import DAMAGED, MACROS, NOT_ALLOWED, TOO_COMPLEX
from storage_backends.base import KEY_PATTERN
from tests.at_rest import assert_only_ciphertext
from tests.conftest import STORAGE_BACKENDS, csrf_from, make_account, sign_in
from tests.files import (
    HTML,
    MULTIPART,
    SVG,
    XLSX_TYPE,
    around_file,
    damaged,
    macro_workbook,
    multipart,
    pdf_of,
    workbook_bytes,
    zip_bomb,
)
from tests.hostile_names import INVALID, TRAVERSAL
from tests.library_support import PDF, counts, first_version, make_document, make_folder

CONTROL_NAMES = [
    "a\x00b.pdf",
    "report\r\nContent-Type: text/html\r\n\r\n<script>.pdf",
    "\x1b[31mred\x7f.pdf",
    "invoice\u202efdp.exe",
    "\ttab\x0b.pdf",
]
XLSX = workbook_bytes()


def city_writer(app):
    """A signed-in city user, a folder of the city's own, and the form token."""
    account = make_account(app, "city")
    client = app.test_client()
    assert sign_in(client, account).status_code == 303
    with app.app_context():
        folder = make_folder(app, User.get_by_id(account.id).organisation_id)
    return client, csrf_from(client.get(f"/library/folders/{folder}").text), folder, account


@pytest.fixture
def writer(staff_app):
    return city_writer(staff_app)


def post_file(client, token, folder, data: bytes, name: str, mimetype: str = "application/pdf", **options):
    """Upload a document as a browser does (options: see `around_file`)."""
    body = multipart(data, name, {"csrf_token": token, "title": "添付"}, mimetype=mimetype, **options)
    return client.post(f"/library/folders/{folder}/documents", data=body, content_type=MULTIPART)


def stored_version(app) -> DocumentVersion:
    with app.app_context(), database.connection_context():
        return DocumentVersion.select().order_by(DocumentVersion.id.desc()).first()


@pytest.mark.parametrize("name", TRAVERSAL + CONTROL_NAMES)
def test_hostile_filenames_never_reach_a_path_and_leave_a_clean_display_name(staff_app, writer, name):
    client, token, folder, _ = writer
    response = post_file(client, token, folder, PDF, name, encoded_name=True)  # CR, LF and all arrive
    assert response.status_code == 303
    version = stored_version(staff_app)
    with staff_app.app_context(), database.connection_context():
        stored = StoredObject.get_by_id(version.stored_id)
        shown = filename_of(version)
    assert KEY_PATTERN.fullmatch(stored.storage_key) and "hax0rd" not in stored.storage_key
    assert "/" not in shown and "\\" not in shown and not shown.startswith(".")
    assert not any(ord(c) < 0x20 or c in "\x7f\u202e" for c in shown)
    assert shown.endswith(".pdf") and len(shown) <= 120
    download = client.get(f"/library/versions/{version.id}/download")
    assert download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ") and "\r" not in disposition and "\n" not in disposition
    assert "/" not in disposition.split("filename*=")[0] and "%2F" not in disposition


@pytest.mark.parametrize(("name", "shown"), INVALID.items(), ids=[repr(name) for name in INVALID])
def test_names_that_are_only_a_directory_get_a_plain_name_or_ask_for_a_file(staff_app, writer, name, shown):
    client, token, folder, _ = writer
    response = post_file(client, token, folder, PDF, name)
    if shown is None:
        assert response.status_code == 200 and "ファイルを選んでください" in response.text
        assert counts(staff_app)[2] == 0
    else:
        assert response.status_code == 303
        with staff_app.app_context(), database.connection_context():
            assert filename_of(stored_version(staff_app)) == shown


def test_japanese_names_stay_readable_and_long_names_are_cut_keeping_the_type(staff_app, writer):
    client, token, folder, _ = writer
    assert post_file(client, token, folder, XLSX, "相談記録.xlsx").status_code == 303
    download = client.get(f"/library/versions/{stored_version(staff_app).id}/download")
    assert (
        "filename*=UTF-8''%E7%9B%B8%E8%AB%87%E8%A8%98%E9%8C%B2.xlsx"
        in download.headers["Content-Disposition"]
    )
    assert download.mimetype == XLSX_TYPE
    assert post_file(client, token, folder, XLSX, "あ" * 300 + ".xlsx").status_code == 303
    with staff_app.app_context(), database.connection_context():
        shown = filename_of(stored_version(staff_app))
    assert shown == "あ" * 115 + ".xlsx"


@pytest.mark.parametrize(
    ("data", "name", "mimetype", "message"),
    [
        (HTML, "report.pdf", "application/pdf", NOT_ALLOWED),
        (SVG, "chart.pdf", "application/pdf", NOT_ALLOWED),
        (b"<svg onload=alert(1)>", "photo.png", "image/png", NOT_ALLOWED),
        (macro_workbook(), "集計.xlsx", "application/vnd.ms-excel.sheet.macroEnabled.12", MACROS),
        (zip_bomb(), "集計.xlsx", "application/octet-stream", TOO_COMPLEX),
        (b"", "empty.pdf", "application/pdf", NOT_ALLOWED),
        (damaged("bad-crc"), "集計.xlsx", "application/octet-stream", DAMAGED),
        (damaged("truncated"), "集計.xlsx", "application/octet-stream", DAMAGED),
    ],
    ids=[
        "html-as-pdf",
        "svg-as-pdf",
        "svg-as-png",
        "macro-workbook",
        "zip-bomb",
        "empty",
        "bad-crc",
        "truncated",
    ],
)
def test_disguised_and_dangerous_files_are_refused_with_a_clear_message(
    staff_app, writer, data, name, mimetype, message
):
    client, token, folder, _ = writer
    before = counts(staff_app)
    response = post_file(client, token, folder, data, name, mimetype)
    assert response.status_code == 200
    assert str(message) in response.text and 'value="添付"' in response.text, "the form keeps the title"
    assert counts(staff_app) == before


@pytest.mark.parametrize("storage_settings", STORAGE_BACKENDS, indirect=True)
def test_the_served_type_comes_from_the_content_never_from_the_uploader(staff_app, writer):
    client, token, folder, _ = writer
    assert post_file(client, token, folder, PDF, "page.html", "text/html").status_code == 303
    download = client.get(f"/library/versions/{stored_version(staff_app).id}/download")
    assert download.status_code == 200 and download.data == PDF
    assert_only_ciphertext(staff_app, PDF)
    assert download.mimetype == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    assert download.headers["Content-Disposition"].startswith('attachment; filename="page.html.pdf"')
    assert download.headers["Content-Length"] == str(len(PDF))


class Untouched(io.RawIOBase):
    """A request body of `size` bytes that records whether anyone read it (the test client seeks
    to its end to learn the Content-Length)."""

    def __init__(self, size: int) -> None:
        self.size, self.position, self.reads = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = self.size + offset if whence == 2 else offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        self.reads += 1
        buffer[:1] = b"x"
        return 1


def test_one_byte_over_the_limit_is_413_before_the_body_is_read_and_nothing_is_kept(config):
    app = create_app("staff", {**config, "TESTING": True})
    client, token, folder, _ = city_writer(app)
    body = Untouched(REQUEST_BODY_LIMIT + 1)
    response = client.post(
        f"/library/folders/{folder}/documents",
        input_stream=body,
        content_type=MULTIPART,
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 413 and body.reads == 0
    assert counts(app) == (0, 0, 0, 0, 0, 0)
    head, tail = around_file("ok.pdf", {"csrf_token": token, "title": "添付"}, "application/pdf")
    at_the_limit = pdf_of(REQUEST_BODY_LIMIT - len(head) - len(tail))
    assert post_file(client, token, folder, at_the_limit, "ok.pdf").status_code == 303
    assert counts(app)[2] == 1


def test_a_disk_full_during_the_write_leaves_no_row_no_object_and_no_temporary_file(
    staff_app, writer, monkeypatch
):
    client, token, folder, _ = writer

    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("storage_backends.local.os.fsync", full)
    response = post_file(client, token, folder, PDF, "a.pdf")
    assert response.status_code == 503 and "ファイルを保存できませんでした" in response.text
    assert counts(staff_app) == (0, 0, 0, 0, 0, 0)
    store = staff_app.extensions["portal.objects"]
    assert list((store.backend.root / ".incoming").iterdir()) == []


def test_a_failure_writing_the_rows_destroys_the_stored_object(staff_app, writer, monkeypatch):
    client, token, folder, _ = writer

    def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(DocumentVersion, "create", broken)
    with pytest.raises(RuntimeError):
        post_file(client, token, folder, PDF, "a.pdf")
    assert counts(staff_app) == (0, 0, 0, 0, 0, 0)


def test_the_s3_server_dying_mid_upload_leaves_no_row_and_no_object(
    s3_server, minio_settings, config, monkeypatch
):
    app = create_app("staff", {**config, **minio_settings, "TESTING": True})
    client, token, folder, _ = city_writer(app)
    backend = app.extensions["portal.objects"].backend
    put = backend.put

    def dies_midway(key, chunks):
        def then_stop():
            sent = 0
            for chunk in chunks:
                yield chunk
                sent += len(chunk)
                if sent > 1024 * 1024:
                    s3_server.stop()

        return put(key, then_stop())

    monkeypatch.setattr(backend, "put", dies_midway)
    try:
        response = post_file(client, token, folder, pdf_of(4 * 1024 * 1024), "大きな資料.pdf")
        assert response.status_code == 503 and "ファイルを保存できませんでした" in response.text
        with app.app_context(), database.connection_context():
            assert StoredObject.select().count() == 0 and Document.select().count() == 0
    finally:
        s3_server.start()
    backend.sweep(older_than=0)
    assert list(backend.list()) == []
    assert backend.client._list_multipart_uploads(backend.bucket).uploads == []


@pytest.fixture
def published(staff_app, writer):
    """A real document and its version id, uploaded by the city."""
    _, _, folder, account = writer
    document = make_document(staff_app, folder, account.id)
    return document, first_version(staff_app, document)


def test_anonymous_requests_for_a_real_file_get_the_unknown_url_404_and_are_audited(staff_app, published):
    _, version = published
    anonymous = staff_app.test_client()
    reference = anonymous.get(f"/library/versions/{version + 1000}/download")
    for method in ("GET", "HEAD"):
        for headers in ({}, {"Range": "bytes=0-99"}, {"HX-Request": "true"}, {"Range": "bytes=-10"}):
            response = anonymous.open(f"/library/versions/{version}/download", method=method, headers=headers)
            assert response.status_code == 404
            assert response.data == (b"" if method == "HEAD" else reference.data)
            assert response.headers["X-Robots-Tag"] == "noindex, nofollow, noarchive"
            assert "Content-Disposition" not in response.headers
    with staff_app.app_context(), database.connection_context():
        event = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
    assert (event.action, event.outcome, event.object_id) == ("request.denied", "anonymous", str(version))


@pytest.mark.parametrize("signed", [False, True])
def test_url_variants_and_directory_urls_list_nothing(staff_app, published, writer, signed):
    document, version = published
    client = writer[0] if signed else staff_app.test_client()
    variants = [
        f"/library/versions/{version}/download/",
        f"/LIBRARY/versions/{version}/download",
        f"/library/Versions/{version}/download",
        f"/library/versions/{version}/DOWNLOAD",
        f"/library/versions/{version}",
        "/library/versions/",
        "/library/versions",
        "/library/documents/",
        "/library/folders/",
        f"/library/documents/{document}/versions",
        "/library/files/",
        "/objects/",
        "/instance/objects/",
    ]
    for url in variants:
        response = client.get(url, headers={"Range": "bytes=0-10"})
        assert response.status_code == 404, url
        assert PDF[:8] not in response.data and b"Index of" not in response.data
    if signed:
        listing = client.get("/library/")
        assert listing.status_code == 200 and not re.search(rb"[0-9a-f]{2}/[0-9a-f]{38}", listing.data)
