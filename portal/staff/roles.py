"""What each role is called on screen: one table for the administrators' pages and the library."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "city": _l("市職員"),
    "consultant": _l("相談員"),
    "operator": _l("運営事業者"),
    "admin": _l("管理者"),
}
