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

from portal.core.database import write_transaction
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


def _create(stage: str, user: User, summary: dict, countersigns: int | None = None) -> Signature:
    with write_transaction():
        row = CheckSheetSignOff.create(
            stage=stage,
            countersigns=countersigns,
            signed_by=user.id,
            signer_name=person_name(user)[:100],
            organisation_name=user.organisation.name[:200],
            signed_on=business_today(),
            evidence=json.dumps(summary, ensure_ascii=False, sort_keys=True),
        )
    return _shown(row)


def sign(stage: str, user: User, summary: dict) -> Signature:
    """Sign `stage` off as `user`, keeping the evidence summary they saw."""
    if stage not in STAGE_KEYS:
        raise SignOffRefused("stage")
    signed = _create(stage, user, summary)
    audit.record("check-sheet.sign", object_type="check-sheet-sign-off", object_id=signed.id)
    return signed


def countersign(sign_off_id: int, user: User, summary: dict) -> Signature:
    """Countersign the newest sign-off of its stage as `user`, who must not be its signer."""
    row = CheckSheetSignOff.get_or_none(
        (CheckSheetSignOff.id == sign_off_id) & CheckSheetSignOff.countersigns.is_null()
    )
    if row is None:
        raise SignOffRefused("missing")
    state = states(history())[row.stage]
    if state.signed is None or state.signed.id != row.id:
        raise SignOffRefused("superseded")
    if state.countersigned is not None:
        raise SignOffRefused("countersigned")
    if row.signed_by_id == user.id:
        raise SignOffRefused("same-person")
    signed = _create(row.stage, user, summary, countersigns=row.id)
    audit.record("check-sheet.countersign", object_type="check-sheet-sign-off", object_id=signed.id)
    return signed
