"""What must hold when things go wrong: redelivery, poison messages, broker outage, crashes."""

import asyncio
import threading
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.contracts import REPORT_SUBMITTED
from shared.contracts.reports import ReportSubmitted
from tests.conftest import eventually, outbox_records

from .api import ROWS, random_nip, register_agency

pytestmark = pytest.mark.e2e


def _report_event(nip: str, report_id: str):
    rows = [{**row, "realisasi": row["target"]} for row in ROWS]
    data = ReportSubmitted.model_validate(
        {
            "report_id": report_id,
            "agency_id": "test-direct",
            "nip": nip,
            "skp_id": f"skp-{nip}",
            "period": {"type": "bulanan", "start": "2026-10-01", "end": "2026-10-31"},
            "indicators": rows,
            "submitted_at": datetime.now(UTC),
        }
    )
    return REPORT_SUBMITTED.envelope(data=data, subject=nip, source="tests", correlationid=str(uuid.uuid4()))


async def _send(backend, *records: tuple[bytes, bytes, list]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=backend.kafka_bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(REPORT_SUBMITTED.topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def test_redelivered_event_is_processed_once(backend, dbs):
    nip = random_nip()
    duplicate, marker = (
        _report_event(nip, f"dup-{uuid.uuid4().hex[:8]}"),
        _report_event(nip, f"mark-{uuid.uuid4().hex[:8]}"),
    )
    value = duplicate.model_dump_json().encode()

    await _send(
        backend,
        (nip.encode(), value, []),
        (nip.encode(), value, []),
        (nip.encode(), marker.model_dump_json().encode(), []),
    )

    # Same key, same partition: once the marker is scored, both copies have been consumed.
    await eventually(lambda: dbs["scoring"].scores.find_one({"_id": marker.data.report_id}), what="marker scored")
    assert await dbs["scoring"].scores.count_documents({"_id": duplicate.data.report_id}) == 1
    assert await dbs["scoring"].inbox.count_documents({"_id": duplicate.id}) == 1
    assert len(await outbox_records(dbs["scoring"], key=nip.encode())) == 2  # one event each, not three


async def test_malformed_event_is_dead_lettered_and_consumption_continues(backend, dbs):
    nip = random_nip()
    after = _report_event(nip, f"after-{uuid.uuid4().hex[:8]}")
    poison = b'{"specversion": "1.0", "type": "kinerja.report.submitted", "data": {"nip": "bukan-nip"}}'

    await _send(
        backend, (nip.encode(), poison, [("x-origin", b"test")]), (nip.encode(), after.model_dump_json().encode(), [])
    )

    await eventually(lambda: dbs["scoring"].scores.find_one({"_id": after.data.report_id}), what="next event scored")
    consumer = AIOKafkaConsumer(
        REPORT_SUBMITTED.dlq_topic,
        bootstrap_servers=backend.kafka_bootstrap,
        group_id=f"dlq-reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:

        async def dead_letter():
            batches = await consumer.getmany(timeout_ms=500)
            return next((r for rs in batches.values() for r in rs if r.key == nip.encode()), None)

        record = await eventually(dead_letter, what="dead letter")
    finally:
        await consumer.stop()
    headers = dict(record.headers)
    assert record.value == poison
    assert headers["x-origin"] == b"test"
    assert headers["kinerja_dlq_reason"] == b"invalid_event"
    assert b"data.nip" in headers["kinerja_dlq_error"]
    assert headers["kinerja_dlq_topic"] == REPORT_SUBMITTED.topic.encode()


async def _assert_everything_arrived_once(dbs, report_ids: list[str], nips: set[str], timeout_s: float = 120) -> None:
    for service, collection in (("scoring", "scores"), ("training", "gap_evidence")):

        async def complete(service=service, collection=collection):
            return await dbs[service][collection].count_documents({"_id": {"$in": report_ids}}) == len(report_ids)

        await eventually(complete, timeout_s=timeout_s, what=f"{service}: all {len(report_ids)} reports")

    async def notified():
        query = {"recipient_nip": {"$in": list(nips)}, "about_event_type": "kinerja.score.computed"}
        return await dbs["notification"].notifications.count_documents(query)

    await eventually(lambda: _at_least(notified, len(report_ids)), timeout_s=timeout_s, what="notifications")
    assert await notified() == len(report_ids)  # one score notice per report, no more
    for service, collection in (("scoring", "scores"), ("training", "gap_evidence")):
        ids = await dbs[service][collection].distinct("_id", {"_id": {"$in": report_ids}})
        assert sorted(ids) == sorted(report_ids)


async def _at_least(count, n: int) -> bool:
    return await count() >= n


async def test_reports_posted_while_the_broker_is_down_are_all_published(backend, intake, dbs):
    if not backend.controls_infrastructure:
        pytest.skip("the broker is external (KINERJA_KAFKA_BOOTSTRAP): this test cannot stop it")
    agency = register_agency(intake)
    nips = [agency.employee() for _ in range(10)]
    for nip in nips:
        agency.skp(nip)
    bodies = [agency.report_body(nip, layanan=8 + month % 3, month=month) for month in (10, 11) for nip in nips]

    backend.stop_broker()
    stopped_at = time.monotonic()
    try:
        for body in bodies:
            assert agency.submit(body).status_code == 202  # accepted and durable without Kafka
        readiness = intake.get("/readyz")
        assert readiness.status_code == 200 and readiness.json()["checks"]["kafka"] is False  # still serving
        # The scenario is an outage of ten seconds; keep the broker down for all of it.
        await asyncio.sleep(max(0.0, 10 - (time.monotonic() - stopped_at)))
    finally:
        backend.start_broker()

    await _assert_everything_arrived_once(dbs, [agency.reference(b) for b in bodies], set(nips))


def _submit_until_accepted(agency, body: dict, deadline_s: float = 90) -> None:
    """What an agency's system does: resend the same report (same id) until it is acknowledged."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            if agency.submit(body).status_code == 202:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"report {body['report_id']} never accepted")


async def test_services_restarted_mid_stream_lose_and_duplicate_nothing(platform, intake, dbs):
    agency = register_agency(intake)
    nips = [agency.employee() for _ in range(8)]
    for nip in nips:
        agency.skp(nip)
    bodies = [agency.report_body(nip, cakupan=60 + 5 * m, month=m) for m in range(6, 11) for nip in nips]
    errors: list[BaseException] = []

    def publish() -> None:
        with httpx.Client(base_url=platform.url("intake"), timeout=10) as client:
            agency.client = client
            try:
                for body in bodies:
                    _submit_until_accepted(agency, body)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

    publisher = threading.Thread(target=publish)
    publisher.start()
    try:
        for name in ("scoring", "training", "notification"):
            platform.restart(name, crash=True)  # SIGKILL: no chance to finish cleanly
        platform.restart("intake")  # SIGTERM: a rolling deploy
    finally:
        publisher.join(timeout=180)
    assert not errors, errors

    await _assert_everything_arrived_once(dbs, [agency.reference(b) for b in bodies], set(nips))


def _log_lines(platform, service: str) -> list[str]:
    return platform.processes[service].log_path.read_text(errors="replace").splitlines()


async def test_a_database_outage_is_answered_503_logged_once_and_loses_nothing(backend, platform, intake, dbs):
    if not backend.controls_infrastructure:
        pytest.skip("the database is external (KINERJA_MONGO_URI): this test cannot stop it")
    agency = register_agency(intake)
    nips = [agency.employee() for _ in range(3)]
    for nip in nips:
        agency.skp(nip)
    before, during = agency.report_body(nips[0]), [agency.report_body(nip) for nip in nips[1:]]
    assert agency.submit(before).status_code == 202
    logged_before = {s: len(_log_lines(platform, s)) for s in platform.processes}

    direct = _report_event(random_nip(), f"outage-{uuid.uuid4().hex[:8]}")  # reaches scoring while it cannot store

    backend.stop_database()
    try:
        await _send(backend, (direct.subject.encode(), direct.model_dump_json().encode(), []))
        for body in during:
            response = agency.submit(body)
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "service_unavailable"
            assert int(response.headers["Retry-After"]) > 0
    finally:
        backend.start_database()
    for body in during:  # what an agency's system does with a 503: send the same report again
        _submit_until_accepted(agency, body)

    await _assert_everything_arrived_once(dbs, [agency.reference(b) for b in [before, *during]], set(nips))
    await eventually(lambda: dbs["scoring"].scores.find_one({"_id": direct.data.report_id}), what="redelivered event")
    outage_lines = {s: _log_lines(platform, s)[logged_before[s] :] for s in platform.processes}
    answered = [line for line in outage_lines["intake"] if "database unavailable, answered 503" in line]
    assert len(answered) == len(during)
    for service, lines in outage_lines.items():
        assert not [line for line in lines if "Traceback" in line], f"{service} logged an expected outage as a crash"
    # Scoring's first database call for the direct event is its transaction, which the driver retries until the
    # database is back (up to 120 s): it commits then, or nacks the batch with one line, never a traceback.
