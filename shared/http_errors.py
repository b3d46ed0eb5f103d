"""One error shape for every HTTP API: stable codes for programs, Bahasa Indonesia for people.

{"error": {"code": "...", "message": "...", "details": [{"field", "code", "message"}]}}
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError
from starlette.exceptions import HTTPException as StarletteHTTPException

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


def install_error_handlers(app: FastAPI, max_body_bytes: int | None = None) -> None:
    if max_body_bytes is not None:

        @app.middleware("http")
        async def _refuse_large_bodies(request: Request, call_next: Any) -> Any:
            # Every body must declare its length, so the limit holds before anything is read.
            length = request.headers.get("content-length", "")
            if "chunked" in request.headers.get("transfer-encoding", "").lower():
                message = "Sertakan header Content-Length; pengiriman chunked tidak diterima"
                return JSONResponse(error_body("length_required", message), status_code=411)
            if length.isdigit() and int(length) > max_body_bytes:
                message = f"Data yang dikirim terlalu besar (maksimal {max_body_bytes // 1024} KB)"
                return JSONResponse(error_body("payload_too_large", message), status_code=413)
            return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [describe(e) for e in exc.errors()]
        return JSONResponse(error_body("validation_failed", "Data yang dikirim tidak valid", details), status_code=422)

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, ("http_error", str(exc.detail)))
        return JSONResponse(error_body(*code), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Never a stack trace to the caller; the log has the details.
        if is_duplicate_key(exc):
            return JSONResponse(
                error_body("conflict", "Data yang sama sedang atau sudah diproses; periksa lalu coba lagi"),
                status_code=409,
            )
        if isinstance(exc, PyMongoError):
            log.warning("database unavailable", extra={"error": type(exc).__name__})
            return JSONResponse(
                error_body("service_unavailable", "Basis data sementara tidak tersedia; silakan coba lagi"),
                status_code=503,
                headers={"Retry-After": "5"},
            )
        log.exception("unhandled error", extra={"error": type(exc).__name__})
        return JSONResponse(
            error_body("internal_error", "Terjadi kesalahan pada server; silakan coba lagi"), status_code=500
        )
