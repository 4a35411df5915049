"""User and organisation management for administrators."""

from portal.admin.views import bp

__all__ = ["bp"]
