"""The two backends side by side: local disk, and a bucket on the session's S3 server."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["local", "minio"])
def backend_settings(request, tmp_path) -> dict:
    """Storage settings for each backend in turn."""
    if request.param == "local":
        return {"STORAGE_BACKEND": "local", "STORAGE_PATH": tmp_path / "objects"}
    return request.getfixturevalue("minio_settings")
