"""How a booking's status and channel read in staff pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "requested": _l("確認待ち"),
    "confirmed": _l("確定"),
    "cancelled": _l("取消"),
    "attended": _l("来場"),
    "no-show": _l("欠席"),
}
CHANNEL_LABELS = {"web": _l("Web"), "phone": _l("電話"), "walk-in": _l("当日来場")}


def status_label(status: str) -> str:
    """The status in the reader's language."""
    return str(STATUS_LABELS.get(status, status))
