"""City users approve roles that read personal data before an administrator's grant takes effect."""

from portal.staff.approvals.views import bp

__all__ = ["bp"]
