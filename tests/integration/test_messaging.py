"""The building blocks against the real database and broker: atomic outbox, ordered relay, bounded retries."""

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient, monitoring
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.contracts import REPORT_SUBMITTED
from shared.contracts.reports import ReportSubmitted
from shared.messaging.consumer import EventConsumer, Route
from shared.messaging.records import OutgoingRecord
from shared.messaging.relay import PARKED, OutboxRelay
from shared.messaging.unit_of_work import OUTBOX, UnitOfWork
from shared.settings import ServiceSettings
from tests.conftest import eventually, outbox_records

NIP = "198503122010011002"


@pytest.fixture
async def db(mongo):
    name = f"it_{uuid.uuid4().hex[:10]}"
    yield mongo[name]
    await mongo.drop_database(name)


def _report(report_id: str):
    data = ReportSubmitted.model_validate(
        {
            "report_id": report_id,
            "agency_id": "it-agency",
            "nip": NIP,
            "skp_id": "skp-1",
            "period": {"type": "bulanan", "start": "2026-10-01", "end": "2026-10-31"},
            "indicators": [
                {
                    "row_id": "r1",
                    "rhk": "x",
                    "jenis": "utama",
                    "aspek": "kuantitas",
                    "indikator": "y",
                    "polaritas": "higher_is_better",
                    "target": 10,
                    "realisasi": 10,
                }
            ],
            "submitted_at": datetime.now(UTC),
        }
    )
    return REPORT_SUBMITTED.envelope(data=data, subject=NIP, source="tests", correlationid="c-1")


@dataclass
class Record:
    """A consumed record as aiokafka hands it over (input data, not a fake broker)."""

    offset: int
    value: bytes
    topic: str = REPORT_SUBMITTED.topic
    partition: int = 0
    key: bytes = NIP.encode()
    headers: list = field(default_factory=list)


async def test_state_and_outbox_are_committed_together_or_not_at_all(db):
    await db.things.insert_one({"_id": "taken"})
    failing = UnitOfWork(db)
    failing.put("scores", {"_id": "s1"})
    failing.publish(REPORT_SUBMITTED, _report("r-1"))
    failing.insert("things", {"_id": "taken"})

    with pytest.raises((DuplicateKeyError, BulkWriteError)):
        await failing.commit()
    assert await db.scores.count_documents({}) == 0
    assert await db[OUTBOX].count_documents({}) == 0

    succeeding = UnitOfWork(db)
    succeeding.put("scores", {"_id": "s1"})
    succeeding.publish(REPORT_SUBMITTED, _report("r-1"))
    await succeeding.commit()
    assert await db.scores.count_documents({}) == 1
    assert await db[OUTBOX].count_documents({"status": "pending"}) == 1


async def _create_topic(bootstrap: str) -> str:
    topic = f"kinerja.it-{uuid.uuid4().hex[:8]}.v1"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 3, 1)])
    finally:
        await admin.close()
    return topic


async def test_relay_publishes_in_order_in_batches_and_marks_sent(db, backend):
    topic = await _create_topic(backend.kafka_bootstrap)
    for commit in (range(0, 7), range(7, 14), range(14, 20)):  # one outbox document each
        uow = UnitOfWork(db)
        for i in commit:
            uow.publish_record(OutgoingRecord(id=f"e{i}", topic=topic, key=b"one-employee", value=str(i).encode()))
        await uow.commit()
    relay = OutboxRelay(
        db, ServiceSettings(service_name="it", kafka_bootstrap=backend.kafka_bootstrap, relay_batch_size=7)
    )

    batches = []
    while published := await relay.publish_pending():
        batches.append(published)
    await relay.stop()

    assert batches == [7, 7, 6]
    assert await relay.pending_count() == 0
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=backend.kafka_bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    received: list[bytes] = []
    try:

        async def all_received():
            for records in (await consumer.getmany(timeout_ms=500)).values():
                received.extend(r.value for r in records)
            return len(received) >= 20

        await eventually(all_received, what="20 records")
    finally:
        await consumer.stop()
    assert received == [str(i).encode() for i in range(20)]


def _settings() -> ServiceSettings:
    return ServiceSettings(service_name="it", consumer_max_attempts=3, consumer_retry_backoff_s=0.01)


async def test_event_that_keeps_failing_is_dead_lettered_after_bounded_retries(db):
    calls: Counter[str] = Counter()

    async def handler(report: ReportSubmitted, ctx) -> None:
        calls[report.report_id] += 1
        if report.report_id == "bad":
            raise ValueError("boom")
        ctx.uow.put("seen", {"_id": report.report_id})

    consumer = EventConsumer(db, [Route(REPORT_SUBMITTED, handler)], _settings())
    records = [Record(i, _report(rid).model_dump_json().encode()) for i, rid in enumerate(["good-1", "bad", "good-2"])]

    await consumer.process_batch(records)

    assert calls["bad"] == 1 + 3  # the batch attempt, then three isolated attempts
    assert sorted(await db.seen.distinct("_id")) == ["good-1", "good-2"]
    dead = await outbox_records(db, topic=REPORT_SUBMITTED.dlq_topic)
    assert len(dead) == 1
    headers = {k: bytes(v) for k, v in dead[0]["headers"]}
    assert headers["kinerja_dlq_reason"] == b"processing_failed"
    assert b"boom" in headers["kinerja_dlq_error"]

    await consumer.process_batch(records)  # redelivery of the whole batch
    # The redelivered batch runs its handlers once more (no inbox read before a commit); the failure sends it to
    # the isolated path, which finds every event in the inbox and commits nothing.
    assert calls["bad"] == 5 and calls["good-1"] == 3
    assert len(await outbox_records(db, topic=REPORT_SUBMITTED.dlq_topic)) == 1


async def test_flaky_handler_is_retried_and_its_event_processed_once(db):
    calls: Counter[str] = Counter()

    async def flaky(report: ReportSubmitted, ctx) -> None:
        calls[report.report_id] += 1
        if calls[report.report_id] == 1:
            raise ConnectionResetError("transient")
        ctx.uow.put("seen", {"_id": report.report_id, "n": calls[report.report_id]})

    consumer = EventConsumer(db, [Route(REPORT_SUBMITTED, flaky)], _settings())
    await consumer.process_batch([Record(0, _report("flaky").model_dump_json().encode())])

    assert await db.seen.find_one({"_id": "flaky"}) == {"_id": "flaky", "n": 2}
    assert await outbox_records(db, topic=REPORT_SUBMITTED.dlq_topic) == []


async def test_an_entry_kafka_refuses_is_parked_and_does_not_block_the_rest(db, backend):
    topic = await _create_topic(backend.kafka_bootstrap)
    uow = UnitOfWork(db)
    uow.publish_record(OutgoingRecord(id="huge", topic=topic, key=b"k", value=b"x" * 2_000_000))
    uow.publish_record(OutgoingRecord(id="next", topic=topic, key=b"k", value=b"small"))
    await uow.commit()
    relay = OutboxRelay(db, ServiceSettings(service_name="it", kafka_bootstrap=backend.kafka_bootstrap))

    await relay.publish_pending()
    await relay.stop()

    huge = await db[PARKED].find_one({"_id": "huge"})
    assert "MessageSizeTooLarge" in huge["error"] and bytes(huge["value"]) == b"x" * 2_000_000
    assert [r["status"] for r in await outbox_records(db, id="next")] == ["sent"]


async def test_event_processed_meanwhile_by_another_replica_is_not_dead_lettered(db):
    calls: Counter[str] = Counter()
    event = _report("raced")

    async def handler(report: ReportSubmitted, ctx) -> None:
        calls[report.report_id] += 1
        if calls[report.report_id] == 1:  # another replica commits the same event meanwhile
            await db.inbox.insert_one({"_id": event.id, "topic": REPORT_SUBMITTED.topic, "outcome": "processed"})
        ctx.uow.put("seen", {"_id": report.report_id})

    consumer = EventConsumer(db, [Route(REPORT_SUBMITTED, handler)], _settings())
    await consumer.process_batch([Record(0, event.model_dump_json().encode())])

    assert calls["raced"] == 1  # the commit hit the duplicate id; the inbox showed it done, nothing was retried
    assert await outbox_records(db, topic=REPORT_SUBMITTED.dlq_topic) == []


async def test_a_batch_overlapping_one_processed_before_commits_only_the_new_events_once(db):
    calls: Counter[str] = Counter()

    async def handler(report: ReportSubmitted, ctx) -> None:
        calls[report.report_id] += 1
        ctx.uow.update("counts", report.report_id, inc={"n": 1}, upsert=True)

    consumer = EventConsumer(db, [Route(REPORT_SUBMITTED, handler)], _settings())
    events = [_report(rid).model_dump_json().encode() for rid in ("r1", "r2", "r3")]
    await consumer.process_batch([Record(0, events[0]), Record(1, events[1])])
    # Redelivered from offset 0 with a new event behind, and one event twice (a producer retry).
    await consumer.process_batch(
        [Record(0, events[0]), Record(1, events[1]), Record(2, events[2]), Record(3, events[2])]
    )

    assert {d["_id"]: d["n"] async for d in db.counts.find()} == {"r1": 1, "r2": 1, "r3": 1}
    assert calls == {"r1": 2, "r2": 2, "r3": 2}  # the rejected first commit and the one that took r3 alone
    assert await db.inbox.count_documents({}) == 3


class UpdateStatements(monitoring.CommandListener):
    """Counts the update statements a client sends, as the server receives them."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update":
            self.count += len(event.command["updates"])

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_successive_updates_of_one_document_are_one_write_with_the_same_result(backend, db):
    await db.ledgers.insert_one({"_id": "a", "spent": 10, "note": "old"})
    statements = UpdateStatements()
    watched = AsyncMongoClient(backend.mongo_uri, event_listeners=[statements])
    uow = UnitOfWork(watched[db.name])
    for amount in (1, 2, 3):
        uow.update("ledgers", "a", inc={"spent": amount}, set_={"note": f"n{amount}"})
    uow.update("ledgers", "b", inc={"spent": 5}, set_on_insert={"year": 2026}, upsert=True)
    uow.update("ledgers", "b", inc={"spent": 5}, set_on_insert={"year": 1999}, upsert=True)
    uow.update("ledgers", "a", set_={"spent": 0})  # the same field under another operator: its own write
    uow.update("ledgers", "a", inc={"spent": 4})
    assert await uow.get("ledgers", "a") == {"_id": "a", "spent": 4, "note": "n3"}

    try:
        await uow.commit()
    finally:
        await watched.close()

    assert statements.count == 4  # a (three merged), b (two merged), a's $set, a's $inc: seven updates asked

    assert await db.ledgers.find_one({"_id": "a"}) == {"_id": "a", "spent": 4, "note": "n3"}
    assert await db.ledgers.find_one({"_id": "b"}) == {"_id": "b", "spent": 10, "year": 2026}
