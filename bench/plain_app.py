"""The benchmark's baseline: one route that streams a file into the staff instance's storage
backend and back out, without the encryption layer, served with the same waitress options as
`portal serve` (`python -m bench.plain_app HOST:PORT`, configured through PORTAL_* variables)."""

from __future__ import annotations

import os
import sys

import waitress
from werkzeug.wrappers import Request, Response

from portal import create_app
from portal.serve import waitress_options
from portal.staff.storage.transfer import read_chunks

PLAIN_KEY = "00/9141"


def make_app(backend):
    """POST /plain stores the uploaded file part as it is; GET /plain sends it back; /healthz answers."""

    @Request.application
    def plain(request: Request) -> Response:
        if request.path == "/healthz":
            return Response("ok")
        if request.method == "POST":
            backend.put(PLAIN_KEY, read_chunks(request.files["file"].stream))
            return Response("stored")
        stream = backend.open(PLAIN_KEY)

        def body():
            with stream:
                yield from read_chunks(stream)

        response = Response(body(), mimetype="application/octet-stream", direct_passthrough=True)
        response.content_length = os.fstat(stream.fileno()).st_size
        return response

    return plain


if __name__ == "__main__":
    staff = create_app("staff")
    backend = staff.extensions["portal.objects"].backend
    waitress.serve(make_app(backend), listen=sys.argv[1], **waitress_options(staff.config["PORTAL"]))
