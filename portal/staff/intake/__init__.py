"""Phone intake, for the operator: slots, the caller, repeat callers, search, moves and cancellations."""

from portal.staff.intake import changes  # noqa: F401 - registers its routes on bp
from portal.staff.intake.views import bp

__all__ = ["bp"]
