"""Retention of daily reports: a report and its attachments go once its day is old enough."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l

from portal.core.dates import TOKYO
from portal.core.models import DailyReport, Document
from portal.core.settings import Settings
from portal.staff.library import store
from portal.staff.retention import EXPIRED, Expired, register, rule


def expired_reports(settings: Settings, now: datetime) -> Iterator[Expired]:
    """Reports whose day lies more than the daily reports' retention before today (Tokyo)."""
    age_rule, days = rule(settings, "retention_daily_reports_days")
    today = now.replace(tzinfo=UTC).astimezone(TOKYO).date()
    for report in DailyReport.select(DailyReport.id).where(DailyReport.day <= today - timedelta(days=days)):
        yield Expired(str(report.id), EXPIRED, age_rule)


def destroy_report(object_id: str) -> list[tuple[str, str]]:
    """Every attachment (versions included), then the report with its sealed issues."""
    report = DailyReport.get_by_id(int(object_id))
    parts: list[tuple[str, str]] = []
    for document in Document.select().where(Document.daily_report == report.id):
        parts += [("document", str(document.id)), *store.destroy_document(document)]
    report.delete_instance()
    return parts


register("daily-report", expired_reports, destroy_report, label=_l("日報"))
