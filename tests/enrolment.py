"""An account made in the portal, as its owner meets it: the first password, then the enrolment page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.conftest import CODE_CLOCK, admin_creates_user, csrf_from

SECRET = re.compile(r'<code class="secret">([^<]+)</code>')
RECOVERY_CODE = re.compile(r"<li><code>([a-z2-7]{4}(?:-[a-z2-7]{4}){5})</code></li>")


@dataclass
class Enrolment:
    """An owner's browser on the enrolment page, and what the owner was told."""

    client: object
    email: str
    first_password: str
    seed: str
    page: str

    def submit(self, new_password: str, code: str | None = None, **extra: str):
        """Post the enrolment form; `extra` adds fields the page may ask for."""
        fields = {
            "csrf_token": csrf_from(self.page),
            "code": code or CODE_CLOCK.code(self.seed),
            "new_password": new_password,
            **extra,
        }
        return self.client.post("/login/enrol", data=fields)


def sign_in_with_password(client, email: str, password: str):
    """The password step alone."""
    page = client.get("/login")
    return client.post(
        "/login", data={"csrf_token": csrf_from(page.text), "email": email, "password": password}
    )


def new_account_enrolling(
    staff_app, admin, email: str, organisation: str, role: str = "operator"
) -> Enrolment:
    """The administrator makes the account (a role needing no approval); its owner reaches enrolment."""
    created = admin_creates_user(admin, email, role, organisation)
    first_password = SECRET.search(created.text).group(1)
    client = staff_app.test_client()
    assert sign_in_with_password(client, email, first_password).headers["Location"] == "/login/enrol"
    page = client.get("/login/enrol").text
    seed = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    return Enrolment(client, email, first_password, seed, page)
