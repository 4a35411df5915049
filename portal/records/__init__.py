"""Consultation records: written by the consultant who held the consultation, read by the city."""

from portal.records import attachments, grants, views  # noqa: F401 - they register their routes on bp
from portal.records.access import bp

__all__ = ["bp"]
