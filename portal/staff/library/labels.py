"""What folder purposes and access levels are called on screen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.staff.roles import ROLE_LABELS

PURPOSE_LABELS = {
    "daily-reports": _l("日報"),
    "manuals": _l("業務マニュアル"),
    "city-reports": _l("市への報告"),
    "notices": _l("お知らせ"),
}
ACCESS_LABELS = {"read": _l("閲覧"), "write": _l("閲覧・登録・変更")}


def purpose_label(purpose: str) -> str:
    """The purpose as readers call it."""
    return str(PURPOSE_LABELS.get(purpose, purpose))


def access_label(access: str) -> str:
    """The access level as readers call it."""
    return str(ACCESS_LABELS.get(access, access))


def role_label(role: str) -> str:
    """A role as readers call it."""
    return str(ROLE_LABELS.get(role, role))
