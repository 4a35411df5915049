"""Consultation records: writing, reading, versions and conflicts, deletion, grants, who has seen it."""

from __future__ import annotations

import pytest

from portal.models import AuditEvent, ConsultationRecord, RecordVersion
from tests.records_world import ADVICE, build, signed_in_as, token


@pytest.fixture
def world(staff_app):
    return build(staff_app)


@pytest.fixture
def author(staff_app, world):
    return signed_in_as(staff_app, world.accounts["author"])


def test_smoke(staff_app, world, author):
    page = author.get(f"/records/{world.record}")
    assert page.status_code == 200, page.text
    assert ADVICE in page.text and "架空精肉店" in page.text
    index = author.get(f"/records/{world.record}")
    assert index.status_code == 200, index.text
    print(index.text)
