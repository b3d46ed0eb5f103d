"""One error shape for every HTTP API, with Indonesian messages and no stack traces."""

import gzip
import json
import logging
import re
import typing
from typing import Annotated

import bson
import pydantic_core
import pytest
from fastapi import Depends, FastAPI, Header
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core.core_schema import ErrorType
from pymongo.errors import DocumentTooLarge, ServerSelectionTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.contracts.common import BerAKHLAK, Number, Period, Rating
from shared.contracts.nip import Nip, NipError, check_nip
from shared.error_docs import ERROR_RESPONSES, ErrorBody
from shared.http_access import install_request_tracing
from shared.http_errors import ApiError, install_error_handlers
from shared.validation_messages import _MESSAGES, FALLBACK_MESSAGE, describe, field_path, preview

NIP = "198503122010011002"
SECRET = "mongodb://admin:hunter2@db.internal"


class Baris(BaseModel):
    model_config = ConfigDict(extra="forbid")

    row_id: str
    nilai: Number | None = None


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nip: Nip
    nama: str = Field(min_length=1, max_length=10)
    jumlah: int = Field(gt=0)
    rating: Rating | None = None
    period: Period | None = None
    baris: list[Baris] = []
    perilaku: dict[BerAKHLAK, Rating] = {}


app = FastAPI()
install_error_handlers(app)
install_request_tracing(app)


@app.post("/items")
async def create_item(body: Body) -> dict[str, str]:
    return {"nip": body.nip}


@app.get("/conflict")
async def conflict() -> None:
    raise ApiError(
        409, "agency_exists", "instansi sudah terdaftar", [{"field": "agency_id", "code": "x", "message": "y"}]
    )


@app.get("/boom")
async def boom() -> None:
    raise RuntimeError(f"cannot connect to {SECRET}")


@app.get("/mongo")
async def mongo_down() -> None:
    raise ServerSelectionTimeoutError(f"{SECRET}: timed out")


async def require_key(authorization: Annotated[str | None, Header()] = None) -> None:
    if authorization != "Bearer kunci":
        raise ApiError(401, "unauthorized", "Kunci API tidak valid")


@app.post("/guarded", dependencies=[Depends(require_key)])
async def guarded(body: Body) -> dict[str, str]:
    return {"nip": body.nip}


@app.get("/overflow")
async def overflow() -> None:
    bson.encode({"anggaran": 2**63})  # what a write of an unbounded int does


@app.get("/unencodable")
async def unencodable() -> None:
    bson.encode({"x": object()})


@app.get("/too-large")
async def too_large() -> None:
    raise DocumentTooLarge("BSON document too large (16793600 bytes)")


@app.get("/english")
async def english() -> None:
    raise StarletteHTTPException(400, "Missing boundary in multipart.")


@app.get("/teapot")
async def teapot() -> None:
    raise StarletteHTTPException(418, "I'm a teapot")


@pytest.fixture(scope="module")
def client():
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def post(client, **overrides):
    return client.post("/items", json={"nip": NIP, "nama": "Siti", "jumlah": 1} | overrides)


def details(response) -> list[dict]:
    assert response.status_code == 422
    return response.json()["error"]["details"]


def nip_message(nip: str) -> str:
    with pytest.raises(NipError) as caught:
        check_nip(nip)
    return str(caught.value)


def test_valid_body_passes(client):
    assert post(client).json() == {"nip": NIP}


def test_validation_error_has_the_common_shape(client):
    response = post(client, nip="123", jumlah=0)
    assert response.status_code == 422
    body = response.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "validation_failed"
    assert body["error"]["message"] == "Data yang dikirim tidak valid"
    assert len(body["error"]["details"]) == 2
    for detail in body["error"]["details"]:
        assert set(detail) == {"field", "code", "message"}
        assert all(isinstance(v, str) and v for v in detail.values())


@pytest.mark.parametrize(
    ("nip", "part"),
    [
        ("12345", "format"),
        ("198502302010011002", "tanggal_lahir"),
        ("198503122010131002", "tmt_cpns"),
        ("198503122010013002", "jenis_kelamin"),
    ],
)
def test_nip_error_names_the_part(client, nip, part):
    [detail] = details(post(client, nip=nip))
    assert (detail["field"], detail["code"]) == ("nip", f"invalid_nip.{part}")
    assert detail["message"].startswith(nip_message(nip))
    # The offending value is visible: the wrong part quoted by the rule, or the whole NIP after it.
    assert nip[:8] in detail["message"] or nip[8:14] in detail["message"] or f'"{nip}"' in detail["message"]


def test_missing_field_is_wajib_diisi(client):
    response = client.post("/items", json={"nip": NIP, "jumlah": 1})
    assert details(response) == [{"field": "nama", "code": "missing", "message": "wajib diisi"}]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"jumlah": 0},
            {"field": "jumlah", "code": "greater_than", "message": "harus lebih besar dari 0 (diterima: 0)"},
        ),
        (
            {"jumlah": "dua"},
            {"field": "jumlah", "code": "int_parsing", "message": 'harus berupa bilangan bulat (diterima: "dua")'},
        ),
        (
            {"nama": "x" * 11},
            {
                "field": "nama",
                "code": "string_too_long",
                "message": 'terlalu panjang (maksimal 10 karakter) (diterima: "xxxxxxxxxxx")',
            },
        ),
        (
            {"nama": ""},
            {
                "field": "nama",
                "code": "string_too_short",
                "message": 'terlalu pendek (minimal 1 karakter) (diterima: "")',
            },
        ),
        ({"umur": 3}, {"field": "umur", "code": "extra_forbidden", "message": "kolom ini tidak dikenal (diterima: 3)"}),
    ],
)
def test_constraint_errors_are_in_indonesian(client, overrides, expected):
    assert details(post(client, **overrides)) == [expected]


def test_enum_error_lists_the_allowed_values(client):
    [detail] = details(post(client, rating="bagus"))
    assert (detail["field"], detail["code"]) == ("rating", "enum")
    assert detail["message"].startswith("harus salah satu dari:")
    assert all(r.value in detail["message"] for r in Rating)


def test_model_rule_error_is_invalid_value_with_the_rule_message(client):
    period = {"type": "bulanan", "start": "2026-10-31", "end": "2026-10-01"}
    assert details(post(client, period=period)) == [
        {"field": "period", "code": "invalid_value", "message": "akhir periode tidak boleh sebelum awal periode"}
    ]


def test_nested_field_path_is_dotted(client):
    period = {"type": "bulanan", "start": "2026-10-01"}
    assert details(post(client, period=period)) == [
        {"field": "period.end", "code": "missing", "message": "wajib diisi"}
    ]


def test_api_error_keeps_status_code_and_details(client):
    response = client.get("/conflict")
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "agency_exists",
            "message": "instansi sudah terdaftar",
            "details": [{"field": "agency_id", "code": "x", "message": "y"}],
        }
    }


def test_unexpected_error_is_500_without_internals(client):
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert response.json()["error"]["details"] == []
    for leak in ("Traceback", "RuntimeError", "hunter2", "db.internal", 'File "'):
        assert leak not in response.text


def test_database_outage_is_503_with_retry_after(client):
    response = client.get("/mongo")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert "hunter2" not in response.text


def test_unknown_route_is_404_not_found(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Tidak ditemukan", "details": []}}


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete("/items")
    assert response.status_code == 405
    assert response.json() == {
        "error": {"code": "method_not_allowed", "message": "Metode tidak didukung", "details": []}
    }
    assert response.headers["Allow"] == "POST"


# --- one notation for fields ---------------------------------------------------------------------------------


def test_list_items_are_named_with_brackets(client):
    response = post(client, baris=[{"row_id": "a"}, {"nilai": 1}])
    assert details(response) == [{"field": "baris[1].row_id", "code": "missing", "message": "wajib diisi"}]


def test_keys_of_a_mapping_are_dotted(client):
    [detail] = details(post(client, perilaku={"akuntabel": "bagus"}))
    assert (detail["field"], detail["code"]) == ("perilaku.akuntabel", "enum")
    assert detail["message"].endswith('(diterima: "bagus")')


def test_an_unknown_key_of_a_mapping_names_the_key(client):
    assert details(post(client, perilaku={"jujur": "sesuai_ekspektasi"})) == [
        {
            "field": "perilaku.jujur",
            "code": "enum",
            "message": "nama kunci harus salah satu dari: " + ", ".join(BerAKHLAK) + ' (diterima: "jujur")',
        }
    ]


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (("body", "realisasi", 0, "row_id"), "realisasi[0].row_id"),
        (("body", "perilaku", "akuntabel"), "perilaku.akuntabel"),
        (("body", "period", "end"), "period.end"),
        (("body",), "body"),
        ((), "body"),
        (("realisasi", 12, "realisasi"), "realisasi[12].realisasi"),  # a ValidationError's own loc (batches)
        (("body", "rows", 0, "kompetensi", 3), "rows[0].kompetensi[3]"),
        (("body", "nama lengkap"), '["nama lengkap"]'),
        (("body", "perilaku", "a.b", "[key]"), 'perilaku["a.b"]'),
        (("body", "x", "0"), 'x["0"]'),  # a key that looks like an index is still a key
        (("body", "nip", "function-after[check_nip(), str]"), "nip"),  # a union member: internals, dropped
        (("query", "limit"), "query.limit"),
    ],
)
def test_field_path_notation(loc, field):
    assert field_path(loc) == field


def test_a_long_key_is_shortened_in_the_field():
    field = field_path(("body", "k" * 500))
    assert field == '["' + "k" * 40 + '…"]'


# --- the value received, shortened -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("abc", '"abc"'),
        ("x" * 100, '"' + "x" * 40 + '…"'),
        (True, "true"),
        (None, "null"),
        (12, "12"),
        (92.5, "92.5"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
        (2**64, "18446744073709551616"),
        ({"a": [1, 2]}, '{"a": [1, 2]}'),
        (b"\x00\x01", "<2 bita>"),
    ],
)
def test_preview_of_values(value, shown):
    assert preview(value) == shown


def test_preview_of_a_huge_or_deep_value_stays_short():
    assert len(preview(10**4000)) == 41 and preview(10**4000).endswith("…")
    deep: object = []
    for _ in range(50_000):  # deeper than any recursion limit
        deep = [deep]
    assert preview(deep) == "[" * 40 + "…"
    assert len(preview(list(range(100_000)))) == 41
    assert len(preview({str(i): i for i in range(10_000)})) == 41


# --- every pydantic error type in Indonesian --------------------------------------------------------------------

ENGLISH = re.compile(r"Input should|Field required|error parsing|(?<!tidak )\bvalid\b|\bshould\b|\binput\b", re.I)


def without_value(message: str) -> str:
    """The message minus the value quoted from the caller (which may be in any language)."""
    return message.split(" (diterima: ")[0]


def test_every_pydantic_error_type_has_an_indonesian_message():
    assert set(typing.get_args(ErrorType)) <= set(_MESSAGES), "new pydantic error types: add them to _MESSAGES"
    for message in _MESSAGES.values():
        assert not ENGLISH.search(message), message


@pytest.mark.parametrize("info", pydantic_core._pydantic_core.list_all_errors(), ids=lambda i: i["type"])
def test_each_error_type_is_described_with_its_context(info):
    error = {
        "type": info["type"],
        "loc": ("body", "realisasi", 0, "nilai"),
        "msg": info["message_template_python"],
        "input": "x",
        "ctx": info.get("example_context") or {},
    }
    detail = describe(error)
    assert detail["field"] == ("body" if info["type"] == "json_invalid" else "realisasi[0].nilai")
    assert detail["code"] == ("invalid_value" if info["type"] in ("value_error", "assertion_error") else info["type"])
    assert detail["message"] and not ENGLISH.search(without_value(detail["message"])), detail
    assert "{" not in without_value(detail["message"])


def test_an_unknown_error_type_gets_the_fallback_message_and_keeps_its_code():
    detail = describe({"type": "brand_new_type", "loc": ("body", "x"), "msg": "Input should be new", "input": 1})
    assert detail == {"field": "x", "code": "brand_new_type", "message": f"{FALLBACK_MESSAGE} (diterima: 1)"}


def test_enum_choices_are_listed_without_english_or():
    detail = describe(
        {"type": "enum", "loc": ("jenis",), "msg": "", "input": "x", "ctx": {"expected": "'utama' or 'tambahan'"}}
    )
    assert detail["message"] == 'harus salah satu dari: utama, tambahan (diterima: "x")'


def test_a_rule_over_a_whole_object_does_not_quote_the_object(client):
    period = {"type": "bulanan", "start": "2026-10-31", "end": "2026-10-01"}
    [detail] = details(post(client, period=period))
    assert detail["message"] == "akhir periode tidak boleh sebelum awal periode"


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (True, "float_type", "harus berupa angka (diterima: true)"),
        ("12", "float_type", 'harus berupa angka (diterima: "12")'),
        (float("nan"), "finite_number", "harus berupa angka yang terhingga (bukan NaN atau Infinity) (diterima: NaN)"),
        ([1], "float_type", "harus berupa angka (diterima: [1])"),
    ],
)
def test_numbers_must_be_numbers(client, value, code, message):
    body = {"nip": NIP, "nama": "Siti", "jumlah": 1, "baris": [{"row_id": "a", "nilai": value}]}
    response = client.post("/items", content=json.dumps(body), headers={"content-type": "application/json"})
    assert details(response) == [{"field": "baris[0].nilai", "code": code, "message": message}]


def test_an_integer_is_a_number(client):
    assert post(client, baris=[{"row_id": "a", "nilai": 7}]).status_code == 200


# --- bodies that are not JSON ----------------------------------------------------------------------------------


def raw(client, content: bytes, path="/items", **headers):
    return client.post(path, content=content, headers={"content-type": "application/json", **headers})


def json_invalid(response) -> str:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"]["code"] == "json_invalid"
    assert body["error"]["message"] == "Isi permintaan tidak dapat dibaca sebagai JSON"
    [detail] = body["error"]["details"]
    assert (detail["field"], detail["code"]) == ("body", "json_invalid")
    assert not ENGLISH.search(detail["message"])
    return detail["message"]


def test_broken_json_is_json_invalid_with_the_position(client):
    assert json_invalid(raw(client, b'{"nip": ')) == "JSON tidak valid (posisi karakter 8)"


def test_invalid_utf8_is_json_invalid(client):
    assert "UTF-8" in json_invalid(raw(client, b'{"nama": "\xff"}'))


def test_a_gzipped_body_is_json_invalid(client):
    content = gzip.compress(json.dumps({"nip": NIP}).encode())
    assert "gzip" in json_invalid(raw(client, content, **{"content-encoding": "gzip"}))


def test_json_nested_too_deep_is_json_invalid(client):
    assert json_invalid(raw(client, b"[" * 5000 + b"]" * 5000)) == "JSON bersarang terlalu dalam"


def test_a_number_too_long_to_read_is_json_invalid(client):
    assert "angka" in json_invalid(raw(client, b'{"jumlah": ' + b"9" * 5000 + b"}"))


def test_json_is_read_before_the_caller_is_authenticated(client):
    json_invalid(raw(client, b"{bad", path="/guarded"))
    assert client.post("/guarded", json={"nip": NIP, "nama": "S", "jumlah": 1}).status_code == 401


def test_a_body_that_is_not_declared_json_is_told_so(client):
    response = client.post("/items", content=b'{"nip": 1}', headers={"content-type": "text/plain"})
    [detail] = details(response)
    assert detail["field"] == "body"
    assert detail["message"] == "isi permintaan harus berupa objek JSON (Content-Type: application/json)"


# --- other answers --------------------------------------------------------------------------------------------


def test_a_value_mongodb_cannot_store_is_422_not_500(client, caplog):
    caplog.set_level(logging.WARNING)
    for path in ("/overflow", "/unencodable"):
        response = client.get(path)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_value"
        assert "8-byte" not in response.text and "object at" not in response.text
    assert [r.levelno for r in caplog.records if r.name == "kinerja.http"] == [logging.WARNING] * 2


def test_a_document_over_mongodbs_limit_is_413(client):
    response = client.get("/too-large")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_an_http_error_with_english_detail_is_answered_in_indonesian(client):
    response = client.get("/english")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert "boundary" not in response.text
    teapot = client.get("/teapot")
    assert teapot.status_code == 418
    assert teapot.json()["error"] == {"code": "http_error", "message": "Permintaan tidak dapat diproses", "details": []}


# --- the documented shape -------------------------------------------------------------------------------------


def test_documented_examples_are_valid_error_bodies():
    assert {400, 401, 404, 409, 413, 422, 503} <= set(ERROR_RESPONSES)
    for response in ERROR_RESPONSES.values():
        assert response["model"] is ErrorBody and response["description"]
        ErrorBody.model_validate(response["content"]["application/json"]["example"])
    for example in ErrorBody.model_json_schema()["examples"]:
        ErrorBody.model_validate(example)


def test_answers_match_the_documented_shape(client):
    for response in (post(client, jumlah=0), client.get("/mongo"), raw(client, b"{"), client.delete("/items")):
        ErrorBody.model_validate(response.json())
