"""The error shape as the OpenAPI documents describe it, with an example per status."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.http_errors import error_body


class ErrorDetail(BaseModel):
    field: str = Field(
        description="Where the problem is: dotted names, list indexes in brackets; `body` for the whole body",
        examples=["realisasi[0].realisasi"],
    )
    code: str = Field(
        description="Stable machine-readable code: the validation type (`missing`, `int_type`, ...), "
        "`invalid_nip.<part>`, `invalid_value` or a domain code",
        examples=["float_type"],
    )
    message: str = Field(
        description="Explanation in Bahasa Indonesia, quoting the value received (shortened)",
        examples=['harus berupa angka (diterima: "92,5")'],
    )


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable machine-readable code of the error", examples=["validation_failed"])
    message: str = Field(description="Explanation in Bahasa Indonesia", examples=["Data yang dikirim tidak valid"])
    details: list[ErrorDetail] = Field(default_factory=list, description="One entry per problem found, if any")


class ErrorBody(BaseModel):
    """The one error shape of every Kinerja API."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": "validation_failed",
                        "message": "Data yang dikirim tidak valid",
                        "details": [
                            {"field": "period.end", "code": "missing", "message": "wajib diisi"},
                            {
                                "field": "realisasi[0].realisasi",
                                "code": "float_type",
                                "message": "harus berupa angka (diterima: true)",
                            },
                        ],
                    }
                }
            ]
        }
    )

    error: ErrorInfo


def _documented(description: str, code: str, message: str, details: list[dict[str, str]] | None = None) -> dict:
    return {
        "model": ErrorBody,
        "description": description,
        "content": {"application/json": {"example": error_body(code, message, details)}},
    }


# For `include_router(..., responses=ERROR_RESPONSES)`: every route documents the answers the platform may give.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented(
        "Malformed HTTP request (e.g. a bad Content-Length header)",
        "bad_request",
        "Permintaan HTTP tidak valid; periksa header Content-Length dan Transfer-Encoding",
    ),
    401: _documented(
        "Missing or wrong `Authorization: Bearer <key>`",
        "unauthorized",
        "Sertakan header Authorization: Bearer <kunci API>",
    ),
    404: _documented("Unknown path or record", "not_found", "Tidak ditemukan"),
    409: _documented(
        "Conflicts with data already stored or being processed",
        "conflict",
        "Data yang sama sedang atau sudah diproses; periksa lalu coba lagi",
    ),
    411: _documented(
        "Body sent without Content-Length (chunked)",
        "length_required",
        "Sertakan header Content-Length; pengiriman chunked tidak diterima",
    ),
    413: _documented(
        "Body larger than the limit", "payload_too_large", "Data yang dikirim terlalu besar (maksimal 512 KB)"
    ),
    422: _documented(
        "Body or parameters invalid (`validation_failed`, with one detail per problem), body not JSON "
        "(`json_invalid`), a value that cannot be stored (`invalid_value`) or a domain rule refused",
        "validation_failed",
        "Data yang dikirim tidak valid",
        [{"field": "realisasi[0].row_id", "code": "missing", "message": "wajib diisi"}],
    ),
    500: _documented(
        "Unexpected error; the log has it, the answer never has internals",
        "internal_error",
        "Terjadi kesalahan pada server; silakan coba lagi",
    ),
    503: {
        **_documented(
            "Database temporarily unavailable; retry after `Retry-After` seconds",
            "service_unavailable",
            "Basis data sementara tidak tersedia; silakan coba lagi",
        ),
        "headers": {"Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}},
    },
}


# --- answers -----------------------------------------------------------------------------------------------------
