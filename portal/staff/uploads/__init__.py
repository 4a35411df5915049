"""Sending a file in chunks before the form that takes it is submitted."""

from portal.staff.uploads.views import bp

__all__ = ["bp"]
