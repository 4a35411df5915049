"""After an administrator resets a lost second factor, the password alone enrols nothing: the
owner also needs the one-time code the administrator handed over after checking who asked."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.core.models import AuditEvent, User
from portal.core.models.base import utcnow
from tests.conftest import CODE_CLOCK, PASSWORD, csrf_from
from tests.enrolment import RECOVERY_CODE, new_account_enrolling, sign_in_with_password

NEW_PASSWORD = "自分で決めた新しいパスワード 2026"
WRONG_CODE = "正しくないか、期限が切れています"


def _reset(staff_app, admin, user_id: int) -> str:
    """The administrator's reset; returns the code shown on the answer page."""
    page = admin.get(f"/admin/users/{user_id}")
    answer = admin.post(
        f"/admin/users/{user_id}/second-factor/reset",
        data={"csrf_token": csrf_from(page.text), "confirmed": "yes"},
    )
    assert answer.status_code == 200
    return re.search(r'<code class="secret">(\d{4}-\d{4}-\d{4})</code>', answer.text).group(1)


def _enrol(staff_app, email: str, enrolment_code: str | None, address: str = "127.0.0.1"):
    """Someone who knows the password signs in from `address` and fills the enrolment form."""
    client = staff_app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert sign_in_with_password(client, email, PASSWORD).headers["Location"] == "/login/enrol"
    page = client.get("/login/enrol").text
    assert 'name="enrolment_code"' in page
    seed = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    fields = {"csrf_token": csrf_from(page), "code": CODE_CLOCK.code(seed), "new_password": NEW_PASSWORD}
    if enrolment_code is not None:
        fields["enrolment_code"] = enrolment_code
    return client.post("/login/enrol", data=fields)


def _user(staff_app, user_id: int) -> User:
    with staff_app.app_context():
        return User.get_by_id(user_id)


def test_the_password_alone_does_not_enrol_after_a_reset(staff_app, signed_in, accounts):
    owner = accounts["operator"]
    code = _reset(staff_app, signed_in("admin"), owner.id)
    stored = _user(staff_app, owner.id).enrolment_code_hash
    assert stored.startswith("$argon2id$") and code.replace("-", "") not in stored

    # Whoever holds the stolen password, without the code or with a guess, enrols nothing (and
    # more guesses from one address meet the sign-in throttle, which counts these attempts too).
    for guess, address in (
        (None, "127.0.0.2"),
        ("", "127.0.0.2"),
        ("0000-0000-0000", "127.0.0.3"),
        (code[:-1] + str((int(code[-1]) + 1) % 10), "127.0.0.3"),
    ):
        refused = _enrol(staff_app, owner.email, guess, address)
        assert (
            refused.status_code == 200
            and WRONG_CODE in refused.text
            and not RECOVERY_CODE.search(refused.text)
        )
        assert not _user(staff_app, owner.id).enrolled
    with staff_app.app_context():
        failures = AuditEvent.select().where(AuditEvent.action == "signin.enrolment-code-failure").count()
    assert failures == 4

    # The owner, given the code in person, types it as a Japanese keyboard may: full-width, spaced.
    typed = code.replace("-", " ").translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    enrolled = _enrol(staff_app, owner.email, typed)
    assert enrolled.status_code == 200 and len(RECOVERY_CODE.findall(enrolled.text)) == 10
    user = _user(staff_app, owner.id)
    assert user.enrolled and user.enrolment_code_hash is None and user.enrolment_code_expires_at is None


def test_an_expired_code_enrols_nothing(staff_app, signed_in, accounts):
    owner = accounts["operator"]
    code = _reset(staff_app, signed_in("admin"), owner.id)
    with staff_app.app_context():
        User.update(enrolment_code_expires_at=utcnow() - timedelta(minutes=1)).where(
            User.id == owner.id
        ).execute()
    assert WRONG_CODE in _enrol(staff_app, owner.email, code).text
    assert not _user(staff_app, owner.id).enrolled


def test_a_new_account_enrols_with_its_first_password_and_no_code(staff_app, signed_in):
    """The first password is the secret the administrator handed over; there is nothing to ask for."""
    owner = new_account_enrolling(staff_app, signed_in("admin"), "kimura@example.jp", "架空コールセンター")
    assert 'name="enrolment_code"' not in owner.page
    assert RECOVERY_CODE.search(owner.submit(NEW_PASSWORD).text)
