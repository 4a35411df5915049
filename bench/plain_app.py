"""The benchmark's baseline: routes that move a file into the staff instance's storage backend and
back out, without the gate, the database or the encryption layer, served with the same waitress
options, memory setting and bodies moved without copies (`portal.waitress_bodies`) as `portal
serve` (`python -m bench.plain_app HOST:PORT`, configured through PORTAL_* variables).

POST /plain-chunks begins a file, a new object as each upload is in the portal; PATCH there takes
its chunks as the portal does (`Upload-Offset` and `Upload-Length` headers, the chunk as the
body), two at a time as the portal's script sends them, each written as a part through the
backend's write in parts, and the object completed once every part is written. GET /plain sends
the newest object back (its key is kept in a file of the instance).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import waitress
from waitress.channel import HTTPChannel
from werkzeug.wrappers import Request, Response

from portal import UPLOAD_CHUNK, create_app
from portal.serve import steady_heap, waitress_options
from portal.staff.storage.objects import new_storage_key
from portal.staff.storage.transfer import read_chunks
from portal.waitress_bodies import PiecesParser, handed_over


def make_app(backend, newest: Path):
    """The plain routes over `backend`, keeping the newest object's key in `newest`; one client
    at a time sends a file."""
    writing: dict = {}
    lock = threading.Lock()

    def begin() -> Response:
        key = new_storage_key()  # each file a new object, as the portal stores each upload
        writing.update(key=key, handle=backend.begin_parts(key), tags={})
        return Response("begun", status=201)

    def chunk(request: Request) -> Response:
        offset, total = int(request.headers["Upload-Offset"]), int(request.headers["Upload-Length"])
        data = request.get_data()
        key, number = writing["key"], offset // UPLOAD_CHUNK
        tag = backend.write_part(key, writing["handle"], number, offset, [data])
        with lock:  # parts are written side by side; the one that writes the last part completes
            writing["tags"][number] = tag
            complete = len(writing["tags"]) == -(-total // UPLOAD_CHUNK)
        if complete:
            tags = [writing["tags"][n] for n in sorted(writing["tags"]) if writing["tags"][n]]
            backend.complete_parts(key, writing["handle"], tags)
            newest.write_text(key)
        return Response("stored", headers={"Upload-Offset": str(offset + len(data))})

    @Request.application
    def plain(request: Request) -> Response:
        if request.path == "/healthz":
            return Response("ok")
        if request.path == "/plain-chunks":
            return begin() if request.method == "POST" else chunk(request)
        stream = backend.open(newest.read_text())
        size = os.fstat(stream.fileno()).st_size

        def body():
            with stream:
                yield from handed_over(request.environ, read_chunks(stream), size)

        response = Response(body(), mimetype="application/octet-stream", direct_passthrough=True)
        response.content_length = size
        return response

    return plain


if __name__ == "__main__":
    staff = create_app("staff")
    backend = staff.extensions["portal.objects"].backend
    steady_heap()
    newest = Path(staff.instance_path) / "bench-plain-newest"
    server = waitress.create_server(
        make_app(backend, newest), listen=sys.argv[1], **waitress_options(staff.config["PORTAL"])
    )
    server.channel_class = type("PlainChannel", (HTTPChannel,), {"parser_class": PiecesParser})
    server.print_listen("Serving on http://{}:{}")
    server.run()
