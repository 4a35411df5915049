"""Metrics for operators: Prometheus text at /metrics, for a scraper holding the metrics token."""

from portal.staff.metrics.views import bp, init_app

__all__ = ["bp", "init_app"]
