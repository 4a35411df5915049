"""The staff support ledger (応援): staff lent by the city's bureaus, planned and actual, summarised."""

from portal.staff.ledger.views import bp

__all__ = ["bp"]
