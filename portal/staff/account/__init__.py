"""Each user's own account: the sessions signed in as them, and ending them."""

from portal.staff.account.views import bp

__all__ = ["bp"]
