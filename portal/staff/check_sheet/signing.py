"""Signing the check sheet: a named person signs a stage, a second, different person countersigns.

The rule: a city user, an operator or an administrator (the three parties job 10 names, and the only
roles the permission table lets reach the sheet) signs a stage as the signed-in account, with its
name and organisation and the day; the sign-off keeps the evidence summary that account saw. The
countersignature, the remediation plan's second check, is another of those accounts, never the
signer's own, and it countersigns the stage's newest sign-off. A stage is complete once its newest
sign-off is countersigned. Signing again later (after a change) adds a new sign-off; no row is ever
changed or removed, and each is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from portal.core.database import locked, write_transaction
from portal.core.dates import business_today
from portal.core.models import CheckSheetSignOff, User
from portal.staff import audit
from portal.staff.check_sheet.items import STAGE_KEYS
from portal.staff.check_sheet.sheet import PERSON
from portal.staff.names import person_name


class SignOffRefused(Exception):
    """The signature breaks the rule; the message says which part."""


@dataclass(frozen=True)
class Signature:
    """One signature as the sheet shows it."""

    id: int
    stage: str
    signer: str
    organisation: str
    on: date
    at: datetime
    signed_by: int
    countersigns: int | None
    evidence: dict

    def recorded(self, number: int) -> str:
        """The status item `number` had when this was signed."""
        return self.evidence.get("items", {}).get(str(number), PERSON)


@dataclass(frozen=True)
class StageState:
    """A stage's newest sign-off and its countersignature, either possibly missing."""

    signed: Signature | None
    countersigned: Signature | None

    @property
    def complete(self) -> bool:
        """Signed and countersigned."""
        return self.countersigned is not None


def _shown(row: CheckSheetSignOff) -> Signature:
    return Signature(
        row.id,
        row.stage,
        row.signer_name,
        row.organisation_name,
        row.signed_on,
        row.signed_at,
        row.signed_by_id,
        row.countersigns_id,
        json.loads(row.evidence),
    )


def history() -> list[Signature]:
    """Every signature, oldest first."""
    return [_shown(row) for row in CheckSheetSignOff.select().order_by(CheckSheetSignOff.id)]


def states(signatures: list[Signature]) -> dict[str, StageState]:
    """Each stage's newest sign-off and its countersignature."""
    found = {}
    for stage in STAGE_KEYS:
        signed = [s for s in signatures if s.stage == stage and s.countersigns is None]
        newest = signed[-1] if signed else None
        counter = next((s for s in signatures if newest and s.countersigns == newest.id), None)
        found[stage] = StageState(newest, counter)
    return found


def _create(stage: str, user: User, summary: dict, countersigns: int | None = None) -> CheckSheetSignOff:
    return CheckSheetSignOff.create(
        stage=stage,
        countersigns=countersigns,
        signed_by=user.id,
        signer_name=person_name(user)[:100],
        organisation_name=user.organisation.name[:200],
        signed_on=business_today(),
        evidence=json.dumps(summary, ensure_ascii=False, sort_keys=True),
    )


def sign(stage: str, user: User, summary: dict) -> Signature:
    """Sign `stage` (one of STAGE_KEYS) off as `user`, keeping the evidence summary they saw."""
    with write_transaction():
        signed = _shown(_create(stage, user, summary))
    audit.record("check-sheet.sign", object_type="check-sheet-sign-off", object_id=signed.id)
    return signed


def _refusal(row: CheckSheetSignOff | None, user: User) -> str | None:
    """Why `user` may not countersign `row`, or None if they may."""
    if row is None:
        return "missing"
    newest = (
        CheckSheetSignOff.select(CheckSheetSignOff.id)
        .where((CheckSheetSignOff.stage == row.stage) & CheckSheetSignOff.countersigns.is_null())
        .order_by(CheckSheetSignOff.id.desc())
        .first()
    )
    if newest.id != row.id:
        return "superseded"
    if CheckSheetSignOff.select().where(CheckSheetSignOff.countersigns == row.id).exists():
        return "countersigned"
    if row.signed_by_id == user.id:
        return "same-person"
    return None


def countersign(sign_off_id: int, user: User, summary: dict) -> Signature:
    """Countersign the newest sign-off of its stage as `user`, who must not be its signer; the
    sign-off stays locked meanwhile, so two people cannot both countersign it."""
    with write_transaction():
        query = CheckSheetSignOff.select().where(
            (CheckSheetSignOff.id == sign_off_id) & CheckSheetSignOff.countersigns.is_null()
        )
        row = locked(query).first()
        refusal = _refusal(row, user)
        if refusal is None:
            signed = _shown(_create(row.stage, user, summary, countersigns=row.id))
    if refusal is not None:
        raise SignOffRefused(refusal)
    audit.record("check-sheet.countersign", object_type="check-sheet-sign-off", object_id=signed.id)
    return signed
