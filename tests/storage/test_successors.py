"""The wait of a chunk sent ahead (portal/staff/storage/successors.py): it ends when the upload
moves, at its limit, or at once when too many wait already, so waiting requests never hold more
of the server's threads than allowed."""

from __future__ import annotations

import threading
import time

from portal.staff.storage import successors as successors_module
from portal.staff.storage.successors import Successors


def test_a_waiting_chunk_is_woken_when_the_upload_moves_in_this_process(monkeypatch):
    monkeypatch.setattr(successors_module, "POLL", 30)  # no look at the database in between
    successors, offset = Successors(wait=30), {"reached": 0}
    waiter = threading.Thread(target=successors.wait_for, args=(lambda: offset["reached"], 0))
    waiter.start()
    time.sleep(0.2)
    assert waiter.is_alive(), "it waits while the chunk before is written"
    started = time.monotonic()
    offset["reached"] = 5
    successors.moved()
    waiter.join(5)
    assert not waiter.is_alive() and time.monotonic() - started < 1


def test_the_wait_ends_at_its_limit_and_when_the_upload_is_gone():
    successors = Successors(wait=0.3)
    started = time.monotonic()
    successors.wait_for(lambda: 0, 0)
    assert 0.3 <= time.monotonic() - started < 2
    started = time.monotonic()
    successors.wait_for(lambda: None, 0)
    assert time.monotonic() - started < 0.2, "an upload discarded meanwhile ends the wait"


def test_no_more_than_the_allowed_requests_wait_at_once():
    successors, release = Successors(most_waiting=2, wait=30), threading.Event()
    reached = lambda: 5 if release.is_set() else 0  # noqa: E731
    waiters = [threading.Thread(target=successors.wait_for, args=(reached, 0)) for _ in range(2)]
    for waiter in waiters:
        waiter.start()
    time.sleep(0.2)
    started = time.monotonic()
    successors.wait_for(reached, 0)
    assert time.monotonic() - started < 0.2, "a third is answered at once"
    release.set()
    successors.moved()
    for waiter in waiters:
        waiter.join(5)
    release.clear()
    started = time.monotonic()
    threading.Timer(0.3, lambda: (release.set(), successors.moved())).start()
    successors.wait_for(reached, 0)
    assert 0.25 <= time.monotonic() - started < 2, "places are given back once the waits end"
