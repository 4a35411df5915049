"""A closed-loop load generator: client threads, each on one keep-alive http.client connection."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

MAX_REQUESTS_PER_CLIENT = 200_000  # a bound besides the time


@dataclass
class Load:
    """What one load produced: every request's latency, the failures by kind and the wall time."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return (len(self.latencies) - self.failures.total()) / self.seconds

    def percentile(self, p: int) -> float:
        """The p-th percentile latency, in milliseconds."""
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


def run(port: int, path: str, headers: dict[str, str], clients: int, seconds: float) -> Load:
    """`clients` threads request `path` back to back for `seconds`; any answer but 200, or none, fails."""
    load, lock = Load(), threading.Lock()
    window: dict[str, float] = {}
    ready = threading.Barrier(clients, action=lambda: window.update(start=time.perf_counter()))

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies, failures = [], Counter()
        ready.wait()
        deadline = window["start"] + seconds
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            started = time.perf_counter()
            if started >= deadline:
                break
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failures[str(response.status)] += 1
            except (OSError, http.client.HTTPException) as error:
                connection.close()  # the next request opens a new connection
                failures[type(error).__name__] += 1
            latencies.append(time.perf_counter() - started)
        connection.close()
        with lock:
            load.latencies.extend(latencies)
            load.failures.update(failures)
            window["end"] = max(window.get("end", 0.0), time.perf_counter())

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = window["end"] - window["start"]
    return load
