"""The security check sheet: the page, its A4 print and workbook, the signatures and the dependency scan.

City users, operators and administrators reach it (the permission table); who may sign and
countersign is the rule in `signing`.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.core.i18n import date_time
from portal.core.web import redirect_to, render
from portal.staff import audit
from portal.staff.check_sheet import signing
from portal.staff.check_sheet.dependencies import audit_dependencies, configured_database
from portal.staff.check_sheet.export import workbook
from portal.staff.check_sheet.items import STAGES
from portal.staff.check_sheet.sheet import current_sheet, status_label
from portal.staff.check_sheet.vulnerabilities import NoDatabase
from portal.staff.export_consent.guard import consent_required
from portal.staff.exports import XLSX

bp = Blueprint("check_sheet", __name__, url_prefix="/check-sheet")
bp.add_app_template_filter(status_label, "check_status")
STAGE = "<any(before_build, launch, operation):stage>"
REFUSALS = {
    "same-person": _l("署名した本人は、二人目の確認者になれません。"),
    "countersigned": _l("この署名はすでに確認されています。"),
    "superseded": _l("この段階には新しい署名があります。新しい署名を確認してください。"),
    "missing": _l("確認する署名が見つかりません。"),
}


def _context() -> dict:
    history = signing.history()
    return {
        "sheet": current_sheet(),
        "stages": STAGES,
        "states": signing.states(history),
        "history": history,
    }


@bp.get("/")
def sheet() -> Response:
    """The ten items at three stages, with the evidence as it is now and the signatures."""
    audit.record("check-sheet.view", object_type="check-sheet")
    return render("check_sheet/sheet.html", database=configured_database(), **_context())


@bp.get("/print")
def sheet_print() -> Response:
    """The same sheet on A4 portrait, with the signatures."""
    audit.record("check-sheet.print", object_type="check-sheet")
    return render("check_sheet/print.html", **_context())


@bp.get("/check-sheet.xlsx")
@consent_required
def sheet_xlsx() -> Response:
    """The sheet as a workbook; it names the signers, so it needs the city's consent."""
    context = _context()
    response = Response(workbook(context["sheet"], context["states"], context["history"]), mimetype=XLSX)
    response.headers["Content-Disposition"] = 'attachment; filename="security-check-sheet.xlsx"'
    audit.record("check-sheet.export", object_type="check-sheet")
    return response


@bp.post(f"/{STAGE}/sign")
def sign(stage: str) -> Response:
    """Sign a stage off as the signed-in account, keeping the evidence summary shown now."""
    signed = signing.sign(stage, current_user, current_sheet().summary())
    flash(_("%(name)sとして署名しました（%(at)s）。", name=signed.signer, at=date_time(signed.at)))
    return redirect_to(url_for("check_sheet.sheet"))


@bp.post("/sign-offs/<int:sign_off_id>/countersign")
def countersign(sign_off_id: int) -> Response:
    """Countersign a stage's newest sign-off as a second, different person."""
    try:
        signed = signing.countersign(sign_off_id, current_user, current_sheet().summary())
    except signing.SignOffRefused as refused:
        audit.record(
            "check-sheet.countersign",
            outcome="refused",
            object_type="check-sheet-sign-off",
            object_id=sign_off_id,
        )
        flash(str(REFUSALS[str(refused)]))
    else:
        flash(
            _("%(name)sとして確認の署名をしました（%(at)s）。", name=signed.signer, at=date_time(signed.at))
        )
    return redirect_to(url_for("check_sheet.sheet"))


@bp.post("/dependencies/scan")
def scan_dependencies() -> Response:
    """Scan the installed distributions against the configured vulnerability database now."""
    try:
        run = audit_dependencies(configured_database())
    except NoDatabase:
        audit.record("dependencies.audit", outcome="refused", object_type="check-run")
        flash(_("脆弱性データベースが設定されていないか読めないため、検査できません。"))
    else:
        audit.record("dependencies.audit", object_type="check-run", object_id=run.id)
        flash(_("依存パッケージを検査しました。重大な所見：%(count)d件", count=run.serious))
    return redirect_to(url_for("check_sheet.sheet") + "#evidence-dependencies")
