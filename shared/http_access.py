"""The edge of every HTTP request: correlation id, one access log line, metrics, and a last resort for errors.

Operators see each request once: method, route, status, duration, the
agency that called and, for an error answer, its stable code; never a key
or a body. An error nobody expected is logged once, with its traceback, and
the caller gets the common JSON error shape instead of a stack trace.
"""

import logging
import re
import time
import uuid
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http_errors import internal_error_response
from shared.observability import HTTP_REQUEST_SECONDS, HTTP_REQUESTS

log = logging.getLogger("kinerja.access")

CORRELATION_HEADER = "X-Correlation-Id"
# Probes and scrapes arrive every few seconds; at INFO they would drown the requests that matter.
_QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def acceptable_correlation_id(value: str) -> bool:
    """A caller's own trace id is kept when it is short and plain (it ends up in logs and events)."""
    return _ACCEPTABLE_ID.fullmatch(value) is not None


def route_of(scope: Scope) -> str:
    """The route template (`/v1/reports/{report_id}`), so metrics do not grow one series per id."""
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return route.path
    return "unmatched"


def request_state(scope: Scope) -> dict[str, Any]:
    """What routes and error handlers left for the access log (Starlette's `request.state`)."""
    return scope.setdefault("state", {})


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False

        async def capture_status(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
            await send(message)

        try:
            await self.app(scope, receive, capture_status)
        except Exception:
            log.exception("unexpected error", extra=_describe(scope, 500, started))
            if not response_started:
                await internal_error_response()(scope, receive, send)
            status = 500
            return
        finally:
            _observe(scope, status, started)
        fields = _describe(scope, status, started)
        level = logging.DEBUG if fields["route"] in _QUIET_ROUTES else logging.INFO
        log.log(level, "%s %s %s", scope["method"], fields["route"], status, extra=fields)


def _observe(scope: Scope, status: int, started: float) -> None:
    route, method = route_of(scope), scope["method"]
    HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    HTTP_REQUEST_SECONDS.labels(method=method, route=route).observe(time.perf_counter() - started)


def _describe(scope: Scope, status: int, started: float) -> dict[str, Any]:
    state = request_state(scope)
    fields: dict[str, Any] = {
        "method": scope["method"],
        "route": route_of(scope),
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    for key in ("agency_id", "error_code"):
        if state.get(key):
            fields[key] = state[key]
    return fields


def install_request_tracing(app: FastAPI) -> None:
    """Correlation ids in and out (`X-Correlation-Id`), then the access log inside it."""
    app.add_middleware(AccessLogMiddleware)
    # Added last, so it runs first: the access log line already carries the id.
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=CORRELATION_HEADER,
        generator=lambda: str(uuid.uuid4()),
        validator=acceptable_correlation_id,
    )
