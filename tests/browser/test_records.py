"""In a real browser: a consultant writes a record and attaches a file while the progress bar
shows, the city reads it, the operator cannot, and a download arrives intact."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import SignedIn, new_instance, serve_staff, staff_models
from tests.files import pdf_of
from tests.records_world import build

ADVICE = "ブラウザで書いた助言：家賃支援給付金の申請書を確認した。"
FILE = pdf_of(1_500_000)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A staff instance with the records world, served by waitress."""
    instance, env = new_instance(tmp_path_factory, "browser-records")
    world = build(staff_models(instance))
    with serve_staff(env) as base:
        yield SignedIn(base), world


def test_a_record_is_written_with_a_file_read_by_the_city_and_closed_to_the_operator(
    new_page, live, tmp_path
):
    """One story, in order, each person in a browser of their own: every step goes on from the
    record the first one wrote."""
    desk, world = live
    record = write_a_record_and_attach_a_file(new_page(), desk, world, tmp_path)
    refuse_a_disguised_file(new_page(), desk, world, record)
    the_city_reads_the_record_and_downloads_the_file(new_page(), desk, world, record, tmp_path)
    the_operator_sees_that_the_record_exists_but_cannot_open_it(new_page(), desk, world, record)


def write_a_record_and_attach_a_file(page, desk, world, tmp_path) -> str:
    """A consultant writes a record and attaches a file while the progress bar shows; returns its path."""
    desk.open(page, world.accounts["author"], "/")
    page.get_by_role("link", name="相談記録").click()
    page.get_by_role("link", name="記録を書く").click()
    assert "架空精肉店" in page.locator("main").inner_text(), "the business profile from the booking"
    page.get_by_label("融資").check()
    page.get_by_label("助言の内容").fill(ADVICE)
    page.get_by_label("必要なフォローアップ").fill("決算書を確認する")
    page.get_by_label("フォローアップの期日").fill("2030-02-01")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url(re.compile(r"/records/\d+$"))
    record = urlsplit(page.url).path
    assert ADVICE in page.locator("main").inner_text()

    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 300 * 1024},
    )
    page.evaluate(
        """() => {
            window.progressSeen = [];
            window.setInterval(() => {
                const bar = document.querySelector("progress.upload-progress");
                window.progressSeen.push([bar.value, bar.checkVisibility()]);
            }, 20);
        }"""
    )
    page.get_by_label("追加するファイル").set_input_files(
        files=[{"name": "相談記録 2030年.pdf", "mimeType": "application/pdf", "buffer": FILE}]
    )
    page.get_by_role("button", name="添付する").click()
    page.locator("progress.upload-progress").wait_for(state="visible")
    page.get_by_role("link", name="相談記録 2030年.pdf").wait_for(timeout=60_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    seen = page.evaluate("window.progressSeen")
    assert any(0 < value < 100 and visible for value, visible in seen), seen
    assert page.locator("progress.upload-progress").is_hidden(), "the fresh form after the swap"

    with page.expect_download() as arrival:
        page.get_by_role("link", name="相談記録 2030年.pdf").click()
    download = arrival.value
    assert download.suggested_filename == "相談記録 2030年.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).digest() == hashlib.sha256(FILE).digest()
    return record


def refuse_a_disguised_file(page, desk, world, record: str) -> None:
    """A refused file is answered in the form."""
    desk.open(page, world.accounts["author"], record)
    page.get_by_label("追加するファイル").set_input_files(
        files=[
            {
                "name": "請求書.pdf",
                "mimeType": "application/pdf",
                "buffer": b"<html><script>alert(1)</script>",
            }
        ]
    )
    page.get_by_role("button", name="添付する").click()
    page.get_by_text("この種類のファイルは受け付けていません").wait_for()
    assert page.get_by_role("link", name="請求書.pdf").count() == 0


def the_city_reads_the_record_and_downloads_the_file(page, desk, world, record: str, tmp_path) -> None:
    desk.open(page, world.accounts["city"], record)
    assert ADVICE in page.locator("main").inner_text()
    with page.expect_download() as arrival:
        page.get_by_role("link", name="相談記録 2030年.pdf").click()
    arrival.value.save_as(tmp_path / "city.pdf")
    assert (tmp_path / "city.pdf").read_bytes() == FILE
    page.get_by_role("link", name="この記録を見た人を表示する").click()
    viewers = page.locator("#viewers")
    viewers.get_by_text("ファイルをダウンロード: 相談記録 2030年.pdf").first.wait_for()
    assert "city@example.jp" in viewers.inner_text() and "consultant-a@example.jp" in viewers.inner_text()


def the_operator_sees_that_the_record_exists_but_cannot_open_it(page, desk, world, record: str) -> None:
    desk.open(page, world.accounts["operator"], "/")
    page.get_by_role("link", name="相談記録").click()
    listing = page.locator("main").inner_text()
    assert "2030年2月1日" in listing and ADVICE not in listing
    response = page.goto(desk.base + record)
    assert response.status == 404
    assert ADVICE not in page.content() and page.locator("h1").inner_text() == "ページが見つかりません"
