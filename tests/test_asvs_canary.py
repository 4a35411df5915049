"""G48: canary personal data run through the booking, phone intake, records and library flows
reaches no log line, audit or public event, anchor line, URL, redirect or error page.

Every canary carries `G48`. Each flow also shows its canaries where they belong (the staff
pages that display them), so a flow that lost its data on the way could not pass.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

from portal.core.dates import business_today
from portal.core.models import AuditEvent, Booking, ConsultationSession, PublicEvent, User, Venue
from portal.demo.library import pdf_bytes
from tests.conftest import consent_to_exports, csrf_from
from tests.library_support import make_folder
from tests.pages import without_tokens
from tests.records_world import build, signed_in_as, token, upload
from tests.test_intake import intake_form
from tests.test_reservations import form_data

VISITOR = {
    "business_name": "カナリア商店G48",
    "contact_name": "鳥井 花子G48",
    "contact_kana": "トリイハナコG48",
    "phone": "090-4848-0048",
    "email": "canary-g48@example.jp",
}
CALLER = {
    "business_name": "カナリア工務店G48",
    "business_kana": "カナリアコウムテンG48",
    "contact_name": "鳥井 一郎G48",
    "contact_kana": "トリイイチロウG48",
    "phone": "03-4848-0048",
    "email": "caller-g48@example.jp",
    "address": "架空市カナリア町G48",
    "industry": "建設業G48",
}
RECORD = {"advice": "助言カナリアG48", "follow_up": "宿題カナリアG48", "notes": "メモカナリアG48"}
FILENAME = "決算書カナリアG48.pdf"
FILE_TEXT = "file-canary-G48"
REASON = "削除理由カナリアG48"
PHONE_DIGITS = ("09048480048", "0348480048", "4848-0048", "48480048")
REDIRECT_HEADERS = ("Location", "HX-Redirect", "HX-Location", "HX-Push-Url", "Content-Location")


def needles() -> set[str]:
    """Every canary, and every spelling a leak could take."""
    values = [*VISITOR.values(), *CALLER.values(), *RECORD.values(), FILENAME, FILE_TEXT, REASON]
    return {*values, *PHONE_DIGITS, "G48"}


@dataclass
class Watch:
    """Everything a leak could reach: each request's URL and its answer, the log, the event logs."""

    apps: list
    anchor: Path
    caplog: pytest.LogCaptureFixture
    exchanges: list = field(default_factory=list)

    def shown(self, text: str) -> bool:
        """Whether a page that answered 200 showed `text` (the flow carried the canary)."""
        return any(r.status_code == 200 and text in r.get_data(as_text=True) for _, r in self.exchanges)

    def places(self) -> dict[str, str]:
        """Where a canary must never be, as text."""
        found = {"log": "\n".join(self._log_lines()), "anchor": self.anchor.read_text(encoding="utf-8")}
        for number, (url, response) in enumerate(self.exchanges):
            found[f"url {number}"] = unquote(url)
            for name in REDIRECT_HEADERS:
                found[f"{name} {number}"] = unquote(response.headers.get(name, ""))
            if response.status_code >= 400:
                # Its form tokens are random: a short canary such as "G48" may turn up in one by chance.
                page = without_tokens(response.get_data())
                found[f"error page {number} ({url})"] = page.decode()
        with self.apps[0].app_context():
            found["audit events"] = repr([e.__data__ for e in AuditEvent.select()])
            found["public events"] = repr([e.__data__ for e in PublicEvent.select()])
        return found

    def _log_lines(self) -> list[str]:
        lines = []
        for record in self.caplog.records:
            lines.append(record.getMessage())
            if record.exc_info:
                lines.append(logging.Formatter().formatException(record.exc_info))
        return lines

    def assert_no_trace(self) -> None:
        leaks = {
            (where, needle) for where, text in self.places().items() for needle in needles() if needle in text
        }
        assert leaks == set()


@pytest.fixture
def watch(staff_app, public_app, config, caplog) -> Watch:
    """Every client either instance makes from here on records what it sends and receives."""
    caplog.set_level(logging.DEBUG)
    watched = Watch([staff_app, public_app], Path(config["AUDIT_ANCHOR"]), caplog)

    class Watched(FlaskClient):
        def open(self, *args, **kwargs):
            response = super().open(*args, **kwargs)
            response.get_data()  # kept for the checks; closing a stream ends its request context
            response.close()
            watched.exchanges.append((response.request.url, response))
            return response

    for app in watched.apps:
        app.test_client_class = Watched
    return watched


@pytest.fixture
def world(staff_app, watch):
    """Consultants, the city, the operator and an admin; an attended booking awaiting its record."""
    return build(staff_app)


@pytest.fixture
def session_id(staff_app, world) -> int:
    """An open session next week."""
    with staff_app.app_context():
        venue = Venue.create(name="架空区役所 会議室C", ward="架空区", address="架空市架空区5-5")
        return ConsultationSession.create(
            venue=venue,
            date=business_today() + timedelta(days=7),
            starts_at=time(10),
            ends_at=time(11),
            capacity=5,
        ).id


def test_a_web_booking_leaves_no_trace_of_the_visitor(public_app, staff_app, world, session_id, watch):
    visitor = public_app.test_client()
    refused = visitor.post(
        f"/sessions/{session_id}", data={**form_data(visitor, session_id), **VISITOR, "email": "x@"}
    )
    assert refused.status_code == 200 and 'value="カナリア商店G48"' in refused.text, "typed values come back"
    forged = visitor.post(
        f"/sessions/{session_id}", data={**form_data(visitor, session_id), **VISITOR, "csrf_token": "x"}
    )
    assert forged.status_code == 400
    booked = visitor.post(f"/sessions/{session_id}", data={**form_data(visitor, session_id), **VISITOR})
    assert booked.status_code == 303
    done = visitor.get(booked.headers["Location"]).text
    manage = "/manage/" + done.split('href="/manage/')[1].split('"')[0]
    assert visitor.get(manage).status_code == 200 and visitor.get(f"{manage}/booking.ics").status_code == 200

    operator = signed_in_as(staff_app, world.accounts["operator"])
    inbox = operator.get("/bookings/requests")
    assert VISITOR["business_name"] in inbox.text and VISITOR["email"] in inbox.text
    with staff_app.app_context():
        booking = Booking.get(Booking.session == session_id)
    confirmed = operator.post(f"/bookings/{booking.id}/confirm", data={"csrf_token": token(operator)})
    assert confirmed.status_code == 303
    daily = operator.get(f"/bookings/daily?date={(business_today() + timedelta(days=7)).isoformat()}")
    assert daily.status_code == 200
    found = operator.post("/intake/search", data={"csrf_token": token(operator), "q": VISITOR["phone"]})
    assert booking.reference in found.text
    assert watch.shown(VISITOR["contact_name"])
    watch.assert_no_trace()


def test_a_phone_booking_leaves_no_trace_of_the_caller(staff_app, world, session_id, watch):
    operator = signed_in_as(staff_app, world.accounts["operator"])
    headers = {"HX-Request": "true", "X-CSRFToken": token(operator)}
    assert operator.post("/intake/matches", data=CALLER, headers=headers).status_code == 200
    refused = operator.post("/intake", data=intake_form(operator, session_id, **{**CALLER, "phone": "12"}))
    assert refused.status_code == 200 and f'value="{CALLER["address"]}"' in refused.text
    forged = operator.post("/intake", data={**intake_form(operator, session_id, **CALLER), "csrf_token": "x"})
    assert forged.status_code == 400
    booked = operator.post("/intake", data=intake_form(operator, session_id, **CALLER))
    assert booked.status_code == 303
    assert operator.get(booked.headers["Location"]).status_code == 200
    booking_id = int(booked.headers["Location"].rsplit("/", 1)[1])
    change = operator.get(f"/intake/{booking_id}/change")
    assert CALLER["business_name"] in change.text
    cancel = {"csrf_token": token(operator), "reason": "都合により"}
    asked = operator.post(f"/intake/{booking_id}/cancel", data=cancel)
    assert asked.status_code == 200 and CALLER["contact_name"] in asked.text, "the confirmation names them"
    cancelled = operator.post(f"/intake/{booking_id}/cancel", data={**cancel, "confirmed": "yes"})
    assert cancelled.status_code == 303
    watch.assert_no_trace()


def test_a_consultation_record_and_its_file_leave_no_trace(staff_app, world, watch):
    author = signed_in_as(staff_app, world.accounts["author"])
    new = f"/records/new/{world.unwritten}"
    page = author.get(new)
    typed = {
        "csrf_token": csrf_from(page.text),
        "programmes": ["yachin"],
        "follow_up_due": "2030-01-15",
        **RECORD,
    }
    assert author.post(new, data={**typed, "follow_up_due": "not a date"}).status_code == 200
    assert author.post(new, data={**typed, "csrf_token": "x"}).status_code == 400
    created = author.post(new, data=typed)
    assert created.status_code == 303
    record = int(created.headers["Location"].rsplit("/", 1)[1])
    pdf = pdf_bytes("決算書", [FILE_TEXT])
    assert upload(author, record, pdf, filename=FILENAME).status_code == 303
    refused = upload(author, record, b"<html>" + FILE_TEXT.encode(), filename=FILENAME)
    assert refused.status_code == 200 and 'name="file"' in refused.text, "refused, with the form again"
    shown = author.get(f"/records/{record}")
    assert RECORD["advice"] in shown.text and FILENAME in shown.text
    attachment = shown.text.split(f'href="/records/{record}/attachments/')[1].split('"')[0]
    for path in (
        f"/records/{record}/attachments/{attachment}",
        f"/records/{record}/attachments/{attachment}/preview",
    ):
        assert author.get(path).status_code == 200
    city = signed_in_as(staff_app, world.accounts["city"])
    assert RECORD["notes"] in city.get(f"/records/{record}").text
    assert city.get(f"/records/{record}/viewers", headers={"HX-Request": "true"}).status_code == 200
    consent_to_exports(staff_app, world.accounts["author"].id)
    assert author.get("/records/follow-ups.csv").status_code == 200
    delete = {"csrf_token": token(author), "reason": REASON}
    assert author.post(f"/records/{record}/delete", data=delete).status_code == 200, "it asks first"
    deleted = author.post(f"/records/{record}/delete", data={**delete, "confirmed": "yes"})
    assert deleted.status_code == 303
    watch.assert_no_trace()


def test_a_library_document_leaves_no_trace_of_its_file(staff_app, world, watch):
    author = signed_in_as(staff_app, world.accounts["author"])
    with staff_app.app_context():
        organisation = User.get_by_id(world.accounts["author"].id).organisation_id
    folder = make_folder(staff_app, organisation, name="相談資料")
    upload_url = f"/library/folders/{folder}/documents"

    def send(data: bytes, **fields):
        form = {"csrf_token": token(author), "title": "決算書の写し", "file": (io.BytesIO(data), FILENAME)}
        return author.post(upload_url, data={**form, **fields}, content_type="multipart/form-data")

    refused = send(b"<svg onload=alert(1)>" + FILE_TEXT.encode())
    assert refused.status_code == 200 and 'name="file"' in refused.text, "refused, with the form again"
    added = send(pdf_bytes("決算書", [FILE_TEXT]))
    assert added.status_code == 303
    document = int(added.headers["Location"].rsplit("/", 1)[1])
    page = author.get(f"/library/documents/{document}")
    assert FILENAME in page.text
    version = page.text.split('href="/library/versions/')[1].split("/")[0]
    assert author.get(f"/library/versions/{version}/download").status_code == 200
    assert author.get(f"/library/documents/{document}/seen").status_code == 200
    assert author.get("/library/", query_string={"q": "決算書"}).status_code == 200
    delete = {"csrf_token": token(author), "reason": REASON}
    assert author.post(f"/library/documents/{document}/delete", data=delete).status_code == 200, "it asks"
    deleted = author.post(f"/library/documents/{document}/delete", data={**delete, "confirmed": "yes"})
    assert deleted.status_code == 303
    watch.assert_no_trace()
