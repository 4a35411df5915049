"""The monthly report to the city: figures by SQL aggregate, signed off by the operator."""

from portal.staff.reports.views import bp

__all__ = ["bp"]
