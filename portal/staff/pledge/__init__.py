"""The confidentiality pledge: every account accepts the version in force before anything else."""

from portal.staff.pledge.views import bp

__all__ = ["bp"]
