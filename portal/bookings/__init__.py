"""Staff work on bookings: the inbox of web requests (more arrives with phone intake)."""

from portal.bookings.views import bp

__all__ = ["bp"]
