"""The history of the portal's own checks, for the city and the administrators (OVERSIGHT)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response

from portal.core.models import CheckRun
from portal.core.web import render
from portal.staff import audit
from portal.staff.self_checks.labels import CHECK_LABELS
from portal.staff.self_checks.runs import Check, history, is_overdue, latest

bp = Blueprint("self_checks", __name__, url_prefix="/self-checks")
SHOWN_RUNS = 20  # runs of each check on the page


@dataclass(frozen=True)
class CheckState:
    """One check as the panel and the page show it: its newest run and whether it is overdue."""

    check: Check
    run: CheckRun | None
    overdue: bool

    @property
    def label(self) -> str:
        return str(CHECK_LABELS[self.check])


def check_states() -> list[CheckState]:
    """Every check, in Check's order, with its newest run (None if it never ran)."""
    newest = latest()
    return [CheckState(check, newest.get(check), is_overdue(newest.get(check))) for check in Check]


@bp.app_template_global()
def check_label(check: str) -> str:
    """A check as staff call it."""
    return str(CHECK_LABELS[Check(check)])


@bp.get("/")
def index() -> Response:
    """Each check's newest state, then its runs with their findings, newest first."""
    audit.record("self_checks.view", object_type="self-checks")
    runs = {check: history(check, SHOWN_RUNS) for check in Check}
    return render("self_checks/index.html", states=check_states(), runs=runs)
