"""Shared by the library tests: small real files, folders with grants, documents, and a cast of
signed-in users from every role and from two organisations of the same role."""

from __future__ import annotations

import io
from dataclasses import dataclass

from werkzeug.datastructures import FileStorage

from portal.core.database import database
from portal.core.models import (
    AuditEvent,
    Document,
    DocumentVersion,
    Folder,
    FolderGrant,
    Organisation,
    StoredObject,
    User,
)
from portal.demo.library import pdf_bytes
from portal.staff.library.store import add_document
from tests.conftest import csrf_from, make_account, sign_in

PDF = pdf_bytes("相談対応マニュアル", ["受付時間は平日 9:00〜17:00 です。"])
XLSX_NAME = "相談記録.xlsx"


@dataclass
class Cast:
    """Signed-in clients by name, their accounts and form tokens."""

    app: object
    clients: dict
    accounts: dict
    tokens: dict

    def org(self, name: str) -> int:
        with self.app.app_context():
            return User.get_by_id(self.accounts[name].id).organisation_id


def make_cast(staff_app, accounts) -> Cast:
    """city, consultant, consultant2 (another association), operator and admin, signed in."""
    everyone = {
        **accounts,
        "consultant2": make_account(staff_app, "consultant", "second consultant org", "c2@example.jp"),
    }
    clients, tokens = {}, {}
    for name, account in everyone.items():
        client = staff_app.test_client()
        assert sign_in(client, account).status_code == 303
        clients[name] = client
        tokens[name] = csrf_from(client.get("/").text)
    return Cast(staff_app, clients, everyone, tokens)


def upload_file(data: bytes = PDF, name: str = "マニュアル.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def make_folder(
    app, owner_org: int, purpose: str = "manuals", grants: tuple = (), name: str = "フォルダ"
) -> int:
    """A folder and its grants, e.g. grants=({"role": "operator", "access": "write"},)."""
    with app.app_context(), database.connection_context():
        folder = Folder.create(name=name, purpose=purpose, owner=owner_org)
        for grant in grants:
            FolderGrant.create(folder=folder, **grant)
        return folder.id


def make_document(
    app, folder_id: int, user_id: int, title: str = "マニュアル", data: bytes = PDF, **extra
) -> int:
    with app.app_context(), database.connection_context():
        user = User.get_by_id(user_id)
        return add_document(Folder.get_by_id(folder_id), title, upload_file(data), user, **extra).id


def first_version(app, document_id: int) -> int:
    with app.app_context(), database.connection_context():
        return DocumentVersion.get(DocumentVersion.document == document_id).id


def counts(app) -> tuple[int, ...]:
    """Rows that an upload, a move or a deletion would change, and objects in storage."""
    with app.app_context(), database.connection_context():
        store = app.extensions["portal.objects"]
        return (
            Document.select().count(),
            Document.select().where(Document.deleted_at.is_null()).count(),
            DocumentVersion.select().count(),
            StoredObject.select().count(),
            len(list(store.backend.list())),
            FolderGrant.select().where(FolderGrant.revoked_at.is_null()).count(),
        )


def folders_of(app) -> dict[int, int]:
    with app.app_context(), database.connection_context():
        return {d.id: d.folder_id for d in Document.select()}


def last_event(app) -> AuditEvent:
    with app.app_context(), database.connection_context():
        return AuditEvent.select().order_by(AuditEvent.seq.desc()).first()


def org_named(app, name: str) -> int:
    with app.app_context(), database.connection_context():
        return Organisation.get(Organisation.name == name).id
