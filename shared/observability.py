"""Health, readiness and Prometheus metrics, the same on every service."""

import logging
from collections.abc import Awaitable, Callable, Sequence

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

EVENTS_CONSUMED = Counter("kinerja_events_consumed_total", "Events taken from Kafka, by outcome", ["topic", "outcome"])
OUTBOX_PUBLISHED = Counter("kinerja_outbox_published_total", "Outbox records published to Kafka", ["topic"])
OUTBOX_FAILED = Counter(
    "kinerja_outbox_failed_total", "Outbox records Kafka refused for good (parked in outbox_failed)", ["topic"]
)
OUTBOX_PENDING = Gauge("kinerja_outbox_pending", "Outbox records not yet published")
OUTBOX_OLDEST_PENDING_AGE = Gauge(
    "kinerja_outbox_oldest_pending_age_seconds", "Age of the oldest outbox entry not yet published (0 when none)"
)
CONSUMER_LAG = Gauge(
    "kinerja_consumer_lag", "Records on a partition not yet processed by the group", ["group", "topic", "partition"]
)
HTTP_REQUESTS = Counter("kinerja_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
HTTP_REQUEST_SECONDS = Histogram(
    "kinerja_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Counted by notification's delivery worker as an attempt ends, not when its outcome is written: a write that
# is retried after a database outage must not count the attempt twice.
DELIVERY_ATTEMPTS = Counter(
    "kinerja_delivery_attempts_total",
    "Delivery attempts by channel and what each left the delivery as: sent, pending (failed, to be retried) or dead",
    ["channel", "outcome"],
)

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]
# Gauges read from MongoDB or Kafka when Prometheus scrapes, not on the hot path.
MetricsRefresh = Callable[[], Awaitable[None]]


def health_router(
    readiness: ReadinessCheck, informational: frozenset[str] = frozenset(), refreshers: Sequence[MetricsRefresh] = ()
) -> APIRouter:
    """`informational` checks are reported but do not make the service unready."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: database, broker and consumers are up")
    async def readyz() -> JSONResponse:
        checks = await readiness()
        ready = all(ok for name, ok in checks.items() if name not in informational)
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        for refresh in refreshers:
            try:
                await refresh()
            except Exception as exc:  # a scrape during an outage still answers with what is known
                failure = {"metric": refresh.__qualname__, "error": type(exc).__name__}
                log.warning("metric refresh failed", extra=failure)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
