"""Monitoring (job 7): bookings by channel, utilisation, cancellations, no-shows, walk-ins, follow-ups."""

from portal.staff.monitoring.views import bp

__all__ = ["bp"]
