"""A report posted to intake is stored, published, scored, planned for training and notified."""

import hashlib
import json
import shutil
import subprocess
import uuid

import httpx
import pytest

from tests.conftest import eventually

from .api import random_nip, register_agency

pytestmark = pytest.mark.e2e


async def test_report_flows_through_all_four_services(intake, dbs):
    agency = register_agency(intake)
    atasan = agency.employee()
    nip = agency.employee(atasan=atasan)
    agency.skp(nip)
    # 6 of at most 8 hours (lower is better) -> 125%; 99 of 90 -> 110%: both above expectation.
    body = agency.report_body(nip, layanan=6, cakupan=99, perilaku="di_atas_ekspektasi")
    response = agency.submit(body)
    assert response.status_code == 202, response.text
    report_id = response.json()["reference"]
    assert report_id == agency.reference(body)

    stored = await dbs["intake"].reports.find_one({"_id": report_id})
    assert stored["status"] == "accepted"  # durable before it was acknowledged

    score = await eventually(lambda: dbs["scoring"].scores.find_one({"_id": report_id}), what="score")
    capaian = {row["row_id"]: row["capaian"] for row in score["indicators"]}
    assert capaian == {"layanan": 125.0, "cakupan": 110.0}
    assert (score["rating_hasil_kerja"], score["rating_perilaku"]) == ("di_atas_ekspektasi", "di_atas_ekspektasi")
    assert score["predikat"] == "sangat_baik"

    evidence = await eventually(lambda: dbs["training"].gap_evidence.find_one({"_id": report_id}), what="training")
    assert evidence["nip"] == nip and evidence["predikat"] == "sangat_baik" and evidence["evidence"] == []

    async def notifications():
        found = await dbs["notification"].notifications.find({"recipient_nip": {"$in": [nip, atasan]}}).to_list()
        return found if len(found) == 2 else None

    found = await eventually(notifications, what="two notifications")
    assert sorted((n["recipient_role"], n["about_event_type"]) for n in found) == [
        ("atasan", "kinerja.score.computed"),
        ("pegawai", "kinerja.score.computed"),
    ]
    assert all("Sangat Baik" in n["pesan"] for n in found)


async def test_shortfall_leads_to_coaching_and_a_funded_plan_the_employee_hears_of(intake, training, dbs):
    agency = register_agency(intake, budget=20_000_000)
    await eventually(lambda: dbs["training"].agency_keys.find_one({"agency_id": agency.agency_id}), what="key known")
    atasan = agency.employee()
    nip = agency.employee(atasan=atasan)
    agency.skp(nip)
    # 12 of at most 8 hours -> 50%; 45 of 90 -> 50%: both main results below expectation.
    body = agency.report_body(nip, layanan=12, cakupan=45)
    assert agency.submit(body).status_code == 202

    coaching = await eventually(lambda: dbs["training"].coaching.find_one({"nip": nip}), what="coaching started")
    assert coaching["predikat"] == "butuh_perbaikan" and coaching["atasan_nip"] == atasan

    async def plan_with_employee():
        response = training.get("/v1/training/plans/2026", params={"agency_id": agency.agency_id}, headers=agency.auth)
        plan = response.json() if response.status_code == 200 else {}
        return plan if any(line["nip"] == nip for line in plan.get("lines", [])) and not plan["replanning"] else None

    plan = await eventually(plan_with_employee, timeout_s=90, what="the employee in the plan")
    line = next(line for line in plan["lines"] if line["nip"] == nip)
    assert {g["kompetensi"] for g in line["gaps"]} == {"pelayanan-publik", "kesehatan-masyarakat"}
    assert plan["total_biaya"] <= 20_000_000
    approval = {"agency_id": agency.agency_id, "version": plan["version"]}
    assert training.post("/v1/training/plans/2026/approval", json=approval, headers=agency.auth).status_code == 200

    async def told(event_type, role, who):
        query = {"recipient_role": role, "about_event_type": event_type, "recipient_nip": who}
        return await dbs["notification"].notifications.find_one(query)

    coached = await eventually(lambda: told("kinerja.coaching.required", "atasan", atasan), what="atasan to coach")
    assert nip in coached["pesan"]  # about the employee
    assert line["allocations"]  # the catalogue has courses for both gaps, free e-learning among them
    note = await eventually(lambda: told("kinerja.training.recommended", "pegawai", nip), what="training notice")
    assert "JP" in note["pesan"]


async def test_report_failing_master_data_checks_is_rejected_and_the_agency_told(intake, dbs):
    agency = register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    body = agency.report_body(nip)
    body["realisasi"][1]["row_id"] = "tidak-ada"

    response = agency.submit(body)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "report_rejected"
    assert {d["code"] for d in error["details"]} == {"unknown_skp_row", "missing_main_row"}
    note = await eventually(
        lambda: dbs["notification"].notifications.find_one(
            {"agency_id": agency.agency_id, "recipient_role": "operator_instansi"}
        ),
        what="operator notification",
    )
    assert body["report_id"] in note["judul"]


def test_bad_input_gets_specific_errors_not_stack_traces(intake):
    agency = register_agency(intake)
    bad_nip = "198502302010011002"  # 30 February

    response = intake.put(
        f"/v1/employees/{bad_nip}", json={"nip": bad_nip, "nama": "X", "jabatan": "Y"}, headers=agency.auth
    )

    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert (detail["field"], detail["code"]) == ("nip", "invalid_nip.tanggal_lahir")
    assert "tanggal lahir" in detail["message"]
    garbage = intake.post(
        "/v1/reports", content=b"{not json", headers={**agency.auth, "content-type": "application/json"}
    )
    assert garbage.status_code == 422 and "Traceback" not in garbage.text


def test_agencies_see_only_their_own_reports(intake):
    first, second = register_agency(intake), register_agency(intake)
    nip = first.employee()
    first.skp(nip)
    body = first.report_body(nip)
    assert first.submit(body).status_code == 202

    assert intake.get(f"/v1/reports/{body['report_id']}", headers=first.auth).json()["status"] == "accepted"
    assert intake.get(f"/v1/reports/{body['report_id']}", headers=second.auth).status_code == 404
    assert intake.get(f"/v1/reports/{body['report_id']}").status_code == 401
    rejected = second.submit(body)  # not its employee
    assert rejected.status_code == 422 and rejected.json()["error"]["details"][0]["code"] == "unknown_employee"
    own = second.employee()
    second.skp(own)
    assert (
        second.submit({**second.report_body(own), "report_id": body["report_id"]}).status_code == 202
    )  # ids are per agency
    assert (
        intake.put(
            f"/v1/employees/{nip}", json={"nip": nip, "nama": "X", "jabatan": "Y"}, headers=second.auth
        ).status_code
        == 409
    )


def test_resending_a_report_is_idempotent(intake):
    agency = register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    body = agency.report_body(nip)

    assert agency.submit(body).status_code == 202
    assert agency.submit(body).status_code == 202
    changed = {**body, "feedback": "versi lain"}
    assert agency.submit(changed).json()["error"]["code"] == "report_id_conflict"


async def test_report_without_an_id_is_identified_by_employee_skp_and_period(intake, dbs):
    agency = register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    body = agency.report_body(nip)
    del body["report_id"]

    first, again = agency.submit(body), agency.submit(body)  # e.g. a retry after a timeout

    assert first.status_code == again.status_code == 202
    assert first.json()["reference"] == again.json()["reference"]
    assert await dbs["intake"].reports.count_documents({"agency_id": agency.agency_id}) == 1


def test_rejected_report_is_checked_again_once_master_data_is_fixed(intake):
    agency = register_agency(intake)
    nip = agency.employee()
    body = agency.report_body(nip)  # no SKP yet

    assert agency.submit(body).json()["error"]["details"][0]["code"] == "unknown_skp"
    agency.skp(nip)
    assert agency.submit(body).status_code == 202


def test_supervisor_must_belong_to_the_same_agency(intake):
    first, second = register_agency(intake), register_agency(intake)
    outsider = first.employee()
    nip = random_nip()

    response = intake.put(
        f"/v1/employees/{nip}",
        json={"nip": nip, "nama": "X", "jabatan": "Y", "atasan_nip": outsider},
        headers=second.auth,
    )

    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_atasan"


def test_oversized_and_non_finite_input_is_refused_clearly(intake):
    agency = register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    body = agency.report_body(nip)
    body["feedback"] = "x" * 600_000
    assert agency.submit(body).json()["error"]["code"] == "payload_too_large"
    raw = json.dumps(agency.report_body(nip)).replace('"realisasi": 90', '"realisasi": 1e999')
    response = intake.post("/v1/reports", content=raw, headers={**agency.auth, "content-type": "application/json"})
    assert response.status_code == 422 and "realisasi" in response.json()["error"]["details"][0]["field"]


async def test_api_keys_are_stored_hashed(intake, dbs):
    agency = register_agency(intake)
    stored = await dbs["intake"].agencies.find_one({"_id": agency.agency_id})
    assert agency.key not in json.dumps(stored, default=str) and "api_key_sha256" not in stored
    [key] = await dbs["intake"].api_keys.find({"agency_id": agency.agency_id}).to_list()
    assert agency.key not in json.dumps(key, default=str)
    assert key["_id"] == hashlib.sha256(agency.key.encode()).hexdigest()


def _read_with_kcat(bootstrap: str, topic: str, group: str) -> str:
    argv = [
        "kcat",
        "-b",
        bootstrap,
        "-G",
        group,
        "-X",
        "auto.offset.reset=earliest",
        "-c",
        "1",
        "-e",
        "-f",
        "%s\n",
        topic,
    ]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True).stdout


def _read_with_librdkafka(bootstrap: str, topic: str, group: str) -> str:
    from confluent_kafka import Consumer

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    try:
        for _ in range(120):
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                consumer.commit(message, asynchronous=False)
                return message.value().decode()
    finally:
        consumer.close()
    raise AssertionError("librdkafka consumer read nothing")


async def test_non_python_client_reads_scores_with_a_consumer_group(backend, intake, dbs):
    agency = register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    body = agency.report_body(nip)
    assert agency.submit(body).status_code == 202
    await eventually(lambda: dbs["scoring"].outbox.find_one({"status": "sent"}), what="a published score")

    group = f"kcat-{uuid.uuid4().hex[:8]}"
    if shutil.which("kcat"):
        value = _read_with_kcat(backend.kafka_bootstrap, "kinerja.score.computed.v1", group)
    else:  # the same librdkafka that kcat is built on
        value = _read_with_librdkafka(backend.kafka_bootstrap, "kinerja.score.computed.v1", group)

    event = json.loads(value.splitlines()[0])
    assert event["type"] == "kinerja.score.computed" and event["specversion"] == "1.0"
    assert event["data"]["predikat"] in {"sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"}


async def test_every_service_reports_health_readiness_metrics_and_asyncapi(platform, intake, dbs):
    agency = register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    body = agency.report_body(nip)
    assert agency.submit(body).status_code == 202
    await eventually(lambda: dbs["scoring"].scores.find_one({"_id": agency.reference(body)}), what="score")

    async with httpx.AsyncClient(timeout=10) as http:
        for name in platform.processes:
            base = platform.url(name)
            assert (await http.get(f"{base}/healthz")).json() == {"status": "ok"}
            ready = (await http.get(f"{base}/readyz")).json()
            assert ready["ready"] is True and ready["checks"]["mongodb"] and ready["checks"]["kafka"]
            asyncapi = (await http.get(f"{base}/asyncapi.json")).json()
            assert asyncapi["info"]["title"] == f"Kinerja {name}"
        page = (await http.get(f"{platform.url('scoring')}/asyncapi")).text
        assert "kinerja.report.submitted.v1:Consumed" in page  # the page shows what scoring consumes, not bytes
        metrics = (await http.get(f"{platform.url('scoring')}/metrics")).text
        published = (await http.get(f"{platform.url('intake')}/metrics")).text
    processed = [
        line
        for line in metrics.splitlines()
        if line.startswith("kinerja_events_consumed_total{") and 'outcome="processed"' in line
    ]
    assert processed and float(processed[0].rsplit(" ", 1)[1]) >= 1
    assert "kinerja_outbox_published_total" in published
