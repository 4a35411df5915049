"""The ledger's pages: the summary (and its workbook), the entries month by month, the entry form.

The city and the operator reach them (the permission table); nothing here is personal data.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, flash, url_for
from flask_babel import gettext as _
from peewee import fn

from portal.core.dates import business_today
from portal.core.i18n import long_date
from portal.core.models import SupportEntry
from portal.core.months import MonthSpan, requested_month, shift, span_of
from portal.core.web import htmx, page_response, redirect_to, render
from portal.staff import audit
from portal.staff.exports import XLSX
from portal.staff.ledger import entries, report
from portal.staff.ledger.forms import DAY_PART_LABELS, STATUS_LABELS, SupportEntryForm, bureau_choices
from portal.staff.ledger.summary import Summary, summarise
from portal.staff.refusals import refuse

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


def current_summary() -> Summary:
    """The whole ledger, with the configured home bureau."""
    settings = current_app.config["PORTAL"]
    return summarise(settings.home_bureau, settings.bureaus)


@bp.get("/")
def summary() -> Response:
    """Person-days in total, home bureau against the others, per bureau, and the periods."""
    found = current_summary()
    return render(
        "ledger/summary.html",
        totals=report.totals(found),
        bureaus=report.bureau_rows(found),
        periods=report.period_groups(found),
    )


@bp.get("/summary.xlsx")
def summary_xlsx() -> Response:
    """The summary and every entry as a workbook."""
    response = Response(report.workbook(current_summary()), mimetype=XLSX)
    response.headers["Content-Disposition"] = 'attachment; filename="support-ledger.xlsx"'
    audit.record("ledger.export", object_type="ledger")
    return response


def _entry_form() -> SupportEntryForm:
    form = SupportEntryForm()
    form.bureau.choices = bureau_choices(current_app.config["PORTAL"].bureaus)
    return form


@bp.route("/new", methods=["GET", "POST"])
def new() -> Response:
    """One entry; a mistake brings the form back with what was typed (only the form, for htmx)."""
    form = _entry_form()
    if form.validate_on_submit():
        created = entries.add(form.entry())
        flash(
            _(
                "%(day)s %(bureau)s %(people)s人（%(day_part)s・%(status)s）を登録しました。",
                day=long_date(created.day),
                bureau=created.bureau,
                people=created.people,
                day_part=DAY_PART_LABELS[created.day_part],
                status=STATUS_LABELS[created.status],
            )
        )
        return redirect_to(url_for("ledger.new"))
    return render("ledger/new.html", fragment="ledger/_form.html", form=form)


def _months() -> tuple[MonthSpan, date]:
    """The months the entries page offers (those around the entries), and the newest entry's day."""
    newest = SupportEntry.select(fn.MAX(SupportEntry.day)).scalar() or business_today()
    return span_of(SupportEntry.day, newest), newest


@bp.get("/entries")
def entries_list() -> Response:
    """One month's entries in date order (the newest entry's month unless asked), each removable."""
    months, newest = _months()
    month = requested_month(months, newest)
    listed = (
        SupportEntry.select()
        .where(SupportEntry.day >= month, SupportEntry.day < shift(month, 1))
        .order_by(SupportEntry.day, SupportEntry.bureau, SupportEntry.id)
    )
    return render(
        "ledger/entries.html",
        month=month,
        previous=months.before(month),
        following=months.after(month),
        entries=listed,
        day_parts=DAY_PART_LABELS,
        statuses=STATUS_LABELS,
    )


@bp.post("/entries/<int:entry_id>/delete")
def delete(entry_id: int) -> Response:
    """Take a mistyped entry out; htmx removes its row, a browser returns to its month."""
    found = SupportEntry.get_or_none(SupportEntry.id == entry_id)
    if found is None:
        refuse("support-entry", entry_id, missing=True)
    entries.remove(found)
    if htmx:
        return page_response("")
    flash(_("%(day)s %(bureau)s の記録を削除しました。", day=long_date(found.day), bureau=found.bureau))
    month = found.day.replace(day=1)
    shown = {"month": month.strftime("%Y-%m")} if month in _months()[0] else {}
    return redirect_to(url_for("ledger.entries_list", **shown))
