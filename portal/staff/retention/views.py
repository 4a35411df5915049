"""The deletion certificates, for the city and the administrators."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_babel import lazy_gettext as _l

from portal.core.models import DeletionCertificate
from portal.core.query_args import int_arg
from portal.core.web import render
from portal.staff.retention import DELETED, EXPIRED, KINDS

bp = Blueprint("retention", __name__, url_prefix="/retention")
PAGE = 100
REASON_LABELS = {DELETED: _l("削除後の保存期間が経過"), EXPIRED: _l("保存期間が経過")}


@bp.app_template_filter()
def kind_label(kind: str) -> str:
    """A kind as readers call it; a kind registered without a label shows its name."""
    registered = KINDS.get(kind)
    return str(registered.label) if registered and registered.label else kind


@bp.app_template_filter()
def reason_label(reason: str) -> str:
    """Why an item was destroyed."""
    return str(REASON_LABELS.get(reason, reason))


@bp.get("/certificates")
def certificates() -> Response:
    """Newest first, a page at a time."""
    page = max(1, int_arg("page") or 1)
    rows = list(
        DeletionCertificate.select()
        .order_by(DeletionCertificate.destroyed_at.desc(), DeletionCertificate.id.desc())
        .offset((page - 1) * PAGE)
        .limit(PAGE + 1)
    )
    return render(
        "retention/certificates.html", certificates=rows[:PAGE], page_number=page, more=len(rows) > PAGE
    )
