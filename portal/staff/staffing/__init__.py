"""Staffing plans (phone lines and operators, reception per venue) and the figures staffed."""

from portal.staff.staffing.views import bp

__all__ = ["bp"]
