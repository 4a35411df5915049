"""The document library: folders per purpose with per-organisation grants, and their documents."""

from portal.library import documents, retention  # noqa: F401 - they register routes and retention kinds
from portal.library.folders import bp

__all__ = ["bp"]
