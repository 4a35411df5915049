"""The history of the portal's own checks: each run kept, the newest of each check shown."""

from __future__ import annotations

from datetime import timedelta

from portal.core.models.base import utcnow
from portal.staff.self_checks.runs import Check, Finding, Severity, history, latest, record


def test_the_newest_run_of_each_check_is_shown_and_earlier_ones_are_kept(staff_app):
    started = utcnow() - timedelta(seconds=5)
    with staff_app.app_context():
        record(Check.STORAGE, started, [Finding(Severity.SERIOUS, "bucket readable", "s3://b", "GET 200")])
        record(Check.STORAGE, started, [Finding(Severity.NOTE, "no TLS to S3")])
        record(Check.EXPOSURE, started, [])

        newest = latest()

        assert set(newest) == {Check.STORAGE, Check.EXPOSURE}
        assert newest[Check.STORAGE].serious == 0
        assert newest[Check.STORAGE].found() == [
            {"severity": "note", "title": "no TLS to S3", "where": "", "evidence": ""}
        ]
        assert [run.serious for run in history(Check.STORAGE)] == [0, 1]
        assert newest[Check.EXPOSURE].found() == []
