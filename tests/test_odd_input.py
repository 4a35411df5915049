"""Odd input never crashes either instance (D: input).

Every route of the real URL map, with every method it allows, gets hostile path values, query
values and form fields, on a database filled by `portal demo-seed`: anonymously, and signed in as
a staff role the permission table lets in. Then hypothesis mixes them at random for every role.
Nothing may answer 500 or log an incident. HEAD and OPTIONS are left out: Flask answers them
from the GET view, or by itself.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule
from wtforms.fields.core import UnboundField

from portal.core.database import database
from portal.core.dates import business_today
from portal.core.forms import PortalForm
from portal.core.models import ConsultationSession, DailyReport, RecordAttachment, User
from portal.core.reservations import book, new_manage_secret
from portal.staff.people import sealed_with_indexes
from portal.staff.permissions import OPEN_ENDPOINTS, PERMISSIONS
from tests.conftest import Account, change_settings, csrf_from, make_account, sign_in
from tests.records_world import VISITOR
from tests.test_filetypes import damaged

# As they travel in a URL: past PostgreSQL's integer and past every integer, signs, other
# digits, encoded NUL and invalid UTF-8, very long, an impossible date, a malformed UUID.
HOSTILE_PATH = (
    "99999999999999999999",
    "2147483648",
    "-1",
    quote("١٢"),
    "%00%0d%0a",
    "%ff%fe",
    "x" * 3000,
    "2020-02-30",
    "0001-01-01",
    "00000000-0000-0000-0000-00000000000g",
)
# Query values and form fields, before encoding.
HOSTILE_TEXT = (
    "99999999999999999999",
    "-2147483649",
    "\x00",
    "a\r\nb\x1b\x7f\u202e",
    "x" * 3000,
    "0001-01",
    "9999-12-31",
    "2020-02-30",
    "00000000-0000-0000-0000-00000000000g",
    "' OR '1'='1' --",  # SQL metacharacters
    "%s%n{0.__class__}",  # format strings
)
HOSTILE_FORM = (*HOSTILE_TEXT[:5], "9999-12-31")  # numbers, controls, length, a date out of range
RAW_QUERY = ("%ff%fe", "%zz%00")  # percent-encoded junk, sent as it is
# Every name a view reads from `request.args`, and one none reads. A malformed month or day is
# the unknown URL before anything else is read, so they are sent apart from the others, with a
# search of the audit log that matches nothing. So the audit log's exports are asked for odd or
# empty searches, never (but for a value that reads as no filter at all) for the whole log, which
# every request of the sweep makes longer.
QUERY_NAMES = (
    *("date", "venue", "page", "q", "ward", "next", "shown", "version", "from", "to"),
    *("actor", "action", "object_type", "object_id", "outcome", "client", "since", "until"),
    *("before", "after", "session"),
)
STRICT_QUERY_NAMES = ("month", "day")
NO_AUDIT_EVENT = (("action", "odd-input"),)
PARAMETER = re.compile(r"<(?:[^<>]+:)?(\w+)>")
# The role that reaches furthest into an endpoint first (a consultant writes records): the
# deterministic sweep goes through each endpoint as that role, hypothesis as every role it lets in.
DEEPEST_FIRST = ("consultant", "operator", "city", "admin")
HYPOTHESIS = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


DAMAGED_XLSX = damaged("bad-crc")


def form_field_names() -> list[str]:
    """Every field name a form of either instance declares."""
    names: set[str] = set()
    pending = [PortalForm]
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        names |= {name for name in dir(form) if isinstance(getattr(form, name, None), UnboundField)}
    return sorted(names)


def hostile_form(value: str, token: str) -> dict:
    """Every form field set to `value` with a valid form token, and a damaged workbook as the file."""
    return {
        **dict.fromkeys(form_field_names(), value),
        "csrf_token": token,
        "file": (io.BytesIO(DAMAGED_XLSX), "集計.xlsx"),
    }


def path_of(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with its parameters replaced by `values` (URL-encoded already)."""
    return PARAMETER.sub(lambda match: values[match.group(1)], rule.rule)


def methods_of(rule: Rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


class Sweep:
    """Sends requests to one instance and keeps each that answered 500 or logged an error."""

    def __init__(self, app, caplog, real: dict[str, str]) -> None:
        app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 page and its log line
        self.caplog, self.real = caplog, real
        self.failures: list[tuple] = []
        self.sent = 0

    def real_values(self, rule: Rule) -> dict[str, str]:
        """The demo's values for the rule's parameters, or 1 (a first row) for other ids."""
        return {name: self.real.get(name, "1") for name in rule.arguments}

    def send(self, client, method: str, path: str, **options) -> int:
        """One request; a 500 or an error in the log is kept."""
        self.caplog.clear()
        response = client.open(path, method=method, **options)
        response.close()
        self.sent += 1
        logged = [r.getMessage()[:300] for r in self.caplog.records if r.levelno >= logging.ERROR]
        if response.status_code >= 500 or logged:
            query = str(options.get("query_string"))[:100]
            self.failures.append((method, path[:100], query, response.status_code, logged[:1]))
        return response.status_code

    def paths(self, client, rule: Rule, method: str, token: str | None = None, values=HOSTILE_PATH) -> None:
        """Each path parameter hostile in turn, the others real."""
        headers = {"X-CSRFToken": token} if token else {}
        for name in rule.arguments:
            for value in values:
                self.send(
                    client, method, path_of(rule, {**self.real_values(rule), name: value}), headers=headers
                )

    def rule(self, client, rule: Rule, token: str) -> None:
        """Hostile path values, then hostile query values (GET) or forms (POST) on the real path."""
        path = path_of(rule, self.real_values(rule))
        for method in methods_of(rule):
            self.paths(client, rule, method, token)
            if method == "GET":
                for names, narrowed in ((QUERY_NAMES, ()), (STRICT_QUERY_NAMES, NO_AUDIT_EVENT)):
                    for value in HOSTILE_TEXT:
                        self.send(
                            client, method, path, query_string=[*narrowed, *((n, value) for n in names)]
                        )
                    for raw in RAW_QUERY:
                        pairs = [*narrowed, *((n, raw) for n in names)]
                        self.send(client, method, path, query_string="&".join(f"{n}={v}" for n, v in pairs))
            else:
                for value in HOSTILE_TEXT:
                    self.send(
                        client, method, path, data=hostile_form(value, token), headers={"X-CSRFToken": token}
                    )

    def mixed(self, client, rules: list[Rule], token: str) -> None:
        """Hypothesis draws a route, a method, and hostile or random values for everything at once."""
        path_value = st.one_of(
            st.sampled_from(HOSTILE_PATH),
            st.integers(-(2**70), 2**70).map(str),
            st.text(max_size=30).map(quote),
        )
        text = st.one_of(
            st.sampled_from(HOSTILE_TEXT), st.integers(-(2**70), 2**70).map(str), st.text(max_size=30)
        )

        @HYPOTHESIS
        @given(data=st.data())
        def request(data) -> None:
            rule = data.draw(st.sampled_from(rules))
            method = data.draw(st.sampled_from(methods_of(rule)))
            values = {
                name: data.draw(st.one_of(st.just(real), path_value))
                for name, real in self.real_values(rule).items()
            }
            query = data.draw(
                st.dictionaries(st.sampled_from(QUERY_NAMES + STRICT_QUERY_NAMES), text, max_size=4)
            )
            form = hostile_form(data.draw(text), token) if method != "GET" else None
            kept = len(self.failures)
            self.send(
                client,
                method,
                path_of(rule, values),
                query_string=query,
                data=form,
                headers={"X-CSRFToken": token},
            )
            assert len(self.failures) == kept, self.failures[-1]

        request()

    def assert_clean(self) -> None:
        assert not self.failures, f"{len(self.failures)} of {self.sent} requests failed: {self.failures[:20]}"


@pytest.fixture
def demo(staff_app, portal_cli):
    """The demo data, a manage link for a web booking of a future session, and the demo accounts."""
    seeded = portal_cli("demo-seed")
    assert seeded.exit_code == 0, seeded.output
    secret = new_manage_secret()
    with staff_app.app_context(), database.connection_context():
        future = (
            ConsultationSession.select()
            .where(
                ConsultationSession.date > business_today() + timedelta(days=3),
                ConsultationSession.taken == 0,
            )
            .order_by(ConsultationSession.date)
            .first()
        )
        made = book(
            future.id, channel="web", status="requested", manage_secret=secret, **sealed_with_indexes(VISITOR)
        )
        accounts = {}
        for line in seeded.output.splitlines()[:4]:
            role, email, password, uri = line.split("\t")
            secret_of_totp = parse_qs(urlsplit(uri).query)["secret"][0]
            accounts[role] = Account(User.get(User.email == email).id, email, role, password, secret_of_totp)
        bystander = User.get_by_id(
            make_account(staff_app, "city", "架空市 別の課", "bystander@example.jp").id
        )
        real = {
            "user_id": str(bystander.id),  # whose sessions an administrator may end, not a signed-in role's
            "organisation_id": str(bystander.organisation_id),
            "session_id": str(future.id),
            "booking_id": str(made.booking.id),
            "secret": secret,
            "attachment_id": str(RecordAttachment.select().first().id),
            "day": DailyReport.select().first().day.isoformat(),
            "mark": "attended",
        }
    return real, accounts


def signed_in_client(app, account: Account):
    client = app.test_client()
    assert sign_in(client, account).status_code == 303
    return client, csrf_from(client.get("/").text)


def test_no_route_of_the_staff_instance_crashes_on_odd_input(staff_app, demo, caplog):
    real, accounts = demo
    sweep = Sweep(staff_app, caplog, real)
    rules = sorted(staff_app.url_map.iter_rules(), key=lambda r: r.rule)
    # Signed in before the anonymous sweep, whose failed sign-ins throttle this address.
    clients = {role: signed_in_client(staff_app, accounts[role]) for role in DEEPEST_FIRST}
    anonymous = staff_app.test_client()
    for rule in rules:
        if rule.endpoint in OPEN_ENDPOINTS:
            sweep.rule(anonymous, rule, csrf_from(anonymous.get("/login").text))
        else:  # the gate answers before the view, reading only the ids in the path
            sweep.paths(anonymous, rule, "GET", values=HOSTILE_PATH[:4])
    for role, (client, token) in clients.items():
        reachable = [
            r for r in rules if role in PERMISSIONS.get(r.endpoint, ()) and r.endpoint != "auth.logout"
        ]
        deepest = [
            r for r in reachable if next(x for x in DEEPEST_FIRST if x in PERMISSIONS[r.endpoint]) == role
        ]
        for rule in deepest:
            sweep.rule(client, rule, token)
        sweep.mixed(client, reachable, token)
    sweep.assert_clean()


@pytest.fixture
def public(public_app, demo):
    """The public instance over the demo data, its booking limit lifted so every form is read."""
    change_settings(public_app, booking_rate_limit="100000 per minute")
    return public_app, demo[0]


def test_no_route_of_the_public_instance_crashes_on_odd_input(public, caplog):
    app, real = public
    sweep = Sweep(app, caplog, real)
    client = app.test_client()
    token = csrf_from(client.get(f"/sessions/{real['session_id']}").text)
    rules = list(app.url_map.iter_rules())
    for rule in rules:
        sweep.rule(client, rule, token)
    sweep.mixed(client, rules, token)
    sweep.assert_clean()
