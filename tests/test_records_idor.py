"""Every record and attachment endpoint attacked by every role and organisation, and anonymously:
whoever may not reach an object gets exactly the unknown-URL 404, the attempt is audited, and
nothing is stored or changed (B9–B15, A1–A3 for attachment URLs, G51 for record pages)."""

from __future__ import annotations

import dataclasses
import itertools
import re
import uuid

import pytest

from portal.core.models import (
    AuditEvent,
    ConsultationRecord,
    RecordAttachment,
    RecordGrant,
    RecordVersion,
    StoredObject,
)
from tests.files import PDF, PNG
from tests.records_world import ROLES, build, signed_in_as, token, upload, with_file_and_grant
from tests.routes import object_routes, reached
from tests.test_gate import assert_staff_headers

# (method, path, who may reach it); {r} is consultant A's record, {a} a PDF on it, {g} a grant.
# Every records route whose URL names an object must be here (a test holds this to the url_map).
ENDPOINTS = [
    ("GET", "/records/{r}", {"author", "city"}),
    ("GET", "/records/{r}/edit", {"author"}),
    ("GET", "/records/{r}/versions/1", {"author", "city"}),
    ("GET", "/records/{r}/viewers", {"author", "city"}),
    ("GET", "/records/{r}/attachments/{a}", {"author", "city"}),
    ("GET", "/records/{r}/attachments/{a}/preview", {"author", "city"}),
    ("GET", "/records/new/{b}", {"author"}),
    ("POST", "/records/{r}/edit", {"author"}),
    ("POST", "/records/{r}/delete", {"author", "city"}),
    ("POST", "/records/{r}/grants", {"city"}),
    ("POST", "/records/{r}/grants/{g}/revoke", {"city"}),
    ("POST", "/records/{r}/attachments", {"author"}),
    ("POST", "/records/{r}/attachments/{a}/delete", {"author"}),
    ("POST", "/records/new/{b}", {"author"}),
]
DENIALS = ("permission", "refused", "missing", "anonymous")
MISSING = {"record": 999_999, "attachment": uuid.UUID(int=1), "grant": 999_998, "unwritten": 999_997}
TOKENS = re.compile(rb'(csrf-token" content="|name="csrf_token" value=")[^"]*')


def body(response) -> bytes:
    """The page without its form tokens (signed with a timestamp, so they change by the second)."""
    return TOKENS.sub(rb"\1", response.data)


@pytest.fixture
def world(staff_app):
    world = with_file_and_grant(staff_app, build(staff_app))
    with staff_app.app_context():
        revoked = RecordGrant.update(revoked_at=RecordGrant.granted_at).where(RecordGrant.id == world.grant)
        revoked.execute()  # a grant that was revoked: the outsider holds nothing now
    return world


def state(app) -> tuple:
    """Everything an attack might change."""
    with app.app_context():
        backend = app.extensions["portal.objects"].backend
        return (
            [
                (r.id, r.version, r.deleted_at)
                for r in ConsultationRecord.select().order_by(ConsultationRecord.id)
            ],
            RecordVersion.select().count(),
            [(g.id, g.revoked_at) for g in RecordGrant.select()],
            [(a.id, a.deleted_at) for a in RecordAttachment.select()],
            StoredObject.select().count(),
            sorted(backend.list()),
        )


def denials(app) -> int:
    with app.app_context():
        return AuditEvent.select().where(AuditEvent.outcome.in_(DENIALS)).count()


def url_of(path: str, world) -> str:
    return path.format(r=world.record, a=world.attachment, g=world.grant, b=world.unwritten)


def send(client, method: str, path: str, world, htmx: bool):
    url = url_of(path, world)
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "GET":
        return client.get(url, headers=headers)
    data = {
        "csrf_token": token(client) if client.get_cookie("madoguchi-staff") else "",
        "advice": "攻撃者の上書き",
        "base_version": "1",
        "reason": "攻撃者による削除",
        "grantee": world.accounts["colleague"].id,
        "file": (__import__("io").BytesIO(PNG), "forged.png"),
    }
    return client.post(url, data=data, headers=headers, content_type="multipart/form-data")


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_whoever_may_not_reach_an_object_gets_the_unknown_url_404(staff_app, world, role):
    client = staff_app.test_client() if role == "anonymous" else signed_in_as(staff_app, world.accounts[role])
    for (method, path, allowed), htmx in itertools.product(ENDPOINTS, (False, True)):
        if role in allowed:
            continue
        unknown = client.get("/records/no-such-page", headers={"HX-Request": "true"} if htmx else {})
        before, audited = state(staff_app), denials(staff_app)
        with send(client, method, path, world, htmx) as response:  # a file wrongly served is closed
            assert response.status_code == 404, (role, method, path)
            assert body(response) == body(unknown), (role, method, path)
            assert "HX-Redirect" not in response.headers
            assert_staff_headers(response)
        assert state(staff_app) == before, (role, method, path)
        assert denials(staff_app) == audited + 1, (role, method, path)
        missing = send(client, method, path, dataclasses.replace(world, **MISSING), htmx)
        assert (missing.status_code, body(missing)) == (404, body(response)), (role, method, path)


def test_every_records_route_that_names_an_object_is_attacked(staff_app, world):
    attacked = {reached(staff_app, method, url_of(path, world)) for method, path, _allowed in ENDPOINTS}
    assert attacked == object_routes(staff_app, "records"), "add the route to ENDPOINTS with who may reach it"


@pytest.mark.parametrize("role", ["author", "city"])
def test_those_entitled_reach_every_page_and_fragment(staff_app, world, role):
    client = signed_in_as(staff_app, world.accounts[role])
    for method, path, allowed in ENDPOINTS:
        if method == "GET" and role in allowed:
            for htmx in (False, True):
                response = send(client, method, path, world, htmx)
                assert response.status_code == 200 and response.data, (role, path)
                assert response.headers["Cache-Control"] == "no-store"
                response.close()


def test_walked_and_guessed_ids_are_indistinguishable_from_forbidden_ones(staff_app, world):
    colleague = signed_in_as(staff_app, world.accounts["colleague"])
    author = signed_in_as(staff_app, world.accounts["author"])
    reference = body(colleague.get("/records/no-such-page"))
    real, missing = world.record, 999_999
    for record_id in (real, missing, 0, real + 1, real + 2, real + 5):
        for suffix in ("", "/edit", "/versions/1", "/viewers", f"/attachments/{world.attachment}"):
            response = colleague.get(f"/records/{record_id}{suffix}")
            if record_id == world.other_record and suffix in ("", "/edit", "/versions/1", "/viewers"):
                assert response.status_code == 200, "B's own record"
                continue
            assert (response.status_code, body(response)) == (404, reference), (record_id, suffix)
    mine = body(author.get("/records/no-such-page"))
    for url in (
        f"/records/{world.record}/attachments/{uuid.uuid4()}",
        f"/records/{world.other_record}/attachments/{world.attachment}",  # A's file under B's record
        f"/records/{world.record}/versions/2",
        f"/records/{world.record}/versions/0",
    ):
        response = author.get(url)
        assert (response.status_code, body(response)) == (404, mine), url
    b_owns = colleague.get(f"/records/{world.other_record}/attachments/{world.attachment}")
    assert (b_owns.status_code, body(b_owns)) == (404, reference), "a file is reached only through its record"


def test_a_forged_record_id_in_an_upload_stores_nothing(staff_app, world):
    colleague = signed_in_as(staff_app, world.accounts["colleague"])
    before = state(staff_app)
    for htmx in (False, True):
        assert upload(colleague, world.record, PDF, htmx=htmx).status_code == 404
        assert upload(colleague, 999_999, PDF, htmx=htmx).status_code == 404
    assert state(staff_app) == before
    author = signed_in_as(staff_app, world.accounts["author"])
    response = upload(author, world.record, PDF, "正しい記録.pdf", record_id=world.other_record, owner_id=2)
    assert response.status_code == 303
    with staff_app.app_context():
        assert RecordAttachment.select().where(RecordAttachment.record == world.other_record).count() == 0
        assert RecordAttachment.select().where(RecordAttachment.record == world.record).count() == 2


def test_deleting_another_consultants_file_leaves_it_in_place(staff_app, world):
    for who in ("colleague", "outsider", "city", "operator"):
        client = signed_in_as(staff_app, world.accounts[who])
        response = client.post(
            f"/records/{world.record}/attachments/{world.attachment}/delete",
            data={"csrf_token": token(client)},
        )
        assert response.status_code == 404, who
    with staff_app.app_context():
        attachment = RecordAttachment.get_by_id(world.attachment)
        assert attachment.deleted_at is None
        assert staff_app.extensions["portal.objects"].backend.exists(attachment.stored.storage_key)


@pytest.mark.parametrize(
    "variant",
    [
        {"path": "/records/{r}/attachments/{a}"},
        {"path": "/records/{r}/attachments/{a}", "method": "HEAD"},
        {"path": "/records/{r}/attachments/{a}", "headers": {"Range": "bytes=0-99"}},
        {"path": "/records/{r}/attachments/{a}", "headers": {"HX-Request": "true"}},
        {"path": "/records/{r}/attachments/{a}/"},
        {"path": "/RECORDS/{r}/attachments/{a}"},
        {"path": "/records/{r}/attachments/{A}"},
        {"path": "/records/{r}/attachments/{a}/preview", "method": "HEAD"},
        {"path": "/records/{r}/attachments/"},
        {"path": "/records/{r}/attachments"},
        {"path": "/records/"},
        {"path": "/records/{r}/versions/"},
    ],
)
def test_anonymous_requests_for_a_real_file_get_the_unknown_url_404(staff_app, world, variant):
    client = staff_app.test_client()
    path = variant["path"].format(r=world.record, a=world.attachment, A=str(world.attachment).upper())
    method = variant.get("method", "GET")
    reference = client.open("/no-such-file", method=method)
    before = denials(staff_app)
    response = client.open(path, method=method, headers=variant.get("headers"))
    assert response.status_code == 404
    assert response.data == reference.data and PDF not in response.data
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    assert "Content-Disposition" not in response.headers
    assert denials(staff_app) == before + 1


def test_directory_like_record_urls_list_nothing_even_to_the_author(staff_app, world):
    author = signed_in_as(staff_app, world.accounts["author"])
    reference = body(author.get("/no-such-page"))
    for path in (
        "/records/",
        "/records/{r}/attachments",
        "/records/{r}/attachments/",
        "/records/{r}/versions",
    ):
        response = author.get(path.format(r=world.record))
        assert (response.status_code, body(response)) == (404, reference), path


def test_record_pages_are_never_cached_and_htmx_keeps_no_history(staff_app, world):
    author = signed_in_as(staff_app, world.accounts["author"])
    for path in (
        "/records",
        f"/records/{world.record}",
        f"/records/{world.record}/edit",
        f"/records/{world.record}/viewers",
    ):
        response = author.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert 'hx-history="false"' in response.text and '"historyCacheSize": 0' in response.text, path
    fragment = author.get(f"/records/{world.record}/viewers", headers={"HX-Request": "true"})
    assert fragment.headers["Cache-Control"] == "no-store" and "HX-Request" in fragment.headers["Vary"]
