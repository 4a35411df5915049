"""What /metrics reports: each request by endpoint, and figures read from the stores when scraped.

Labels are endpoint names, methods, status classes, booking statuses and check names: never an
address, an id or anything typed by a person. Each process counts its own requests (a scraper
reaches each process directly); the figures from the stores are the same from every process.
"""

from __future__ import annotations

from collections.abc import Iterator
from time import perf_counter

from flask import Flask, Response, g, request
from peewee import fn
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from portal.core.models import Booking, ManageLinkRequest
from portal.core.models.waiting import WaitingOffer
from portal.staff.self_checks.runs import latest

REGISTRY = "portal.metrics"
# Methods a label may name: anything else a client sends is "other", so nobody can add series at will.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class StoreFigures(Collector):
    """Bookings by status, mail waiting to go out, and the last run of each self-check."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        bookings = GaugeMetricFamily("madoguchi_bookings", "Bookings by status.", labels=["status"])
        counted = Booking.select(Booking.status, fn.COUNT(Booking.id).alias("n")).group_by(Booking.status)
        for row in counted:
            bookings.add_metric([row.status], row.n)
        yield bookings
        mail = GaugeMetricFamily(
            "madoguchi_mail_waiting", "Emails waiting for the next notify run.", labels=["kind"]
        )
        mail.add_metric(["manage_link"], ManageLinkRequest.select().count())
        unsent = WaitingOffer.select().where(
            WaitingOffer.answer == "accepted", WaitingOffer.confirmation_sent_at.is_null()
        )
        mail.add_metric(["waiting_list_confirmation"], unsent.count())
        yield mail
        finished = GaugeMetricFamily(
            "madoguchi_self_check_finished_timestamp_seconds",
            "When each self-check last ran.",
            labels=["check"],
        )
        serious = GaugeMetricFamily(
            "madoguchi_self_check_serious_findings",
            "Serious findings of each self-check's last run.",
            labels=["check"],
        )
        for check, run in latest().items():
            finished.add_metric([str(check)], run.finished_at.timestamp())
            serious.add_metric([str(check)], run.serious)
        yield finished
        yield serious


def init_app(app: Flask) -> CollectorRegistry:
    """A registry of the app's own (several apps may share a process in tests) and the request hooks."""
    registry = CollectorRegistry()
    requests = Counter(
        "madoguchi_requests",
        "Requests answered, by endpoint.",
        ["endpoint", "method", "status"],
        registry=registry,
    )
    latency = Histogram(
        "madoguchi_request_seconds",
        "Time to answer, by endpoint.",
        ["endpoint"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    registry.register(StoreFigures())

    @app.before_request
    def _start_clock() -> None:
        g.metrics_started = perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint = request.endpoint or "unknown"
        method = request.method if request.method in METHODS else "other"
        requests.labels(endpoint, method, f"{response.status_code // 100}xx").inc()
        started = g.get("metrics_started")
        if started is not None:
            latency.labels(endpoint).observe(perf_counter() - started)
        return response

    app.extensions[REGISTRY] = registry
    return registry
