"""How an approval request's reason and decision read on screen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.core.models.accounts import ApprovalDecision, ApprovalReason

REASON_LABELS = {
    ApprovalReason.CREATE: _l("新規作成"),
    ApprovalReason.REACTIVATE: _l("利用の再開"),
    ApprovalReason.ROLE: _l("役割の変更"),
}
DECISION_LABELS = {
    ApprovalDecision.APPROVED: _l("承認"),
    ApprovalDecision.REJECTED: _l("却下"),
    ApprovalDecision.WITHDRAWN: _l("取り下げ（その後の変更により不要）"),
}
