"""Property-based fuzzing of the batch door on the real stack: whatever is sent, the answer is 2xx or 4xx with
the error shape, and the database holds exactly the reports the answers said were accepted."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .api import register_agency

pytestmark = pytest.mark.e2e

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def fuzz_agency(intake):
    agency = register_agency(intake)
    nips = [agency.employee() for _ in range(4)]
    for nip in nips:
        agency.skp(nip)
    return agency, nips


@st.composite
def report_items(draw, nips):
    nip = draw(st.sampled_from(nips))
    body = {
        "report_id": draw(st.sampled_from(["a", "b", "c", "d"])) + nip[-4:],
        "nip": nip,
        "skp_id": f"skp-{nip}",
        "period": {"type": "bulanan", "start": "2026-10-01", "end": "2026-10-31"},
        "realisasi": [
            {"row_id": "layanan", "realisasi": draw(st.floats(min_value=0, max_value=1e6) | st.integers(0, 50))},
            {"row_id": "cakupan", "realisasi": draw(st.integers(0, 120))},
        ],
        "correction": draw(st.booleans()),
    }
    mutation = draw(st.sampled_from(["none", "drop", "replace", "garbage"]))
    if mutation == "drop":
        body.pop(draw(st.sampled_from(sorted(body))))
    elif mutation == "replace":
        body[draw(st.sampled_from(sorted(body)))] = draw(json_values)
    elif mutation == "garbage":
        return draw(json_values)
    return body


def test_the_batch_door_answers_only_2xx_or_4xx_and_stores_exactly_what_it_accepted(intake, fuzz_agency):
    agency, nips = fuzz_agency
    accepted: set[str] = set()

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(report_items(nips), min_size=1, max_size=12))
    def batches(items):
        # json.dumps writes NaN and Infinity as bare words, which is not JSON: the server must say so clearly.
        content = json.dumps({"reports": items})
        headers = {**agency.auth, "content-type": "application/json"}
        response = intake.post("/v1/reports/batch", content=content, headers=headers)
        assert 200 <= response.status_code < 500, response.text
        body = response.json()
        if response.status_code != 200:
            assert set(body) == {"error"} and body["error"]["code"], body
            return
        assert len(body["results"]) == len(items)
        for result in body["results"]:
            assert result["status"] in {"accepted", "rejected", "duplicate", "conflict", "invalid"}
            if result["status"] == "accepted":
                accepted.add(result["reference"])

    batches()
    live, cursor = set(), None
    while True:
        params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = intake.get("/v1/reports", params=params, headers=agency.auth).json()
        live |= {item["reference"] for item in page["items"] if item["accepted_version"] >= 1}
        if not (cursor := page["next_cursor"]):
            break
    assert live == accepted  # nothing accepted is lost, nothing is live that was not accepted
