"""Signing in with a password and a second factor, enrolment, signing out."""

from portal.staff.auth.views import bp

__all__ = ["bp"]
