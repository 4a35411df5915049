"""Every cookie of either zone: over TLS `Secure` with the `__Host-` prefix, so no sibling host and
no plain-HTTP answer can set one the portal believes; HttpOnly and SameSite=Lax always.

TLS is what the WSGI server reports (`wsgi.url_scheme`, set by waitress from the socket or from a
trusted proxy's forwarded proto); the test client sets it from its base URL.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from portal.core.dates import business_today
from portal.core.models import ConsultationSession, Venue

TLS = "https://localhost"
PLAIN = "http://localhost"


@pytest.fixture
def booking_page(public_app) -> str:
    """A public session's page, whose booking form puts the public zone's cookie on the browser."""
    with public_app.app_context():
        venue = Venue.create(name="架空北区役所", ward="架空北区", address="架空市架空北区1-2-3")
        session = ConsultationSession.create(
            venue=venue,
            date=business_today() + timedelta(days=7),
            starts_at=time(10),
            ends_at=time(11),
            capacity=3,
        )
    return f"/sessions/{session.id}"


def _cookies(response) -> dict[str, list[str]]:
    """Each Set-Cookie by name, with its attributes as written."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        found[name] = [part.strip() for part in rest.split(";")[1:]]
    return found


@pytest.mark.parametrize("base", [TLS, PLAIN])
def test_every_cookie_of_either_zone_has_the_host_prefix_over_tls(staff_app, public_app, booking_page, base):
    tls = base == TLS
    prefix = "__Host-" if tls else ""
    seen = {
        "public session": _cookies(public_app.test_client().get(booking_page, base_url=base)),
        "public language": _cookies(public_app.test_client().get("/language/en", base_url=base)),
        "staff session": _cookies(staff_app.test_client().get("/login", base_url=base)),
        "staff language": _cookies(staff_app.test_client().get("/language/en", base_url=base)),
    }
    assert {what: sorted(cookies) for what, cookies in seen.items()} == {
        "public session": [f"{prefix}madoguchi-public"],
        "public language": [f"{prefix}lang"],
        "staff session": [f"{prefix}madoguchi-staff"],
        "staff language": [f"{prefix}lang"],
    }
    for what, cookies in seen.items():
        for attributes in cookies.values():
            assert "HttpOnly" in attributes and "SameSite=Lax" in attributes, what
            assert ("Secure" in attributes) == tls, what
            assert "Path=/" in attributes and not any(a.startswith("Domain") for a in attributes), what


@pytest.mark.parametrize("zone", ["public", "staff"])
def test_over_tls_a_language_cookie_without_the_prefix_is_not_believed(staff_app, public_app, zone):
    """A plain `lang` can be tossed in by a sibling host or a plain-HTTP answer; over TLS only
    `__Host-lang`, which only this host over TLS can set, chooses the language."""
    app, page = (public_app, "/") if zone == "public" else (staff_app, "/login")
    tossed = app.test_client()
    tossed.set_cookie("lang", "en")
    assert '<html lang="en">' in tossed.get(page, base_url=PLAIN).text
    assert '<html lang="ja">' in tossed.get(page, base_url=TLS).text

    chosen = app.test_client()
    chosen.get("/language/en", base_url=TLS)
    assert chosen.get_cookie("__Host-lang").value == "en"
    assert '<html lang="en">' in chosen.get(page, base_url=TLS).text
