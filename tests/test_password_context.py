"""A new password built from what anyone knows about this portal and this account is refused: the
product's name, the organisation (the city's name in it), the owner's own address."""

from __future__ import annotations

import pytest

from portal.core.models import User
from portal.staff.security import passwords
from tests.enrolment import RECOVERY_CODE, new_account_enrolling

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
    owner = new_account_enrolling(staff_app, signed_in("admin"), EMAIL, "架空市 情報システム課")
    refused = owner.submit(guess)
    assert refused.status_code == 200 and CONTEXT_MESSAGE in refused.text
    with staff_app.app_context():
        assert not User.get(User.email == EMAIL).enrolled
    # A long sentence may hold a context word: what counts is how fast it falls.
    accepted = owner.submit("月曜の朝は窓口が混むので早めに出る")
    assert accepted.status_code == 200 and RECOVERY_CODE.search(accepted.text)


def test_the_context_rule_stands_apart_from_the_common_password_list():
    """None of these is on the breach list: only the context words make them weak."""
    for guess in ("Madoguchi-2026!", "consultant2026!!"):
        assert guess.lower() not in passwords._common_passwords()
        assert passwords.policy_problem(guess, EMAIL) == "context"
    assert passwords.policy_problem("Tq7#mZ!w9@Lp-窓口", EMAIL) is None
