"""Daily reports: the operator files the day's report; the city reads them in date order.

Who files and who reads follows the daily-report folder of the library: its writers file and
attach, its readers read. Attachments are documents in that folder.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, request, url_for
from flask_login import current_user

from portal.core.dates import business_today
from portal.core.models import DailyReport, Document, Folder
from portal.core.months import MonthSpan, requested_month, shift, span_of
from portal.core.query_args import date_arg
from portal.core.web import not_found, redirect_to, render
from portal.staff import audit
from portal.staff.daily_reports.forms import DailyReportForm
from portal.staff.daily_reports.service import Conflict, file_report, issues_of, prefill, report_folder
from portal.staff.library import store
from portal.staff.library.access import may_read, may_write
from portal.staff.library.forms import DocumentForm
from portal.staff.refusals import refuse
from portal.staff.storage.uploads import attempt_upload
from portal.staff.upload_limit import accepts_upload

bp = Blueprint("daily_reports", __name__, url_prefix="/daily-reports")


@bp.get("/")
def index() -> Response:
    """One month of reports, in date order, for those who may read the daily-report folder."""
    today = business_today()
    folder = report_folder()
    readable = folder is not None and may_read(current_user, folder)
    # Those who may not read reports are not told in which months there are some.
    months = span_of(DailyReport.day, today) if readable else MonthSpan.of(today)
    month = requested_month(months, today)
    following = shift(month, 1)
    reports = []
    if readable:
        reports = (
            DailyReport.select()
            .where(DailyReport.day >= month, DailyReport.day < following)
            .order_by(DailyReport.day)
        )
    return render(
        "daily_reports/index.html",
        month=month,
        previous=months.before(month),
        following=months.after(month),
        folder=folder,
        readable=readable,
        reports=reports,
        can_file=folder is not None and current_user.role == "operator" and may_write(current_user, folder),
    )


def _filing_day() -> date:
    """The day in `?day=`: today if absent, never a day in the future."""
    today = business_today()
    if not request.args.get("day"):
        return today
    day = date_arg("day")
    if day is None or day > today:
        not_found()
    return day


def _writable_folder() -> Folder | None:
    folder = report_folder()
    if folder is not None and not may_write(current_user, folder):
        refuse("folder", folder.id)
    return folder


@bp.route("/file", methods=["GET", "POST"])
def file() -> Response:
    """The day's report: a new one is prefilled; an existing one is edited with a conflict check."""
    day = _filing_day()
    folder = _writable_folder()
    existing = DailyReport.get_or_none(DailyReport.day == day)
    counts = prefill(day)
    form = DailyReportForm()
    conflict = None
    if folder is not None and form.validate_on_submit():
        try:
            report = file_report(
                day,
                form.calls.data,
                form.bookings.data,
                form.issues.data or "",
                form.based_on(),
                current_user,
            )
        except Conflict as error:
            conflict = error.current
            form.version.data = str(conflict.version if conflict else 0)
        else:
            return redirect_to(url_for("daily_reports.report", day=report.day.isoformat()))
    elif request.method == "GET":
        if existing is not None:
            form.calls.data, form.bookings.data = existing.calls, existing.bookings
            form.issues.data, form.version.data = issues_of(existing), str(existing.version)
        else:
            form.calls.data, form.bookings.data = counts.counter.calls, counts.bookings
    return render(
        "daily_reports/file.html",
        day=day,
        folder=folder,
        form=form,
        counts=counts,
        existing=existing,
        conflict=conflict,
        conflict_issues=issues_of(conflict) if conflict else None,
    )


def _readable_report(day: date) -> DailyReport:
    report = DailyReport.get_or_none(DailyReport.day == day)
    if report is None:
        refuse("daily-report", day.isoformat(), missing=True)
    folder = report_folder()
    if folder is None or not may_read(current_user, folder):
        refuse("daily-report", report.id)
    return report


def report_page(report: DailyReport, form: DocumentForm | None = None, status: int = 200) -> Response:
    """One report with its attachments; its folder's operators get the attachment form."""
    folder = report_folder()
    attachments = report.attachments.where(Document.deleted_at.is_null()).order_by(Document.created_at)
    audit.record("daily-report.view", object_type="daily-report", object_id=report.id)
    return render(
        "daily_reports/report.html",
        report=report,
        issues=issues_of(report),
        attachments=attachments,
        can_attach=current_user.role == "operator" and may_write(current_user, folder),
        form=form or DocumentForm(formdata=None),
        status=status,
    )


@bp.get("/<date:day>")
def report(day: date) -> Response:
    """One day's report."""
    return report_page(_readable_report(day))


@bp.post("/<date:day>/attachments")
@accepts_upload
def attach(day: date) -> Response:
    """Attach a file to a filed report, as a document in the daily-report folder."""
    found = _readable_report(day)
    folder = report_folder()
    if not may_write(current_user, folder):
        refuse("daily-report", found.id)
    form = DocumentForm()
    if not form.validate_on_submit():
        return report_page(found, form)
    title = form.title.data.strip()
    added = attempt_upload(
        form, lambda: store.add_document(folder, title, form.file.data, current_user, daily_report=found)
    )
    if added.result is None:
        return report_page(found, form, added.status)
    return redirect_to(url_for("daily_reports.report", day=found.day.isoformat()))
