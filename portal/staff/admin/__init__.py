"""User and organisation management for administrators."""

from portal.staff.admin.views import bp

__all__ = ["bp"]
