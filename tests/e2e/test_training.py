"""Training on the real stack: one evolving plan per agency and year, approved by HR, within the budget, each
version announced on the bus; budget cuts; scores that arrive before their agency or employee; redelivery; coaching
and career flags; bad input."""

import json
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from shared.contracts import (
    AGENCY_REGISTERED,
    CAREER_FLAGGED,
    COACHING_REQUIRED,
    EMPLOYEE_REGISTERED,
    SCORE_ANNUAL,
    SCORE_COMPUTED,
    TRAINING_COMPLETED,
    TRAINING_PLAN_UPDATED,
    TRAINING_RECOMMENDED,
)
from shared.contracts.master_data import AgencyRegistered, EmployeeRegistered
from shared.contracts.scores import AnnualScoreComputed, ScoreComputed
from tests.conftest import eventually, outbox_records

from .api import ADMIN, ROWS, random_nip, register_agency
from .topics import agency_events

pytestmark = pytest.mark.e2e

YEAR = 2026


def course_body(tag: str, biaya: int = 5_000_000, **changes) -> dict:
    return {
        "judul": "Pelatihan Uji Pelayanan",
        "jenis_kompetensi": "teknis",
        "kompetensi": [tag],
        "mode": "klasikal",
        "jp": 24,
        "biaya": biaya,
        "kursi_per_kelas": 30,
        "jadwal": ["2026-11-02"],
        "penyelenggara": "BPSDM Uji",
        **changes,
    }


def tagged_rows(tag: str) -> list[dict]:
    """The test SKP with its coverage row closing `tag` (a kompetensi only this test's own course teaches)."""
    return [ROWS[0], {**ROWS[1], "kompetensi": [tag]}]


async def known_agency(intake, dbs, budget: int = 50_000_000):
    """An agency registered through intake, once training holds its key and its budget."""
    agency = register_agency(intake, budget=budget)
    db = dbs["training"]
    await eventually(lambda: db.agency_keys.find_one({"agency_id": agency.agency_id}), what="key known to training")
    await eventually(lambda: db.budgets.find_one({"agency_id": agency.agency_id}), what="budget known to training")
    return agency


async def agency_with_course(intake, training, dbs, budget: int) -> tuple[Any, str]:
    """A known agency and a course of its own teaching a kompetensi only this test uses (the tag)."""
    agency = await known_agency(intake, dbs, budget)
    tag = f"uji-{uuid.uuid4().hex[:8]}"
    assert training.put(f"/v1/training/courses/{tag}", json=course_body(tag), headers=agency.auth).status_code == 200
    return agency, tag


def get_plan(training, agency, headers=None, **params):
    query = {"agency_id": agency.agency_id, **params}
    return training.get(f"/v1/training/plans/{YEAR}", params=query, headers=headers or agency.auth)


async def settled_plan(training, agency, want, what: str, headers=None) -> dict:
    """The latest plan once the planner has caught up and it satisfies `want`."""

    last = []

    async def probe():
        response = get_plan(training, agency, headers)
        last[:] = [response.text[:1500]]
        if response.status_code != 200:
            return None
        plan = response.json()
        return plan if not plan["replanning"] and want(plan) else None

    try:
        return await eventually(probe, timeout_s=120, what=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the last answer: {last}") from None


def planned(plan: dict, nip: str, course_id: str | None = None) -> list[str]:
    """The courses planned for `nip` (only `course_id`, if given)."""
    courses = [a["course_id"] for line in plan["lines"] if line["nip"] == nip for a in line["allocations"]]
    return [c for c in courses if course_id in (None, c)]


def approve(training, agency, version: int):
    body = {"agency_id": agency.agency_id, "version": version}
    return training.post(f"/v1/training/plans/{YEAR}/approval", json=body, headers=agency.auth)


async def test_a_year_of_monthly_scores_makes_one_evolving_plan_within_the_budget(intake, training, dbs):
    agency, tag = await agency_with_course(intake, training, dbs, 12_000_000)
    nips = [agency.employee() for _ in range(3)]
    for nip in nips:
        agency.skp(nip, tagged_rows(tag))
    # Every month of the year, every employee falls short on the tagged row (cakupan 60 of 90).
    bodies = [agency.report_body(nip, cakupan=60, month=m) for m in range(1, 13) for nip in nips]
    for body in bodies:
        assert agency.submit(body).status_code == 202

    async def all_in_training():
        ids = [agency.reference(b) for b in bodies]
        return await dbs["training"].gap_evidence.count_documents({"_id": {"$in": ids}}) == len(ids)

    await eventually(all_in_training, timeout_s=180, what="36 scores taken in by training")
    plan = await settled_plan(
        training, agency, lambda p: sum(bool(planned(p, n, tag)) for n in nips) == 2, what="a plan funding two of three"
    )
    assert plan["total_biaya"] <= 12_000_000  # 3 x Rp 5.000.000 would not fit
    assert plan["budget"]["anggaran"] == 12_000_000
    assert plan["unfunded"]["anggaran_tidak_cukup"]["jumlah"] >= 1
    unfunded_nip = next(n for n in nips if not planned(plan, n, tag))
    line = next(line for line in plan["lines"] if line["nip"] == unfunded_nip)
    assert {(u["kompetensi"], u["reason"]) for u in line["unfunded"]} >= {(tag, "anggaran_tidak_cukup")}
    assert {s["period_id"] for g in line["gaps"] if g["kompetensi"] == tag for s in g["sources"]} >= {"2026-12"}

    approved = approve(training, agency, plan["version"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approve(training, agency, plan["version"]).status_code == 200  # approving twice changes nothing

    for nip in nips:  # one recommendation per employee in the plan, not one per report
        events = await outbox_records(dbs["training"], topic=TRAINING_RECOMMENDED.topic, key=nip.encode())
        assert len(events) == (1 if planned(plan, nip) else 0)
    budget = training.get(f"/v1/training/budgets/{YEAR}", params={"agency_id": agency.agency_id}, headers=agency.auth)
    assert budget.json()["committed"] == plan["total_biaya"]
    versions = training.get(
        f"/v1/training/plans/{YEAR}/versions", params={"agency_id": agency.agency_id}, headers=agency.auth
    ).json()
    assert [v["version"] for v in versions] == sorted((v["version"] for v in versions), reverse=True)
    assert len(versions) < len(bodies)  # re-planned per batch of changes, not per score

    funded = next(n for n in nips if planned(plan, n, tag))
    note = await eventually(
        lambda: dbs["notification"].notifications.find_one(
            {"recipient_nip": funded, "about_event_type": "kinerja.training.recommended"}
        ),
        what="a funded employee's training notice",
    )
    assert "Pelatihan Uji Pelayanan" in note["pesan"]
    unfunded_note = await eventually(
        lambda: dbs["notification"].notifications.find_one(
            {"recipient_nip": unfunded_nip, "about_event_type": "kinerja.training.recommended"}
        ),
        what="the unfunded employee's notice (free courses toward 20 JP, and what is not funded)",
    )
    assert tag in unfunded_note["pesan"] and "Pelatihan Uji Pelayanan" not in unfunded_note["pesan"]


async def plan_update(backend, agency, want, what: str) -> dict:
    """The first of the agency's kinerja.training.plan.updated.v1 events satisfying `want`."""

    def enough(found: list[dict]) -> bool:
        return any(want(event["data"]) for event in found)

    found = await agency_events(backend.kafka_bootstrap, TRAINING_PLAN_UPDATED.topic, agency.agency_id, enough, what)
    return next(event["data"] for event in found if want(event["data"]))


def unfunded_needs(plan: dict) -> set[tuple[str, str, str]]:
    return {(line["nip"], u["kompetensi"], u["reason"]) for line in plan["lines"] for u in line["unfunded"]}


async def test_each_plan_version_its_approval_and_a_new_budget_are_published_as_hr_reads_them(
    backend, intake, training, dbs
):
    agency, tag = await agency_with_course(intake, training, dbs, 12_000_000)
    nips = [agency.employee() for _ in range(3)]
    for nip in nips:
        agency.skp(nip, tagged_rows(tag))
        assert agency.submit(agency.report_body(nip, cakupan=60)).status_code == 202
    plan = await settled_plan(
        training, agency, lambda p: sum(bool(planned(p, n, tag)) for n in nips) == 2, what="a plan funding two of three"
    )

    draft = await plan_update(backend, agency, lambda e: e["version"] == plan["version"], "the version published")

    assert (draft["status"], draft["approved_version"], draft["tahun"]) == ("draft", None, YEAR)
    for field in ("total_biaya", "total_jp", "allocations", "employees", "jp_shortfall_employees", "cause"):
        assert draft[field] == plan[field], field
    assert (draft["anggaran"], draft["committed"], draft["sisa"]) == (12_000_000, 0, 12_000_000)
    assert {r: t["jumlah"] for r, t in draft["unfunded_by_reason"].items()} == {
        r: t["jumlah"] for r, t in plan["unfunded"].items()
    }
    assert {(u["nip"], u["kompetensi"], u["reason"]) for u in draft["unfunded"]} == unfunded_needs(plan)
    assert [u["weight"] for u in draft["unfunded"]] == sorted((u["weight"] for u in draft["unfunded"]), reverse=True)

    assert approve(training, agency, plan["version"]).status_code == 200
    approved = await plan_update(
        backend, agency, lambda e: e["version"] == plan["version"] and e["status"] == "approved", "the approval"
    )
    assert (approved["approved_version"], approved["committed"]) == (plan["version"], plan["total_biaya"])
    assert approved["sisa"] == 12_000_000 - plan["total_biaya"]
    assert datetime.fromisoformat(approved["updated_at"]) > datetime.fromisoformat(draft["updated_at"])

    raised = {"agency_id": agency.agency_id, "anggaran": 15_000_000}
    assert training.put(f"/v1/training/budgets/{YEAR}", json=raised, headers=agency.auth).status_code == 200
    again = await plan_update(
        backend, agency, lambda e: e["version"] == plan["version"] and e["anggaran"] == 15_000_000, "the new budget"
    )
    assert (again["status"], again["committed"]) == ("approved", plan["total_biaya"])
    assert again["sisa"] == 15_000_000 - plan["total_biaya"]
    assert again["total_biaya"] == plan["total_biaya"]  # the same version, until the planner makes the next


async def test_a_budget_cut_drops_the_lowest_value_allocations_first_and_says_so(intake, training, dbs):
    agency, tag = await agency_with_course(intake, training, dbs, 20_000_000)
    # Four employees short by different amounts: the further below, the heavier the gap.
    shortfalls = {agency.employee(): cakupan for cakupan in (20, 40, 60, 80)}
    for nip, cakupan in shortfalls.items():
        agency.skp(nip, tagged_rows(tag))
        assert agency.submit(agency.report_body(nip, cakupan=cakupan)).status_code == 202
    full = await settled_plan(
        training, agency, lambda p: all(planned(p, n, tag) for n in shortfalls), what="all four funded"
    )

    cut = {"agency_id": agency.agency_id, "anggaran": 10_000_000}
    assert training.put(f"/v1/training/budgets/{YEAR}", json=cut, headers=agency.auth).status_code == 200
    smaller = await settled_plan(
        training, agency, lambda p: p["version"] > full["version"] and p["anggaran"] == 10_000_000, what="the cut"
    )

    kept = {nip for nip in shortfalls if planned(smaller, nip, tag)}
    worst_two = sorted(shortfalls, key=shortfalls.get)[:2]  # cakupan 20 and 40
    assert kept == set(worst_two)
    dropped = [c for c in smaller["changes"] if not c["added"] and c["course_id"] == tag]
    assert [c["nip"] for c in dropped] == sorted(set(shortfalls) - kept, key=lambda n: -shortfalls[n])
    assert all("anggaran dipotong dari Rp 20.000.000 menjadi Rp 10.000.000" in c["reason"] for c in dropped)
    assert [c["value"] for c in dropped] == sorted(c["value"] for c in dropped)  # lowest value first


async def test_a_budget_below_what_the_approved_plan_committed_is_refused(intake, training, dbs):
    agency, tag = await agency_with_course(intake, training, dbs, 10_000_000)
    nip = agency.employee()
    agency.skp(nip, tagged_rows(tag))
    assert agency.submit(agency.report_body(nip, cakupan=40)).status_code == 202
    plan = await settled_plan(training, agency, lambda p: planned(p, nip, tag), what="a plan for the employee")
    assert approve(training, agency, plan["version"]).status_code == 200

    response = training.put(
        f"/v1/training/budgets/{YEAR}", json={"agency_id": agency.agency_id, "anggaran": 1_000}, headers=agency.auth
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "anggaran_di_bawah_komitmen"
    assert error["details"][0]["field"] == "anggaran"
    assert "Rp 5.000.000" in error["message"]


# --- events that arrive out of order, or twice ------------------------------------------------------------------


async def _publish(backend, *events) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=backend.kafka_bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for spec, envelope in events:
            await producer.send_and_wait(
                spec.topic, value=envelope.model_dump_json().encode(), key=envelope.subject.encode()
            )
    finally:
        await producer.stop()


def _envelope(spec, data, subject: str):
    return spec, spec.envelope(data=data, subject=subject, source="tests", correlationid=str(uuid.uuid4()))


def _score(agency_id: str, nip: str, report_id: str, predikat: str, month: int = 10, revision: int = 1):
    below = predikat in ("butuh_perbaikan", "kurang", "sangat_kurang")
    rating = "di_bawah_ekspektasi" if below else "di_atas_ekspektasi"
    capaian = 60.0 if below else 115.0
    row = {**ROWS[0], "capaian": capaian, "nilai": capaian, "rating": rating}
    row = {k: v for k, v in row.items() if k not in ("rhk", "indikator", "satuan")}
    data = ScoreComputed.model_validate(
        {
            "report_id": report_id,
            "agency_id": agency_id,
            "nip": nip,
            "period": {"type": "bulanan", "start": f"2026-{month:02d}-01", "end": f"2026-{month:02d}-28"},
            "period_id": f"2026-{month:02d}",
            "indicators": [row],
            "nilai_hasil_kerja": capaian,
            "rating_hasil_kerja": rating,
            "rating_hasil_kerja_source": "computed",
            "rating_perilaku": "sesuai_ekspektasi" if below else "di_atas_ekspektasi",
            "rating_perilaku_source": "computed",
            "predikat": predikat,
            "computed_at": datetime.now(UTC),
            "revision": revision,
            "supersedes": revision - 1 if revision > 1 else None,
            "revision_cause": "correction" if revision > 1 else None,
        }
    )
    return _envelope(SCORE_COMPUTED, data, nip)


def _agency(agency_id: str, budget: int):
    data = AgencyRegistered(
        agency_id=agency_id, nama="Dinas Uji", wilayah="Kabupaten Uji", anggaran_pelatihan=budget, tahun_anggaran=YEAR
    )
    return _envelope(AGENCY_REGISTERED, data, agency_id)


def _employee(agency_id: str, nip: str):
    return _envelope(
        EMPLOYEE_REGISTERED, EmployeeRegistered(nip=nip, agency_id=agency_id, nama="Uji", jabatan="Analis"), nip
    )


async def test_a_score_before_its_agency_and_employee_is_planned_once_they_arrive(backend, training):
    agency_id, nip = f"test-{uuid.uuid4().hex[:10]}", random_nip()

    agency = SimpleNamespace(agency_id=agency_id)  # it exists only on the bus: the administrator reads its plan
    await _publish(backend, _score(agency_id, nip, f"{agency_id}/r-1", "kurang"))

    async def waiting():
        response = get_plan(training, agency, ADMIN)
        return response.status_code == 404 and "menunggu anggaran" in response.json()["error"]["message"]

    await eventually(waiting, what="the plan waiting for its budget")
    await _publish(backend, _agency(agency_id, 10_000_000))
    await settled_plan(training, agency, lambda p: p["waiting_for_employee_record"] == 1, "parked", headers=ADMIN)

    await _publish(backend, _employee(agency_id, nip))

    plan = await settled_plan(training, agency, lambda p: planned(p, nip), "the employee planned", headers=ADMIN)
    assert plan["waiting_for_employee_record"] == 0
    assert plan["total_biaya"] <= 10_000_000


async def test_redelivery_creates_nothing_twice_and_coaching_starts_once_per_period(backend, dbs):
    agency_id, nip = f"test-{uuid.uuid4().hex[:10]}", random_nip()
    first = _score(agency_id, nip, f"{agency_id}/r-1", "kurang")
    revised = _score(agency_id, nip, f"{agency_id}/r-1", "sangat_kurang", revision=2)
    marker = _score(agency_id, nip, f"{agency_id}/r-2", "baik", month=11)

    await _publish(backend, first, first, revised, first, marker)

    await eventually(lambda: dbs["training"].gap_evidence.find_one({"_id": f"{agency_id}/r-2"}), what="marker")
    evidence = await dbs["training"].gap_evidence.find_one({"_id": f"{agency_id}/r-1"})
    assert evidence["revision"] == 2 and evidence["predikat"] == "sangat_kurang"  # a late revision 1 changes nothing
    assert await dbs["training"].coaching.count_documents({"nip": nip}) == 1
    coaching = await outbox_records(dbs["training"], topic=COACHING_REQUIRED.topic, key=nip.encode())
    assert len(coaching) == 1
    started = json.loads(bytes(coaching[0]["value"]))["data"]
    # Started by the first score of the period (kurang); the revision to sangat_kurang starts nothing more.
    assert (started["period_id"], started["predikat"], started["report_id"]) == ("2026-10", "kurang", evidence["_id"])


async def test_sustained_sangat_baik_and_two_good_years_flag_careers_once(backend, dbs):
    agency_id, nip = f"test-{uuid.uuid4().hex[:10]}", random_nip()
    months = [_score(agency_id, nip, f"{agency_id}/r-{m}", "sangat_baik", month=m) for m in range(4, 11)]
    annuals = [_annual(agency_id, nip, tahun) for tahun in (2025, 2026)]

    await _publish(backend, *months, *months[-2:], *annuals, annuals[-1])

    async def flags():
        found = await outbox_records(dbs["training"], topic=CAREER_FLAGGED.topic, key=nip.encode())
        return found if len(found) >= 2 else None

    found = await eventually(flags, what="talent and promotion flags")
    await eventually(lambda: dbs["training"].annual_outcomes.find_one({"_id": f"{nip}:2026"}), what="annual in")
    flagged = sorted(await dbs["training"].career_flags.find({"nip": nip}).to_list(), key=lambda d: d["flag"])
    assert [d["flag"] for d in flagged] == ["promotion_eligible", "talent_pool"]
    assert all(d["reasons"] for d in flagged)
    assert len(found) == 2  # redelivered scores and a repeated annual score flag nothing twice


def _annual(agency_id: str, nip: str, tahun: int):
    data = AnnualScoreComputed.model_validate(
        {
            "agency_id": agency_id,
            "nip": nip,
            "tahun": tahun,
            "periods": [],
            "method": "dominant",
            "rating_hasil_kerja": "sesuai_ekspektasi",
            "rating_perilaku": "sesuai_ekspektasi",
            "predikat": "baik",
            "kode_hasil_kerja": 2,
            "kode_perilaku": 2,
            "kode_kuadran": 3,
            "reason": "uji",
            "policy_version": "nasional@1",
            "computed_at": datetime.now(UTC),
        }
    )
    return _envelope(SCORE_ANNUAL, data, nip)


# --- the JP ledger and bad input ---------------------------------------------------------------------------------


async def test_completed_training_fills_the_jp_ledger_once_and_replans(intake, training, dbs):
    agency = await known_agency(intake, dbs)
    nip = agency.employee()
    courses = training.get("/v1/training/courses", headers=agency.auth).json()
    course = next(c for c in courses if c["mode"] == "e_learning")
    body = {"nip": nip, "course_id": course["id"], "selesai_pada": "2026-03-10"}

    await eventually(lambda: dbs["training"].employees.find_one({"_id": nip}), what="employee known to training")
    first = training.post("/v1/training/completions", json=body, headers=agency.auth)
    again = training.post("/v1/training/completions", json=body, headers=agency.auth)

    assert (first.status_code, again.status_code) == (201, 200), first.text
    assert first.json() == again.json()
    assert first.json()["jp_tahun_ini"] == course["jp"]
    published = await outbox_records(dbs["training"], topic=TRAINING_COMPLETED.topic, key=nip.encode())
    assert len(published) == 1
    ledger = training.get(
        "/v1/training/jp", params={"agency_id": agency.agency_id, "tahun": YEAR}, headers=agency.auth
    ).json()
    row = next(r for r in ledger if r["nip"] == nip)
    assert row["jp"] == course["jp"] and row["minimum"] == 20
    assert row["kurang"] == max(0, 20 - course["jp"])

    async def replanned():
        query = {"agency_id": agency.agency_id, "tahun": YEAR, "cause": "pelatihan_selesai"}
        return await dbs["training"].plans.find_one(query)

    # The planner works through the marked agency-years one at a time, each solve up to 10 s; late in the whole
    # suite the session's database holds many agencies, so this year may wait its turn.
    await eventually(replanned, timeout_s=180, what="a plan version made for the completed course")


async def test_bad_training_input_gets_specific_errors(intake, training, dbs):
    agency = await known_agency(intake, dbs)
    other = await known_agency(intake, dbs)
    bad_courses = {
        "biaya": course_body("uji-x", biaya=-1),
        "jp": course_body("uji-x", jp=0),
        "mode": course_body("uji-x", mode="kursus_kilat"),
    }
    for field, body in bad_courses.items():
        response = training.put("/v1/training/courses/uji-buruk", json=body, headers=agency.auth)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"][0]["field"] == field
    circular = course_body("uji-x", prasyarat=["uji-buruk"])
    response = training.put("/v1/training/courses/uji-buruk", json=circular, headers=agency.auth)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "prasyarat_diri_sendiri"

    unknown_nip = {"nip": random_nip(), "course_id": "kes-surveilans-klasikal", "selesai_pada": "2026-03-10"}
    response = training.post("/v1/training/completions", json=unknown_nip, headers=agency.auth)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "pegawai_tidak_dikenal")
    nip = agency.employee()
    await eventually(lambda: dbs["training"].employees.find_one({"_id": nip}), what="employee known to training")
    unknown_course = {"nip": nip, "course_id": "tidak-ada", "selesai_pada": "2026-03-10"}
    response = training.post("/v1/training/completions", json=unknown_course, headers=agency.auth)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "pelatihan_tidak_dikenal")
    assert response.json()["error"]["details"][0]["field"] == "course_id"
    too_old = {"nip": nip, "course_id": "kes-surveilans-klasikal", "selesai_pada": "1999-12-31"}
    response = training.post("/v1/training/completions", json=too_old, headers=agency.auth)
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "selesai_pada"
    theirs = training.put(
        "/v1/training/courses/uji-milik-lain",
        params={"agency_id": other.agency_id},
        json=course_body("uji-x"),
        headers=agency.auth,
    )
    assert theirs.status_code == 403  # a course written for another agency

    response = get_plan(training, agency, headers=other.auth)
    assert response.status_code == 403  # another agency's plan
    assert training.get(f"/v1/training/plans/{YEAR}", params={"agency_id": agency.agency_id}).status_code == 401
