"""Scoring on the real stack: explanations, revisions, redelivery and reordering, policies and rescores, the
annual roll-up and the distribution curve."""

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.contracts import AGENCY_REGISTERED, PERIOD_CLOSED, PERIOD_OPENED, REPORT_SUBMITTED, EventSpec
from shared.contracts.master_data import AgencyRegistered
from shared.contracts.periods import PeriodClosed, PeriodOpened
from shared.contracts.reports import ReportSubmitted
from tests.conftest import eventually

from .api import ADMIN, BERAKHLAK, ROWS, random_nip, register_agency

pytestmark = pytest.mark.e2e

ABOVE = {"layanan": 6, "cakupan": 100}  # capaian 125% and 111%: Di Atas
MEETS = {"layanan": 8, "cakupan": 90}  # 100% each: Sesuai
BELOW = {"layanan": 12, "cakupan": 50}  # 50% and 56%: Di Bawah


@pytest.fixture(scope="module")
def scoring(platform):
    with httpx.Client(base_url=platform.url("scoring"), timeout=30) as client:
        yield client


def report(agency_id: str, nip: str, realisasi: dict, perilaku: str = "sesuai_ekspektasi", month: int = 10, **extra):
    rows = [{**row, "realisasi": realisasi[row["row_id"]]} for row in ROWS]
    return ReportSubmitted.model_validate(
        {
            "report_id": extra.pop("report_id", f"{agency_id}/r-{uuid.uuid4().hex[:12]}"),
            "agency_id": agency_id,
            "nip": nip,
            "skp_id": f"skp-{nip}",
            "period": {"type": "bulanan", "start": f"2026-{month:02d}-01", "end": f"2026-{month:02d}-28"},
            "indicators": rows,
            "perilaku": dict.fromkeys(BERAKHLAK, perilaku),
            "submitted_at": datetime.now(UTC),
            **extra,
        }
    )


async def publish(backend, spec: EventSpec, *items: tuple[str, object]) -> list[str]:
    """Events straight onto the topic, in this order, as intake's relay would publish them; their ids."""
    producer = AIOKafkaProducer(bootstrap_servers=backend.kafka_bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    ids = []
    try:
        for subject, data in items:
            envelope = spec.envelope(data=data, subject=subject, source="tests", correlationid=str(uuid.uuid4()))
            await producer.send_and_wait(spec.topic, envelope.model_dump_json().encode(), subject.encode())
            ids.append(envelope.id)
    finally:
        await producer.stop()
    return ids


async def scored(dbs, report_id: str, **match):
    return await eventually(
        lambda: dbs["scoring"].scores.find_one({"_id": report_id, **match}), what=f"score of {report_id} {match}"
    )


async def test_a_score_is_explained_and_only_its_agency_reads_it(backend, intake, scoring, dbs):
    agency, other = register_agency(intake), register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    body = agency.report_body(nip, layanan=6.5, cakupan=85, perilaku="di_atas_ekspektasi")
    assert agency.submit(body).status_code == 202
    reference = agency.reference(body)
    await scored(dbs, reference)
    await eventually(
        lambda: dbs["scoring"].agency_keys.find_one({"agency_id": agency.agency_id}), what="the agency's key known"
    )

    score = scoring.get(f"/v1/scores/{reference}", headers=agency.auth).json()
    rows = {row["row_id"]: row for row in score["indicators"]}
    assert rows["layanan"]["formula"] == "lower_is_better" and rows["layanan"]["capaian"] == 118.75
    assert rows["cakupan"]["capaian"] == 94.44 and rows["cakupan"]["band"] == "cukup"
    assert score["hasil_kerja_basis"]["utama"] == {"di_atas": 1, "sesuai": 0, "di_bawah": 1}
    # One of two Utama rows below: not "most" meeting expectation, so Di Bawah; behaviour Di Atas.
    assert score["hasil_kerja_basis"]["rule"] == "otherwise_below"
    assert score["predikat"] == "butuh_perbaikan" and score["kode_kuadran"] == 3
    assert (score["kode_hasil_kerja"], score["kode_perilaku"]) == (3, 1)
    assert score["policy_version"] == "nasional@1" and score["revision"] == 1

    explanation = scoring.get(f"/v1/scores/{reference}/explanation", headers=agency.auth)
    assert explanation.status_code == 200
    text = "\n".join(explanation.json()["text"])
    assert "layanan" in text and "cakupan" in text and "Butuh Perbaikan" in text
    assert scoring.get(f"/v1/scores/{reference}", headers=other.auth).status_code == 404
    assert scoring.get(f"/v1/scores/{reference}", headers={"Authorization": "Bearer kin_nope"}).status_code == 401
    history = scoring.get(f"/v1/employees/{nip}/scores", headers=agency.auth).json()
    assert [s["report_id"] for s in history["scores"]] == [reference]
    assert scoring.get(f"/v1/employees/{nip}/scores", headers=other.auth).json()["scores"] == []


async def test_a_correction_is_revision_2_and_a_late_version_1_changes_nothing(backend, dbs, scoring):
    agency_id, nip = f"test-{uuid.uuid4().hex[:8]}", random_nip()
    first = report(agency_id, nip, MEETS)
    corrected = first.model_copy(
        update={"version": 2, "supersedes": 1, "indicators": report(agency_id, nip, BELOW).indicators}
    )
    await publish(backend, REPORT_SUBMITTED, (nip, first), (nip, corrected))
    score = await scored(dbs, first.report_id, revision=2)
    assert (score["report_version"], score["supersedes"], score["revision_cause"]) == (2, 1, "correction")
    assert score["rating_hasil_kerja"] == "di_bawah_ekspektasi"

    marker = report(agency_id, nip, MEETS, month=11)
    await publish(backend, REPORT_SUBMITTED, (nip, first), (nip, marker))  # version 1 again, late
    await scored(dbs, marker.report_id)
    after = await dbs["scoring"].scores.find_one({"_id": first.report_id})
    assert (after["revision"], after["report_version"]) == (2, 2)
    revisions = scoring.get(f"/v1/scores/{first.report_id}/revisions", headers=ADMIN).json()
    assert [r["revision"] for r in revisions] == [1, 2]


async def test_redelivered_and_reordered_period_events_give_the_same_final_state(backend, dbs):
    """The same corrections, in order with duplicates in one agency and newest-first in another: the same scores
    (version, ratings, predikat) and the same distribution."""
    nips = [random_nip() for _ in range(6)]
    finals = []
    for order in ("in_order", "reversed"):
        agency_id = f"test-{uuid.uuid4().hex[:8]}"
        events = []
        for i, nip in enumerate(nips):
            v1 = report(agency_id, nip, MEETS, report_id=f"{agency_id}/r-{i}")
            v2 = v1.model_copy(
                update={
                    "version": 2,
                    "supersedes": 1,
                    "indicators": report(agency_id, nip, BELOW if i % 2 else ABOVE).indicators,
                }
            )
            events += [(nip, v1), (nip, v1), (nip, v2), (nip, v2)] if order == "in_order" else [(nip, v2), (nip, v1)]
        await publish(backend, REPORT_SUBMITTED, *events)
        await eventually(
            lambda a=agency_id: _count(dbs, {"agency_id": a, "report_version": 2}, 6), what=f"{order}: all at version 2"
        )
        distribution = await eventually(
            lambda a=agency_id: _distribution(dbs, a, "2026-10", employees=6), what=f"{order}: distribution"
        )
        scores = await dbs["scoring"].scores.find({"agency_id": agency_id}).sort("_id").to_list()
        finals.append(
            (
                [(s["_id"].split("/")[1], s["report_version"], s["rating_hasil_kerja"], s["predikat"]) for s in scores],
                distribution["evaluation"]["overall"],
            )
        )
    assert finals[0] == finals[1]


async def _count(dbs, query: dict, expected: int) -> bool:
    return await dbs["scoring"].scores.count_documents(query) == expected


async def _distribution(dbs, agency_id: str, scope: str, employees: int):
    document = await dbs["scoring"].distributions.find_one({"_id": f"{agency_id}/{scope}"})
    return document if document and document["evaluation"]["overall"]["employees"] == employees else None


async def test_a_500_employee_agency_that_breaks_its_curve_is_flagged_and_one_that_fits_is_not(backend, scoring, dbs):
    breaks, fits = f"test-{uuid.uuid4().hex[:8]}", f"test-{uuid.uuid4().hex[:8]}"
    events = [(nip, report(breaks, nip, MEETS)) for nip in (random_nip() for _ in range(500))]
    shape = (
        [(ABOVE, "di_atas_ekspektasi")] * 100
        + [(MEETS, "sesuai_ekspektasi")] * 300
        + [(BELOW, "sesuai_ekspektasi")] * 100
    )
    events += [(nip, report(fits, nip, r, p)) for (r, p), nip in zip(shape, (random_nip() for _ in shape), strict=True)]
    await publish(backend, REPORT_SUBMITTED, *events)

    for agency_id in (breaks, fits):
        await eventually(
            lambda a=agency_id: _distribution(dbs, a, "2026-10", 500), what=f"{agency_id} evaluated", timeout_s=120
        )
    broken = scoring.get(f"/v1/agencies/{breaks}/distributions/2026-10", headers=ADMIN).json()
    assert broken["organisation_predikat"] == "baik" and broken["violations"] == 2
    assert broken["overall"]["percent"]["baik"] == 100.0
    messages = [c["message"] for c in broken["checks"] if not c["ok"]]
    assert any("100% Baik" in m and "70%" in m for m in messages), messages
    fitting = scoring.get(f"/v1/agencies/{fits}/distributions/2026-10", headers=ADMIN).json()
    assert fitting["violations"] == 0 and fitting["overall"]["counts"]["butuh_perbaikan"] == 100
    assert all(c["ok"] for c in fitting["checks"])
    outbox = dbs["scoring"].outbox.find(
        {"records.topic": "kinerja.distribution.evaluated.v1", "records.key": breaks.encode()}
    )
    assert await outbox.to_list(), "the evaluation was published"


async def test_a_policy_change_and_rescore_revise_exactly_the_scores_it_changes(backend, scoring, dbs):
    agency_id = f"test-{uuid.uuid4().hex[:8]}"
    nearly = {"layanan": 7.4, "cakupan": 97}  # 107.5% and 107.8%: Sesuai nationally, Di Atas from 105%
    meets = report(agency_id, random_nip(), MEETS)
    near = report(agency_id, random_nip(), nearly, perilaku="di_atas_ekspektasi")
    await publish(backend, PERIOD_OPENED, (agency_id, _period_opened(agency_id)))
    await publish(backend, REPORT_SUBMITTED, (meets.nip, meets), (near.nip, near))
    await scored(dbs, near.report_id)
    assert (await dbs["scoring"].scores.find_one({"_id": near.report_id}))["predikat"] == "baik"

    policy = scoring.get("/v1/policies/nasional@1", headers=ADMIN).json()
    broken = {**policy, "predikat_matrix": {**policy["predikat_matrix"], "di_atas_ekspektasi": {}}}
    refused = scoring.post(f"/v1/agencies/{agency_id}/policies", json=broken, headers=ADMIN)
    assert refused.status_code == 422 and "di_atas_ekspektasi" in refused.text
    policy["rating_thresholds"]["di_atas_min_capaian"] = 105
    published = scoring.post(f"/v1/agencies/{agency_id}/policies", json=policy, headers=ADMIN)
    assert published.status_code == 201, published.text
    version = published.json()["version"]
    assert version == f"{agency_id}@1"

    unknown = {"agency_id": "test-unknown", "period_id": "2026-10"}
    assert scoring.post("/v1/admin/rescores", json=unknown, headers=ADMIN).status_code == 404
    await publish(backend, AGENCY_REGISTERED, (agency_id, _agency(agency_id)))
    job = await eventually(lambda: _accepted(scoring, {"agency_id": agency_id, "period_id": "2026-10"}), what="rescore")
    done = await eventually(lambda: _job_done(scoring, job["job_id"]), what="rescore done")
    assert (done["checked"], done["revised"], done["unchanged"]) == (2, 1, 1)

    revised = await dbs["scoring"].scores.find_one({"_id": near.report_id})
    assert (revised["revision"], revised["revision_cause"], revised["policy_version"]) == (2, "rescore", version)
    assert revised["predikat"] == "sangat_baik"
    untouched = await dbs["scoring"].scores.find_one({"_id": meets.report_id})
    assert (untouched["revision"], untouched["policy_version"]) == (1, "nasional@1")


async def test_the_year_rolls_up_when_the_annual_period_closes_and_lists_missing_periods(backend, scoring, dbs):
    agency_id, nip = f"test-{uuid.uuid4().hex[:8]}", random_nip()
    opened = [_period_opened(agency_id, month) for month in (1, 2, 3)] + [_period_opened(agency_id, None)]
    await publish(backend, PERIOD_OPENED, *((agency_id, p) for p in opened))
    january, march = report(agency_id, nip, ABOVE, month=1), report(agency_id, nip, MEETS, month=3)
    await publish(backend, REPORT_SUBMITTED, (nip, january), (nip, march))
    await scored(dbs, march.report_id)
    closed = PeriodClosed(agency_id=agency_id, period_id="2026", closed_at=datetime.now(UTC), by="admin", alasan="uji")
    await publish(backend, PERIOD_CLOSED, (agency_id, closed))

    annual = await eventually(
        lambda: dbs["scoring"].annual_scores.find_one({"agency_id": agency_id, "nip": nip}), what="annual score"
    )
    assert annual["periods_missing"] == ["2026-02"] and [p["period_id"] for p in annual["periods"]] == [
        "2026-01",
        "2026-03",
    ]
    assert annual["method"] == "dominant" and annual["rating_hasil_kerja"] == "sesuai_ekspektasi"  # a tie: the later
    history = scoring.get(f"/v1/employees/{nip}/scores", headers=ADMIN).json()
    assert [a["tahun"] for a in history["annual"]] == [2026]
    year = await eventually(lambda: _distribution(dbs, agency_id, "2026", employees=1), what="the year's distribution")
    assert year["evaluation"]["scope"] == "2026"


def _agency(agency_id: str) -> AgencyRegistered:
    return AgencyRegistered(
        agency_id=agency_id, nama="Dinas Uji", wilayah="Kabupaten Uji", anggaran_pelatihan=0, tahun_anggaran=2026
    )


def _period_opened(agency_id: str, month: int | None = 10) -> PeriodOpened:
    """A monthly period of 2026, or (month None) the annual one."""
    if month is None:
        fields = {"period_id": "2026", "type": "tahunan", "start": "2026-01-01", "end": "2026-12-31"}
    else:
        fields = {
            "period_id": f"2026-{month:02d}",
            "type": "bulanan",
            "start": f"2026-{month:02d}-01",
            "end": f"2026-{month:02d}-28",
        }
    return PeriodOpened.model_validate(
        {"agency_id": agency_id, "skema": "bulanan", "deadline": "2027-01-05T16:59:59Z", "tenggat_hari": 5, **fields}
    )


async def _accepted(scoring, body: dict):
    """The rescore's job, once scoring knows the agency (its registration arrives as an event)."""
    answer = scoring.post("/v1/admin/rescores", json=body, headers=ADMIN)
    return answer.json() if answer.status_code == 202 else None


async def _job_done(scoring, job_id: str):
    job = scoring.get(f"/v1/admin/jobs/{job_id}", headers=ADMIN).json()
    return job if job["status"] == "done" else None
