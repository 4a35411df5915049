"""The city's consent to exports of personal data, per organisation, and the one check exports use."""

from portal.staff.export_consent.views import bp

__all__ = ["bp"]
