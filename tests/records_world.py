"""A small world for the record tests: two associations' consultants, the city, the operator and
an admin; sessions held by consultants A and B with attended visitors; one record by each."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta

from portal.core.database import database
from portal.core.dates import business_today
from portal.core.models import ConsultationRecord, ConsultationSession, User, Venue
from portal.core.reservations import book
from portal.staff.people import sealed_with_indexes
from portal.staff.records import content, files
from portal.staff.storage.uploads import as_upload
from tests.conftest import Account, csrf_from, make_account, sign_in
from tests.files import PDF

VISITOR = {
    "business_name": "架空精肉店",
    "business_kana": "カクウセイニクテン",
    "contact_name": "山田 花子",
    "contact_kana": "やまだ はなこ",
    "phone": "0311112222",
    "email": "hanako@example.com",
    "address": "架空市北区1-2-3",
    "industry": "小売業",
}
ADVICE = "家賃支援給付金の申請書類を一緒に確認した。ADVICE-CANARY-7f3a"
ROLES = ("author", "colleague", "outsider", "city", "operator", "admin")


@dataclass
class World:
    """Ids the tests attack, and the accounts that attack them."""

    accounts: dict[str, Account]
    record: int  # consultant A's record
    other_record: int  # consultant B's record
    unwritten: int  # A's attended booking without a record
    not_attended: int  # a confirmed booking in A's session
    day: date
    attachment: uuid.UUID | None = None  # a PDF on A's record, once with_file_and_grant ran
    grant: int | None = None  # the city's grant of A's record to the outsider, likewise


def _session(venue: Venue, day: date, hour: int, consultant: int) -> int:
    return ConsultationSession.create(
        venue=venue, date=day, starts_at=time(hour), ends_at=time(hour + 1), capacity=5, consultant=consultant
    ).id


def _visit(session_id: int, status: str) -> int:
    return book(
        session_id, channel="phone", status=status, programmes="yachin", **sealed_with_indexes(VISITOR)
    ).booking.id


def build(app) -> World:
    """The people, sessions, bookings and the two records."""
    accounts = {
        "author": make_account(app, "consultant", "架空行政書士会", "consultant-a@example.jp"),
        "colleague": make_account(app, "consultant", "架空行政書士会", "consultant-b@example.jp"),
        "outsider": make_account(app, "consultant", "別の行政書士会", "consultant-c@example.jp"),
        "city": make_account(app, "city", "架空市 産業観光局", "city@example.jp"),
        "operator": make_account(app, "operator", "株式会社サンプル窓口サービス", "operator@example.jp"),
        "admin": make_account(app, "admin", "架空市 情報システム課", "admin@example.jp"),
    }
    day = business_today() - timedelta(days=2)
    with app.app_context(), database.connection_context():
        venue = Venue.create(name="架空区役所 相談室", ward="架空区", address="架空市架空区1-1")
        mine = _session(venue, day, 10, accounts["author"].id)
        theirs = _session(venue, day, 13, accounts["colleague"].id)
        written, unwritten, other = (
            _visit(mine, "attended"),
            _visit(mine, "attended"),
            _visit(theirs, "attended"),
        )
        not_attended = _visit(mine, "confirmed")
        body = content.Body(advice=ADVICE, programmes=["yachin"])
        record = content.create(_booking(written), User.get_by_id(accounts["author"].id), body)
        other_record = content.create(
            _booking(other), User.get_by_id(accounts["colleague"].id), content.Body(advice="B の助言")
        )
    return World(accounts, record.id, other_record.id, unwritten, not_attended, day)


def with_file_and_grant(app, world: World) -> World:
    """A PDF on A's record, and the city's grant of that record to the other association's consultant."""
    with app.app_context(), database.connection_context():
        record = ConsultationRecord.get_by_id(world.record)
        author, city = (User.get_by_id(world.accounts[name].id) for name in ("author", "city"))
        world.attachment = files.attach(record, as_upload(PDF, "相談票.pdf"), author.id).id
        world.grant = content.grant(record, world.accounts["outsider"].id, city).id
    return world


def _booking(booking_id: int):
    from portal.core.models import Booking

    return Booking.get_by_id(booking_id)


def signed_in_as(app, account: Account):
    client = app.test_client()
    assert sign_in(client, account).status_code == 303
    return client


def token(client) -> str:
    return csrf_from(client.get("/").text)


def upload(client, target: int, data: bytes, filename: str = "相談記録.pdf", htmx: bool = False, **fields):
    """POST a file to a record's attachments, with any extra form fields."""
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"/records/{target}/attachments",
        data={"csrf_token": token(client), "file": (io.BytesIO(data), filename), **fields},
        headers=headers,
        content_type="multipart/form-data",
    )
