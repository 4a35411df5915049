"""Consultation records: written by the consultant who held the consultation, read by the city."""

from portal.staff.records import attachments, grants, retention, views  # noqa: F401 - routes and retention kinds
from portal.staff.records.access import bp

__all__ = ["bp"]
