"""The audit log, readable in the portal: search, pages, exports and the chain's state."""

from portal.staff.audit_log.views import bp

__all__ = ["bp"]
