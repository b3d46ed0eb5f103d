"""One error shape for every HTTP API: stable codes for programs, Bahasa Indonesia for people.

{"error": {"code": "...", "message": "...", "details": [{"field", "code", "message"}]}}

How a validation error becomes a detail is in `shared.validation_messages`; how the shape is documented in
OpenAPI, in `shared.error_docs`. A body that is not JSON gets `json_invalid`.
"""

import json
import logging
from collections.abc import Mapping
from typing import Any

from bson.errors import InvalidDocument
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import DocumentTooLarge, PyMongoError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.mongo import is_duplicate_key
from shared.validation_messages import describe

log = logging.getLogger("kinerja.http")
_BODY_PARSE_ERROR = "There was an error parsing the body"  # fastapi.routing, for anything json.loads raised


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


def error_body(code: str, message: str, details: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


_HTTP_CODES = {
    400: ("bad_request", "Permintaan tidak valid; periksa format isi dan header-nya"),
    401: ("unauthorized", "Tidak berwenang"),
    403: ("forbidden", "Tidak diizinkan"),
    404: ("not_found", "Tidak ditemukan"),
    405: ("method_not_allowed", "Metode tidak didukung"),
    406: ("not_acceptable", "Format jawaban yang diminta tidak tersedia"),
    409: ("conflict", "Konflik dengan data yang ada"),
    411: ("length_required", "Sertakan header Content-Length"),
    413: ("payload_too_large", "Data yang dikirim terlalu besar"),
    414: ("uri_too_long", "Alamat terlalu panjang"),
    415: ("unsupported_media_type", "Jenis isi tidak didukung; kirim JSON (Content-Type: application/json)"),
    422: ("validation_failed", "Data yang dikirim tidak valid"),
    429: ("too_many_requests", "Terlalu banyak permintaan; coba lagi nanti"),
    503: ("service_unavailable", "Layanan sementara tidak tersedia; silakan coba lagi"),
}


def _http_code(status: int) -> tuple[str, str]:
    if status in _HTTP_CODES:
        return _HTTP_CODES[status]
    if status >= 500:
        return "server_error", "Terjadi kesalahan pada server; silakan coba lagi"
    return "http_error", "Permintaan tidak dapat diproses"


def _unreadable_body(cause: BaseException | None) -> str:
    """Why json.loads could not read the body, in words for people (never the parser's own message)."""
    if isinstance(cause, UnicodeError):
        return "isi permintaan harus JSON dalam UTF-8, tanpa kompresi (gzip tidak didukung)"
    if isinstance(cause, RecursionError):
        return "JSON bersarang terlalu dalam"
    if isinstance(cause, ValueError):
        return "JSON tidak valid: ada angka yang terlalu panjang"
    return "JSON tidak valid"


def _json_invalid(request: Request, details: list[dict[str, str]]) -> JSONResponse:
    return _answer(request, 422, "json_invalid", "Isi permintaan tidak dapat dibaca sebagai JSON", details)


class BodyLimitMiddleware:
    """Every body must declare its length, so the limit holds before anything is read."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, larger: Mapping[str, int] | None = None) -> None:
        self.app, self.max_body_bytes, self.larger = app, max_body_bytes, dict(larger or {})

    def _limit(self, path: str) -> int:
        """Paths under a prefix in `larger` (spreadsheet uploads) take bigger bodies."""
        return next((limit for prefix, limit in self.larger.items() if path.startswith(prefix)), self.max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self._refusal(Headers(scope=scope), self._limit(scope.get("path", "")))
            if refusal is not None:
                status, code, message = refusal
                scope.setdefault("state", {})["error_code"] = code
                await JSONResponse(error_body(code, message), status_code=status)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, headers: Headers, limit: int) -> tuple[int, str, str] | None:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return 411, "length_required", "Sertakan header Content-Length; pengiriman chunked tidak diterima"
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            message = f"Data yang dikirim terlalu besar (maksimal {limit // 1024} KB)"
            return 413, "payload_too_large", message
        return None


def install_error_handlers(
    app: FastAPI, max_body_bytes: int | None = None, larger_bodies: Mapping[str, int] | None = None
) -> None:
    if max_body_bytes is not None:
        app.add_middleware(BodyLimitMiddleware, max_body_bytes=max_body_bytes, larger=larger_bodies)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [describe(e) for e in exc.errors()]
        if details and all(d["code"] == "json_invalid" for d in details):
            return _json_invalid(request, details)
        return _answer(request, 422, "validation_failed", "Data yang dikirim tidak valid", details)

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return _answer(request, exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _BODY_PARSE_ERROR:
            message = _unreadable_body(exc.__cause__)
            return _json_invalid(request, [{"field": "body", "code": "json_invalid", "message": message}])
        # Starlette's and FastAPI's details are English: the code's own Indonesian message instead. Headers
        # (Allow on a 405, WWW-Authenticate) are kept.
        code, message = _http_code(exc.status_code)
        return _answer(request, exc.status_code, code, message, headers=exc.headers)

    @app.exception_handler(PyMongoError)
    async def _database(request: Request, exc: PyMongoError) -> JSONResponse:
        if is_duplicate_key(exc):
            message = "Data yang sama sedang atau sudah diproses; periksa lalu coba lagi"
            return _answer(request, 409, "conflict", message)
        # Expected during an outage and already answered: one line, no traceback, no URI.
        log.warning("database unavailable, answered 503", extra={"error": type(exc).__name__})
        message = "Basis data sementara tidak tersedia; silakan coba lagi"
        return _answer(request, 503, "service_unavailable", message, headers={"Retry-After": "5"})

    # Last resort: a value the contracts let through but BSON cannot hold (an integer of 2^63 or more).
    app.add_exception_handler(OverflowError, _unstorable)
    app.add_exception_handler(InvalidDocument, _unstorable)


async def _unstorable(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DocumentTooLarge):  # an InvalidDocument too: over MongoDB's 16 MB
        return _answer(request, 413, "payload_too_large", "Data yang dikirim terlalu besar untuk disimpan")
    # A contract that should have refused the value: worth a warning with the trace, the caller gets a 422.
    log.warning("value could not be stored, answered 422", extra={"error": type(exc).__name__}, exc_info=exc)
    message = "Ada nilai yang tidak dapat disimpan (mis. angka terlalu besar); periksa data lalu kirim ulang"
    return _answer(request, 422, "invalid_value", message)


class _ErrorResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:  # a lone surrogate from the caller, echoed in a message: escaped, not a 500
            return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _answer(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    note_error_code(request, code)
    return _ErrorResponse(error_body(code, message, details), status_code=status, headers=headers)


def note_error_code(request: Request, code: str) -> None:
    """The stable code of an error answer, for the request's access log line."""
    request.state.error_code = code


def internal_error_response() -> JSONResponse:
    """What a caller gets for an error nobody expected: never a stack trace (the log has it)."""
    return JSONResponse(error_body("internal_error", "Terjadi kesalahan pada server; silakan coba lagi"), 500)
