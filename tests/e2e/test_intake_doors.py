"""Intake's doors on the real stack: the batch door, corrections as versions, one live report per slot,
master data in any order, versioned SKP plans and the read API."""

import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer

from shared.contracts import REPORT_SUBMITTED
from tests.conftest import eventually

from .api import ADMIN, ROWS, random_nip, register_agency

pytestmark = pytest.mark.e2e


async def submitted_events(backend, nips: set[str]) -> list[dict]:
    """Every report.submitted record for these employees, read from the topic as a downstream system would."""
    consumer = AIOKafkaConsumer(
        REPORT_SUBMITTED.topic,
        bootstrap_servers=backend.kafka_bootstrap,
        group_id=f"reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        found: list[dict] = []
        while batches := await consumer.getmany(timeout_ms=1500):
            found += [json.loads(r.value) for rs in batches.values() for r in rs if r.key.decode() in nips]
        return found
    finally:
        await consumer.stop()


async def test_the_batch_door_answers_each_report_and_a_resent_batch_creates_nothing(backend, intake, dbs):
    agency = register_agency(intake)
    nips = [agency.employee() for _ in range(3)]
    for nip in nips:
        agency.skp(nip)
    good = [agency.report_body(nip) for nip in nips]
    unknown_row = {**agency.report_body(nips[0]), "report_id": "salah-baris"}
    unknown_row["realisasi"] = [*unknown_row["realisasi"], {"row_id": "tidak-ada", "realisasi": 1}]
    invalid = {**agency.report_body(nips[1]), "nip": "198503122010013002"}  # sex digit 3
    batch = {"reports": [*good, unknown_row, invalid]}

    first = intake.post("/v1/reports/batch", json=batch, headers=agency.auth)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["summary"] == {"accepted": 3, "rejected": 0, "duplicate": 0, "conflict": 1, "invalid": 1}
    statuses = [r["status"] for r in answer["results"]]
    assert statuses == ["accepted", "accepted", "accepted", "conflict", "invalid"]
    assert answer["results"][3]["code"] == "report_exists_for_period"  # nips[0] already has October
    assert answer["results"][4]["reasons"][0]["code"] == "invalid_nip.jenis_kelamin"

    async def scored():
        return await dbs["scoring"].scores.count_documents({"agency_id": agency.agency_id}) == 3

    await eventually(scored, what="three scores")
    outbox_before = await dbs["intake"].outbox.count_documents({})
    again = intake.post("/v1/reports/batch", json=batch, headers=agency.auth).json()
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate", "duplicate", "conflict", "invalid"]
    assert await dbs["intake"].outbox.count_documents({}) == outbox_before  # nothing new to publish

    events = await submitted_events(backend, set(nips))
    assert sorted(e["data"]["report_id"] for e in events) == sorted(agency.reference(b) for b in good)


async def test_a_correction_is_a_new_version_and_the_history_shows_both(backend, intake, dbs):
    agency = register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    body = agency.report_body(nip, cakupan=60)
    assert agency.submit(body).json()["version"] == 1

    changed = {**body, "realisasi": [{"row_id": "layanan", "realisasi": 8}, {"row_id": "cakupan", "realisasi": 90}]}
    refused = agency.submit(changed)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "report_id_conflict"
    corrected = agency.submit({**changed, "correction": True})
    assert corrected.status_code == 202 and corrected.json()["version"] == 2
    assert agency.submit({**changed, "correction": True}).json()["version"] == 2  # a resend, not a third

    other_id = {**changed, "report_id": f"lain-{uuid.uuid4().hex[:6]}"}
    occupied = agency.submit(other_id)
    assert occupied.status_code == 409 and occupied.json()["error"]["code"] == "report_exists_for_period"

    history = intake.get(f"/v1/reports/{body['report_id']}", headers=agency.auth).json()
    assert (history["status"], history["accepted_version"]) == ("accepted", 2)
    assert [(h["outcome"], h.get("version")) for h in history["history"]] == [("accepted", 1), ("accepted", 2)]

    async def rescored():
        score = await dbs["scoring"].scores.find_one({"_id": agency.reference(body)})
        return score if score and {i["row_id"]: i["capaian"] for i in score["indicators"]}["cakupan"] == 100 else None

    await eventually(rescored, what="the score of version 2")
    events = [e["data"] for e in await submitted_events(backend, {nip})]
    assert [(e["version"], e["supersedes"]) for e in events] == [(1, None), (2, 1)]


async def test_employees_register_in_any_order_and_another_agencys_nip_is_not_revealed(intake, dbs):
    agency, other = register_agency(intake), register_agency(intake)
    assert (
        intake.put(
            "/v1/unit-kerja/bidang-p2p", json={"unit_id": "bidang-p2p", "nama": "Bidang P2P"}, headers=agency.auth
        ).status_code
        == 200
    )
    boss, staff, deep = random_nip(), random_nip(), random_nip()
    employees = [
        {"nip": deep, "nama": "Staf Dua", "jabatan": "Pelaksana", "atasan_nip": staff, "unit_kerja": "bidang-p2p"},
        {"nip": staff, "nama": "Staf Satu", "jabatan": "Analis", "atasan_nip": boss, "unit_kerja": "bidang-p2p"},
        {"nip": boss, "nama": "Kepala Bidang", "jabatan": "Kepala Bidang", "unit_kerja": "bidang-p2p"},
        {"nip": random_nip(), "nama": "Salah Unit", "jabatan": "Analis", "unit_kerja": "tidak-ada"},
    ]
    answer = intake.post("/v1/employees/batch", json={"employees": employees}, headers=agency.auth).json()
    assert [r["status"] for r in answer["results"]] == ["registered", "registered", "registered", "rejected"]
    assert answer["results"][3]["reasons"][0]["code"] == "unknown_unit_kerja"

    taken = intake.put(f"/v1/employees/{boss}", json={**employees[2], "unit_kerja": None}, headers=other.auth)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "employee_not_available"
    assert agency.agency_id not in taken.text

    moved = intake.post(
        f"/v1/admin/employees/{boss}/transfer",
        json={"ke_instansi": other.agency_id, "alasan": "SK mutasi 821/2026"},
        headers=ADMIN,
    )
    assert moved.status_code == 200, moved.text
    assert intake.get(f"/v1/employees/{boss}", headers=other.auth).json()["agency_id"] == other.agency_id
    assert intake.get(f"/v1/employees/{boss}", headers=agency.auth).status_code == 404
    audit = await dbs["intake"].audit.find_one({"nip": boss, "action": "employee_transferred"})
    assert audit["from_agency"] == agency.agency_id and audit["alasan"] == "SK mutasi 821/2026"
    former_staff = intake.get(f"/v1/employees/{staff}", headers=agency.auth).json()
    assert former_staff["atasan_nip"] is None  # their scores must not go to a supervisor in another agency


async def test_a_changed_skp_is_a_new_version_used_for_later_periods(intake):
    agency = register_agency(intake)
    nip = agency.employee()
    skp_id = agency.skp(nip)
    changed = [{**ROWS[0], "row_id": "layanan-baru"}, ROWS[1]]
    body = {"skp_id": skp_id, "nip": nip, "tahun": 2026, "rows": changed, "berlaku_mulai": "2026-11-01"}
    assert intake.put(f"/v1/skp/{skp_id}", json=body, headers=agency.auth).json()["version"] == 2
    assert intake.put(f"/v1/skp/{skp_id}", json=body, headers=agency.auth).json()["status"] == "unchanged"

    october = agency.report_body(nip)
    assert agency.submit(october).status_code == 202  # version 1 still in force in October
    november = {**agency.report_body(nip), "period": {"type": "bulanan", "start": "2026-11-01", "end": "2026-11-30"}}
    rejected = agency.submit(november)
    assert rejected.status_code == 422 and "unknown_skp_row" in rejected.text
    november["realisasi"] = [{"row_id": "layanan-baru", "realisasi": 7}, {"row_id": "cakupan", "realisasi": 90}]
    accepted = agency.submit(november)
    assert accepted.status_code == 202, accepted.text
    stored = intake.get(f"/v1/reports/{november['report_id']}", headers=agency.auth).json()
    assert stored["report"]["skp_version"] == 2


def test_reports_are_listed_by_filter_and_page_and_never_across_agencies(intake):
    agency, other = register_agency(intake), register_agency(intake)
    nips = [agency.employee() for _ in range(5)]
    for nip in nips:
        agency.skp(nip)
        assert agency.submit(agency.report_body(nip)).status_code == 202
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "period_start": "2026-10-01"} | ({"cursor": cursor} if cursor else {})
        page = intake.get("/v1/reports", params=params, headers=agency.auth).json()
        seen += [item["nip"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert sorted(seen) == sorted(nips)
    one = intake.get("/v1/reports", params={"nip": nips[2]}, headers=agency.auth).json()["items"]
    assert [item["nip"] for item in one] == [nips[2]]
    assert intake.get("/v1/reports", headers=other.auth).json()["items"] == []
    assert intake.get("/v1/reports", params={"cursor": "%%%"}, headers=agency.auth).status_code == 422
