"""The monthly report to the city: the page, its A4 print and workbook, the remarks and the sign-off.

The city and the operator read it; the operator writes the remarks and signs it off (the
permission table). A signed report shows as signed; `?version=current` shows the figures as they
are now, with the remarks being written.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.dates import business_today
from portal.core.i18n import date_time
from portal.core.models import ConsultationSession
from portal.core.months import MonthSpan, requested_month, shift, span_of
from portal.core.web import redirect_to, render
from portal.staff import audit
from portal.staff.export_consent.guard import consent_required
from portal.staff.exports import XLSX
from portal.staff.permissions import allowed
from portal.staff.reports import sign_off, tables
from portal.staff.reports.forms import RemarksForm
from portal.staff.reports.versions import Report, report
from portal.staff.reports.workbook import workbook

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.add_app_template_filter(tables.shown, "report_cell")
bp.add_app_template_filter(tables.month_label, "month_label")


def _months() -> tuple[MonthSpan, date]:
    """The months around the sessions held, and the month asked for (the last one ended, unless asked)."""
    today = business_today()
    ended = shift(today.replace(day=1), -1)
    found = span_of(ConsultationSession.date, today)
    span = MonthSpan(min(found.first, ended), found.last)
    return span, requested_month(span, ended)


def _report(month: date) -> Report:
    return report(month, current=request.args.get("version") == "current")


def _page(form: RemarksForm | None = None) -> Response:
    span, month = _months()
    shown = _report(month)
    if form is None:
        form = RemarksForm(remarks=sign_off.draft_remarks(month))
    return render(
        "reports/monthly.html",
        report=shown,
        tables=tables.figures_tables(shown.figures),
        history=sign_off.sign_offs(month),
        form=form,
        ended=month < business_today().replace(day=1),
        writes=allowed("reports.sign", current_user.role),
        previous=span.before(month),
        following=span.after(month),
    )


@bp.get("/")
def monthly() -> Response:
    """The month's report: the signed version if there is one, else the current figures."""
    return _page()


@bp.get("/print")
def monthly_print() -> Response:
    """The same report as a sheet that prints on A4 portrait."""
    _span, month = _months()
    shown = _report(month)
    return render("reports/monthly_print.html", report=shown, tables=tables.figures_tables(shown.figures))


@bp.get("/monthly.xlsx")
@consent_required
def monthly_xlsx() -> Response:
    """The same report as a workbook: an overview sheet, then a sheet per table."""
    _span, month = _months()
    shown = _report(month)
    response = Response(workbook(shown), mimetype=XLSX)
    name = f"monthly-report-{shown.arg}{'' if shown.signed else '-current'}.xlsx"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record("report.export", object_type="monthly-report", object_id=shown.arg)
    return response


@bp.post("/remarks")
def remarks() -> Response:
    """Save the remarks being written; a signed report changes only with a new sign-off."""
    _span, month = _months()
    form = RemarksForm()
    if not form.validate_on_submit():
        return _page(form)
    sign_off.save_remarks(month, form.text(), current_user)
    if sign_off.sign_offs(month):
        flash(_("所見を保存しました。承認済みの報告は、もう一度承認するまで変わりません。"))
    else:
        flash(_("所見を保存しました。"))
    return redirect_to(url_for("reports.monthly", month=month.strftime("%Y-%m"), version="current"))


@bp.post("/sign-off")
def sign() -> Response:
    """Sign the month off as its figures are now, with the remarks as saved: once the month has ended."""
    _span, month = _months()
    if month >= business_today().replace(day=1):
        flash(_("%(month)sはまだ終わっていないため、承認できません。", month=tables.month_label(month)))
        return redirect_to(url_for("reports.monthly", month=month.strftime("%Y-%m"), version="current"))
    signed = sign_off.sign(month, current_user)
    flash(
        _(
            "%(month)sの月次報告を承認しました（%(name)s、%(at)s）。",
            month=tables.month_label(month),
            name=signed.signer,
            at=date_time(signed.at),
        )
    )
    return redirect_to(url_for("reports.monthly", month=month.strftime("%Y-%m")))
