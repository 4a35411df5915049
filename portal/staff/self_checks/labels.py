"""The checks as staff call them, on the home panel, the history page and the alert mail."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.staff.self_checks.runs import Check

CHECK_LABELS = {
    Check.EXPOSURE: _l("外部からの露出検査"),
    Check.STORAGE: _l("保存領域の設定"),
    Check.AUDIT_CHAIN: _l("監査ログの改ざん検査"),
    Check.ZONES: _l("公開側と職員側の分離"),
    Check.DEPENDENCIES: _l("依存パッケージの脆弱性検査"),
}
