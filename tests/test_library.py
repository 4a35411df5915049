"""The document library as each role and organisation would use or attack it: reading, writing
and managing folders by ownership and grants, and every refusal the same audited 404 (B9–B16)."""

from __future__ import annotations

import io

import pytest

from portal.core.database import database
from portal.core.models import AuditEvent, Document, DocumentVersion, FolderGrant
from portal.staff.audit.keys import audit_keys
from portal.staff.audit.verify import verify
from tests.conftest import csrf_from
from tests.library_support import (
    PDF,
    counts,
    first_version,
    folders_of,
    last_event,
    make_document,
    make_folder,
)
from tests.pages import without_tokens
from tests.routes import object_routes, reached

NAMES = ("city", "consultant", "consultant2", "operator", "admin")


@pytest.fixture
def shelves(cast):
    """Three folders: the city's own, the operator's shared by organisation, the city's shared by role.

    Expected access: read, write and manage, by name.
    """
    app = cast.app
    city_only = make_folder(app, cast.org("city"), name="市のみ")
    by_org = make_folder(
        app,
        cast.org("operator"),
        "city-reports",
        ({"organisation": cast.org("consultant"), "access": "read"},),
    )
    by_role = make_folder(app, cast.org("city"), "notices", ({"role": "operator", "access": "write"},))
    documents = {
        city_only: make_document(app, city_only, cast.accounts["city"].id, "市の内部文書"),
        by_org: make_document(app, by_org, cast.accounts["operator"].id, "運営報告"),
        by_role: make_document(app, by_role, cast.accounts["city"].id, "お知らせ文書"),
    }
    access = {
        city_only: ({"city"}, {"city"}, {"city", "admin"}),
        by_org: ({"operator", "consultant"}, {"operator"}, {"operator", "admin"}),
        by_role: ({"city", "operator"}, {"city", "operator"}, {"city", "admin"}),
    }
    return documents, access


def requests_for(folder: int, document: int, version: int, grant: int | None, token: str):
    """(name, kind, method, url, data) for every library endpoint on one folder, document and grant.

    Permitted POSTs carry an incomplete form, so they answer 200 with a message and change nothing;
    a permitted revocation would change who may read, so it is not sent (test_grants_are_managed_…
    revokes for real). A folder without a grant has no revocation to attempt.
    """
    form = {"csrf_token": token}
    revoke = [] if grant is None else [("revoke", "manage", "POST", f"/library/grants/{grant}/revoke", form)]
    return [
        ("folder", "read", "GET", f"/library/folders/{folder}", None),
        ("document", "read", "GET", f"/library/documents/{document}", None),
        ("download", "read", "GET", f"/library/versions/{version}/download", None),
        ("seen", "write", "GET", f"/library/documents/{document}/seen", None),
        ("upload", "write", "POST", f"/library/folders/{folder}/documents", form),
        ("version", "write", "POST", f"/library/documents/{document}/versions", form),
        ("move", "write", "POST", f"/library/documents/{document}/move", form),
        ("delete", "write", "POST", f"/library/documents/{document}/delete", form),
        ("grants", "manage", "GET", f"/library/folders/{folder}/grants", None),
        ("grant", "manage", "POST", f"/library/folders/{folder}/grants", form),
        *revoke,
    ]


def active_grant(app, folder: int) -> int | None:
    with app.app_context(), database.connection_context():
        grant = FolderGrant.get_or_none(FolderGrant.folder == folder, FolderGrant.revoked_at.is_null())
        return grant.id if grant else None


@pytest.mark.parametrize("htmx", [False, True])
def test_every_role_and_organisation_gets_exactly_its_access_and_refusals_look_unknown(cast, shelves, htmx):
    documents, access = shelves
    app = cast.app
    before = counts(app)
    checked = 0
    for name in NAMES:
        client, token = cast.clients[name], cast.tokens[name]
        headers = {"HX-Request": "true"} if htmx else {}
        headers["X-CSRFToken"] = token
        for folder, document in documents.items():
            allowed = dict(zip(("read", "write", "manage"), access[folder], strict=True))
            version, grant = first_version(app, document), active_grant(app, folder)
            missing = requests_for(999999, 999998, 999997, None if grant is None else 999996, token)
            for (label, kind, method, url, data), unknown in zip(
                requests_for(folder, document, version, grant, token), missing, strict=True
            ):
                if name in allowed[kind]:
                    if label != "revoke":
                        response = client.open(url, method=method, data=data, headers=headers)
                        assert response.status_code == 200, (name, label, folder)
                    continue
                response = client.open(url, method=method, data=data, headers=headers)
                event = last_event(app)
                assert (event.action, event.outcome) == ("request.denied", "refused"), (name, label)
                reference = client.open(unknown[3], method=method, data=data, headers=headers)
                assert response.status_code == reference.status_code == 404, (name, label, folder)
                assert without_tokens(response.data) == without_tokens(reference.data), (name, label)
                assert "Content-Disposition" not in response.headers and PDF[:20] not in response.data
                checked += 1
    assert checked > 40
    assert counts(app) == before


def test_every_library_route_that_names_an_object_is_attacked(cast, shelves):
    documents, _ = shelves
    attacked = {
        reached(cast.app, method, url)
        for folder, document in documents.items()
        for _label, _kind, method, url, _data in requests_for(
            folder, document, first_version(cast.app, document), active_grant(cast.app, folder), ""
        )
    }
    assert attacked == object_routes(cast.app, "library"), "add the route to requests_for with who may use it"


def test_forged_folder_and_document_ids_in_real_uploads_are_404_and_store_nothing(cast, shelves):
    documents, access = shelves
    app = cast.app
    before = counts(app)
    attempts = 0
    for name in NAMES:
        client, token = cast.clients[name], cast.tokens[name]
        for folder, document in [*documents.items(), (999999, 999998)]:
            if folder in access and name in access[folder][1]:
                continue
            for url in (f"/library/folders/{folder}/documents", f"/library/documents/{document}/versions"):
                for headers in ({}, {"HX-Request": "true"}):
                    data = {"csrf_token": token, "title": "差し込み", "file": (io.BytesIO(PDF), "x.pdf")}
                    response = client.post(url, data=data, headers=headers)
                    assert response.status_code == 404, (name, url)
                    attempts += 1
    assert attempts >= 40
    assert counts(app) == before


def test_title_search_finds_only_documents_in_readable_folders(cast, shelves):
    documents, access = shelves
    for name in NAMES:
        page = cast.clients[name].get("/library/?q=文書")
        assert page.status_code == 200
        for folder, document in documents.items():
            title = {0: "市の内部文書", 2: "お知らせ文書"}.get(list(documents).index(folder))
            if title is None:
                continue
            assert (f"/library/documents/{document}" in page.text) == (name in access[folder][0]), (
                name,
                title,
            )
    fragment = cast.clients["operator"].get("/library/?q=運営", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "運営報告" in fragment.text
    assert "運営報告" not in cast.clients["consultant2"].get("/library/?q=運営").text
    assert "該当する文書はありません" in cast.clients["operator"].get("/library/?q=%25").text


def test_search_ignores_control_characters_and_wildcards(cast, shelves):
    city = cast.clients["city"]
    assert city.get("/library/?q=%00%01").status_code == 200
    assert "市の内部文書" in city.get("/library/?q=市の%00内部").text
    assert "市の内部文書" not in city.get("/library/?q=_").text


def test_upload_new_version_download_and_who_has_seen(cast, shelves):
    app = cast.app
    documents, _ = shelves
    folder = next(iter(documents))
    city = cast.clients["city"]
    page = city.get(f"/library/folders/{folder}")
    assert "個人情報をタイトルに入れないでください" in page.text
    response = city.post(
        f"/library/folders/{folder}/documents",
        data={
            "csrf_token": csrf_from(page.text),
            "title": "新しい手引き",
            "file": (io.BytesIO(PDF), "手引き.pdf"),
        },
    )
    assert response.status_code == 303
    document_url = response.headers["Location"]
    document_id = int(document_url.rsplit("/", 1)[1])
    page = city.get(document_url)
    assert "手引き.pdf" in page.text and "新しい手引き" in page.text
    second = PDF.replace(b"%PDF-1.3", b"%PDF-1.4")
    response = city.post(
        f"{document_url}/versions",
        data={"csrf_token": cast.tokens["city"], "file": (io.BytesIO(second), "v2.pdf")},
    )
    assert response.status_code == 303
    with app.app_context(), database.connection_context():
        versions = {
            v.number: v.id for v in DocumentVersion.select().where(DocumentVersion.document == document_id)
        }
    assert set(versions) == {1, 2}
    assert city.get(f"/library/versions/{versions[1]}/download").data == PDF
    assert city.get(f"/library/versions/{versions[2]}/download").data == second
    seen = city.get(f"{document_url}/seen", headers={"HX-Request": "true"})
    assert "<html" not in seen.text
    assert seen.text.count("city@example.jp") == 3  # the page view and two downloads
    assert (
        "第1版をダウンロード" in seen.text and "第2版をダウンロード" in seen.text and "127.0.0.1" in seen.text
    )


def test_moving_needs_write_on_both_folders_and_a_forged_destination_changes_nothing(cast, shelves):
    app = cast.app
    documents, _ = shelves
    city_only, by_org, by_role = documents
    operator = cast.clients["operator"]
    token = cast.tokens["operator"]
    before = folders_of(app)
    document = documents[by_role]
    assert f'<option value="{by_org}">' in operator.get(f"/library/documents/{document}").text
    for forged in (city_only, 999999):
        response = operator.post(
            f"/library/documents/{document}/move", data={"csrf_token": token, "destination": forged}
        )
        assert response.status_code == 404
    assert folders_of(app) == before
    response = operator.post(
        f"/library/documents/{document}/move", data={"csrf_token": token, "destination": by_org}
    )
    assert response.status_code == 303
    assert folders_of(app)[document] == by_org
    assert "お知らせ文書" in cast.clients["consultant"].get(f"/library/folders/{by_org}").text


def test_soft_delete_hides_the_document_keeps_the_object_and_shows_the_reason_to_writers(cast, shelves):
    app = cast.app
    documents, _ = shelves
    folder, document = list(documents.items())[2]
    version = first_version(app, document)
    city = cast.clients["city"]
    before = counts(app)
    refused = city.post(f"/library/documents/{document}/delete", data={"csrf_token": cast.tokens["city"]})
    assert refused.status_code == 200 and "削除の理由を入力してください" in refused.text
    response = city.post(
        f"/library/documents/{document}/delete",
        data={"csrf_token": cast.tokens["city"], "reason": "古い版のため", "confirmed": "yes"},
    )
    assert response.status_code == 303
    after = counts(app)
    assert after[1] == before[1] - 1 and after[3:5] == before[3:5], "the object stays until retention"
    for name in ("city", "operator"):
        client = cast.clients[name]
        assert client.get(f"/library/documents/{document}").status_code == 404
        assert client.get(f"/library/versions/{version}/download").status_code == 404
        assert "お知らせ文書" not in client.get("/library/?q=お知らせ").text
    assert "古い版のため" in city.get(f"/library/folders/{folder}").text
    with app.app_context(), database.connection_context():
        row = Document.get_by_id(document)
        assert b"\xe5\x8f\xa4\xe3\x81\x84" not in bytes(row.deletion_reason)  # sealed, not 古い in UTF-8


def test_deleting_another_organisations_file_is_refused_and_the_object_stays(cast, shelves):
    documents, _ = shelves
    app = cast.app
    document = documents[next(iter(documents))]
    before = counts(app)
    for name in ("consultant", "consultant2", "operator", "admin"):
        response = cast.clients[name].post(
            f"/library/documents/{document}/delete", data={"csrf_token": cast.tokens[name], "reason": "消す"}
        )
        assert response.status_code == 404
    assert counts(app) == before
    assert cast.clients["city"].get(f"/library/versions/{first_version(app, document)}/download").data == PDF


def test_grants_are_managed_by_the_owner_and_admins_audited_and_revocation_takes_effect_at_once(
    cast, shelves
):
    app = cast.app
    documents, _ = shelves
    folder = next(iter(documents))
    document = documents[folder]
    version = first_version(app, document)
    consultant = cast.clients["consultant"]
    assert consultant.get(f"/library/folders/{folder}").status_code == 404
    city = cast.clients["city"]
    page = city.get(f"/library/folders/{folder}/grants")
    assert page.status_code == 200 and f'value="org:{cast.org("consultant")}"' in page.text
    assert f'value="org:{cast.org("city")}"' not in page.text, "the owner needs no grant"
    response = city.post(
        f"/library/folders/{folder}/grants",
        data={"csrf_token": cast.tokens["city"], "target": f"org:{cast.org('consultant')}", "access": "read"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "<html" not in response.text
    event = last_event(app)
    assert (event.action, event.object_type) == ("folder.grant", "folder-grant")
    assert consultant.get(f"/library/folders/{folder}").status_code == 200
    open_page = consultant.get(f"/library/documents/{document}")
    assert f"/library/versions/{version}/download" in open_page.text
    assert cast.clients["consultant2"].get(f"/library/folders/{folder}").status_code == 404
    with app.app_context(), database.connection_context():
        grant = FolderGrant.get(FolderGrant.folder == folder, FolderGrant.revoked_at.is_null())
    admin = cast.clients["admin"]
    assert admin.get(f"/library/folders/{folder}").status_code == 404, "admins manage, they do not read"
    response = admin.post(f"/library/grants/{grant.id}/revoke", data={"csrf_token": cast.tokens["admin"]})
    assert response.status_code == 303
    assert last_event(app).action == "folder.revoke"
    assert consultant.get(f"/library/versions/{version}/download").status_code == 404
    with app.app_context(), database.connection_context():
        kept = FolderGrant.get_by_id(grant.id)
        assert kept.revoked_at is not None and kept.revoked_by_id == cast.accounts["admin"].id
    assert (
        admin.post(
            f"/library/grants/{grant.id}/revoke", data={"csrf_token": cast.tokens["admin"]}
        ).status_code
        == 404
    )


def test_only_the_owner_and_admins_may_revoke(cast, shelves):
    app = cast.app
    documents, _ = shelves
    by_org = list(documents)[1]
    with app.app_context(), database.connection_context():
        grant = FolderGrant.get(FolderGrant.folder == by_org)
    for name in ("city", "consultant", "consultant2"):
        response = cast.clients[name].post(
            f"/library/grants/{grant.id}/revoke", data={"csrf_token": cast.tokens[name]}
        )
        assert response.status_code == 404
    with app.app_context(), database.connection_context():
        assert FolderGrant.get_by_id(grant.id).revoked_at is None


def test_extra_form_fields_cannot_choose_the_folder_owner_or_author(cast, shelves):
    app = cast.app
    documents, _ = shelves
    by_role = list(documents)[2]
    forged = {
        "csrf_token": cast.tokens["operator"],
        "title": "運営の文書",
        "file": (io.BytesIO(PDF), "a.pdf"),
        "folder_id": next(iter(documents)),
        "org_id": cast.org("city"),
        "owner_id": cast.accounts["city"].id,
        "created_by": cast.accounts["city"].id,
        "role": "admin",
    }
    response = cast.clients["operator"].post(f"/library/folders/{by_role}/documents", data=forged)
    assert response.status_code == 303
    with app.app_context(), database.connection_context():
        document = Document.get(Document.title == "運営の文書")
        assert document.folder_id == by_role and document.created_by_id == cast.accounts["operator"].id
    grant = {
        "csrf_token": cast.tokens["city"],
        "target": "role:superuser",
        "access": "owner",
    }
    response = cast.clients["city"].post(f"/library/folders/{by_role}/grants", data=grant)
    assert response.status_code == 200 and "field-errors" in response.text
    with app.app_context(), database.connection_context():
        assert FolderGrant.select().where(FolderGrant.folder == by_role).count() == 1


def test_folders_are_created_by_admins_only_and_there_is_one_daily_report_folder(cast):
    admin = cast.clients["admin"]
    page = admin.get("/library/folders/new")
    data = {
        "csrf_token": csrf_from(page.text),
        "name": "日報",
        "purpose": "daily-reports",
        "owner": cast.org("operator"),
    }
    assert admin.post("/library/folders/new", data=data).status_code == 303
    again = admin.post("/library/folders/new", data=data)
    assert again.status_code == 200 and "日報のフォルダはすでにあります" in again.text
    for name in ("city", "operator", "consultant"):
        forged = {**data, "csrf_token": cast.tokens[name]}
        assert cast.clients[name].post("/library/folders/new", data=forged).status_code == 404
    operator_home = cast.clients["operator"].get("/library/")
    assert "日報" in operator_home.text and "/grants" in operator_home.text


def test_library_pages_are_never_cached_and_keep_no_htmx_history(cast, shelves):
    documents, _ = shelves
    folder, document = next(iter(documents.items()))
    city = cast.clients["city"]
    for url in (
        "/library/",
        f"/library/folders/{folder}",
        f"/library/documents/{document}",
        "/daily-reports/",
    ):
        response = city.get(url)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow, noarchive"
        assert 'hx-history="false"' in response.text


def test_every_view_and_download_is_an_audit_event_with_who_where_and_when(cast, shelves):
    app = cast.app
    documents, _ = shelves
    folder, document = next(iter(documents.items()))
    version = first_version(app, document)
    city = cast.clients["city"]
    city.get(f"/library/folders/{folder}")
    city.get(f"/library/documents/{document}")
    city.get(f"/library/versions/{version}/download")
    with app.app_context(), database.connection_context():
        events = list(AuditEvent.select().order_by(AuditEvent.seq.desc()).limit(3))
    assert [(e.action, e.object_type, e.object_id) for e in reversed(events)] == [
        ("folder.view", "folder", str(folder)),
        ("document.view", "document", str(document)),
        ("document.download", "document-version", str(version)),
    ]
    for event in events:
        assert (
            event.actor_id == cast.accounts["city"].id
            and event.client == "127.0.0.1"
            and event.at is not None
        )
    with app.app_context(), database.connection_context():
        assert verify(app.config["PORTAL"].audit_anchor, audit_keys()).problems == []
