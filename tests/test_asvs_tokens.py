"""ASVS V11.5.1: the values that must be unguessable are made by the product from a CSPRNG and are
at least 128 bits: a manage link's secret and a stored object's key (the session token is in
tests/test_asvs_auth.py). Each is sampled through the real app and measured from outside."""

from __future__ import annotations

import hashlib
import re
from datetime import time, timedelta

from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession, StoredObject, Venue
from tests.records_world import PDF, build, signed_in_as, upload
from tests.test_reservations import form_data

URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def test_manage_secrets_are_128_random_bits_kept_only_as_hashes(public_app):
    """22 URL-safe characters (16 bytes from `secrets`); the public store keeps their SHA-256."""
    with public_app.app_context():
        venue = Venue.create(name="架空区役所", ward="架空区", address="架空市1-1")
        session = ConsultationSession.create(
            venue=venue,
            date=business_today() + timedelta(days=7),
            starts_at=time(10),
            ends_at=time(11),
            capacity=10,
        ).id
    secrets = []
    for _ in range(4):
        visitor = public_app.test_client()
        assert visitor.post(f"/sessions/{session}", data=form_data(visitor, session)).status_code == 303
        secrets.append(visitor.get("/booking/complete").text.split('href="/manage/')[1].split('"')[0])
    assert len(set(secrets)) == len(secrets)
    for secret in secrets:
        assert len(secret) == 22 and URL_SAFE.fullmatch(secret), secret
    with public_app.app_context():
        rows = list(Booking.select())
        dump = repr([{k: v for k, v in row.__data__.items() if k != "sealed"} for row in rows])
    assert {row.manage_hash for row in rows} == {hashlib.sha256(s.encode()).hexdigest() for s in secrets}
    assert not any(secret in dump for secret in secrets)


def test_storage_keys_are_160_random_bits_unrelated_to_the_object(staff_app):
    """Every uploaded file's object key: 40 hex digits (20 bytes from `secrets`), all different."""
    world = build(staff_app)
    author = signed_in_as(staff_app, world.accounts["author"])
    for number in range(4):
        assert upload(author, world.record, PDF, filename=f"資料{number}.pdf").status_code == 303
    with staff_app.app_context():
        stored = list(StoredObject.select())
    keys = [row.storage_key for row in stored]
    assert len(keys) == 4 and len(set(keys)) == 4
    for row in stored:
        assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{38}", row.storage_key), row.storage_key
        assert str(row.id).replace("-", "") not in row.storage_key.replace("/", "")
