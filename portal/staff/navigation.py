"""The staff menu: one list for every role, each entry shown to whoever may reach its page.

The entry for the page in front of the reader is marked as current (`aria-current="page"`),
found by the endpoint prefixes that belong to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.staff.permissions import allowed
from portal.staff.roles import ROLE_LABELS


@dataclass(frozen=True)
class Entry:
    """A menu entry: where it goes, what it says, and which endpoints count as its pages."""

    endpoint: str
    label: object
    sections: tuple[str, ...]


MENU = (
    Entry("home.index", _l("ホーム"), ("home.",)),
    Entry("intake.call", _l("電話受付"), ("intake.",)),
    Entry("bookings.requests_inbox", _l("Web予約の受付"), ("bookings.requests_inbox",)),
    Entry("bookings.reception", _l("会場受付"), ("bookings.reception",)),
    Entry("bookings.daily_list", _l("日別予約一覧"), ("bookings.daily",)),
    Entry("records.index", _l("相談記録"), ("records.",)),
    Entry("venues.venue_list", _l("会場と日程"), ("venues.",)),
    Entry("daily_reports.index", _l("日報"), ("daily_reports.",)),
    Entry("monitoring.dashboard", _l("利用状況"), ("monitoring.",)),
    Entry("staffing.overview", _l("体制計画"), ("staffing.",)),
    Entry("reports.monthly", _l("月次報告"), ("reports.",)),
    Entry("ledger.summary", _l("職員応援"), ("ledger.",)),
    Entry("library.index", _l("文書ライブラリ"), ("library.",)),
    Entry("approvals.index", _l("アカウントの承認"), ("approvals.",)),
    Entry("pledge.signatures_list", _l("誓約書"), ("pledge.signatures", "pledge.version", "pledge.publish")),
    Entry("export_consent.index", _l("出力の同意"), ("export_consent.",)),
    Entry("incidents.index", _l("事故対応"), ("incidents.",)),
    Entry("retention.certificates", _l("削除証明"), ("retention.",)),
    Entry("audit_log.index", _l("監査ログ"), ("audit_log.",)),
    Entry("self_checks.index", _l("自己点検"), ("self_checks.",)),
    Entry("check_sheet.sheet", _l("セキュリティ対策確認シート"), ("check_sheet.",)),
    Entry("admin.users", _l("利用者管理"), ("admin.user",)),
    Entry("admin.organisations", _l("組織"), ("admin.organisation",)),
)


def menu(mark_current: bool = True) -> list[tuple[Entry, bool]]:
    """The entries the signed-in user may reach, each with whether it is the current page (never on
    an error page, whose body must not tell a refused URL from an unknown one)."""
    endpoint = request.endpoint or ""
    return [
        (entry, mark_current and endpoint.startswith(entry.sections))
        for entry in MENU
        if allowed(entry.endpoint, current_user.role)
    ]


def init_app(app: Flask) -> None:
    """Give every staff template the menu and the names of the roles."""
    app.context_processor(lambda: {"staff_menu": menu, "role_labels": ROLE_LABELS})
