"""The security check sheet: the ten items at three stages, evidence that follows the portal's real
state, the dependency scan against a small OSV file, signing and countersigning by two different
people, the A4 print and the workbook, and who may reach it."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from portal.core.database import database
from portal.core.models import AuditEvent, CheckSheetSignOff
from portal.core.models.base import utcnow
from tests.conftest import PASSWORD, change_settings, consent_to_exports, csrf_from

OSV = Path(__file__).parent / "data" / "osv"
ITEMS = [
    "稼働環境及びデータの保護",
    "運用面のセキュリティ",
    "マルウェア対策",
    "脆弱性対策",
    "通信及びサーバ上のデータの暗号化",
    "利用者ID・識別・認証",
    "アクセス権限・アクセス制御",
    "ネットワークのアクセス制御",
    "設計におけるセキュリティ要件",
    "調達・開発の各段階におけるセキュリティ確認",
]
STAGES = ["before_build", "launch", "operation"]


def evidence(page: str, key: str) -> str:
    """One evidence section of the page."""
    match = re.search(rf'<section class="evidence" id="evidence-{key}".*?</section>', page, re.S)
    assert match, key
    return match.group(0)


def item_row(page: str, number: int) -> str:
    match = re.search(rf'<tr data-item="{number}">.*?</tr>', page, re.S)
    assert match, number
    return match.group(0)


def audited(app, action: str) -> list[tuple[str | None, str | None]]:
    with app.app_context(), database.connection_context():
        return [(e.outcome, e.object_id) for e in AuditEvent.select().where(AuditEvent.action == action)]


def test_the_sheet_shows_the_ten_items_at_three_stages(signed_in):
    page = signed_in("operator").get("/check-sheet/").text
    for number, title in enumerate(ITEMS, start=1):
        row = item_row(page, number)
        assert title in row
        assert re.findall(r'data-stage="([a-z_]+)"', row) == STAGES
        assert row.count("未署名") == 3
    # Malware has no evidence the portal can produce: a person judges it.
    assert "人が確認" in item_row(page, 3) and "人が確認" not in item_row(page, 6)
    assert 'aria-current="page"' in page and "セキュリティ対策確認シート" in page


def test_evidence_follows_the_real_state(staff_app, signed_in, accounts):
    from portal.staff.accounts import create_user, organisation_named
    from portal.staff.self_checks.runs import Check, Finding, Severity, record

    operator = signed_in("operator")
    page = operator.get("/check-sheet/").text
    assert "4 / 4" in evidence(page, "second_factor")
    checks = evidence(page, "self_checks")
    assert checks.count("未実行") == 4 and "未実施" in checks
    with staff_app.app_context(), database.connection_context():
        create_user(
            "later@example.jp",
            "operator",
            organisation_named("operator org"),
            PASSWORD,
            enrol_now=False,
            requested_by=None,
        )
        record(
            Check.EXPOSURE,
            utcnow() - timedelta(minutes=3),
            [Finding(Severity.SERIOUS, "Directory listing at /files/", where="/files/")],
        )
    page = operator.get("/check-sheet/").text
    coverage = evidence(page, "second_factor")
    assert "4 / 5" in coverage and "要確認" in coverage
    assert re.search(r"運営事業者</th><td>1</td><td>2</td>", coverage)
    checks = evidence(page, "self_checks")
    assert "Directory listing at /files/" in checks and "重大な所見 1件" in checks and "要確認" in checks
    assert checks.count("未実行") == 3
    assert "要確認" in item_row(page, 2)


def test_the_dependency_scan_finds_the_vulnerable_distribution_and_says_when_it_has_no_database(
    staff_app, signed_in, portal_cli, tmp_path
):
    city = signed_in("city")
    page = city.get("/check-sheet/").text
    scan = evidence(page, "dependencies")
    assert "設定なし（検査できません）" in scan and "未実行" in scan
    refused = city.post("/check-sheet/dependencies/scan", data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 303
    assert "検査できません" in city.get("/check-sheet/").text
    without = portal_cli("dependencies", "audit")
    assert without.exit_code == 2 and "no vulnerability database" in without.output

    found = portal_cli("dependencies", "audit", "--database", str(OSV))
    assert found.exit_code == 1
    assert "openpyxl" in found.output and "TEST-2026-0001" in found.output
    assert "TEST-2026-0002" not in found.output

    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        for path in OSV.glob("*.json"):
            packed.write(path, path.name)
    change_settings(staff_app, vulnerability_db=archive)
    page = city.get("/check-sheet/").text
    city.post("/check-sheet/dependencies/scan", data={"csrf_token": csrf_from(page)})
    scan = evidence(city.get("/check-sheet/").text, "dependencies")
    assert "TEST-2026-0001" in scan and "TEST-2026-0002" not in scan and "all.zip" in scan
    assert "要確認" in scan
    assert [outcome for outcome, _id in audited(staff_app, "dependencies.audit")] == ["refused", "ok"]


def test_a_version_is_vulnerable_when_listed_or_in_a_range_before_the_fix(tmp_path):
    from portal.staff.check_sheet.vulnerabilities import NoDatabase, scan

    shutil.copy(OSV / "TEST-2026-0002.json", tmp_path)
    assert scan(tmp_path, {"openpyxl": "0.9"})[0][0].advisory == "TEST-2026-0002"  # listed
    assert scan(tmp_path, {"openpyxl": "0.9.5"})[0][0].fixed == ("1.0",)  # in the range
    assert scan(tmp_path, {"openpyxl": "1.0"})[0] == []  # the fixed version
    assert scan(tmp_path, {"openpyxl": "3.1.5", "no-such-distribution-here": "2.0"})[0][0].name == (
        "no-such-distribution-here"
    )
    with pytest.raises(NoDatabase):
        list(scan(tmp_path / "missing.zip", {}))


def sign(client, url: str):
    page = client.get("/check-sheet/").text
    return client.post(url, data={"csrf_token": csrf_from(page)})


def test_a_stage_is_signed_then_countersigned_by_someone_else_and_every_signature_is_kept(
    staff_app, signed_in
):
    operator, city = signed_in("operator"), signed_in("city")
    assert sign(operator, "/check-sheet/before_build/sign").status_code == 303
    with staff_app.app_context(), database.connection_context():
        first = CheckSheetSignOff.get()
    assert first.signer_name == "operator@example.jp" and first.organisation_name == "operator org"
    assert '"items"' in first.evidence and '"second_factor": "ok"' in first.evidence
    page = operator.get("/check-sheet/").text
    assert "二人目" not in page.split("<h2>証跡</h2>")[0].split('class="sign-forms"')[1]

    refused = sign(operator, f"/check-sheet/sign-offs/{first.id}/countersign")
    assert refused.status_code == 303
    assert "署名した本人は、二人目の確認者になれません。" in operator.get("/check-sheet/").text
    assert sign(city, f"/check-sheet/sign-offs/{first.id}/countersign").status_code == 303
    again = sign(signed_in("admin"), f"/check-sheet/sign-offs/{first.id}/countersign")
    assert again.status_code == 303

    page = city.get("/check-sheet/").text
    signatures = re.search(r'<tr data-stage="before_build">.*?</tr>', page, re.S).group(0)
    assert "operator@example.jp（operator org）" in signatures and "city@example.jp（city org）" in signatures
    assert "問題なし" in item_row(page, 6).split('data-stage="before_build"')[1]
    assert "未署名" in item_row(page, 6).split('data-stage="launch"')[1]

    sign(operator, "/check-sheet/before_build/sign")
    with staff_app.app_context(), database.connection_context():
        rows = [(r.signed_by_id is not None, r.countersigns_id) for r in CheckSheetSignOff.select()]
    assert rows == [(True, None), (True, first.id), (True, None)]
    page = city.get("/check-sheet/").text
    assert page.count('data-sign-off="') == 3 and "未確認" in page
    assert [o for o, _i in audited(staff_app, "check-sheet.sign")] == ["ok", "ok"]
    assert [o for o, _i in audited(staff_app, "check-sheet.countersign")] == ["refused", "ok", "refused"]


def test_the_workbook_and_the_print_show_the_sheet_and_its_signers(staff_app, signed_in, accounts):
    consent_to_exports(staff_app, accounts["city"].id)
    admin, city = signed_in("admin"), signed_in("city")
    sign(admin, "/check-sheet/launch/sign")
    response = city.get("/check-sheet/check-sheet.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    rows = [[c.value for c in row] for row in workbook["確認シート"].iter_rows()]
    assert rows[0] == ["No", "確認項目", "確認内容", "現在の証跡", "構築前", "稼働時", "運用中"]
    assert [row[1] for row in rows[1:]] == ITEMS
    assert all(row[4] == "未署名" and row[5] != "未署名" for row in rows[1:])
    signers = [[c.value for c in row] for row in workbook["署名"].iter_rows(min_row=2)]
    assert signers[1][2].startswith("admin@example.jp（admin org）")
    assert "出力情報" in workbook.sheetnames
    assert audited(staff_app, "check-sheet.export") == [("ok", None)]

    printed = city.get("/check-sheet/print").text
    assert "A4縦で印刷します。" in printed and "admin@example.jp（admin org）" in printed
    assert all(title in printed for title in ITEMS)


@pytest.mark.parametrize(
    "method, url", [("get", "/check-sheet/"), ("post", "/check-sheet/before_build/sign")]
)
def test_consultants_and_strangers_find_nothing(signed_in, client, method, url):
    consultant = signed_in("consultant")
    token = csrf_from(consultant.get("/").text)
    for visitor in (consultant, client):
        assert getattr(visitor, method)(url, data={"csrf_token": token}).status_code == 404
