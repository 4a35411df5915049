"""Staff management of venues, their sessions and the operating calendar (operator and city)."""

from portal.staff.venues import operating, patterns, sessions  # noqa: F401 - they register their routes on bp
from portal.staff.venues.views import bp

__all__ = ["bp"]
