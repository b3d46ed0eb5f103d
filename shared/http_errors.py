"""One error shape for every HTTP API: stable codes for programs, Bahasa Indonesia for people.

{"error": {"code": "...", "message": "...", "details": [{"field", "code", "message"}]}}
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.contracts.nip import NipError
from shared.mongo import is_duplicate_key

log = logging.getLogger("kinerja.http")

_MESSAGES = {
    "missing": "wajib diisi",
    "extra_forbidden": "kolom ini tidak dikenal",
    "string_too_short": "terlalu pendek",
    "string_too_long": "terlalu panjang",
    "string_pattern_mismatch": "formatnya tidak sesuai",
    "string_type": "harus berupa teks",
    "int_parsing": "harus berupa bilangan bulat",
    "float_parsing": "harus berupa angka",
    "greater_than": "harus lebih besar dari {gt}",
    "greater_than_equal": "tidak boleh kurang dari {ge}",
    "less_than_equal": "tidak boleh lebih dari {le}",
    "enum": "harus salah satu dari: {expected}",
    "date_from_datetime_parsing": "tanggal tidak valid (gunakan YYYY-MM-DD)",
    "date_parsing": "tanggal tidak valid (gunakan YYYY-MM-DD)",
    "url_parsing": "tautan tidak valid",
    "list_type": "harus berupa daftar",
    "json_invalid": "JSON tidak valid",
    "too_short": "minimal {min_length} isian",
    "model_attributes_type": "harus berupa objek",
    "dict_type": "harus berupa objek",
}


_HTTP_CODES = {
    401: ("unauthorized", "Tidak berwenang"),
    404: ("not_found", "Tidak ditemukan"),
    405: ("method_not_allowed", "Metode tidak didukung"),
    413: ("payload_too_large", "Data yang dikirim terlalu besar"),
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


def error_body(code: str, message: str, details: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def describe(error: dict[str, Any]) -> dict[str, str]:
    field = ".".join(str(part) for part in error["loc"] if part != "body") or "body"
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, NipError):
        return {"field": field, "code": f"invalid_nip.{cause.part}", "message": str(cause)}
    if error["type"] == "value_error":
        return {"field": field, "code": "invalid_value", "message": str(cause or error["msg"])}
    template = _MESSAGES.get(error["type"])
    try:
        message = template.format(**ctx) if template else error["msg"]
    except (KeyError, IndexError):
        message = template or error["msg"]
    return {"field": field, "code": error["type"], "message": message}


class BodyLimitMiddleware:
    """Every body must declare its length, so the limit holds before anything is read."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self._refusal(Headers(scope=scope))
            if refusal is not None:
                status, code, message = refusal
                scope.setdefault("state", {})["error_code"] = code
                await JSONResponse(error_body(code, message), status_code=status)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, headers: Headers) -> tuple[int, str, str] | None:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return 411, "length_required", "Sertakan header Content-Length; pengiriman chunked tidak diterima"
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body_bytes:
            message = f"Data yang dikirim terlalu besar (maksimal {self.max_body_bytes // 1024} KB)"
            return 413, "payload_too_large", message
        return None


def install_error_handlers(app: FastAPI, max_body_bytes: int | None = None) -> None:
    if max_body_bytes is not None:
        app.add_middleware(BodyLimitMiddleware, max_body_bytes=max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [describe(e) for e in exc.errors()]
        return _answer(request, 422, "validation_failed", "Data yang dikirim tidak valid", details)

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return _answer(request, exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_CODES.get(exc.status_code, ("http_error", str(exc.detail)))
        return _answer(request, exc.status_code, code, message)

    @app.exception_handler(PyMongoError)
    async def _database(request: Request, exc: PyMongoError) -> JSONResponse:
        if is_duplicate_key(exc):
            message = "Data yang sama sedang atau sudah diproses; periksa lalu coba lagi"
            return _answer(request, 409, "conflict", message)
        # Expected during an outage and already answered: one line, no traceback, no URI.
        log.warning("database unavailable, answered 503", extra={"error": type(exc).__name__})
        message = "Basis data sementara tidak tersedia; silakan coba lagi"
        return _answer(request, 503, "service_unavailable", message, headers={"Retry-After": "5"})


def _answer(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    note_error_code(request, code)
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def note_error_code(request: Request, code: str) -> None:
    """The stable code of an error answer, for the request's access log line."""
    request.state.error_code = code


def internal_error_response() -> JSONResponse:
    """What a caller gets for an error nobody expected: never a stack trace (the log has it)."""
    return JSONResponse(error_body("internal_error", "Terjadi kesalahan pada server; silakan coba lagi"), 500)
