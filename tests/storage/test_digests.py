"""The running SHA-256 of files sent in chunks (portal/staff/storage/digests.py): chained chunk
after chunk in one process, never from a state that is not the upload's."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid

from portal.staff.storage.digests import RunningDigests


def test_chunks_chain_into_the_files_digest_and_a_gap_breaks_the_chain():
    digests, upload, data = RunningDigests(), uuid.uuid4(), b"a" * 10 + b"b" * 10
    with digests.publishing(upload) as remember:
        remember(10, digests.following(upload, 0, data[:10]).result())
    assert digests.following(upload, 10, data[10:]).result().hexdigest() == hashlib.sha256(data).hexdigest()
    assert digests.following(upload, 15, b"b" * 5).result() is None, "not where the chain is"
    assert digests.following(uuid.uuid4(), 10, b"b").result() is None, "another upload's chain"


def test_the_next_chunk_looks_the_digest_up_only_once_the_move_is_published():
    """A chunk waiting for the one before (successors.py) may see the upload moved before that
    request has remembered the digest it reached; its lookup waits for the publishing to end."""
    digests, upload = RunningDigests(), uuid.uuid4()
    looked_up, looking = {}, threading.Event()

    def look_up():
        looking.set()
        looked_up.update(digest=digests.following(upload, 5, b"second").result())

    with digests.publishing(upload) as remember:
        first = digests.following(upload, 0, b"first").result()
        waiting = threading.Thread(target=look_up)
        waiting.start()
        assert looking.wait(5)
        time.sleep(0.2)  # the move is in the database; the remembering is still to come
        assert looked_up == {}, "the lookup waits"
        remember(5, first)
    waiting.join(5)
    assert looked_up["digest"].hexdigest() == hashlib.sha256(b"firstsecond").hexdigest()
