"""The edge of every request: correlation ids in and out, one access line, errors logged once."""

import logging

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pymongo.errors import ServerSelectionTimeoutError

from shared.http_access import CORRELATION_HEADER, acceptable_correlation_id, install_request_tracing
from shared.http_errors import ApiError, install_error_handlers
from shared.logging import RepeatThrottle, correlation_id

app = FastAPI()
install_error_handlers(app, max_body_bytes=1024)
install_request_tracing(app)


@app.get("/v1/things/{thing_id}")
async def get_thing(thing_id: str, request: Request) -> dict[str, str | None]:
    request.state.agency_id = "bungo-dinkes"
    logging.getLogger("kinerja.test").info("inside the route")
    return {"thing_id": thing_id, "correlation": correlation_id.get()}


@app.get("/rejected")
async def rejected() -> None:
    raise ApiError(422, "report_rejected", "Laporan ditolak")


@app.get("/boom")
async def boom() -> None:
    raise RuntimeError("kaboom")


@app.get("/mongo")
async def mongo_down() -> None:
    raise ServerSelectionTimeoutError("mongodb://user:secret@db: timed out")


@app.post("/upload")
async def upload(request: Request) -> dict[str, int]:
    return {"size": len(await request.body())}


@pytest.fixture
def client():
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def access_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "kinerja.access"]


def test_a_callers_correlation_id_is_used_and_returned(client):
    response = client.get("/v1/things/7", headers={CORRELATION_HEADER: "bkpsdm-trace-42"})
    assert response.headers[CORRELATION_HEADER] == "bkpsdm-trace-42"
    assert response.json()["correlation"] == "bkpsdm-trace-42"


def test_a_request_without_one_gets_a_new_id_in_the_response(client):
    first = client.get("/v1/things/7").headers[CORRELATION_HEADER]
    second = client.get("/v1/things/7").headers[CORRELATION_HEADER]
    assert first and second and first != second


@pytest.mark.parametrize("value", ["", "a b", "x" * 129, "<script>", "id\nforged-log-line"])
def test_unsafe_ids_are_replaced_not_echoed(value):
    assert not acceptable_correlation_id(value)


def test_one_access_line_per_request_with_route_status_agency_and_no_secrets(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/v1/things/7", headers={CORRELATION_HEADER: "trace-1", "Authorization": "Bearer kin_rahasia"})
    [line] = access_lines(caplog)
    assert (line.method, line.route, line.status, line.agency_id) == (
        "GET",
        "/v1/things/{thing_id}",
        200,
        "bungo-dinkes",
    )
    assert line.duration_ms >= 0
    assert "kin_rahasia" not in caplog.text
    route_line = next(r for r in caplog.records if r.name == "kinerja.test")
    assert route_line.exc_info is None


def test_an_error_answer_is_logged_with_its_stable_code_and_no_traceback(client, caplog):
    caplog.set_level(logging.INFO)
    assert client.get("/rejected").status_code == 422
    assert client.post("/upload", content=b"x" * 2048).status_code == 413
    lines = access_lines(caplog)
    assert [(r.status, r.error_code) for r in lines] == [(422, "report_rejected"), (413, "payload_too_large")]
    assert all(r.exc_info is None for r in caplog.records)


def test_a_database_outage_is_one_warning_without_traceback(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/mongo")
    assert response.status_code == 503
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "secret" not in caplog.text
    assert [(r.status, r.error_code) for r in access_lines(caplog)] == [(503, "service_unavailable")]


def test_an_unexpected_error_is_logged_once_with_its_traceback(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/boom", headers={CORRELATION_HEADER: "trace-boom"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert response.headers[CORRELATION_HEADER] == "trace-boom"
    with_traceback = [r for r in caplog.records if r.exc_info]
    assert len(with_traceback) == 1
    assert with_traceback[0].route == "/boom" and with_traceback[0].status == 500


def test_a_flood_of_identical_kafka_warnings_becomes_one_line_per_window():
    now = [0.0]
    throttle = RepeatThrottle(window_s=30, clock=lambda: now[0])

    def record(name="aiokafka.conn", msg="Unable connect to node with id %s: %s"):
        return logging.LogRecord(name, logging.WARNING, __file__, 1, msg, ("1", "refused"), None)

    passed = [throttle.filter(record()) for _ in range(400)]
    assert passed.count(True) == 1
    assert throttle.filter(record(msg="Unable to update metadata from %s"))  # another kind of line
    assert throttle.filter(record(name="kinerja.access"))  # only Kafka's client is throttled
    now[0] = 31.0
    after = record()
    assert throttle.filter(after) and after.repeated == 399
