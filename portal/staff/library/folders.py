"""The library's shelves: the folders a user may read, title search, new folders and grants."""

from __future__ import annotations

import unicodedata

from flask import Blueprint, Response, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.core.database import write_transaction
from portal.core.models import Document, Folder, FolderGrant, Organisation
from portal.core.models.accounts import ROLES
from portal.core.models.base import utcnow
from portal.core.query_args import text_arg
from portal.core.web import htmx, redirect_to, render
from portal.staff import audit
from portal.staff.library.access import checked_folder, may_manage, may_read, may_write, readable
from portal.staff.library.forms import DocumentForm, FolderForm, GrantForm
from portal.staff.library.labels import access_label, purpose_label, role_label
from portal.staff.library.store import deletion_reason_of
from portal.staff.refusals import refuse

bp = Blueprint("library", __name__, url_prefix="/library")
bp.add_app_template_filter(purpose_label)
bp.add_app_template_filter(access_label)
bp.add_app_template_filter(role_label)
SEARCH_LIMIT = 100


def search(text: str):
    """Live documents whose title contains `text`, in folders the user may read."""
    return (
        Document.select(Document, Folder)
        .join(Folder)
        .where(Document.deleted_at.is_null(), Document.title.contains(text), readable(current_user))
        .order_by(Document.updated_at.desc())
        .limit(SEARCH_LIMIT)
    )


def _query() -> str:
    return unicodedata.normalize("NFKC", text_arg("q", 100))


@bp.get("/")
def index() -> Response:
    """The folders the user may read, those they manage, and title search (htmx swaps results)."""
    text = _query()
    folders = (
        Folder.select(Folder, Organisation)
        .join(Organisation)
        .where(readable(current_user))
        .order_by(Folder.purpose, Folder.name)
    )
    managed = Folder.select(Folder, Organisation).join(Organisation).order_by(Folder.purpose, Folder.name)
    if current_user.role != "admin":
        managed = managed.where(Folder.owner == current_user.organisation_id)
    return render(
        "library/index.html",
        "library/_results.html",
        folders=folders,
        managed=managed,
        q=text,
        results=search(text) if text else None,
    )


def folder_page(folder: Folder, form: DocumentForm | None = None, status: int = 200) -> Response:
    """A folder's live documents, and for its writers the upload form and what was deleted."""
    can_write = may_write(current_user, folder)
    documents = folder.documents.where(Document.deleted_at.is_null()).order_by(Document.title)
    deleted = []
    if can_write:
        gone = folder.documents.where(Document.deleted_at.is_null(False)).order_by(Document.deleted_at.desc())
        deleted = [(document, deletion_reason_of(document)) for document in gone]
    audit.record("folder.view", object_type="folder", object_id=folder.id)
    return render(
        "library/folder.html",
        folder=folder,
        documents=documents,
        deleted=deleted,
        can_write=can_write,
        can_manage=may_manage(current_user, folder),
        form=form or DocumentForm(),
        status=status,
    )


@bp.get("/folders/<int:folder_id>")
def folder(folder_id: int) -> Response:
    """One folder."""
    return folder_page(checked_folder(current_user, folder_id, may_read))


@bp.route("/folders/new", methods=["GET", "POST"])
def folder_new() -> Response:
    """An administrator opens a folder for an organisation (which then grants access to others)."""
    form = FolderForm()
    form.owner.choices = [
        SelectChoice(o.id, o.name) for o in Organisation.select().order_by(Organisation.name)
    ]
    if form.validate_on_submit():
        if (
            form.purpose.data == "daily-reports"
            and Folder.select().where(Folder.purpose == "daily-reports").exists()
        ):
            form.purpose.errors = [_("日報のフォルダはすでにあります。日報は一つのフォルダにまとめます。")]
        else:
            created = Folder.create(
                name=form.name.data.strip(), purpose=form.purpose.data, owner=form.owner.data
            )
            audit.record("folder.create", object_type="folder", object_id=created.id)
            return redirect_to(url_for("library.grants", folder_id=created.id))
    return render("library/folder_new.html", form=form)


def _targets(folder: Folder) -> list[SelectChoice]:
    organisations = (
        Organisation.select().where(Organisation.id != folder.owner_id).order_by(Organisation.name)
    )
    return [SelectChoice(f"org:{o.id}", o.name) for o in organisations] + [
        SelectChoice(f"role:{role}", _("役割: %(role)s", role=role_label(role))) for role in ROLES
    ]


def grants_page(folder: Folder, form: GrantForm) -> Response:
    """The folder's active grants and their history; htmx swaps only the list."""
    grants = (
        FolderGrant.select(FolderGrant)
        .where(FolderGrant.folder == folder.id)
        .order_by(FolderGrant.revoked_at.is_null(False), FolderGrant.granted_at.desc())
    )
    return render(
        "library/grants.html",
        "library/_grants.html",
        folder=folder,
        grants=grants,
        form=form,
        organisations={o.id: o.name for o in Organisation.select()},
    )


@bp.route("/folders/<int:folder_id>/grants", methods=["GET", "POST"])
def grants(folder_id: int) -> Response:
    """Who may read or write the folder; a new grant for a target replaces its earlier one."""
    folder = checked_folder(current_user, folder_id, may_manage)
    form = GrantForm()
    form.target.choices = _targets(folder)
    if form.validate_on_submit():
        kind, _sep, value = form.target.data.partition(":")
        target = {"organisation": int(value)} if kind == "org" else {"role": value}
        with write_transaction():
            same_target = (
                FolderGrant.organisation == target["organisation"]
                if kind == "org"
                else FolderGrant.role == target["role"]
            )
            active = FolderGrant.select().where(
                FolderGrant.folder == folder.id, FolderGrant.revoked_at.is_null(), same_target
            )
            replaced = [g.id for g in active]
            FolderGrant.update(revoked_at=utcnow(), revoked_by=current_user.id).where(
                FolderGrant.id.in_(replaced)
            ).execute()
            grant = FolderGrant.create(
                folder=folder, access=form.access.data, granted_by=current_user.id, **target
            )
        for revoked in replaced:
            audit.record("folder.revoke", object_type="folder-grant", object_id=revoked)
        audit.record("folder.grant", object_type="folder-grant", object_id=grant.id)
        if not htmx:
            return redirect_to(url_for("library.grants", folder_id=folder.id))
        form = GrantForm(formdata=None)
        form.target.choices = _targets(folder)
    return grants_page(folder, form)


@bp.post("/grants/<int:grant_id>/revoke")
def revoke(grant_id: int) -> Response:
    """End a grant; the next request from anyone who relied on it is refused."""
    grant = FolderGrant.get_or_none(FolderGrant.id == grant_id, FolderGrant.revoked_at.is_null())
    if grant is None:
        refuse("folder-grant", grant_id, missing=True)
    if not may_manage(current_user, grant.folder):
        refuse("folder-grant", grant_id)
    FolderGrant.update(revoked_at=utcnow(), revoked_by=current_user.id).where(
        FolderGrant.id == grant.id, FolderGrant.revoked_at.is_null()
    ).execute()
    audit.record("folder.revoke", object_type="folder-grant", object_id=grant.id)
    if not htmx:
        return redirect_to(url_for("library.grants", folder_id=grant.folder_id))
    form = GrantForm(formdata=None)
    form.target.choices = _targets(grant.folder)
    return grants_page(grant.folder, form)
