"""How a booking's status reads: in the words a visitor is given, and in the staff's shorter ones."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.models.reservations import BookingStatus

VISITOR_STATUS_LABELS = {
    BookingStatus.REQUESTED: _l("受付済み（確認中）"),
    BookingStatus.OFFERED: _l("キャンセル待ちのご案内中（回答待ち）"),
    BookingStatus.CONFIRMED: _l("確定"),
    BookingStatus.CANCELLED: _l("取り消し済み"),
    BookingStatus.ATTENDED: _l("相談済み"),
    BookingStatus.NO_SHOW: _l("欠席"),
}
STAFF_STATUS_LABELS = {
    BookingStatus.REQUESTED: _l("確認待ち"),
    BookingStatus.OFFERED: _l("空き案内中"),
    BookingStatus.CONFIRMED: _l("確定"),
    BookingStatus.CANCELLED: _l("取消"),
    BookingStatus.ATTENDED: _l("来場"),
    BookingStatus.NO_SHOW: _l("欠席"),
}


def status_label(status: str) -> str:
    """The status as staff pages show it, in the reader's language."""
    return str(STAFF_STATUS_LABELS.get(status, status))
