"""Staffing plans and the figures staffed: the contract's plan loaded by demo-seed, the plan edited
by the operator and the city, a day's figures entered, mistakes coming back as typed, and the month's
plan against actual as the test counts it from the figures it entered."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from portal.core.database import database
from portal.core.dates import business_today
from portal.core.models import AuditEvent, CallEvent, PhoneDay, PhonePlan, ReceptionDay, ReceptionPlan, Venue
from tests import report_world as world
from tests.conftest import csrf_from, make_account, sign_in
from tests.test_monthly_report import page_cells, page_row, share

# The contract's example: phone lines and operators per month.
CONTRACT_PHONE = {
    6: (5, Decimal(5)),
    7: (2, Decimal("2.5")),
    8: (2, Decimal(2)),
    9: (1, Decimal(1)),
    10: (1, Decimal(1)),
}


def events(app, action: str) -> list[str]:
    with app.app_context(), database.connection_context():
        return [
            e.object_id
            for e in AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq)
        ]


def test_demo_seed_loads_the_contract_s_staffing_plan(staff_app, portal_cli):
    assert portal_cli("demo-seed").exit_code == 0  # on an empty database: no test accounts yet
    with staff_app.app_context(), database.connection_context():
        phone = {plan.month.month: (plan.lines, plan.operators) for plan in PhonePlan.select()}
        reception = {
            month: sorted(
                staff
                for (staff,) in ReceptionPlan.select(ReceptionPlan.staff)
                .where(ReceptionPlan.month == date(2020, month, 1))
                .tuples()
            )
            for month in range(6, 11)
        }
        venues = Venue.select().count()
    assert phone == CONTRACT_PHONE
    assert venues == 16
    assert reception[6] == [1] * 7 + [2] * 9, "June: 2 people at 9 venues and 1 at 7"
    assert all(reception[month] == [1] * 16 for month in range(7, 11)), "then 1 at every venue"
    city = staff_app.test_client()
    assert sign_in(city, make_account(staff_app, "city", email="reader@example.jp")).status_code == 303
    page = city.get("/staffing/?month=2020-07").text
    assert '<td class="num">2</td><td class="num">—</td><td class="num">2.5</td>' in page


def post_form(client, url: str, venues: list[int], **fields) -> object:
    token = csrf_from(client.get(url).text)
    data = {"csrf_token": token, "venue_ids": ",".join(map(str, venues)), **fields}
    return client.post(url, data=data)


def test_the_operator_and_the_city_edit_the_month_s_plan(staff_app, signed_in):
    venues = world.seed(staff_app, staffing=False)
    listed = [venues[key] for key in ("kita", "library", "minami")]  # by name: 北区役所, 北図書館, 南会館
    operator = signed_in("operator")
    form = operator.get("/staffing/plan?month=2020-06").text
    assert f'value="{",".join(map(str, listed))}"' in form
    saved = post_form(
        operator,
        "/staffing/plan?month=2020-06",
        listed,
        lines="5",
        operators="2.5",
        **{"venues-0": "2", "venues-1": "1", "venues-2": ""},
    )
    assert saved.status_code == 303 and saved.headers["Location"] == "/staffing/?month=2020-06"
    assert "2020年6月の計画を保存しました。" in operator.get(saved.headers["Location"]).text
    with staff_app.app_context(), database.connection_context():
        plan = PhonePlan.get()
        assert (plan.month, plan.lines, plan.operators) == (world.JUNE, 5, Decimal("2.5"))
        assert {row.venue_id: row.staff for row in ReceptionPlan.select()} == {listed[0]: 2, listed[1]: 1}
    assert events(staff_app, "staffing.plan") == ["2020-06"]

    city = signed_in("city")
    assert 'value="2.5"' in city.get("/staffing/plan?month=2020-06").text
    changed = post_form(
        city,
        "/staffing/plan?month=2020-06",
        listed,
        lines="",
        operators="",
        **{"venues-0": "1.5", "venues-1": "", "venues-2": "1"},
    )
    assert changed.status_code == 303
    with staff_app.app_context(), database.connection_context():
        assert PhonePlan.select().count() == 0, "emptied: no phone plan"
        assert {row.venue_id: row.staff for row in ReceptionPlan.select()} == {
            listed[0]: Decimal("1.5"),
            listed[2]: 1,
        }
    assert events(staff_app, "staffing.plan") == ["2020-06", "2020-06"]


def test_a_mistake_comes_back_as_typed_and_nothing_is_stored(staff_app, signed_in):
    venues = world.seed(staff_app, staffing=False)
    listed = [venues[key] for key in ("kita", "library", "minami")]
    operator = signed_in("operator")
    url = "/staffing/plan?month=2020-06"
    wrong = post_form(
        operator, url, listed, lines="5", operators="2.55", **{"venues-0": "abc", "venues-1": "100"}
    )
    assert wrong.status_code == 200
    assert "人数は0から99.9までの数（小数は1桁まで）で入力してください。" in wrong.text
    assert 'id="operators-errors"' in wrong.text and 'id="venues-1-errors"' in wrong.text
    assert "半角の数字で入力してください（小数は 2.5 のように）。" in wrong.text
    assert 'value="2.55"' in wrong.text and 'value="abc"' in wrong.text and 'value="100"' in wrong.text
    half = post_form(operator, url, listed, lines="5", operators="")
    assert "電話回線の数とオペレーターの人数は、両方を入力するか両方を空にしてください。" in half.text
    for not_a_number in ("sNaN", "NaN", "Infinity"):
        odd = post_form(
            operator, url, listed, lines="5", operators=not_a_number, **{"venues-0": not_a_number}
        )
        assert odd.status_code == 200 and 'id="operators-errors"' in odd.text, not_a_number
        assert 'id="venues-0-errors"' in odd.text, not_a_number
    moved = post_form(operator, url, listed[:2], lines="5", operators="5")
    assert "会場の一覧が変わりました" in moved.text
    with staff_app.app_context(), database.connection_context():
        assert PhonePlan.select().count() == ReceptionPlan.select().count() == 0
    assert events(staff_app, "staffing.plan") == []


def test_a_day_s_figures_are_entered_beside_the_calls_counted_and_a_day_to_come_has_none(
    staff_app, signed_in
):
    venues = world.seed(staff_app, staffing=False)
    operator = signed_in("operator")
    page = operator.get("/staffing/actual?date=2020-06-01").text
    # Calls come from the call counter: 3 bookings and 2 enquiries that day in the world.
    assert "この日に受けた電話: 5件（予約 3件・問い合わせ 2件" in page
    assert "北区役所 2階 会議室" in page and "北図書館" not in page, "only venues holding sessions that day"
    saved = post_form(
        operator,
        "/staffing/actual?date=2020-06-01",
        [venues["kita"]],
        lines="4",
        operators="3.5",
        **{"venues-0": "2"},
    )
    assert saved.status_code == 303 and saved.headers["Location"] == "/staffing/?month=2020-06"
    assert "2020年6月1日(月)の実績を保存しました。" in operator.get(saved.headers["Location"]).text
    with staff_app.app_context(), database.connection_context():
        day = PhoneDay.get()
        assert (day.day, day.lines, day.operators) == (date(2020, 6, 1), 4, Decimal("3.5"))
        assert [(r.day, r.venue_id, r.staff) for r in ReceptionDay.select()] == [
            (date(2020, 6, 1), venues["kita"], 2)
        ]
        assert CallEvent.select().count() == sum(n for _day, _kind, n in world.CALLS), (
            "calls are counted, not typed"
        )
    assert events(staff_app, "staffing.actual") == ["2020-06-01"]

    tomorrow = (business_today() + timedelta(days=1)).isoformat()
    ahead = operator.get(f"/staffing/actual?date={tomorrow}").text
    assert "まだ来ていないため、実績は入力できません" in ahead and 'name="lines"' not in ahead
    token = csrf_from(ahead)
    refused = operator.post(
        f"/staffing/actual?date={tomorrow}", data={"csrf_token": token, "lines": "1", "operators": "1"}
    )
    assert refused.status_code == 200 and "まだ来ていないため" in refused.text
    with staff_app.app_context(), database.connection_context():
        assert PhoneDay.select().count() == 1


def test_the_month_s_plan_against_actual_is_the_test_s_own_count(staff_app, signed_in):
    world.seed(staff_app)
    page = signed_in("city").get("/staffing/?month=2020-06").text
    days = {day: staffed for day, staffed in world.PHONE_DAYS.items() if world.in_month(day)}
    lines, operators = world.PHONE_PLAN[world.JUNE]
    below = sum(line < lines or people < operators for line, people in days.values())
    phone = [
        lines,
        share(sum(line for line, _people in days.values()), len(days)),
        operators,
        share(sum(people for _line, people in days.values()), len(days)),
        len(days),
        below,
    ]
    assert page_cells(phone) in page
    assert phone[1:] == [Decimal("4.7"), 5, Decimal("4.8"), 3, 2]
    for key, (name, _ward) in world.VENUES.items():
        entered = [
            staff
            for (venue, day), staff in world.RECEPTION_DAYS.items()
            if venue == key and world.in_month(day)
        ]
        planned = world.RECEPTION_PLAN.get((key, world.JUNE))
        short = sum(planned is not None and staff < planned for staff in entered)
        assert page_row(name, [planned, share(sum(entered), len(entered)), len(entered), short]) in page, name
