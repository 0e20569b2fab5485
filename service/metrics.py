"""GET /metrics in the Prometheus text format.

* requests and latency by route, method and status: prometheus-fastapi-instrumentator's default
  metrics (`http_requests_total`, `http_request_duration_seconds`, ...);
* `gazette_answers_total{route, outcome="answered"|"refused"}`;
* `gazette_index_documents`, `gazette_index_chunks`, `gazette_index_built_timestamp_seconds`:
  read from the engine at each scrape, so a hot-swapped index shows at once.

Each app has its own registry, so several apps in one process (tests) never clash.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator


class ServiceMetrics:
    """The app's registry and the counters the routes tick."""

    def __init__(self, app: FastAPI):
        self.registry = CollectorRegistry()
        self.answers = Counter(
            "gazette_answers_total",
            "Questions answered or refused, by route",
            ["route", "outcome"],
            registry=self.registry,
        )
        self.registry.register(IndexCollector(app))

    def count_answer(self, route: str, answered: bool) -> None:
        self.answers.labels(route=route, outcome="answered" if answered else "refused").inc()


class IndexCollector(Collector):
    """The size and build time of the index the app serves right now (app.state.engine)."""

    def __init__(self, app: FastAPI):
        self.app = app

    def collect(self) -> Iterator[Metric]:
        engine = getattr(self.app.state, "engine", None)
        if engine is None:  # still loading
            return
        documents = GaugeMetricFamily("gazette_index_documents", "Documents in the served index")
        documents.add_metric([], len(engine.documents()))
        yield documents
        chunks = GaugeMetricFamily("gazette_index_chunks", "Chunks in the served index")
        chunks.add_metric([], len(engine.chunks))
        yield chunks
        built = built_timestamp(getattr(engine, "manifest", None) or {})
        if built is not None:
            family = GaugeMetricFamily(
                "gazette_index_built_timestamp_seconds", "When the served index was built (Unix time)"
            )
            family.add_metric([], built)
            yield family


def built_timestamp(manifest: dict) -> float | None:
    """The manifest's `built_at` (local time, as `gazette index` writes it) as Unix time; None if absent."""
    try:
        return time.mktime(time.strptime(manifest["built_at"], "%Y-%m-%dT%H:%M:%S"))
    except (KeyError, TypeError, ValueError):
        return None


def install_metrics(app: FastAPI) -> ServiceMetrics:
    """Instrument every request and serve GET /metrics (left out of the OpenAPI document)."""
    metrics = ServiceMetrics(app)
    Instrumentator(registry=metrics.registry, excluded_handlers=["^/metrics$"]).instrument(app).expose(
        app, endpoint="/metrics", include_in_schema=False
    )
    app.state.metrics = metrics
    return metrics
