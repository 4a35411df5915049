"""One document: its versions, downloads, new versions, moves, deletion and who has seen it.

Every view and download is an audit event; the list of them ("who has seen this") is shown
to those who may write the folder.
"""

from __future__ import annotations

from flask import Response, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from portal.core.models import Document, DocumentVersion, Folder, StoredObject, User
from portal.core.web import redirect_to, render
from portal.staff import audit
from portal.staff.confirm import ask, confirmed
from portal.staff.library import store
from portal.staff.library.access import checked_folder, may_read, may_write, writable
from portal.staff.library.folders import bp, folder_page
from portal.staff.library.forms import DeleteForm, DocumentForm, MoveForm, VersionForm
from portal.staff.library.seen import views_and_downloads
from portal.staff.refusals import permitted, refuse
from portal.staff.storage.transfer import send_object
from portal.staff.storage.uploads import attempt_upload
from portal.staff.upload_limit import accepts_upload


def _document(document_id: int, write: bool = False) -> Document:
    """The live document, if the user may read (or write) its folder; else the audited 404."""
    document = (
        Document.select(Document, Folder)
        .join(Folder)
        .where(Document.id == document_id, Document.deleted_at.is_null())
        .first()
    )
    may = may_write if write else may_read
    return permitted(
        current_user, document, lambda user, found: may(user, found.folder), "document", document_id
    )


@bp.post("/folders/<int:folder_id>/documents")
@accepts_upload
def upload(folder_id: int) -> Response:
    """A new document in a folder the user may write; the folder comes from the URL only."""
    folder = checked_folder(current_user, folder_id, may_write)
    form = DocumentForm()
    status = 200
    if form.validate_on_submit():
        title = form.title.data.strip()
        added = attempt_upload(form, lambda: store.add_document(folder, title, form.file.data, current_user))
        if added.result is not None:
            return redirect_to(url_for("library.document", document_id=added.result.id))
        status = added.status
    return folder_page(folder, form, status)


def document_page(document: Document, status: int = 200, **forms) -> Response:
    """The document with every version; writers get the forms to change it."""
    can_write = may_write(current_user, document.folder)
    versions = (
        DocumentVersion.select(DocumentVersion, StoredObject, User)
        .join(StoredObject)
        .switch(DocumentVersion)
        .join(User, JOIN.LEFT_OUTER, on=DocumentVersion.uploaded_by == User.id)
        .where(DocumentVersion.document == document.id)
        .order_by(DocumentVersion.number.desc())
    )
    destinations = []
    if can_write and document.daily_report_id is None:
        others = Folder.select().where(writable(current_user), Folder.id != document.folder_id)
        destinations = list(others.order_by(Folder.name))
    audit.record("document.view", object_type="document", object_id=document.id)
    return render(
        "library/document.html",
        document=document,
        versions=[(version, store.filename_of(version)) for version in versions],
        can_write=can_write,
        destinations=destinations,
        version_form=forms.get("version_form") or VersionForm(formdata=None),
        move_form=forms.get("move_form") or MoveForm(formdata=None),
        delete_form=forms.get("delete_form") or DeleteForm(formdata=None),
        status=status,
    )


@bp.get("/documents/<int:document_id>")
def document(document_id: int) -> Response:
    """One document."""
    return document_page(_document(document_id))


@bp.post("/documents/<int:document_id>/versions")
@accepts_upload
def new_version(document_id: int) -> Response:
    """Upload the next version; earlier versions stay downloadable until retention ends them."""
    found = _document(document_id, write=True)
    form = VersionForm()
    status = 200
    if form.validate_on_submit():
        try:
            added = attempt_upload(form, lambda: store.add_version(found, form.file.data, current_user))
        except store.Gone:
            refuse("document", document_id, missing=True)
        if added.result is not None:
            return redirect_to(url_for("library.document", document_id=found.id))
        status = added.status
    return document_page(found, status, version_form=form)


@bp.get("/versions/<int:version_id>/download")
def download(version_id: int) -> Response:
    """Any version of a live document, to those who may read its folder, streamed through the gate."""
    version = (
        DocumentVersion.select(DocumentVersion, Document, Folder, StoredObject)
        .join(Document)
        .join(Folder)
        .switch(DocumentVersion)
        .join(StoredObject)
        .where(DocumentVersion.id == version_id, Document.deleted_at.is_null())
        .first()
    )
    if version is None:
        refuse("document-version", version_id, missing=True)
    if not may_read(current_user, version.document.folder):
        refuse("document-version", version_id)
    audit.record("document.download", object_type="document-version", object_id=version.id)
    return send_object(version.stored, store.filename_of(version), version.mimetype)


@bp.post("/documents/<int:document_id>/move")
def move(document_id: int) -> Response:
    """Move to another folder: write access to both is needed, and a forged folder id is a 404."""
    found = _document(document_id, write=True)
    form = MoveForm()
    if not form.validate_on_submit():
        return document_page(found, move_form=form)
    destination = Folder.get_or_none(Folder.id == form.destination.data)
    if destination is None:
        refuse("folder", form.destination.data, missing=True)
    if not may_write(current_user, destination):
        refuse("folder", destination.id)
    if found.daily_report_id is not None:
        form.destination.errors = [_("日報の添付ファイルは移動できません。")]
        return document_page(found, move_form=form)
    store.move(found, destination)
    return redirect_to(url_for("library.document", document_id=found.id))


@bp.post("/documents/<int:document_id>/delete")
def delete(document_id: int) -> Response:
    """Soft delete with a reason; the document disappears for everyone and retention destroys it."""
    found = _document(document_id, write=True)
    form = DeleteForm()
    if not form.validate_on_submit():
        return document_page(found, delete_form=form)
    if not confirmed():
        return ask(
            _("文書を削除しますか"),
            _("削除した文書は誰にも表示されなくなり、保存期間が過ぎると消去されます。"),
            _("文書を削除する"),
            back=url_for("library.document", document_id=found.id),
            details=[(_("題名"), found.title), (_("削除の理由"), form.reason.data.strip())],
        )
    store.soft_delete(found, form.reason.data.strip(), current_user)
    return redirect_to(url_for("library.folder", folder_id=found.folder_id))


@bp.get("/documents/<int:document_id>/seen")
def seen(document_id: int) -> Response:
    """Who has viewed or downloaded the document, when and from where (for its folder's writers)."""
    found = _document(document_id, write=True)
    audit.record("document.seen-list", object_type="document", object_id=found.id)
    return render(
        "library/seen.html", "library/_seen.html", document=found, events=views_and_downloads(found)
    )
