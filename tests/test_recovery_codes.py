"""Recovery codes hold 120 bits and a copy of the database holds none of them: each is salted
argon2id. Codes handed out before keep working once, after the migration step wrapped them."""

from __future__ import annotations

import hashlib
from datetime import datetime

from portal.core.database import bind
from portal.core.migrations import migrate
from portal.core.models import AuditEvent, RecoveryCode, User
from portal.staff.security import recovery_codes
from tests.enrolment import RECOVERY_CODE, new_account_enrolling, sign_in_with_password
from tests.old_releases import create_release_schema
from tests.test_auth import post_code

EMAIL = "suzuki.ichiro@example.jp"
OWN_PASSWORD = "自分で決めた新しいパスワード 2026"
ALPHABET = set("abcdefghijklmnopqrstuvwxyz234567")


def test_codes_hold_120_bits_and_the_database_holds_only_salted_argon2id(staff_app, signed_in):
    owner = new_account_enrolling(staff_app, signed_in("admin"), EMAIL, "架空コールセンター")
    codes = RECOVERY_CODE.findall(owner.submit(OWN_PASSWORD).text)
    assert len(codes) == 10 == len(set(codes))
    for code in codes:
        letters = code.replace("-", "")
        assert len(letters) == 24 and set(letters) <= ALPHABET  # 24 × 5 bits = 120 ≥ 112

    with staff_app.app_context():
        stored = [row.code_hash for row in RecoveryCode.select()]
    assert len(stored) == 10 and all(h.startswith("$argon2id$v=19$m=19456,t=2,p=1$") for h in stored)
    # Someone holding a copy of the table: no stored value is a plain digest of any code, and the
    # salts differ, so one guess cannot be tried against every row at once.
    digests = {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert not digests & set(stored) and not any(c.replace("-", "") in h for c in codes for h in stored)
    assert len({h.rsplit("$", 2)[1] for h in stored}) == 10


def test_a_code_signs_in_once_typed_as_a_japanese_keyboard_types_it(staff_app, signed_in):
    owner = new_account_enrolling(staff_app, signed_in("admin"), EMAIL, "架空コールセンター")
    codes = RECOVERY_CODE.findall(owner.submit(OWN_PASSWORD).text)
    full_width = codes[3].upper().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}).replace("-", " ")
    for typed, expected in ((full_width, 303), (codes[3], 200), (codes[3][:-1] + "a", 200)):
        client = staff_app.test_client()
        sign_in_with_password(client, EMAIL, OWN_PASSWORD)
        assert post_code(client, typed).status_code == expected, typed
    with staff_app.app_context():
        assert RecoveryCode.select().count() == 9
        used = AuditEvent.select().where(AuditEvent.action == "signin.recovery-code").count()
        assert used == 1


def test_codes_handed_out_before_keep_working_once_after_the_migration(stores):
    """Release 4 stored each 50-bit code as its unsalted SHA-256; the step leaves none of those."""
    db = bind(stores)
    earlier = "mnbvc-xz234"
    with db.connection_context():
        create_release_schema(db, 4)
        created = datetime(2026, 1, 5, 9)
        db.execute_sql(
            f'INSERT INTO "organisation" (id, name, created_at) VALUES (1, {db.param}, {db.param})',
            ("架空市 産業観光局", created),
        )
        db.execute_sql(
            'INSERT INTO "user" (id, email, password_hash, role, organisation_id, totp_last_step, created_at)'
            f" VALUES (1, 'a@example.jp', 'x', 'operator', 1, 0, {db.param})",
            (created,),
        )
        sha256 = hashlib.sha256(earlier.replace("-", "").encode()).hexdigest()
        db.execute_sql(f'INSERT INTO "recovery_code" (user_id, code_hash) VALUES (1, {db.param})', (sha256,))
        notes: list[str] = []
        migrate(db, say=notes.append)

        assert notes[-1] == "recovery codes: 1 rehashed with argon2id"
        assert RecoveryCode.get().code_hash.startswith("$argon2id$")
        user = User.get_by_id(1)
        assert not recovery_codes.redeem(user, sha256), "the old stored value is not a code"
        assert recovery_codes.redeem(user, "ＭＮＢＶＣ－ＸＺ２３４")
        assert not recovery_codes.redeem(user, earlier)
        # The widened column takes today's hashes (PostgreSQL enforces its length).
        recovery_codes.replace(user, recovery_codes.new_codes())
        assert RecoveryCode.select().count() == 10
