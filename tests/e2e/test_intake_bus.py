"""The bus door on the real wire: a report published on kinerja.report.inbound.v1 comes back on the
submitted or rejected topic with the agency's reference; a conflict is a rejection; garbage is dead-lettered."""

import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.contracts import REPORT_INBOUND, REPORT_REJECTED, REPORT_SUBMITTED
from shared.contracts.reports import ReportInbound
from shared.messaging.records import record_for
from tests.conftest import eventually

from .api import register_agency

pytestmark = pytest.mark.e2e


async def publish(backend, *records: tuple[bytes, bytes, list]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=backend.kafka_bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(REPORT_INBOUND.topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


def inbound(agency, body: dict) -> tuple[bytes, bytes, list]:
    data = ReportInbound.model_validate({**body, "agency_id": agency.agency_id})
    envelope = REPORT_INBOUND.envelope(
        data=data, subject=data.nip, source="sistem-dinkes", correlationid=str(uuid.uuid4())
    )
    record = record_for(REPORT_INBOUND, envelope)
    return record.key, record.value, record.headers


async def read(backend, topic: str, key: bytes, count: int) -> list:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=backend.kafka_bootstrap,
        group_id=f"r-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: list = []
    try:

        async def enough():
            batches = await consumer.getmany(timeout_ms=500)
            found.extend(r for rs in batches.values() for r in rs if r.key == key)
            return len(found) >= count

        await eventually(enough, timeout_s=60, what=f"{count} record(s) on {topic}")
        return found
    finally:
        await consumer.stop()


async def test_a_report_on_the_bus_is_answered_on_the_submitted_and_rejected_topics(backend, intake):
    agency = register_agency(intake)
    nip = agency.employee()
    agency.skp(nip)
    first = agency.report_body(nip)
    rival = {**agency.report_body(nip), "report_id": f"lain-{uuid.uuid4().hex[:6]}"}  # same slot, other id
    await publish(backend, inbound(agency, first), inbound(agency, first), inbound(agency, rival))

    [submitted] = await read(backend, REPORT_SUBMITTED.topic, nip.encode(), 1)
    assert json.loads(submitted.value)["data"]["report_id"] == agency.reference(first)
    [rejected] = await read(backend, REPORT_REJECTED.topic, nip.encode(), 1)
    data = json.loads(rejected.value)["data"]
    assert data["report_id"] == agency.reference(rival)
    assert data["reasons"][0]["code"] == "report_exists_for_period"
    stored = intake.get(f"/v1/reports/{first['report_id']}", headers=agency.auth).json()
    assert stored["status"] == "accepted" and len(stored["history"]) == 1  # the duplicate changed nothing


async def test_a_record_that_is_not_a_report_goes_to_the_dead_letter_topic(backend, intake):
    key = f"bukan-laporan-{uuid.uuid4().hex[:6]}".encode()
    await publish(backend, (key, b'{"halo": "dunia"}', []))
    [dead] = await read(backend, REPORT_INBOUND.dlq_topic, key, 1)
    assert dict(dead.headers)["kinerja_dlq_reason"] == b"invalid_event"
