"""Phone intake, for the operator: slots, the caller, repeat callers, search, moves and cancellations."""

from portal.staff.intake import changes, search  # noqa: F401 - they register their routes on bp
from portal.staff.intake.views import bp

__all__ = ["bp"]
