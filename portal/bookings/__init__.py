"""Staff work on bookings: the inbox of web requests and the daily list."""

from portal.bookings import daily  # noqa: F401 - registers the daily-list routes on bp
from portal.bookings.views import bp

__all__ = ["bp"]
