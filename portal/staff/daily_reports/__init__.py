"""Daily reports (日報): filed by the operator once a day, read by the city in date order."""

from portal.staff.daily_reports import retention  # noqa: F401 - registers the daily-report kind
from portal.staff.daily_reports.views import bp

__all__ = ["bp"]
