"""One real object of every kind a staff URL names, for walking every route as each role.

Built on the records world (two associations' consultants, the city, the operator, an admin, a
record with a file and a grant). Each role gets objects it may reach at the object level too
(a library folder its organisation owns, the record it wrote or oversees), so that an allowed
role is answered by the view, never refused by it. Objects a state change consumes (a web
request confirmed, another declined) are separate, so the order of a walk does not matter.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from portal.core.database import database
from portal.core.dates import business_today
from portal.core.models import (
    AccountApproval,
    AffectedBusiness,
    CheckSheetSignOff,
    ConsultationSession,
    FolderGrant,
    Holiday,
    Organisation,
    Season,
    StaffSession,
    SupportEntry,
    User,
    Venue,
    WaitingRequest,
    WeeklyPattern,
)
from portal.core.models.base import utcnow
from portal.core.reservations import book
from portal.core.security.sealing import sealer
from portal.staff.accounts import create_user
from portal.staff.daily_reports.service import file_report
from portal.staff.incidents.registry import Facts, register
from portal.staff.people import sealed_with_indexes
from portal.staff.sessions import start_session
from tests.conftest import PASSWORD, consent_to_exports
from tests.library_support import first_version, make_document, make_folder
from tests.records_world import VISITOR, World, build, with_file_and_grant

# Whose account each role walks with: the consultant is the author of the record.
WALKER = {"city": "city", "consultant": "author", "operator": "operator", "admin": "admin"}


@dataclass
class Shelf:
    """A folder a role's organisation owns, with a document, its first version and a grant."""

    folder: int
    document: int
    version: int
    grant: int


@dataclass
class StaffWorld:
    """The ids a walk puts into URLs."""

    records: World
    shelves: dict[str, Shelf]  # by role
    to_confirm: int  # a web request the inbox confirms
    to_decline: int  # another it declines
    arriving: int  # a confirmed booking reception checks in
    waiting: int  # a waiting-list request with a place free for it
    venue: int
    session: int
    pattern: int
    season: int
    holiday: int
    report_day: date  # the day of a filed daily report
    ledger_entry: int  # a staff support ledger entry
    to_approve: int  # an administrator's new consultant account, waiting for the city
    to_reject: int  # another
    spare_user: int  # an account administrators act on (not one that walks)
    spare_organisation: int
    elsewhere: dict[str, int]  # by role: a session of the walking account on another device
    incident: int  # an incident that exposed consultant A's record
    incident_business: int  # the business it affected
    check_sheet_sign_off: int  # a stage of the security check sheet signed by the outsider, to countersign
    # By role: a file the walking account is sending in chunks, begun in the walk's own session
    # (an upload is its session's alone), so the walk begins it once it has signed in.
    uploads: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def record(self) -> int:
        return self.records.record

    @property
    def attachment(self) -> uuid.UUID:
        return self.records.attachment

    @property
    def record_grant(self) -> int:
        return self.records.grant


def _organisation(account_id: int) -> int:
    return User.get_by_id(account_id).organisation_id


def _shelf(app, role: str, owner: int, reader: int, author: int) -> Shelf:
    folder = make_folder(app, owner, grants=({"organisation": reader, "access": "read"},), name=f"{role}の棚")
    document = make_document(app, folder, author, f"{role}の手引き")
    with app.app_context(), database.connection_context():
        grant = FolderGrant.get(FolderGrant.folder == folder).id
    return Shelf(folder, document, first_version(app, document), grant)


def _web_request(session_id: int) -> int:
    return book(
        session_id, channel="web", status="requested", programmes="yachin", **sealed_with_indexes(VISITOR)
    ).booking.id


def _awaiting_approval(email: str, admin: User) -> int:
    """A consultant account an administrator made, held until a city user decides."""
    organisation = Organisation.get(Organisation.name == "架空行政書士会")
    made = create_user(email, "consultant", organisation, PASSWORD, enrol_now=False, requested_by=admin)
    return AccountApproval.get(AccountApproval.user == made.user.id).id


def _session_elsewhere(account_id: int) -> int:
    """The account signed in on another device too, so it has a session to end."""
    start_session(User.get_by_id(account_id), "127.0.0.9", "Mozilla/5.0 (iPhone) Safari/604.1")
    return StaffSession.get(StaffSession.user == account_id).id


def _incident(app, records: World) -> tuple[int, int]:
    """The city's incident over consultant A's record, and the one business it affected."""
    now = utcnow()
    facts = Facts(
        discovered_at=now,
        discovered_how="search-engine",
        discovery_note="",
        window_start=now - timedelta(days=1),
        window_end=now,
        cause="公開フォルダの設定誤り",
        records=frozenset({records.record}),
    )
    with app.app_context(), database.connection_context():
        incident = register(facts, User.get_by_id(records.accounts["city"].id))
        return incident.id, AffectedBusiness.get(AffectedBusiness.incident == incident.id).id


def build_staff_world(app) -> StaffWorld:
    """The records world, then bookings, the operating calendar, daily reports and the library."""
    records = with_file_and_grant(app, build(app))
    accounts = records.accounts
    today = business_today()
    with app.app_context(), database.connection_context():
        organisations = {role: _organisation(accounts[name].id) for role, name in WALKER.items()}
        spare_organisation = _organisation(accounts["outsider"].id)
        elsewhere = {role: _session_elsewhere(accounts[name].id) for role, name in WALKER.items()}
        venue = Venue.create(name="架空公民館 相談室", ward="架空西区", address="架空市架空西区2-2")
        session = ConsultationSession.create(
            venue=venue,
            date=today + timedelta(days=7),
            starts_at=time(10),
            ends_at=time(11),
            capacity=10,
            consultant=accounts["author"].id,
        ).id
        to_confirm, to_decline = _web_request(session), _web_request(session)
        arriving = book(
            session, channel="phone", status="confirmed", **sealed_with_indexes(VISITOR)
        ).booking.id
        waiting = WaitingRequest.create(session=session, sealed=sealer().seal(VISITOR)).id
        pattern = WeeklyPattern.create(
            venue=venue, weekday=0, starts_at=time(13), ends_at=time(14), capacity=4
        ).id
        season = Season.create(
            name="秋の相談会", starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=36)
        ).id
        holiday = Holiday.create(date=today + timedelta(days=60), name="施設点検日").id
        ledger_entry = SupportEntry.create(
            day=today, bureau="建設局", people=2, day_part="full", status="planned"
        ).id
        admin = User.get_by_id(accounts["admin"].id)
        to_approve, to_reject = (_awaiting_approval(f"consultant-{n}@example.jp", admin) for n in ("d", "e"))
        check_sheet_sign_off = CheckSheetSignOff.create(
            stage="before_build",
            signed_by=accounts["outsider"].id,
            signer_name="outsider",
            organisation_name="outsider org",
            signed_on=today,
            evidence="{}",
        ).id
    make_folder(
        app,
        organisations["operator"],
        "daily-reports",
        ({"organisation": organisations["city"], "access": "read"},),
        "日報",
    )
    consent_to_exports(app, *(accounts[walker].id for walker in WALKER.values()))
    report_day = today - timedelta(days=1)
    with app.app_context(), database.connection_context():
        file_report(report_day, 12, 3, "特記事項なし", 0, User.get_by_id(accounts["operator"].id))
    incident, incident_business = _incident(app, records)
    shelves = {
        role: _shelf(app, role, organisations[role], spare_organisation, accounts[name].id)
        for role, name in WALKER.items()
    }
    return StaffWorld(
        records=records,
        shelves=shelves,
        to_confirm=to_confirm,
        to_decline=to_decline,
        arriving=arriving,
        waiting=waiting,
        venue=venue.id,
        session=session,
        pattern=pattern,
        season=season,
        holiday=holiday,
        report_day=report_day,
        ledger_entry=ledger_entry,
        to_approve=to_approve,
        to_reject=to_reject,
        spare_user=accounts["outsider"].id,
        spare_organisation=spare_organisation,
        elsewhere=elsewhere,
        incident=incident,
        incident_business=incident_business,
        check_sheet_sign_off=check_sheet_sign_off,
    )
