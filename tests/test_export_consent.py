"""The city's consent to exports of personal data, and who exported each file when.

Written out again from the contract (no copying of the work's data without the city's consent):
the daily list's CSV and XLSX are given to an account only while the newest decision for its own
organisation is "on" and today lies within its period, first and last day included. Otherwise the
links are not shown, the file is refused with a page that says why, and the refusal is audited.
Only the city sets the switch, each change audited. Every file names its exporter and the time.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from portal.core.dates import business_today
from portal.core.models import AuditEvent, ExportConsent, Organisation, User
from portal.staff.incidents.registry import Facts, register
from tests.conftest import csrf_from
from tests.front_desk import seat, session_at, venue

DAY = business_today() + timedelta(days=1)
LIST = f"/bookings/daily?date={DAY.isoformat()}"
FILES = (f"/bookings/daily.csv?date={DAY.isoformat()}", f"/bookings/daily.xlsx?date={DAY.isoformat()}")
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def booked_day(staff_app):
    with staff_app.app_context():
        seat(session_at(venue("みなと区役所"), DAY, 10), contact_name="出力 太郎", business_name="太郎商店")


def organisation_of(staff_app, account) -> int:
    with staff_app.app_context():
        return User.get_by_id(account.id).organisation_id


def decide(city, organisation_id: int, **fields):
    """The city's form for one organisation, sent."""
    url = f"/export-consents/{organisation_id}"
    page = city.get(url)
    return city.post(url, data={"csrf_token": csrf_from(page.text), **fields})


def consent(staff_app, organisation_id: int, first, last, by: int, allowed: bool = True) -> None:
    with staff_app.app_context():
        ExportConsent.create(
            organisation=organisation_id,
            allowed=allowed,
            starts_on=first,
            ends_on=last,
            reason="試験",
            decided_by=by,
        )


def refusals(staff_app) -> list[tuple[str, str]]:
    with staff_app.app_context():
        found = AuditEvent.select().where(AuditEvent.action == "export.refused").order_by(AuditEvent.seq)
        return [(event.object_type, event.outcome) for event in found]


def assert_refused(client, staff_app) -> None:
    before = len(refusals(staff_app))
    page = client.get(LIST).text
    assert "出力 太郎" in page and "CSVで保存" not in page and "Excelで保存" not in page
    for url in FILES:
        answer = client.get(url)
        assert answer.status_code == 403 and "このファイルは保存できません" in answer.text
        assert "出力 太郎" not in answer.text
    assert refusals(staff_app)[before:] == [
        ("bookings.daily_csv", "no-consent"),
        ("bookings.daily_xlsx", "no-consent"),
    ]


def assert_given(client) -> None:
    assert "CSVで保存" in client.get(LIST).text
    for url in FILES:
        assert client.get(url).status_code == 200, url


def test_without_consent_nobody_exports_not_even_the_city(staff_app, signed_in, booked_day):
    for role in ("operator", "city"):
        assert_refused(signed_in(role), staff_app)
    with staff_app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "booking.export").count() == 0, "nothing opened"


def test_the_city_switches_an_organisation_on_for_a_period_and_off_again(
    staff_app, signed_in, accounts, booked_day
):
    city, operator = signed_in("city"), signed_in("operator")
    organisation = organisation_of(staff_app, accounts["operator"])
    assert "未設定" in city.get("/export-consents/").text
    on = decide(
        city,
        organisation,
        switch="on",
        starts_on=business_today().isoformat(),
        ends_on=(business_today() + timedelta(days=30)).isoformat(),
        reason="日別予約一覧の共有",
    )
    assert on.status_code == 303
    listing = city.get(on.headers["Location"]).text
    assert "operator org による個人情報を含む出力に" in listing and "同意中" in listing
    assert_given(operator)
    off = decide(city, organisation, switch="off", reason="契約の見直し中")
    assert off.status_code == 303
    assert_refused(operator, staff_app)
    with staff_app.app_context():
        decided = (
            AuditEvent.select().where(AuditEvent.action == "export-consent.decide").order_by(AuditEvent.seq)
        )
        assert [(e.actor_id, e.object_type, e.object_id, e.outcome) for e in decided] == [
            (accounts["city"].id, "organisation", str(organisation), "on"),
            (accounts["city"].id, "organisation", str(organisation), "off"),
        ]
    history = city.get(f"/export-consents/{organisation}").text
    assert history.index("契約の見直し中") < history.index("日別予約一覧の共有"), "newest first"


@pytest.mark.parametrize(
    ("first", "last", "given"),
    [
        (0, 0, True),  # a one-day period: today is its first and last day
        (-30, -1, False),  # ended yesterday
        (1, 30, False),  # starts tomorrow
        (-30, 30, True),
    ],
)
def test_the_period_counts_both_ends_and_nothing_outside(
    staff_app, signed_in, accounts, booked_day, first, last, given
):
    today = business_today()
    organisation = organisation_of(staff_app, accounts["operator"])
    consent(
        staff_app,
        organisation,
        today + timedelta(days=first),
        today + timedelta(days=last),
        accounts["city"].id,
    )
    operator = signed_in("operator")
    (assert_given if given else lambda client: assert_refused(client, staff_app))(operator)


def test_another_organisation_s_consent_does_not_count(staff_app, signed_in, accounts, booked_day):
    today = business_today()
    for role in ("consultant", "city"):
        consent(staff_app, organisation_of(staff_app, accounts[role]), today, today, accounts["city"].id)
    assert_refused(signed_in("operator"), staff_app)
    assert_given(signed_in("city"))


def test_a_wrong_form_comes_back_with_what_was_typed_and_decides_nothing(staff_app, signed_in, accounts):
    city = signed_in("city")
    organisation = organisation_of(staff_app, accounts["operator"])
    no_dates = decide(city, organisation, switch="on", reason="理由あり")
    assert no_dates.status_code == 200 and "同意するときは同意の開始日を入力してください" in no_dates.text
    assert 'value="理由あり"' in no_dates.text
    backwards = decide(
        city, organisation, switch="on", starts_on="2026-12-10", ends_on="2026-12-01", reason="逆"
    )
    assert "終了日は開始日と同じか" in backwards.text and 'value="2026-12-10"' in backwards.text
    no_reason = decide(city, organisation, switch="off", reason="  ")
    assert no_reason.status_code == 200 and "理由を入力してください" in no_reason.text
    with staff_app.app_context():
        assert ExportConsent.select().count() == 0
    assert city.get("/export-consents/999999").status_code == 404


@pytest.mark.parametrize("role", ["consultant", "operator", "admin"])
def test_only_the_city_holds_the_switch(staff_app, signed_in, accounts, role):
    client = signed_in(role)
    organisation = organisation_of(staff_app, accounts[role])
    token = csrf_from(client.get("/").text)
    assert client.get("/export-consents/").status_code == 404
    assert client.get(f"/export-consents/{organisation}").status_code == 404
    sent = client.post(
        f"/export-consents/{organisation}",
        data={
            "csrf_token": token,
            "switch": "on",
            "starts_on": "2026-01-01",
            "ends_on": "2099-01-01",
            "reason": "自分で",
        },
    )
    assert sent.status_code == 404
    with staff_app.app_context():
        assert ExportConsent.select().count() == 0
    assert 'href="/export-consents/"' not in client.get("/").text
    assert 'href="/export-consents/"' in signed_in("city").get("/").text


def tokyo_minutes(before: datetime, after: datetime) -> set[str]:
    """Every Tokyo minute between two instants, as a file would print it."""
    minute, found = before.replace(second=0, microsecond=0), set()
    while minute <= after:
        found.add(minute.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M JST"))
        minute += timedelta(minutes=1)
    return found


def test_each_file_names_its_exporter_and_when_in_its_properties_footer_sheet_and_last_line(
    staff_app, signed_in, accounts, booked_day
):
    with staff_app.app_context():
        User.update(display_name="佐々木 由美").where(User.id == accounts["operator"].id).execute()
        Organisation.update(name="株式会社サンプル窓口サービス").where(
            Organisation.id == organisation_of(staff_app, accounts["operator"])
        ).execute()
    consent(
        staff_app,
        organisation_of(staff_app, accounts["operator"]),
        DAY - timedelta(days=2),
        DAY,
        accounts["city"].id,
    )
    operator = signed_in("operator")
    exporter = "佐々木 由美 <operator@example.jp>（株式会社サンプル窓口サービス）"
    before = datetime.now(UTC)
    exported_csv = operator.get(FILES[0]).data.decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(operator.get(FILES[1]).data))
    minutes = tokyo_minutes(before, datetime.now(UTC))
    rows = list(csv.reader(io.StringIO(exported_csv, newline="")))
    assert "太郎商店" in rows[1]
    assert rows[-1][:3] == ["出力者", exporter, "出力日時"] and rows[-1][3] in minutes
    properties = workbook.properties
    assert properties.creator == properties.lastModifiedBy == exporter
    assert properties.title == DAY.isoformat()
    sheet_rows = [[cell.value for cell in row] for row in workbook["出力情報"].iter_rows(min_row=2)]
    assert (
        sheet_rows[0] == ["出力者", exporter]
        and sheet_rows[1][0] == "出力日時"
        and sheet_rows[1][1] in minutes
    )
    footer = workbook[DAY.isoformat()].oddFooter.left.text
    assert footer == f"出力者: {exporter}　出力日時: {sheet_rows[1][1]}"
    assert properties.description == footer


# Every file the staff portal hands out, by endpoint. Those that name people (visitors, businesses,
# staff) need the city's consent; the others hold counts only. A new file fails until placed here.
NAMING_PEOPLE = {
    "bookings.daily_csv": FILES[0],
    "bookings.daily_xlsx": FILES[1],
    "records.follow_ups_csv": "/records/follow-ups.csv",
    "audit_log.export_csv": "/audit/export.csv",
    "audit_log.export_xlsx": "/audit/export.xlsx",
    "pledge.signatures_csv": "/pledge/signatures.csv",
    "pledge.signatures_xlsx": "/pledge/signatures.xlsx",
    "reports.monthly_xlsx": "/reports/monthly.xlsx",  # the signer's name and the remarks
    "incidents.timeline_xlsx": "/incidents/1/report.xlsx",  # the affected businesses by name
    "check_sheet.sheet_xlsx": "/check-sheet/check-sheet.xlsx",  # the signers' names
}
COUNTS_ONLY = {"ledger.summary_xlsx"}


def an_incident(staff_app, city_id: int) -> None:
    """Incident 1, registered by the city, for its report's workbook."""
    now = datetime.now(UTC).replace(tzinfo=None)
    facts = Facts(now, "staff", "", now - timedelta(days=1), now, "試験")
    with staff_app.app_context():
        register(facts, User.get_by_id(city_id))


def test_every_file_that_names_people_needs_consent_and_every_file_is_placed(staff_app, signed_in, accounts):
    rules = staff_app.url_map.iter_rules()
    files = {rule.endpoint for rule in rules if rule.rule.endswith((".csv", ".xlsx"))}
    assert files == set(NAMING_PEOPLE) | COUNTS_ONLY
    an_incident(staff_app, accounts["city"].id)
    city = signed_in("city")  # the one role that reaches every one of them
    for endpoint, url in NAMING_PEOPLE.items():
        refused = city.get(url)
        assert refused.status_code == 403 and "このファイルは保存できません" in refused.text, endpoint
    assert [endpoint for endpoint, _outcome in refusals(staff_app)] == list(NAMING_PEOPLE)
    city_id = accounts["city"].id
    consent(staff_app, organisation_of(staff_app, accounts["city"]), DAY - timedelta(days=1), DAY, by=city_id)
    for endpoint, url in NAMING_PEOPLE.items():
        given = city.get(url)
        assert given.status_code == 200 and "attachment" in given.headers["Content-Disposition"], endpoint
