"""The staff support ledger (応援): the city's published figures rebuilt from a ledger, the CSV
import that stores a whole file or nothing, the entry form, planned against actual, and who may
reach it."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from portal.core.database import database
from portal.core.models import AuditEvent, SupportEntry
from tests.conftest import change_settings, csrf_from
from tests.pages import without_tokens

PUBLISHED = Path(__file__).parent / "data" / "support-ledger-2020.csv"
HEADER = "date,bureau,people,day_part,status,note\n"
# 中小企業等緊急支援補助金業務に係る産業観光局内外の職員の応援の状況 (the city's report): person-days
# planned, half days counted as 0.5.
OTHER_BUREAUS = {
    "環境政策局": 6,
    "行財政局": 9,
    "総合企画局": 18,
    "都市計画局": 23,
    "建設局": 34,
    "会計室": 13,
    "人事委員会事務局": 3,
    "監査事務局": 8,
}
HOME_PERIODS = [
    ["2020-05-11", "2020-06-19", "weekdays"],
    ["2020-07-06", "2020-07-17", "weekdays"],
    ["2020-05-23", "2020-05-23", "single"],
    ["2020-05-24", "2020-05-24", "single"],
]
OTHER_PERIODS = [
    ["2020-05-25", "2020-05-27", "weekdays"],
    ["2020-06-01", "2020-06-05", "weekdays"],
    ["2020-07-08", "2020-07-17", "weekdays"],
]
HOME_LINES = ["5月11日(月)～6月19日(金)の平日", "7月6日(月)～7月17日(金)の平日", "5月23日(土)、24日(日)"]
OTHER_LINES = ["5月25日(月)～5月27日(水)", "6月1日(月)～6月5日(金)", "7月8日(水)～7月17日(金)の平日"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def summary_json(portal_cli) -> dict:
    result = portal_cli("ledger", "summary", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def import_text(portal_cli, tmp_path: Path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "ledger.csv"
    path.write_bytes(text.encode(encoding))
    return portal_cli("ledger", "import", str(path))


def stored(app) -> int:
    with app.app_context(), database.connection_context():
        return SupportEntry.select().count()


def events(app, action: str) -> list[str]:
    with app.app_context(), database.connection_context():
        return [e.object_id for e in AuditEvent.select().where(AuditEvent.action == action)]


def figure_row(label: str, planned, actual) -> str:
    """A row of the summary page's tables, as it is rendered."""
    cells = "".join(f"<td>{value}</td>" for value in (planned, actual, planned - actual))
    return f'<tr><th scope="row">{label}</th>{cells}</tr>'


def test_the_city_s_published_figures_come_out_of_a_ledger(staff_app, portal_cli, signed_in):
    imported = portal_cli("ledger", "import", str(PUBLISHED))
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == "imported 101 entries\n"
    assert len(events(staff_app, "ledger.import")) == 101

    figures = summary_json(portal_cli)
    planned = figures["planned"]
    assert (planned["total"], planned["home"], planned["other"]) == (521.5, 407.5, 114)
    assert planned["by_bureau"] == {"産業観光局": 407.5, **OTHER_BUREAUS}
    assert list(planned["by_bureau"]) == ["産業観光局", *OTHER_BUREAUS]  # the configured order
    assert len(planned["by_bureau"]) - 1 == 8 and sum(OTHER_BUREAUS.values()) == 114
    assert planned["periods"]["home"] == HOME_PERIODS
    assert planned["periods"]["other"] == OTHER_PERIODS
    assert planned["periods"]["all"] == HOME_PERIODS
    assert figures["home_bureau"] == "産業観光局"
    # Nothing actual was entered: the published figures are planned ones.
    assert figures["actual"] == {
        "total": 0,
        "home": 0,
        "other": 0,
        "by_bureau": {},
        "periods": {"home": [], "other": [], "all": []},
    }

    plain = portal_cli("ledger", "summary")
    assert plain.stdout.splitlines()[:3] == [
        "planned: 521.5 person-days, 407.5 in 産業観光局, 114 from other bureaus",
        "  産業観光局: 407.5",
        "  環境政策局: 6",
    ]

    city = signed_in("city")
    page = city.get("/ledger/").text
    assert figure_row("延べ人数", 521.5, 0) in page
    assert figure_row("産業観光局内", 407.5, 0) in page
    assert figure_row("他局", 114, 0) in page
    for bureau, days in OTHER_BUREAUS.items():
        assert figure_row(bureau, days, 0) in page
    for line in HOME_LINES + OTHER_LINES:
        assert f'<span class="period">{line}</span>' in page

    download = city.get("/ledger/summary.xlsx")
    assert download.status_code == 200 and download.mimetype == XLSX
    book = load_workbook(io.BytesIO(download.data))
    assert book.sheetnames == ["延べ人数", "局別内訳", "応援期間", "明細", "出力情報"]
    assert [list(row) for row in book["延べ人数"].iter_rows(values_only=True)] == [
        ["区分", "予定", "実績", "差（予定－実績）"],
        ["延べ人数", 521.5, 0, 521.5],
        ["産業観光局内", 407.5, 0, 407.5],
        ["他局", 114, 0, 114],
    ]
    by_bureau = {row[0]: row[1] for row in book["局別内訳"].iter_rows(min_row=2, values_only=True)}
    assert by_bureau == {"産業観光局": 407.5, **OTHER_BUREAUS}
    periods = [list(row) for row in book["応援期間"].iter_rows(min_row=2, values_only=True)]
    assert periods == [
        *(["産業観光局内", "予定", line] for line in HOME_LINES),
        *(["他局", "予定", line] for line in OTHER_LINES),
        *(["全体", "予定", line] for line in HOME_LINES),
    ]
    entries = list(book["明細"].iter_rows(min_row=2, values_only=True))
    assert len(entries) == 101
    assert entries[0] == (datetime(2020, 5, 11), "産業観光局", 8, "終日", "予定", 8, "申請書類の受付・審査")
    assert sum(row[5] for row in entries) == 521.5
    assert events(staff_app, "ledger.export") == [None]


def test_a_bad_row_is_named_by_its_line_and_nothing_of_the_file_is_imported(staff_app, portal_cli, tmp_path):
    text = (
        HEADER
        + "2020-05-11,産業観光局,8,full,planned,\n"
        + "2020-05-12,港湾局,8,full,planned,\n"  # line 3: no such bureau
        + "2020-05-13,産業観光局,8,full,planned,\n"
        + "2020-05-14,産業観光局,eight,full,planned,\n"  # line 5
        + '2020-05-15,産業観光局,8,morning,planned,"審査, 受付"\n'  # line 6
        + "2020-02-30,産業観光局,8,full,planned,\n"  # line 7
        + "2020-05-18,産業観光局,8,full,expected,\n"  # line 8
    )
    result = import_text(portal_cli, tmp_path, text)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "problem: line 3: bureau '港湾局' is not one of PORTAL_BUREAUS",
        "problem: line 5: people must be a whole number from 0 to 999, got 'eight'",
        "problem: line 6: day_part must be full or half, got 'morning'",
        "problem: line 7: date must be a day written YYYY-MM-DD, got '2020-02-30'",
        "problem: line 8: status must be planned or actual, got 'expected'",
        f"{tmp_path / 'ledger.csv'}: nothing imported",
    ]
    assert stored(staff_app) == 0 and events(staff_app, "ledger.import") == []

    wrong_header = import_text(portal_cli, tmp_path, "day,bureau,people\n2020-05-11,産業観光局,8\n")
    assert wrong_header.exit_code == 1
    assert (
        "line 1: the header must name the columns date,bureau,people,day_part,status,note"
        in wrong_header.stderr
    )
    assert stored(staff_app) == 0


def test_a_file_that_fails_while_it_is_stored_leaves_nothing_behind(
    staff_app, portal_cli, tmp_path, monkeypatch
):
    real_create = SupportEntry.create
    made = []

    def fail_on_the_third(**values):
        if len(made) == 2:
            raise RuntimeError("the disk is full")
        made.append(real_create(**values))
        return made[-1]

    monkeypatch.setattr(SupportEntry, "create", fail_on_the_third)
    rows = "".join(f"2020-05-{day},産業観光局,8,full,planned,\n" for day in (11, 12, 13, 14))
    result = import_text(portal_cli, tmp_path, HEADER + rows)
    assert result.exit_code != 0 and len(made) == 2
    monkeypatch.undo()
    assert stored(staff_app) == 0 and events(staff_app, "ledger.import") == []


def test_a_file_excel_saved_in_shift_jis_with_its_own_dates_imports(staff_app, portal_cli, tmp_path):
    text = HEADER + "2020/5/11,産業観光局,８,half,actual,午前のみ\r\n2020/5/12,建設局,3,full,actual,\r\n"
    result = import_text(portal_cli, tmp_path, text, encoding="cp932")
    assert result.exit_code == 0, result.output
    actual = summary_json(portal_cli)["actual"]
    assert (actual["total"], actual["home"], actual["other"]) == (7, 4, 3)
    with staff_app.app_context(), database.connection_context():
        first = SupportEntry.get(SupportEntry.day == date(2020, 5, 11))
        assert (first.people, first.day_part, first.note) == (8, "half", "午前のみ")


def test_planned_and_actual_are_kept_apart_and_a_day_called_off_shows_as_the_difference(
    portal_cli, tmp_path, signed_in
):
    planned = "".join(f"2020-07-{day},建設局,4,full,planned,\n" for day in (13, 14, 15, 16, 17))
    actual = (
        "2020-07-13,建設局,4,full,actual,\n"
        "2020-07-14,建設局,3,full,actual,一人は当日に取りやめ\n"
        "2020-07-15,建設局,4,full,actual,\n"
        "2020-07-16,建設局,4,half,actual,午後は本務\n"
        "2020-07-17,建設局,0,full,actual,当日に全員取りやめ\n"
    )
    assert import_text(portal_cli, tmp_path, HEADER + planned + actual).exit_code == 0
    figures = summary_json(portal_cli)
    assert (figures["planned"]["other"], figures["actual"]["other"]) == (20, 13)
    assert figures["planned"]["periods"]["other"] == [["2020-07-13", "2020-07-17", "weekdays"]]
    # A day nobody came adds no day to the actual periods.
    assert figures["actual"]["periods"]["other"] == [["2020-07-13", "2020-07-16", "weekdays"]]
    page = signed_in("operator").get("/ledger/").text
    assert '<tr><th scope="row">建設局</th><td>20</td><td>13</td><td>7</td></tr>' in page
    assert '<span class="period">7月13日(月)～7月16日(木)</span>' in page


def test_the_bureaus_are_a_comma_separated_setting_or_a_list(tmp_path):
    from portal.core.settings import load_settings

    named = load_settings(
        "staff", {"INSTANCE_PATH": tmp_path, "BUREAUS": " 甲局, 乙局 ", "HOME_BUREAU": "乙局"}
    )
    listed = load_settings(
        "staff", {"INSTANCE_PATH": tmp_path, "BUREAUS": ["甲局", "乙局"], "HOME_BUREAU": "乙局"}
    )
    assert named.bureaus == listed.bureaus == ("甲局", "乙局") and named.home_bureau == "乙局"


def test_the_home_bureau_is_a_setting(staff_app, portal_cli, tmp_path):
    rows = "2020-07-13,建設局,4,full,planned,\n2020-07-13,産業観光局,8,half,planned,\n"
    assert import_text(portal_cli, tmp_path, HEADER + rows).exit_code == 0
    change_settings(staff_app, home_bureau="建設局")
    planned = summary_json(portal_cli)["planned"]
    assert (planned["home"], planned["other"]) == (4, 4)
    assert list(planned["by_bureau"]) == ["建設局", "産業観光局"]


def test_the_form_keeps_what_was_typed_when_it_is_wrong_and_stores_it_when_right(staff_app, signed_in):
    operator = signed_in("operator")
    token = csrf_from(operator.get("/ledger/new").text)
    typed = {
        "csrf_token": token,
        "day": "2020-07-16",
        "bureau": "建設局",
        "people": "1000",
        "day_part": "half",
        "status": "actual",
        "note": "午後のみ <審査>",
    }
    for headers in ({}, {"HX-Request": "true"}):
        page = operator.post("/ledger/new", data=typed, headers=headers)
        assert page.status_code == 200
        assert ("<html" in page.text) is not bool(headers)
        assert "人数は0から999までの数で入力してください。" in page.text
        assert 'value="2020-07-16"' in page.text and 'value="1000"' in page.text
        assert '<option selected value="建設局">' in page.text
        assert (
            '<input checked id="day_part-1" name="day_part" required type="radio" value="half">' in page.text
        )
        assert '<input checked id="status-1" name="status" required type="radio" value="actual">' in page.text
        assert 'value="午後のみ &lt;審査&gt;"' in page.text
    assert stored(staff_app) == 0

    done = operator.post("/ledger/new", data={**typed, "people": "2"})
    assert done.status_code == 303 and done.headers["Location"] == "/ledger/new"
    assert "2020年7月16日(木) 建設局 2人（半日・実績）を登録しました。" in operator.get("/ledger/new").text
    with staff_app.app_context(), database.connection_context():
        entry = SupportEntry.get()
        assert (entry.day, entry.bureau, entry.people, entry.day_part, entry.status, entry.note) == (
            date(2020, 7, 16),
            "建設局",
            2,
            "half",
            "actual",
            "午後のみ <審査>",
        )
    assert events(staff_app, "ledger.add") == [str(entry.id)]
    forged = operator.post("/ledger/new", data={**typed, "people": "2", "bureau": "港湾局"})
    assert "選べない値が送られました" in forged.text and stored(staff_app) == 1


def test_entries_are_listed_by_month_and_a_mistyped_one_is_taken_out(
    staff_app, portal_cli, tmp_path, signed_in
):
    rows = "".join(
        f"{day},{bureau},4,full,planned,\n"
        for day, bureau in (
            ("2020-05-11", "産業観光局"),
            ("2020-07-13", "建設局"),
            ("2020-07-14", "会計室"),
            ("2020-07-15", "会計室"),
        )
    )
    assert import_text(portal_cli, tmp_path, HEADER + rows).exit_code == 0
    city = signed_in("city")
    newest = city.get("/ledger/entries").text
    assert "2020年7月" in newest and "建設局" in newest and "産業観光局" not in newest
    assert "2020年5月11日(月)" in city.get("/ledger/entries?month=2020-05").text
    with staff_app.app_context(), database.connection_context():
        july = [
            entry.id
            for entry in SupportEntry.select()
            .where(SupportEntry.day >= date(2020, 7, 1))
            .order_by(SupportEntry.day)
        ]
    token = {"csrf_token": csrf_from(newest)}
    gone = city.post(f"/ledger/entries/{july[0]}/delete", data=token)
    assert gone.status_code == 303 and gone.headers["Location"] == "/ledger/entries?month=2020-07"
    assert "2020年7月13日(月) 建設局 の記録を削除しました。" in city.get(gone.headers["Location"]).text
    row = city.post(f"/ledger/entries/{july[1]}/delete", data=token, headers={"HX-Request": "true"})
    assert row.status_code == 200 and row.text == ""  # htmx swaps the row out
    # The month's last entry gone, the list opens at the newest month left.
    last = city.post(f"/ledger/entries/{july[2]}/delete", data=token)
    assert last.headers["Location"] == "/ledger/entries"
    assert "2020年5月11日(月)" in city.get("/ledger/entries").text
    assert stored(staff_app) == 1 and events(staff_app, "ledger.delete") == [str(i) for i in july]
    assert city.post(f"/ledger/entries/{july[0]}/delete", data=token).status_code == 404


@pytest.mark.parametrize("role", ["consultant", "admin", "anonymous"])
def test_only_the_city_and_the_operator_reach_the_ledger(staff_app, signed_in, role):
    client = staff_app.test_client() if role == "anonymous" else signed_in(role)
    unknown = without_tokens(client.get("/no-such-page").data)
    for url in ("/ledger/", "/ledger/new", "/ledger/entries", "/ledger/summary.xlsx"):
        answer = client.get(url)
        assert answer.status_code == 404 and without_tokens(answer.data) == unknown, url
    if role != "anonymous":
        assert 'href="/ledger/"' not in client.get("/").text


@pytest.mark.parametrize("role", ["city", "operator"])
def test_the_menu_leads_the_city_and_the_operator_to_the_ledger(signed_in, role):
    assert '<a href="/ledger/">職員応援</a>' in signed_in(role).get("/").text


def days(*pairs: tuple[int, int]) -> list[date]:
    return [date(2020, month, day) for month, day in pairs]


@pytest.mark.parametrize(
    ("entered", "periods"),
    [
        # A weekend between working days neither ends nor splits a run; its entries are singles.
        (days((5, 22), (5, 23), (5, 25)), [("05-22", "05-25", "weekdays"), ("05-23", "05-23", "single")]),
        # A weekday without entries ends a run.
        (
            days((6, 1), (6, 2), (6, 4), (6, 5)),
            [("06-01", "06-02", "weekdays"), ("06-04", "06-05", "weekdays")],
        ),
        # A lone working day is a single, listed among the weekend days in date order.
        (
            days((6, 5), (5, 30), (6, 1), (6, 2)),
            [("06-01", "06-02", "weekdays"), ("05-30", "05-30", "single"), ("06-05", "06-05", "single")],
        ),
        (days((6, 10), (6, 6)), [("06-06", "06-06", "single"), ("06-10", "06-10", "single")]),
        ([], []),
    ],
)
def test_dates_compress_into_runs_of_working_days_and_single_days(entered, periods):
    from portal.staff.ledger.periods import compress

    assert [p.as_json() for p in compress(entered)] == [
        [f"2020-{a}", f"2020-{b}", kind] for a, b, kind in periods
    ]


def test_periods_read_as_the_city_writes_them_and_in_english(staff_app):
    from portal.staff.ledger.periods import compress, describe

    entered = [
        *days((5, 25), (5, 26), (5, 27)),
        *days((7, 10), (7, 13)),
        *days((5, 31), (6, 6), (6, 7)),
    ]
    with staff_app.test_request_context():
        assert describe(compress(entered)) == [
            "5月25日(月)～5月27日(水)",
            "7月10日(金)～7月13日(月)の平日",
            "5月31日(日)、6月6日(土)、7日(日)",
        ]
    with staff_app.test_request_context(headers={"Cookie": "lang=en"}):
        assert describe(compress(entered)) == [
            "Mon 25 May – Wed 27 May",
            "Fri 10 Jul – Mon 13 Jul, weekdays",
            "Sun 31 May, Sat 6 Jun, Sun 7 Jun",
        ]
