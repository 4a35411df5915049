"""In a real browser: a file larger than the server takes in one request goes to the library in
chunks with a progress bar, survives the network dropping midway, and downloads intact; on a
phone's width the form and its bar fit."""

from __future__ import annotations

import hashlib
import os
import re

import pytest

from portal import REQUEST_BODY_LIMIT, UPLOAD_CHUNK
from portal.core.database import database
from portal.core.models import ChunkedUpload, Organisation
from tests.browser.conftest import (
    SignedIn,
    assert_accessible,
    create_account,
    new_instance,
    serve_staff,
    staff_models,
)
from tests.browser.test_staff_pages import shot
from tests.files import PDF
from tests.library_support import make_folder

SIZE = 2 * UPLOAD_CHUNK + 300_000  # three chunks, more than any one request may carry


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A staff instance with a city account and a folder of the city's, served by waitress."""
    instance, env = new_instance(tmp_path_factory, "browser-uploads")
    account = create_account(env, "uploads@example.jp", "city", "架空市 産業観光局")
    app = staff_models(instance)
    with app.app_context(), database.connection_context():
        organisation = Organisation.get(Organisation.name == "架空市 産業観光局").id
    folder = make_folder(app, organisation, name="相談対応マニュアル")
    with serve_staff(env) as base:
        yield SignedIn(base), account, app, folder


def big_file(tmp_path) -> tuple:
    data = PDF + os.urandom(SIZE - len(PDF))
    path = tmp_path / "研修資料 2026年度.pdf"
    path.write_bytes(data)
    return path, data


def slow_uploads(page, bytes_per_second: int) -> None:
    """The page's uploads slowed as the browser's developer tools emulate it."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    conditions = {"latency": 5, "downloadThroughput": -1, "uploadThroughput": bytes_per_second}
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **conditions})


class ChunksOnTheWay:
    """The most chunk requests (PATCH) the page had on their way at once."""

    def __init__(self, page) -> None:
        self.open, self.most = set(), 0
        page.on("request", self._sent)
        page.on("response", lambda response: self._done(response.request))  # before the script hears
        page.on("requestfailed", self._done)

    def _sent(self, request) -> None:
        if request.method == "PATCH":
            self.open.add(request.url + request.header_value("upload-offset"))
            self.most = max(self.most, len(self.open))

    def _done(self, request) -> None:
        if request.method == "PATCH":
            self.open.discard(request.url + request.header_value("upload-offset"))


class Outage:
    """The network gone from the moment the page sends the chunk at `from_offset`: that request
    and every one after it fails, until `end()`. (The browser's own offline switch leaves the
    requests already on their way alone, and the page has the next chunk on its way early.)"""

    def __init__(self, page, from_offset: int) -> None:
        self.started, self.over, self.offset = False, False, str(from_offset)
        page.route(re.compile(r"/uploads/[0-9a-f-]+(/chunk)?$"), self._route)

    def _route(self, route) -> None:
        self.started = self.started or route.request.header_value("upload-offset") == self.offset
        if self.started and not self.over:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    def end(self) -> None:
        self.over = True


def progress(page) -> float:
    return page.evaluate("document.querySelector('progress.upload-progress').value")


def test_a_large_file_goes_in_chunks_with_progress_and_resumes_after_the_network_drops(
    new_page, library, tmp_path
):
    desk, account, app, folder = library
    page = new_page(viewport={"width": 1280, "height": 900})
    desk.open(page, account, f"/library/folders/{folder}")
    assert_accessible(page)
    path, data = big_file(tmp_path)
    assert len(data) > REQUEST_BODY_LIMIT
    slow_uploads(page, 2 * 1024 * 1024)
    on_the_way, outage = ChunksOnTheWay(page), Outage(page, from_offset=2 * UPLOAD_CHUNK)
    page.get_by_label("タイトル").fill("研修資料")
    page.get_by_label("ファイル", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="登録する").click()
    page.get_by_text("接続が途切れました").wait_for()
    assert page.locator("progress.upload-progress").is_visible() and 30 <= progress(page) < 100
    shot(page, "library-upload-resuming-1280")
    page.wait_for_timeout(1500)
    outage.end()
    page.wait_for_url(re.compile(r"/library/documents/\d+$"), timeout=60_000)
    with page.expect_download() as arrival:
        page.get_by_role("link", name=re.compile("ダウンロード")).first.click()
    saved = tmp_path / "downloaded.pdf"
    arrival.value.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).digest() == hashlib.sha256(data).digest()
    assert on_the_way.most == 2, "the next chunk goes while the server writes the one before, no more"
    with app.app_context(), database.connection_context():
        assert ChunkedUpload.select().count() == 0, "the upload became the document's file"


def test_on_a_phone_the_form_and_its_progress_fit(new_page, library, tmp_path):
    desk, account, _, folder = library
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    desk.open(page, account, f"/library/folders/{folder}")
    path, _ = big_file(tmp_path)
    slow_uploads(page, 2 * 1024 * 1024)
    page.get_by_label("タイトル").fill("研修資料（スマートフォン）")
    page.get_by_label("ファイル", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="登録する").click()
    bar = page.locator("progress.upload-progress")
    bar.wait_for(state="visible")
    while progress(page) < 10:
        page.wait_for_timeout(50)
    box = bar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing runs off the side"
    shot(page, "library-upload-progress-390")
    page.wait_for_url(re.compile(r"/library/documents/\d+$"), timeout=60_000)
