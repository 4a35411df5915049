"""A minimal staff app with an upload and a download route over the storage layer.

Served by waitress in a subprocess (`python -m tests.storage.transfer_app HOST:PORT`) until the
features that upload and download files exist; configured through PORTAL_* variables. The
`/test/plain` routes move the same bytes unencrypted through the same backend, so the
benchmark can compare both through the same server and backend (local).
"""

from __future__ import annotations

import os
import sys

from flask import Blueprint, Flask, Response, jsonify, request

from portal import create_app
from portal.core.models import StoredObject
from portal.core.web import not_found
from portal.serve import serve
from portal.staff import audit
from portal.staff.permissions import ALL_STAFF, PERMISSIONS
from portal.staff.storage.transfer import object_store, read_chunks, send_object, store_stream
from portal.staff.upload_limit import accepts_upload

bp = Blueprint("transfer_test", __name__)
DOWNLOAD_NAME = "相談記録 2020年6月.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.post("/test/objects")
@accepts_upload
def upload():
    stored = store_stream(request.files["file"].stream, kind="test")
    audit.record("object.upload", object_type="object", object_id=stored.id)
    return jsonify(id=str(stored.id), size=stored.size, sha256=stored.sha256)


@bp.get("/test/objects/<uuid:object_id>")
def download(object_id):
    stored = StoredObject.get_or_none(StoredObject.id == object_id)
    if stored is None:
        not_found()
    audit.record("object.download", object_type="object", object_id=stored.id)
    return send_object(stored, DOWNLOAD_NAME, XLSX)


PLAIN_KEY = "00/9141"


@bp.post("/test/plain")
@accepts_upload
def plain_upload():
    """The same upload into the same backend, without the encryption layer."""
    object_store().backend.put(PLAIN_KEY, read_chunks(request.files["file"].stream))
    return jsonify(stored=True)


@bp.get("/test/plain")
def plain_download():
    """The same download from the same backend, without the encryption layer."""
    backend = object_store().backend
    stream = backend.open(PLAIN_KEY)
    size = os.fstat(stream.fileno()).st_size

    def body():
        with stream:
            yield from read_chunks(stream)

    response = Response(body(), mimetype="application/octet-stream", direct_passthrough=True)
    response.content_length = size
    return response


def make_app() -> Flask:
    app = create_app("staff")
    for endpoint in (
        "transfer_test.upload",
        "transfer_test.download",
        "transfer_test.plain_upload",
        "transfer_test.plain_download",
    ):
        PERMISSIONS[endpoint] = ALL_STAFF
    app.register_blueprint(bp)
    return app


if __name__ == "__main__":
    if sys.argv[2:] == ["--waitress-defaults"]:
        import waitress

        # Only the body limit raised: the control that shows what the tuned options prevent.
        waitress.serve(make_app(), listen=sys.argv[1], max_request_body_size=1 << 30)
    else:
        serve(make_app(), sys.argv[1])
