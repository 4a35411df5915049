"""Files sent in chunks through /uploads and taken by the library's form, as a browser's script and
an attacker would send them, on SQLite and PostgreSQL, on local storage and on S3."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from uuid import UUID

import pytest

from portal import UPLOAD_CHUNK, create_app
from portal.core.database import database
from portal.core.models import AuditEvent, ChunkedUpload, DocumentVersion, StaffSession, StoredObject, User
from portal.core.models.base import utcnow
from portal.staff.storage import chunked, stream_aead
from portal.staff.storage.filetypes import NOT_ALLOWED
from portal.staff.storage.successors import SUCCESSORS, Successors
from portal.staff.storage.uploads import STORAGE_FAILED
from storage_backends import BackendError
from storage_backends.local import LocalBackend
from tests.at_rest import assert_only_ciphertext
from tests.chunks import begin, documents_of, kept, pieces, send, send_file, submit_document, unfinished_parts
from tests.conftest import STORAGE_BACKENDS, csrf_from, make_account, sign_in
from tests.files import HTML, PDF
from tests.pages import without_tokens
from tests.test_library_uploads import city_writer

pytestmark = pytest.mark.parametrize("storage_settings", STORAGE_BACKENDS, indirect=True)
NOTHING = (0, 0, 0, 0)


def pdf_file(size: int) -> bytes:
    """A PDF of `size` random bytes (nothing in it repeats, so a misplaced chunk shows)."""
    return PDF + os.urandom(size - len(PDF))


SIZE = 2 * UPLOAD_CHUNK + 12345  # two whole chunks and a short last one


@pytest.fixture
def writer(staff_app):
    return city_writer(staff_app)


def newest_version(app) -> DocumentVersion:
    with app.app_context(), database.connection_context():
        return DocumentVersion.select().order_by(DocumentVersion.id.desc()).first()


def upload_row(app, upload_id: str) -> ChunkedUpload | None:
    with app.app_context(), database.connection_context():
        return ChunkedUpload.get_or_none(ChunkedUpload.id == UUID(upload_id))


def test_chunks_become_one_object_that_decrypts_byte_for_byte(staff_app, writer):
    client, token, folder, _ = writer
    data = pdf_file(SIZE)
    upload_id = send_file(client, token, documents_of(folder), data, "相談記録 2020年6月.pdf")
    assert upload_row(staff_app, upload_id).sha256 == hashlib.sha256(data).hexdigest(), "hashed on the way"
    assert_only_ciphertext(staff_app, data)
    response = submit_document(client, token, folder, upload_id, "分割して送った資料")
    assert response.status_code == 303, response.text
    version = newest_version(staff_app)
    download = client.get(f"/library/versions/{version.id}/download")
    assert download.data == data
    assert "filename*=UTF-8''%E7%9B%B8%E8%AB%87" in download.headers["Content-Disposition"]
    with staff_app.app_context(), database.connection_context():
        stored = StoredObject.get_by_id(version.stored_id)
        store = staff_app.extensions["portal.objects"]
        with store.backend.open(stored.storage_key) as stream:
            ciphertext = stream.read()
        with store.backend.open(stored.storage_key) as stream:
            plaintext = b"".join(stream_aead.decrypt(store.data_key(stored), stream))
        assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert store.verify(stored)
    assert plaintext == data, "the streaming reader opens it like any object"
    assert len(ciphertext) == stream_aead.ciphertext_size(len(data))
    assert kept(staff_app) == (0, 1, 1, 0), "the upload's row and parts are gone"
    assert_only_ciphertext(staff_app, data)


def test_a_chunk_out_of_place_is_refused_and_changes_nothing(staff_app, writer):
    """The chunk right after the one awaited waits a while for it first (a short while here)."""
    staff_app.extensions[SUCCESSORS] = Successors(wait=0.1)
    client, token, folder, _ = writer
    data = pdf_file(SIZE)
    started = begin(client, token, documents_of(folder), len(data))
    url = started.json["url"]
    (first, one), (second, two), (third, three) = pieces(data)
    ahead = send(client, token, url, second, two)
    assert (ahead.status_code, ahead.json["offset"], ahead.headers["Upload-Offset"]) == (409, 0, "0")
    assert send(client, token, url, first, one).status_code == 200
    again = send(client, token, url, first, one)
    assert (again.status_code, again.json["offset"]) == (409, UPLOAD_CHUNK), "a chunk counts once"
    for offset, piece in [(second, two[:-1]), (second, two + b"x"), (second + 1, two), (second, b"")]:
        refused = send(client, token, url, offset, piece)
        assert refused.status_code in (400, 409) and refused.json["offset"] == UPLOAD_CHUNK, (
            offset,
            len(piece),
        )
    for header in ("", "-1", "1e3", "０", "5242880.0"):
        response = client.patch(url, data=two, headers={"X-CSRFToken": token, "Upload-Offset": header})
        assert response.status_code == 400 and response.json["offset"] == UPLOAD_CHUNK
    assert send(client, token, url, second, two).status_code == 200
    assert send(client, token, url, third, three).json["offset"] == len(data)
    late = send(client, token, url, third, three)
    assert late.status_code == 409, "nothing more after the last chunk"
    assert submit_document(client, token, folder, started.json["upload"]).status_code == 303
    assert client.get(f"/library/versions/{newest_version(staff_app).id}/download").data == data


@pytest.mark.parametrize("where", ["this process", "another process"])
def test_the_next_chunk_sent_while_one_is_written_waits_for_it_and_both_are_kept(
    staff_app, writer, monkeypatch, config, storage_settings, where
):
    """A browser sends the next chunk before the answer for the one before (successors.py). It
    waits until that one is written, woken at once in the same process and at the next look at
    the database in another, and is then written after it. Refused at once, it would be a 409."""
    client, token, folder, _ = writer
    data = pdf_file(SIZE)
    started = begin(client, token, documents_of(folder), len(data)).json
    (first, one), (second, two), (third, three) = pieces(data)
    backend = staff_app.extensions["portal.objects"].backend
    writing, written, waiting = threading.Event(), threading.Event(), threading.Event()
    write_part = backend._write_part

    def first_part_held(key, handle, number, offset, parts):
        if number == 0:
            writing.set()
            assert written.wait(30)
        return write_part(key, handle, number, offset, parts)

    monkeypatch.setattr(backend, "_write_part", first_part_held)
    app = staff_app if where == "this process" else create_app("staff", {**config, **storage_settings})
    successors = app.extensions[SUCCESSORS]
    wait_for = successors.wait_for

    def seen_waiting(*args):
        waiting.set()
        wait_for(*args)

    monkeypatch.setattr(successors, "wait_for", seen_waiting)
    second_sender = app.test_client()
    second_sender.set_cookie("madoguchi-staff", client.get_cookie("madoguchi-staff").value)
    answers = {}

    def sent(name, sender, offset, piece):
        answer = lambda: answers.update({name: send(sender, token, started["url"], offset, piece)})  # noqa: E731
        return threading.Thread(target=answer)

    sending = [sent("first", client, first, one), sent("second", second_sender, second, two)]
    try:
        sending[0].start()
        assert writing.wait(30), "the first chunk is being written"
        sending[1].start()
        assert waiting.wait(30), "the second chunk waits"
    finally:
        written.set()
        for thread in sending:
            thread.join(30) if thread.ident else None
    assert [(answers[n].status_code, answers[n].json["offset"]) for n in ("first", "second")] == [
        (200, UPLOAD_CHUNK),
        (200, 2 * UPLOAD_CHUNK),
    ]
    assert send(client, token, started["url"], third, three).json["offset"] == len(data)
    if where == "this process":
        assert upload_row(staff_app, started["upload"]).sha256 == hashlib.sha256(data).hexdigest(), (
            "hashed as the chunks passed, in order"
        )
    assert submit_document(client, token, folder, started["upload"]).status_code == 303
    assert client.get(f"/library/versions/{newest_version(staff_app).id}/download").data == data


def test_a_chunk_that_could_never_be_taken_does_not_get_to_wait(staff_app, writer):
    """A waiting request holds one of the server's threads: a chunk of the wrong length at the
    next offset is refused at once, not after the wait (10 s)."""
    client, token, folder, _ = writer
    started = begin(client, token, documents_of(folder), SIZE).json
    asked = time.monotonic()
    refused = send(client, token, started["url"], UPLOAD_CHUNK, b"%PDF")
    assert refused.status_code == 400 and time.monotonic() - asked < 5


def test_two_processes_sending_the_same_chunk_write_it_once(staff_app, writer):
    """The second request read the upload before the first moved it on: the compare-and-set on
    the offset refuses it, and a request holding the upload keeps every other one out."""
    client, token, folder, _ = writer
    data = pdf_file(2 * UPLOAD_CHUNK)
    started = begin(client, token, documents_of(folder), len(data)).json
    as_read_by_the_slower_one = upload_row(staff_app, started["upload"])
    assert send(client, token, started["url"], 0, data[:UPLOAD_CHUNK]).status_code == 200
    with staff_app.test_request_context(), database.connection_context():
        with pytest.raises(chunked.Conflict):
            chunked.receive_chunk(as_read_by_the_slower_one, 0, io.BytesIO(data), UPLOAD_CHUNK)
        ChunkedUpload.update(busy_until=utcnow() + timedelta(minutes=1)).execute()
    held = send(client, token, started["url"], UPLOAD_CHUNK, data[UPLOAD_CHUNK:])
    assert (held.status_code, held.json["offset"]) == (409, UPLOAD_CHUNK), "another request holds it"
    with staff_app.app_context(), database.connection_context():
        ChunkedUpload.update(busy_until=utcnow() - timedelta(seconds=1)).execute()
    assert send(client, token, started["url"], UPLOAD_CHUNK, data[UPLOAD_CHUNK:]).status_code == 200
    assert submit_document(client, token, folder, started["upload"]).status_code == 303
    assert client.get(f"/library/versions/{newest_version(staff_app).id}/download").data == data


def test_an_upload_is_its_users_in_the_session_that_began_it_for_anyone_else_a_404(staff_app, writer):
    client, token, folder, account = writer
    data = pdf_file(UPLOAD_CHUNK + 10)
    started = begin(client, token, documents_of(folder), len(data))
    url, upload_id = started.json["url"], started.json["upload"]
    assert send(client, token, url, 0, data[:UPLOAD_CHUNK]).status_code == 200
    unknown = f"/uploads/{UUID(int=1)}"
    anonymous = staff_app.test_client()
    other_user = staff_app.test_client()
    sign_in(other_user, make_account(staff_app, "city", email="city-2@example.jp"))
    same_user_elsewhere = staff_app.test_client()
    sign_in(same_user_elsewhere, account)
    for stranger in (anonymous, other_user, same_user_elsewhere):
        page = stranger.get("/library/")
        their_token = csrf_from(page.text) if page.status_code == 200 else token
        reference = stranger.get(unknown)
        asked = stranger.get(started.json["status"])
        sent = send(stranger, their_token, url, UPLOAD_CHUNK, data[UPLOAD_CHUNK:])
        for response in (asked, sent):
            assert response.status_code == 404
            assert without_tokens(response.data) == without_tokens(reference.data)
            assert "offset" not in response.text
    assert send(client, token, url, UPLOAD_CHUNK, data[UPLOAD_CHUNK:]).status_code == 200
    for stranger in (other_user, same_user_elsewhere):
        their_token = csrf_from(stranger.get("/library/").text)
        taken = submit_document(stranger, their_token, folder, upload_id)
        assert taken.status_code == 404
        assert without_tokens(taken.data) == without_tokens(stranger.get(unknown).data)
    with staff_app.app_context(), database.connection_context():
        denied = AuditEvent.select().where(
            AuditEvent.action == "request.denied", AuditEvent.object_id == upload_id
        )
        assert {event.outcome for event in denied} == {"refused", "anonymous"}
    assert kept(staff_app)[0] == 1, "the upload is still its owner's"
    assert submit_document(client, token, folder, upload_id).status_code == 303


def test_an_upload_is_taken_only_by_the_form_it_was_begun_for(staff_app, writer):
    client, token, folder, _ = writer
    upload_id = send_file(client, token, documents_of(folder), pdf_file(UPLOAD_CHUNK + 1))
    assert submit_document(client, token, folder, upload_id).status_code == 303
    version = newest_version(staff_app)
    other_id = send_file(client, token, documents_of(folder), pdf_file(UPLOAD_CHUNK + 1))
    new_version = client.post(
        f"/library/documents/{version.document_id}/versions", data={"csrf_token": token, "file": other_id}
    )
    assert new_version.status_code == 404, "begun for a new document, not for a new version"
    assert kept(staff_app)[0] == 1


def test_an_upload_is_begun_only_for_an_upload_form_the_role_may_use(staff_app, writer):
    client, token, folder, _ = writer
    operator = staff_app.test_client()
    sign_in(operator, make_account(staff_app, "operator"))
    operator_token = csrf_from(operator.get("/library/").text)
    for who, its_token, target in [
        (client, token, "/records/1/attachments"),  # the city does not write records
        (client, token, f"/library/folders/{folder}"),  # a page, not a form that takes files
        (client, token, "/uploads/"),
        (client, token, "https://elsewhere.example/upload"),
        (client, token, ""),
        (operator, operator_token, "/daily-reports/2026-06-01/attachments/../../../records/1/attachments"),
    ]:
        response = begin(who, its_token, target, 1000)
        assert response.status_code == 404, target
    assert kept(staff_app) == NOTHING


def test_one_users_unfinished_uploads_stop_at_twice_the_largest_file(staff_app, writer):
    client, token, folder, account = writer
    limit = staff_app.config["PORTAL"].upload_max_bytes
    first = begin(client, token, documents_of(folder), limit)
    assert begin(client, token, documents_of(folder), limit).status_code == 201
    over = begin(client, token, documents_of(folder), 1)
    assert over.status_code == 413
    assert over.json["error"] == (
        "送信途中のファイルが合わせて 4\u00a0GB を超えるため、新しいファイルは送れません。"
        "送信中のファイルを送り終えてから送ってください（中断したファイルは 24 時間後に消えます）。"
    )
    assert kept(staff_app)[0::3] == (2, 2), "the refused upload left no row and no write in parts"
    with staff_app.app_context(), database.connection_context():
        refused = AuditEvent.select().where(AuditEvent.action == "upload.start", AuditEvent.outcome != "ok")
        assert [(event.outcome, event.actor_id) for event in refused] == [("refused-cap", account.id)]

    colleague = staff_app.test_client()
    assert (
        sign_in(colleague, make_account(staff_app, "city", email="colleague@city.example")).status_code == 303
    )
    their_token = csrf_from(colleague.get(f"/library/folders/{folder}").text)
    assert begin(colleague, their_token, documents_of(folder), limit).status_code == 201, "per user"

    with staff_app.app_context(), database.connection_context():
        chunked.discard(ChunkedUpload.get_by_id(UUID(first.json["upload"])))
    assert begin(client, token, documents_of(folder), limit).status_code == 201, "room again"


def test_two_uploads_begun_at_once_cannot_pass_the_cap_together(staff_app, writer, monkeypatch):
    """Both rows are written before either counts: at most one may stay, or the user holds more
    than the cap (a check before the write would let both through)."""
    client, token, folder, account = writer
    limit = staff_app.config["PORTAL"].upload_max_bytes
    assert begin(client, token, documents_of(folder), limit).status_code == 201
    both_written = threading.Barrier(2, timeout=10)
    counted = chunked._in_progress_bytes

    def after_both_rows(user):
        both_written.wait()
        return counted(user)

    monkeypatch.setattr(chunked, "_in_progress_bytes", after_both_rows)
    outcomes = []

    def start() -> None:
        with staff_app.app_context(), database.connection_context():
            user = User.get_by_id(account.id)
            session = StaffSession.select().where(StaffSession.user == user).first()
            try:
                chunked.begin(user, session, "library.upload", "相談記録.pdf", limit)
                outcomes.append("begun")
            except chunked.TooMuchInProgress:
                outcomes.append("refused")

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Whichever counts first refuses itself; the other then sees it either still there (refused
    # too) or already gone (begun, at the cap exactly).
    begun = outcomes.count("begun")
    assert sorted(outcomes) in (["begun", "refused"], ["refused", "refused"]), outcomes
    assert kept(staff_app)[0::3] == (1 + begun, 1 + begun), "what was refused left nothing"


def test_a_declared_size_over_the_limit_or_empty_is_refused_before_anything_is_written(staff_app, writer):
    client, token, folder, _ = writer
    limit = staff_app.config["PORTAL"].upload_max_bytes
    over = begin(client, token, documents_of(folder), limit + 1)
    assert over.status_code == 413 and "ファイルが大きすぎます" in over.json["error"]
    for size in ("0", "", "-5", "abc", "9" * 30):
        response = client.post(
            "/uploads/", data={"target": documents_of(folder), "size": size}, headers={"X-CSRFToken": token}
        )
        assert response.status_code == 400, size
    assert begin(client, token, documents_of(folder), limit).status_code == 201
    assert kept(staff_app)[1:3] == (0, 0)


def test_an_interrupted_upload_resumes_from_where_the_server_got_to_on_another_process(
    staff_app, writer, config, storage_settings
):
    client, token, folder, _ = writer
    data = pdf_file(SIZE)
    started = begin(client, token, documents_of(folder), len(data))
    url = started.json["url"]
    (first, one), rest = pieces(data)[0], pieces(data)[1:]
    assert send(client, token, url, first, one).status_code == 200
    # The network went down: the browser does not know whether its second chunk arrived.
    other_process = create_app("staff", {**config, **storage_settings, "TESTING": True})
    resumed = other_process.test_client()
    resumed.set_cookie("madoguchi-staff", client.get_cookie("madoguchi-staff").value)
    where = resumed.get(started.json["status"])
    assert (where.status_code, where.json["offset"], where.json["size"]) == (200, UPLOAD_CHUNK, len(data))
    for offset, piece in rest:
        assert send(resumed, token, url, offset, piece).status_code == 200
    assert upload_row(staff_app, started.json["upload"]).sha256 is None, "no one process saw it all"
    assert submit_document(client, token, folder, started.json["upload"]).status_code == 303
    version = newest_version(staff_app)
    assert resumed.get(f"/library/versions/{version.id}/download").data == data
    with staff_app.app_context(), database.connection_context():
        assert StoredObject.get_by_id(version.stored_id).sha256 == hashlib.sha256(data).hexdigest()


def test_a_refused_file_type_leaves_no_object_and_no_row(staff_app, writer):
    client, token, folder, _ = writer
    disguised = HTML + os.urandom(UPLOAD_CHUNK)
    upload_id = send_file(client, token, documents_of(folder), disguised, "請求書.pdf")
    assert kept(staff_app) == (1, 0, 1, 0), "the finished object waits for its form"
    response = submit_document(client, token, folder, upload_id, "請求書")
    assert response.status_code == 200 and str(NOT_ALLOWED) in response.text
    assert 'value="請求書"' in response.text, "the form keeps what was typed"
    assert kept(staff_app) == NOTHING
    again = submit_document(client, token, folder, upload_id, "請求書")
    assert again.status_code == 404, "a discarded upload is gone for good"


def test_a_form_that_comes_back_keeps_the_file_sent_in_chunks(staff_app, writer):
    client, token, folder, _ = writer
    data = pdf_file(UPLOAD_CHUNK + 1)
    upload_id = send_file(client, token, documents_of(folder), data, "資料.pdf")
    untitled = submit_document(client, token, folder, upload_id, title="")
    assert untitled.status_code == 200 and "タイトルを入力してください" in untitled.text
    assert f'value="{upload_id}"' in untitled.text and "資料.pdf" in untitled.text
    assert submit_document(client, token, folder, upload_id, "資料").status_code == 303
    assert kept(staff_app) == (0, 1, 1, 0)


def test_an_unfinished_upload_is_not_taken(staff_app, writer):
    client, token, folder, _ = writer
    data = pdf_file(UPLOAD_CHUNK + 1)
    started = begin(client, token, documents_of(folder), len(data))
    send(client, token, started.json["url"], 0, data[:UPLOAD_CHUNK])
    response = submit_document(client, token, folder, started.json["upload"])
    assert response.status_code == 200 and "最後まで送れていません" in response.text
    assert kept(staff_app)[:2] == (1, 0)


BACKEND_CALLS = {"complete": "_complete_parts", "read": "_read_range"}


def fault(monkeypatch, app, what: str) -> Callable[[], None]:
    """The backend fails to `complete` an object or to `read` one until the returned function is
    called."""
    backend = app.extensions["portal.objects"].backend
    real = getattr(backend, BACKEND_CALLS[what])

    def refused(*args, **kwargs):
        raise BackendError(f"the storage failed ({what})")

    monkeypatch.setattr(backend, BACKEND_CALLS[what], refused)
    return lambda: monkeypatch.setattr(backend, BACKEND_CALLS[what], real)


@contextmanager
def storage_failing_midway(app, monkeypatch, s3_server) -> Iterator[None]:
    """While the block runs, a local disk fills up halfway through writing a part, or the S3
    server is down."""
    backend = app.extensions["portal.objects"].backend
    if isinstance(backend, LocalBackend):
        real = os.pwritev

        def half_then_full(fd, buffers, offset):
            real(fd, [buffers[0][: len(buffers[0]) // 2]], offset)
            raise OSError(errno.ENOSPC, "No space left on device")

        with monkeypatch.context() as patch:
            patch.setattr(os, "pwritev", half_then_full)
            yield
        return
    s3_server.stop()
    try:
        yield
    finally:
        s3_server.start()


def test_a_storage_fault_mid_upload_leaves_nothing_half_written_and_the_upload_resumes(
    staff_app, writer, monkeypatch, request
):
    client, token, folder, _ = writer
    data = pdf_file(SIZE)
    started = begin(client, token, documents_of(folder), len(data))
    url, upload_id = started.json["url"], started.json["upload"]
    (first, one), (second, two), (third, three) = pieces(data)
    assert send(client, token, url, first, one).status_code == 200
    s3 = (
        request.getfixturevalue("s3_server")
        if staff_app.config["PORTAL"].storage_backend == "minio"
        else None
    )
    with storage_failing_midway(staff_app, monkeypatch, s3):
        failed = send(client, token, url, second, two)
    assert failed.status_code == 503 and failed.json["error"] == str(STORAGE_FAILED)
    assert failed.json["offset"] == UPLOAD_CHUNK, "the server still waits for the second chunk"
    key = upload_row(staff_app, upload_id).storage_key
    assert not staff_app.extensions["portal.objects"].backend.exists(key), "no object, not even half of one"
    assert kept(staff_app)[1:3] == (0, 0)
    assert send(client, token, url, second, two).status_code == 200, "sent again once storage is back"
    undo = fault(monkeypatch, staff_app, "complete")
    unfinished = send(client, token, url, third, three)
    assert unfinished.status_code == 503 and unfinished.json["offset"] == 2 * UPLOAD_CHUNK
    assert not staff_app.extensions["portal.objects"].backend.exists(key)
    undo()
    assert send(client, token, url, third, three).status_code == 200
    assert submit_document(client, token, folder, upload_id).status_code == 303
    assert client.get(f"/library/versions/{newest_version(staff_app).id}/download").data == data
    assert kept(staff_app) == (0, 1, 1, 0)


def test_a_storage_fault_when_the_form_takes_the_file_keeps_nothing(staff_app, writer, monkeypatch):
    client, token, folder, _ = writer
    upload_id = send_file(client, token, documents_of(folder), pdf_file(UPLOAD_CHUNK + 1))
    fault(monkeypatch, staff_app, "read")
    response = submit_document(client, token, folder, upload_id, "読めない資料")
    assert response.status_code == 503 and str(STORAGE_FAILED) in response.text
    assert kept(staff_app) == NOTHING


def test_the_sweep_removes_abandoned_uploads_and_leaves_active_ones(staff_app, writer, portal_cli):
    client, token, folder, _ = writer
    data = pdf_file(UPLOAD_CHUNK + 1)
    half_sent = begin(client, token, documents_of(folder), len(data)).json
    send(client, token, half_sent["url"], 0, data[:UPLOAD_CHUNK])
    never_taken = send_file(client, token, documents_of(folder), data)
    active = begin(client, token, documents_of(folder), len(data)).json
    send(client, token, active["url"], 0, data[:UPLOAD_CHUNK])
    assert kept(staff_app) == (3, 0, 1, 2)
    hours = staff_app.config["PORTAL"].upload_abandon_hours
    with staff_app.app_context(), database.connection_context():
        ChunkedUpload.update(updated_at=utcnow() - timedelta(hours=hours, minutes=1)).where(
            ChunkedUpload.id.in_([UUID(half_sent["upload"]), UUID(never_taken)])
        ).execute()
        ChunkedUpload.update(updated_at=utcnow() - timedelta(hours=hours, minutes=-5)).where(
            ChunkedUpload.id == UUID(active["upload"])
        ).execute()
    result = portal_cli("retention", "purge")
    assert result.exit_code == 0, result.output
    assert "2 abandoned uploads removed" in result.output
    assert kept(staff_app) == (1, 0, 0, 1), "only the active upload and its part are left"
    with staff_app.app_context(), database.connection_context():
        swept = AuditEvent.select().where(AuditEvent.action == "upload.abandoned")
        assert {event.object_id for event in swept} == {half_sent["upload"], never_taken}
    assert send(client, token, active["url"], UPLOAD_CHUNK, data[UPLOAD_CHUNK:]).status_code == 200
    assert submit_document(client, token, folder, active["upload"]).status_code == 303
    assert portal_cli("retention", "purge").output.count("0 abandoned uploads removed") == 1


def test_the_storage_sweep_leaves_uploads_in_progress_however_old(staff_app, writer, portal_cli):
    client, token, folder, _ = writer
    data = pdf_file(UPLOAD_CHUNK + 1)
    started = begin(client, token, documents_of(folder), len(data)).json
    send(client, token, started["url"], 0, data[:UPLOAD_CHUNK])
    backend = staff_app.extensions["portal.objects"].backend
    with staff_app.app_context(), database.connection_context():
        from portal.staff.storage.chunked import unfinished_writes

        assert backend.sweep(older_than=0, keep=unfinished_writes()) == 0
    assert unfinished_parts(staff_app) == 1
    assert send(client, token, started["url"], UPLOAD_CHUNK, data[UPLOAD_CHUNK:]).status_code == 200
    assert submit_document(client, token, folder, started["upload"]).status_code == 303
    assert backend.sweep(older_than=0) == 0 and kept(staff_app) == (0, 1, 1, 0)


def test_key_rotation_rewraps_an_upload_in_progress_and_its_key_cannot_be_retired_before(
    staff_app, writer, portal_cli
):
    client, token, folder, _ = writer
    data = pdf_file(UPLOAD_CHUNK + 1)
    started = begin(client, token, documents_of(folder), len(data)).json
    send(client, token, started["url"], 0, data[:UPLOAD_CHUNK])
    assert upload_row(staff_app, started["upload"]).kek_id == "0001"
    refused = portal_cli("keys", "retire", "0001")
    assert refused.exit_code == 1
    assert portal_cli("keys", "rotate").exit_code == 0
    assert upload_row(staff_app, started["upload"]).kek_id == "0002"
    assert portal_cli("keys", "retire", "0001").exit_code == 0
    assert send(client, token, started["url"], UPLOAD_CHUNK, data[UPLOAD_CHUNK:]).status_code == 200
    assert submit_document(client, token, folder, started["upload"]).status_code == 303
    assert client.get(f"/library/versions/{newest_version(staff_app).id}/download").data == data
