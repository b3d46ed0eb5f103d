"""Health, readiness and Prometheus metrics, the same on every service."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest

EVENTS_CONSUMED = Counter("kinerja_events_consumed_total", "Events taken from Kafka, by outcome", ["topic", "outcome"])
OUTBOX_PUBLISHED = Counter("kinerja_outbox_published_total", "Outbox entries published to Kafka", ["topic"])
OUTBOX_FAILED = Counter(
    "kinerja_outbox_failed_total", "Outbox entries Kafka refused for good (parked with status=failed)", ["topic"]
)
OUTBOX_PENDING = Gauge("kinerja_outbox_pending", "Outbox entries not yet published")

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]


def health_router(readiness: ReadinessCheck, informational: frozenset[str] = frozenset()) -> APIRouter:
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
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
