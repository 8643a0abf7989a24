"""Prometheus metrics: requests and latency per route, findings per family, the rules loaded.

Each app has its own registry, so several apps in one process (tests) do not collide. With
`--workers N` every worker process counts its own requests.
"""
from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from linter import Linter, Report

# Text checks take about a millisecond, OCR about a second: buckets span both.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("sanshen_http_requests", "HTTP requests by route, method and status",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("sanshen_http_request_duration_seconds", "Request latency by route",
                                 ["route", "method"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.findings = Counter("sanshen_findings", "Findings reported, by family and severity",
                                ["family", "severity"], registry=self.registry)
        self.reports = Counter("sanshen_reports", "Listings checked, by verdict", ["verdict"],
                               registry=self.registry)
        self.rules_info = Gauge("sanshen_rules_info", "The rules in use (value 1)",
                                ["rules_version", "fingerprint"], registry=self.registry)
        self.rules_count = Gauge("sanshen_rules", "Enabled rules", registry=self.registry)
        self.rules_loaded = Gauge("sanshen_rules_loaded_timestamp_seconds", "When the rules in use were loaded",
                                  registry=self.registry)
        self.reloads = Counter("sanshen_rules_reloads", "Rules reloads by result (ok, refused)", ["result"],
                               registry=self.registry)
        # labelled children by label values: labels() costs more than the increment itself, and every
        # label set here is small and bounded (routes, methods, statuses, families, verdicts)
        self._children: dict[tuple[object, ...], Any] = {}

    def set_rules(self, linter: Linter, loaded_at: float) -> None:
        self.rules_info.clear()
        self.rules_info.labels(linter.rules_version, linter.ruleset.fingerprint).set(1)
        self.rules_count.set(len(linter.rules))
        self.rules_loaded.set(loaded_at)

    def _child(self, metric: Any, *values: str) -> Any:
        key = (id(metric), *values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*values)
        return child

    def count_request(self, route: str, method: str, status: str, seconds: float) -> None:
        self._child(self.requests, route, method, status).inc()
        self._child(self.latency, route, method).observe(seconds)

    def count_report(self, report: Report) -> None:
        self._child(self.reports, report.verdict).inc()
        for finding in report.findings:
            self._child(self.findings, finding.family, finding.severity).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request by its route template (/v1/rules/{rule_id}, not the
    id asked for, to keep label sets bounded). Requests answered before routing (413 from the
    body limit) count under their path when it is one of `paths`. Pure ASGI: no per-request task
    or body copy."""

    def __init__(self, app: ASGIApp, metrics: Metrics, paths: frozenset[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # if the app raises before answering, ServerErrorMiddleware answers 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route: Any = scope.get("route")
            name = getattr(route, "path", None) or (scope["path"] if scope["path"] in self.paths else "(unmatched)")
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
            self.metrics.count_request(name, method, str(status), time.perf_counter() - start)
