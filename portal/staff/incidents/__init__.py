"""Incident response: the exposure, the businesses it reached, the apology work and the timeline."""

from portal.staff.incidents import contact_work  # noqa: F401  (its routes join the blueprint)
from portal.staff.incidents.views import bp

__all__ = ["bp"]
