"""The application log is JSON lines a log processor reads as is: when (UTC), level, logger, zone,
request id and event, and for a failure its exception type and frames, never its message."""

from __future__ import annotations

import io
import json
import logging
import re
import select
from datetime import UTC, datetime, timedelta

import pytest

from portal.core.logs import configure
from tests.servers import BIN, instance_env, portal_command, start_server

CANARY = "090-0000-7373"


@pytest.fixture
def log_lines():
    """The process's log configured as `portal serve` does, into a buffer; put back afterwards."""
    root = logging.getLogger()
    level = root.level
    buffer = io.StringIO()
    handler = configure("staff", stream=buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_failure_is_one_json_line_with_its_request_and_no_message(staff_app, signed_in, log_lines):
    def broken():
        raise ValueError(f"lookup failed for {CANARY}")

    staff_app.view_functions["home.index"] = broken
    staff_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = signed_in("city")
    incidents = [re.search(r"<code>([0-9a-f]{12})</code>", client.get("/").text).group(1) for _ in range(2)]
    logging.getLogger("portal.test").warning("outside any request")
    try:
        raise ValueError(CANARY)
    except ValueError:
        logging.getLogger("some.library").exception("it failed")

    lines = log_lines()
    failures = [line for line in lines if line["logger"] == "portal.errors"]
    assert [line["incident"] for line in failures] == incidents
    for line in failures:
        assert {"time", "level", "logger", "zone", "request_id", "event"} <= set(line)
        when = datetime.fromisoformat(line["time"])
        assert when.utcoffset() == timedelta(0) and abs(datetime.now(UTC) - when) < timedelta(minutes=5)
        assert (line["level"], line["zone"], line["exception"]) == ("ERROR", "staff", "ValueError")
        assert line["event"] == f"incident {line['incident']}: ValueError"
        assert re.fullmatch(r"[0-9a-f]{16}", line["request_id"])
        assert any("in broken" in frame for frame in line["frames"])
    assert failures[0]["request_id"] != failures[1]["request_id"], "each request has its own id"
    outside = next(line for line in lines if line["logger"] == "portal.test")
    assert outside["request_id"] is None and outside["level"] == "WARNING"
    library = next(line for line in lines if line["logger"] == "some.library")
    assert (library["event"], library["exception"]) == ("it failed", "ValueError")
    assert all(CANARY not in json.dumps(line, ensure_ascii=False) for line in lines)


def test_portal_serve_writes_its_log_as_json_lines(tmp_path):
    env = instance_env(tmp_path / "instance")
    assert portal_command("init", env=env).returncode == 0
    process, port = start_server([str(BIN / "portal"), "serve", "public", "--listen=127.0.0.1:{port}"], env)
    try:
        ready, _, _ = select.select([process.stderr], [], [], 10)
        assert ready, "nothing was logged at start"
        line = json.loads(process.stderr.readline())
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()
    # waitress's own line, through the same handler: libraries' logs are JSON lines too.
    assert (line["logger"], line["level"], line["zone"]) == ("waitress", "INFO", "public")
    assert line["event"] == f"Serving on http://127.0.0.1:{port}" and line["request_id"] is None
