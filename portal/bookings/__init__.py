"""Staff work on bookings: the inbox of web requests, the daily list and venue reception."""

from portal.bookings import daily, notice, reception  # noqa: F401 - they register their routes on bp
from portal.bookings.views import bp

__all__ = ["bp"]
