"""The security check sheet: ten items at three stages, the portal's own evidence, named sign-offs."""

from portal.staff.check_sheet.views import bp

__all__ = ["bp"]
