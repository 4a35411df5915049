"""Staff work on bookings: the inbox of web requests, the daily list and venue reception."""

from portal.staff.bookings import daily, notice, reception  # noqa: F401 - they register their routes on bp
from portal.staff.bookings.views import bp

__all__ = ["bp"]
