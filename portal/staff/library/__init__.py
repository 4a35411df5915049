"""The document library: folders per purpose with per-organisation grants, and their documents."""

from portal.staff.library import documents, retention  # noqa: F401 - they register routes and retention kinds
from portal.staff.library.folders import bp

__all__ = ["bp"]
