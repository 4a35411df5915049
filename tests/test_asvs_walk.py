"""A walk over everything each role can reach in the demo data, and everything the public can,
following links, htmx requests and GET forms: every signed-in page offers the sign-out form
(ASVS V7.4.4) and every text response of both zones names its character set (V4.1.1)."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from tests.conftest import Account, sign_in
from tests.test_reservations import form_data

LINK = re.compile(r'(?:href|src|hx-get)="([^"]+)"')
GET_FORM = re.compile(r'<form method="get"[^>]* action="([^"]+)"')
SIGN_OUT = re.compile(r'<form method="post" action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token"')
# Pages, not actions: the language switch sets a cookie and comes back, a path the walk already has.
NOT_FOLLOWED = ("/language/",)
PER_ENDPOINT = 3
TEXT = re.compile(r"^(text/|application/(xml|javascript|json)|image/svg\+xml|[^;]*\+xml)")


@dataclass
class Visit:
    """One answer the walk received."""

    path: str
    endpoint: str
    htmx: bool
    status: int
    content_type: str
    body: bytes


def endpoint_of(app, path: str) -> str | None:
    """The endpoint a path reaches, or None if it is not one of the app's URLs."""
    parts = urlsplit(path)
    try:
        endpoint, _ = app.url_map.bind("localhost").match(parts.path, "GET", query_args=parts.query)
    except HTTPException:
        return None
    return endpoint


def walk(app, client, start: tuple[str, ...] = ("/",)) -> list[Visit]:
    """Breadth first over every same-site link, asset, htmx GET and GET form, a few URLs per endpoint."""
    visits: list[Visit] = []
    seen: set[tuple[str, bool]] = set()
    per_endpoint: dict[str, int] = {}
    queue = deque((path, False) for path in start)
    while queue:
        path, htmx = queue.popleft()
        endpoint = endpoint_of(app, path) or ("(no such URL)" if path in start else None)
        if (path, htmx) in seen or endpoint is None or per_endpoint.get(endpoint, 0) >= PER_ENDPOINT:
            continue
        seen.add((path, htmx))
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        with client.get(path, headers={"HX-Request": "true"} if htmx else {}) as response:
            visit = Visit(
                path, endpoint, htmx, response.status_code, response.content_type or "", response.data
            )
        visits.append(visit)
        if not visit.content_type.startswith("text/html"):
            continue
        html = visit.body.decode()
        found = [(link, 'hx-get="' + link in html) for link in LINK.findall(html) + GET_FORM.findall(html)]
        for link, by_htmx in found:
            target = urlsplit(urljoin("http://localhost" + path, link.replace("&amp;", "&")))
            if target.netloc == "localhost" and not target.path.startswith(NOT_FOLLOWED):
                queue.append((target.path + (f"?{target.query}" if target.query else ""), by_htmx))
    return visits


def accounts_from(seeded: str) -> dict[str, Account]:
    """The demo accounts `portal demo-seed` prints: role, email, password, otpauth URI."""
    accounts = {}
    for line in seeded.splitlines()[:4]:
        role, email, password, uri = line.split("\t")
        secret = parse_qs(urlsplit(uri).query)["secret"][0]
        accounts[role] = Account(0, email, role, password, secret)
    return accounts


@pytest.fixture
def demo(staff_app, portal_cli) -> dict[str, Account]:
    """The demo data, and its accounts."""
    seeded = portal_cli("demo-seed")
    assert seeded.exit_code == 0, seeded.output
    return accounts_from(seeded.output)


@pytest.fixture
def staff_walks(staff_app, demo) -> dict[str, list[Visit]]:
    """Each role's walk, from its home page."""
    walks = {}
    for role, account in demo.items():
        client = staff_app.test_client()
        assert sign_in(client, account).status_code == 303
        walks[role] = walk(staff_app, client)
    return walks


def assert_charset(visits: list[Visit]) -> None:
    """Every text body, page or fragment or error or download, says it is UTF-8."""
    for visit in visits:
        if visit.body and TEXT.match(visit.content_type):
            assert visit.content_type.lower().endswith("charset=utf-8"), (visit.path, visit.content_type)


def test_every_signed_in_page_offers_the_sign_out_form_and_every_staff_text_names_its_charset(
    staff_app, staff_walks
):
    """One walk of the demo data as every role (it takes a while), for two requirements.

    V7.4.4: every whole page a signed-in user can reach, whatever the role, offers the sign-out form.
    V4.1.1 on the staff zone: pages, fragments, exports, the sign-in pages, errors and assets name
    their charset.
    """
    for role, visits in staff_walks.items():
        pages = [v for v in visits if v.status == 200 and v.content_type.startswith("text/html")]
        whole = [v for v in pages if b"<html" in v.body]
        assert len(whole) >= 8, (role, [v.path for v in whole])
        for visit in whole:
            assert SIGN_OUT.search(visit.body.decode()), (role, visit.path)
        for fragment in [v for v in pages if b"<html" not in v.body]:
            assert fragment.htmx, (role, fragment.path)
    reached = {v.endpoint for visits in staff_walks.values() for v in visits if v.status == 200}
    for endpoint in ("records.view", "library.document", "bookings.daily_list", "admin.users", "intake.call"):
        assert endpoint in reached, endpoint

    anonymous = walk(staff_app, staff_app.test_client(), ("/login", "/robots.txt", "/healthz", "/nothing"))
    visits = [v for walked in staff_walks.values() for v in walked] + anonymous
    assert {v.content_type.split(";")[0] for v in visits} >= {
        "text/html",
        "text/csv",
        "text/css",
        "text/javascript",
        "text/plain",
    }
    assert {v.status for v in visits} >= {200, 404}
    assert_charset(visits)


def test_every_public_text_response_names_its_charset(public_app, demo):
    """V4.1.1 on the public zone: pages, the calendar's fragments, a booking's pages and its
    calendar file, the sitemap, the crawler rules, errors and assets."""
    visitor = public_app.test_client()
    visits = walk(public_app, visitor, ("/", "/robots.txt", "/sitemap.xml", "/healthz", "/nothing"))
    session = next(v.path for v in visits if v.endpoint == "public.session_page")
    session_id = int(session.rsplit("/", 1)[1])
    assert visitor.post(session, data=form_data(visitor, session_id)).status_code == 303
    done = visitor.get("/booking/complete").text
    manage = "/manage/" + done.split('href="/manage/')[1].split('"')[0]
    visits += walk(public_app, visitor, (manage, f"{manage}/booking.ics"))
    refused = visitor.post(session, data={"csrf_token": "forged"})
    assert refused.status_code == 400
    visits.append(Visit(session, "public.session_page", False, 400, refused.content_type, refused.data))
    assert {v.content_type.split(";")[0] for v in visits} >= {
        "text/html",
        "text/calendar",
        "application/xml",
        "text/plain",
        "text/css",
        "text/javascript",
    }
    assert {v.status for v in visits} >= {200, 400, 404}
    assert_charset(visits)
