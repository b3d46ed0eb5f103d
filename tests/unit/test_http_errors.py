"""One error shape for every HTTP API, with Indonesian messages and no stack traces."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field
from pymongo.errors import ServerSelectionTimeoutError

from shared.contracts.common import Period, Rating
from shared.contracts.nip import Nip, NipError, check_nip
from shared.http_access import install_request_tracing
from shared.http_errors import ApiError, install_error_handlers

NIP = "198503122010011002"
SECRET = "mongodb://admin:hunter2@db.internal"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nip: Nip
    nama: str = Field(min_length=1, max_length=10)
    jumlah: int = Field(gt=0)
    rating: Rating | None = None
    period: Period | None = None


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
    assert details(post(client, nip=nip)) == [
        {"field": "nip", "code": f"invalid_nip.{part}", "message": nip_message(nip)}
    ]


def test_missing_field_is_wajib_diisi(client):
    response = client.post("/items", json={"nip": NIP, "jumlah": 1})
    assert details(response) == [{"field": "nama", "code": "missing", "message": "wajib diisi"}]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"jumlah": 0}, {"field": "jumlah", "code": "greater_than", "message": "harus lebih besar dari 0"}),
        ({"jumlah": "dua"}, {"field": "jumlah", "code": "int_parsing", "message": "harus berupa bilangan bulat"}),
        ({"nama": "x" * 11}, {"field": "nama", "code": "string_too_long", "message": "terlalu panjang"}),
        ({"nama": ""}, {"field": "nama", "code": "string_too_short", "message": "terlalu pendek"}),
        ({"umur": 3}, {"field": "umur", "code": "extra_forbidden", "message": "kolom ini tidak dikenal"}),
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


def test_wrong_method_is_405(client):
    response = client.delete("/items")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
