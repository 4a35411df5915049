"""A new password built from what anyone knows about this portal and this account is refused: the
product's name, the organisation (the city's name in it), the owner's own address."""

from __future__ import annotations

import re

import pyotp
import pytest

from portal.core.models import User
from portal.staff.security import passwords
from tests.conftest import admin_creates_user, csrf_from

EMAIL = "sato.hanako@city.kakushi.lg.jp"
CONTEXT_MESSAGE = "このポータルに関係する語から推測されやすい"


@pytest.mark.parametrize(
    "guess",
    [
        "Madoguchi-2026!",  # the product
        "まどぐちまどぐち1234",  # the product, in kana, repeated
        "架空市情報システム課01",  # the organisation and its city
        "hanako.sato.2026",  # the owner's name from the address
        "kakushi2026-04-01",  # the city, from the address's domain
        "consultant2026!!",  # a role
    ],
)
def test_a_password_built_from_context_words_is_refused_at_enrolment(staff_app, signed_in, guess):
    created = admin_creates_user(signed_in("admin"), EMAIL, "operator", "架空市 情報システム課")
    first_password = re.search(r'<code class="secret">([^<]+)</code>', created.text).group(1)
    owner = staff_app.test_client()
    login = owner.get("/login")
    owner.post(
        "/login", data={"csrf_token": csrf_from(login.text), "email": EMAIL, "password": first_password}
    )
    page = owner.get("/login/enrol")
    seed = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page.text).group(1)

    def enrol(new_password: str):
        fields = {
            "csrf_token": csrf_from(page.text),
            "code": pyotp.TOTP(seed).now(),
            "new_password": new_password,
        }
        return owner.post("/login/enrol", data=fields)

    refused = enrol(guess)
    assert refused.status_code == 200 and CONTEXT_MESSAGE in refused.text
    with staff_app.app_context():
        assert not User.get(User.email == EMAIL).enrolled
    # A long sentence may hold a context word: what counts is how fast it falls.
    accepted = enrol("月曜の朝は窓口が混むので早めに出る")
    assert accepted.status_code == 200 and "<code>" in accepted.text and CONTEXT_MESSAGE not in accepted.text


def test_the_context_rule_stands_apart_from_the_common_password_list():
    """None of these is on the breach list: only the context words make them weak."""
    for guess in ("Madoguchi-2026!", "consultant2026!!"):
        assert guess.lower() not in passwords._common_passwords()
        assert passwords.policy_problem(guess, EMAIL) == "context"
    assert passwords.policy_problem("Tq7#mZ!w9@Lp-窓口", EMAIL) is None
