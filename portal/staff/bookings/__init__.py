"""Staff work on bookings: the inbox (web requests, the waiting list), the daily list, reception."""

from portal.staff.bookings import daily, notice, offers, reception  # noqa: F401 - they register their routes on bp
from portal.staff.bookings.views import bp

__all__ = ["bp"]
