"""What an operator sees of a running platform: correlated logs across services, and the metrics."""

import json
import uuid

import httpx
import pytest

from devtools.devstack.platform import PIPELINE
from shared.http_access import CORRELATION_HEADER
from tests.conftest import eventually

from .api import register_agency

pytestmark = pytest.mark.e2e


def log_lines(platform, service: str) -> list[dict]:
    lines = []
    for raw in platform.processes[service].log_path.read_text(errors="replace").splitlines():
        try:
            lines.append(json.loads(raw))
        except ValueError:
            continue  # a line some library printed without our formatter
    return lines


async def test_a_reports_correlation_id_is_in_the_logs_of_all_four_services(intake, platform, dbs):
    agency = register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    trace = f"bkpsdm-{uuid.uuid4().hex[:12]}"
    response = intake.post(
        "/v1/reports", json=agency.report_body(nip), headers={**agency.auth, CORRELATION_HEADER: trace}
    )
    assert response.status_code == 202, response.text
    assert response.headers[CORRELATION_HEADER] == trace

    await eventually(
        lambda: dbs["notification"].notifications.find_one({"recipient_nip": nip}),
        what="a notification for the report",
    )

    async def traced_everywhere():
        return all(any(line.get("correlation_id") == trace for line in log_lines(platform, s)) for s in PIPELINE)

    await eventually(traced_everywhere, what=f"correlation id {trace} in the logs of {', '.join(PIPELINE)}")
    [access] = [
        line for line in log_lines(platform, "intake") if line.get("correlation_id") == trace and "route" in line
    ]
    assert (access["route"], access["status"], access["agency_id"]) == ("/v1/reports", 202, agency.agency_id)
    assert agency.key not in platform.processes["intake"].log_path.read_text()


async def test_a_rejected_report_is_visible_to_operators_with_its_code(intake, platform):
    agency = register_agency(intake)
    nip = agency.employee()
    response = intake.post("/v1/reports", json=agency.report_body(nip), headers=agency.auth)  # no SKP registered
    assert response.status_code == 422
    trace = response.headers[CORRELATION_HEADER]

    def access_line():
        return next((line for line in log_lines(platform, "intake") if line.get("correlation_id") == trace), None)

    line = await eventually(_sync(access_line), what="the access line of the rejected report")
    assert (line["status"], line["error_code"]) == (422, "report_rejected")
    assert "exc_info" not in line


def test_metrics_cover_http_lag_and_outbox(intake, platform):
    agency = register_agency(intake)
    agency.employee()
    scoring = httpx.get(f"{platform.url('scoring')}/metrics").text
    assert 'kinerja_consumer_lag{group="' in scoring
    assert 'topic="kinerja.report.submitted.v1"' in scoring
    assert "kinerja_outbox_oldest_pending_age_seconds" in scoring
    metrics = httpx.get(f"{platform.url('intake')}/metrics").text
    assert 'kinerja_http_requests_total{method="PUT",route="/v1/employees/{nip}",status="200"}' in metrics
    assert 'kinerja_http_request_duration_seconds_bucket{le="0.5",method="PUT",route="/v1/employees/{nip}"}' in metrics
    assert "kinerja_outbox_pending " in metrics


def _sync(probe):
    async def wrapped():
        return probe()

    return wrapped
