"""The edges of intake's HTTP API, against the real process: every refusal is the JSON error shape.

Malformed request heads are refused by the HTTP server itself (uvicorn, before
the application), bodies that are not JSON before authentication, numbers that
are not numbers or do not fit MongoDB with a 422, never a 500 or plain text.
"""

import socket
from urllib.parse import urlsplit

import httpx
import pytest

from devtools.devstack.platform import Platform

from .api import ADMIN, random_nip, register_agency

pytestmark = pytest.mark.e2e


def raw_exchange(url: str, request: bytes, timeout_s: float = 10) -> tuple[int, dict[str, str], bytes]:
    """One request over a plain socket, read until the server closes: status, headers, body."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout_s) as conn:
        conn.sendall(request)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, value in (h.split(":", 1) for h in header_lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    "head",
    [
        b"Content-Length: -1\r\n",
        b"Content-Length: 2\r\nContent-Length: 3\r\n",
        b"Content-Length: abc\r\n",
        b"Transfer-Encoding: gzip\r\n",
        b"Transfer-Encoding: chunked, chunked\r\n",
    ],
    ids=["negative-length", "two-lengths", "length-not-a-number", "unsupported-encoding", "chunked-twice"],
)
def test_a_malformed_request_head_gets_the_json_error_shape(platform: Platform, head: bytes):
    request = b"POST /v1/reports HTTP/1.1\r\nHost: intake\r\nContent-Type: application/json\r\n" + head + b"\r\n{}"
    status, headers, body = raw_exchange(platform.url("intake"), request)
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    error = httpx.Response(400, content=body).json()["error"]
    assert error["code"] == "bad_request"
    assert error["details"] == []
    assert "Permintaan HTTP tidak valid" in error["message"]


def test_a_broken_request_line_gets_the_json_error_shape(platform: Platform):
    status, headers, body = raw_exchange(platform.url("intake"), b"BOGUS\r\n\r\n")
    assert status == 400 and headers["content-type"] == "application/json"
    assert httpx.Response(400, content=body).json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"nip": "\xff"}', b"[" * 5000 + b"]" * 5000, b"\x1f\x8b\x08\x00\x00\x00\x00\x00"],
    ids=["broken", "not-utf8", "too-deep", "gzip"],
)
def test_a_body_that_is_not_json_is_json_invalid_even_before_authentication(intake: httpx.Client, content: bytes):
    response = intake.post("/v1/reports", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "json_invalid"
    assert [(d["field"], d["code"]) for d in error["details"]] == [("body", "json_invalid")]
    for english in ("error parsing", "Expecting", "JSON decode", "Traceback"):
        assert english not in response.text


def test_an_integer_mongodb_cannot_store_is_422_not_500(intake: httpx.Client):
    body = {
        "agency_id": "test-besar",
        "nama": "Dinas Uji",
        "wilayah": "Kabupaten Uji",
        "anggaran_pelatihan": 2**63,
        "tahun_anggaran": 2026,
    }
    response = intake.post("/v1/admin/agencies", json=body, headers=ADMIN)
    assert response.status_code == 422, response.text
    [detail] = response.json()["error"]["details"]
    assert (detail["field"], detail["code"]) == ("anggaran_pelatihan", "less_than_equal")
    assert detail["message"] == "tidak boleh lebih dari 9223372036854775807 (diterima: 9223372036854775808)"


def test_true_is_not_a_number_and_fields_use_brackets(intake: httpx.Client):
    agency = register_agency(intake)
    nip = agency.employee(random_nip())
    agency.skp(nip)
    body = agency.report_body(nip)
    body["realisasi"][1]["realisasi"] = True
    response = agency.submit(body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"] == [
        {"field": "realisasi[1].realisasi", "code": "float_type", "message": "harus berupa angka (diterima: true)"}
    ]


def test_a_method_not_allowed_says_which_are(intake: httpx.Client):
    response = intake.delete("/healthz")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_the_served_openapi_documents_the_error_answers(intake: httpx.Client):
    document = intake.get("/openapi.json").json()
    responses = document["paths"]["/v1/reports"]["post"]["responses"]
    for status in ("400", "401", "413", "422", "503"):
        assert responses[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
