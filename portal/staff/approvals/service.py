"""A role that reads personal data needs a second person: holding an account, and the decision.

An administrator's grant of such a role (a new account, a re-activation, a change of role) holds
the account until a city user other than the requester approves it; a rejection leaves it
disabled. The hold is the account's `approved_role` differing from its role, so a change that
forgot to ask still leaves the account unable to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.core.database import locked, write_transaction
from portal.core.models import AccountApproval, Organisation, User
from portal.core.models.accounts import ROLES_NEEDING_APPROVAL, ApprovalDecision, ApprovalReason
from portal.core.models.base import utcnow
from portal.staff import audit
from portal.staff.sessions import revoke_all

APPROVER_ROLE = "city"


@dataclass
class ApprovalChange:
    """What a change of an account did to its approval; audited once the change has committed."""

    user: User
    withdrawn: bool = False
    held: AccountApproval | None = None

    def record(self) -> None:
        """Audit the withdrawn request and the new one, each on the account."""
        if self.withdrawn:
            audit.record("user.approval-withdrawn", object_type="user", object_id=self.user.id)
        if self.held is not None:
            audit.record("user.approval-requested", object_type="user", object_id=self.user.id)


def lapse(user: User, by: User) -> ApprovalChange:
    """Inside the caller's write transaction: the account's approval ends, and its open request with it."""
    User.update(approved_role=None).where(User.id == user.id).execute()
    user.approved_role = None
    closed = (
        AccountApproval.update(decision=ApprovalDecision.WITHDRAWN, decided_by=by.id, decided_at=utcnow())
        .where(AccountApproval.user == user.id, AccountApproval.decision.is_null())
        .execute()
    )
    return ApprovalChange(user, withdrawn=closed > 0)


def review(user: User, reason: ApprovalReason, by: User) -> ApprovalChange:
    """Inside the caller's write transaction: a role that reads personal data waits for approval anew."""
    change = lapse(user, by)
    if user.role in ROLES_NEEDING_APPROVAL:
        change.held = AccountApproval.create(user=user.id, role=user.role, reason=reason, requested_by=by.id)
    return change


def open_requests():
    """Requests waiting for a decision, oldest first, with the account, its organisation and the requester."""
    requester = User.alias()
    return (
        AccountApproval.select(AccountApproval, User, Organisation, requester)
        .join(User, on=AccountApproval.user == User.id)
        .join(Organisation)
        .switch(AccountApproval)
        .join(requester, on=AccountApproval.requested_by == requester.id)
        .where(AccountApproval.decision.is_null())
        .order_by(AccountApproval.requested_at, AccountApproval.id)
    )


def open_request(user: User) -> AccountApproval | None:
    """The account's request waiting for a decision, if any."""
    return open_requests().where(AccountApproval.user == user.id).first()


def may_decide(approver: User, approval: AccountApproval) -> bool:
    """A city user decides, and never on a request they made or on their own account."""
    return approver.role == APPROVER_ROLE and approver.id not in (
        approval.requested_by_id,
        approval.user_id,
    )


def decide(approval: AccountApproval, approver: User, approve: bool) -> bool:
    """Approve or reject an open request; False if `approver` may not, or it was decided meanwhile.

    Approval lets the account use the role it was asked for; rejection disables the account.
    """
    if not may_decide(approver, approval):
        return False
    now = utcnow()
    decision = ApprovalDecision.APPROVED if approve else ApprovalDecision.REJECTED
    with write_transaction():
        # The account's row first, as every change of an account takes it: no deadlock between them.
        account = locked(User.select().where(User.id == approval.user_id)).get()
        claimed = (
            AccountApproval.update(decision=decision, decided_by=approver.id, decided_at=now)
            .where(AccountApproval.id == approval.id, AccountApproval.decision.is_null())
            .execute()
        )
        if claimed != 1:
            return False
        if approve:
            account.approved_role = approval.role
        else:
            account.approved_role, account.disabled_at = None, account.disabled_at or now
            revoke_all(account)
        account.save(only=[User.approved_role, User.disabled_at])
    action = "user.approved" if approve else "user.approval-rejected"
    audit.record(action, object_type="user", object_id=approval.user_id)
    approval.decision, approval.decided_at = decision, now
    return True
