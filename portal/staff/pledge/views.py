"""The pledge page every account meets first, and the city's pages: who signed which version when
(with its files), each version's text, and publishing a new one.

The gate sends an account that has yet to accept the version in force here from every other
page; this page and signing out are all it reaches until it accepts.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.web import redirect_to, render, safe_next
from portal.staff import audit
from portal.staff.export_consent.guard import consent_required
from portal.staff.exports import XLSX, csv_bytes, current_stamp, xlsx_bytes
from portal.staff.pledge import service, signatures
from portal.staff.pledge.forms import AcceptForm, PublishForm
from portal.staff.refusals import refuse

bp = Blueprint("pledge", __name__, url_prefix="/pledge")


@bp.route("", methods=["GET", "POST"])
def sign() -> Response:
    """The version in force and the box to tick; once accepted, the page only shows when."""
    version = service.current_version()
    if version is None:
        return redirect_to(url_for("home.index"))
    form = AcceptForm(next=request.args.get("next", ""))
    signed_at = service.accepted_at(current_user, version)
    if signed_at is None and form.validate_on_submit():
        service.accept(current_user, version)
        flash(_("誓約書（第%(version)d版）に同意しました。", version=version.version))
        return redirect_to(safe_next(form.next.data, url_for("home.index")))
    return render(
        "pledge/sign.html", version=version, form=form, signed_at=signed_at, hide_menu=signed_at is None
    )


@bp.get("/signatures")
def signatures_list() -> Response:
    """Every version with its count, who has yet to accept the one in force, and every acceptance."""
    version = service.current_version()
    return render(
        "pledge/signatures.html",
        versions=service.versions(),
        current=version,
        unsigned=signatures.unsigned(version),
        acceptances=signatures.acceptances(),
    )


def _download(data: bytes, mimetype: str, extension: str) -> Response:
    audit.record("pledge.signatures-export", outcome=extension)
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="pledge-signatures.{extension}"'
    return response


@bp.get("/signatures.csv")
@consent_required
def signatures_csv() -> Response:
    """The acceptances as CSV."""
    header, rows = signatures.table()
    return _download(csv_bytes(header, rows, stamp=current_stamp()), "text/csv", "csv")


@bp.get("/signatures.xlsx")
@consent_required
def signatures_xlsx() -> Response:
    """The acceptances as a workbook."""
    header, rows = signatures.table()
    return _download(xlsx_bytes(_("誓約書の署名"), header, rows, stamp=current_stamp()), XLSX, "xlsx")


@bp.get("/versions/<int:number>")
def version(number: int) -> Response:
    """One version's text as it was accepted."""
    found = service.version_numbered(number)
    if found is None:
        refuse("pledge-version", number, missing=True)
    return render("pledge/version.html", version=found)


@bp.route("/new", methods=["GET", "POST"])
def publish() -> Response:
    """A new version: from the moment it is published, every account accepts it before going on."""
    current = service.current_version()
    form = PublishForm()
    if request.method == "GET" and current is not None:
        form.text.data = current.text
    if form.validate_on_submit():
        text = form.text.data.replace("\r\n", "\n").strip()
        if current is not None and text == current.text.strip():
            form.text.errors.append(_("本文が今の版と同じです。変更してから公開してください。"))
        else:
            created = service.publish(text, current_user)
            flash(
                _(
                    "誓約書の第%(version)d版を公開しました。すべてのアカウントが次の操作の前に同意を求められます。",
                    version=created.version,
                )
            )
            return redirect_to(url_for("pledge.signatures_list"))
    return render("pledge/publish.html", form=form, current=current)
