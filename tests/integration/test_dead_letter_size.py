"""A dead letter of a record close to the broker's size limit still reaches `<topic>.dlq`, on the real wire.

The original is produced to a real topic, consumed with aiokafka, dead-lettered
by the EventConsumer, published by the OutboxRelay, and read back from the
dead-letter topic; the full original is read back from MongoDB.
"""

import hashlib
import random
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from shared.contracts import EventSpec
from shared.contracts.reports import ReportSubmitted
from shared.messaging.consumer import EventConsumer, Route
from shared.messaging.dead_letters import DEAD_LETTERS
from shared.messaging.relay import PARKED, OutboxRelay
from shared.settings import ServiceSettings
from tests.conftest import eventually, outbox_records

# The largest record aiokafka sends with its default max_request_size. Kafka's default message.max.bytes
# (and noida-db's) is 1_048_588 bytes of record batch, so the broker takes it too.
BROKER_RECORD_LIMIT = 1_048_576


@pytest.fixture
async def db(mongo):
    name = f"it_{uuid.uuid4().hex[:10]}"
    yield mongo[name]
    await mongo.drop_database(name)


async def _create_topics(bootstrap: str, *topics: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1) for topic in topics])
    finally:
        await admin.close()


async def _produce(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")  # default max_request_size: 1 MiB
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(topic, value, key=key, headers=[("correlation_id", b"c-" + key)])
    finally:
        await producer.stop()


async def _read(bootstrap: str, topic: str, count: int) -> list:
    reader = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await reader.start()
    received: list = []
    try:

        async def all_received() -> bool:
            for records in (await reader.getmany(timeout_ms=500)).values():
                received.extend(records)
            return len(received) >= count

        await eventually(all_received, what=f"{count} records on {topic}")
    finally:
        await reader.stop()
    return received


async def _never_called(data, ctx) -> None:
    raise AssertionError("a malformed record reached the handler")


def _largest_value_the_producer_takes(key: bytes, headers: list) -> int:
    size = BROKER_RECORD_LIMIT - DefaultRecordBatchBuilder.estimate_size_in_bytes(key, b"", headers)
    while DefaultRecordBatchBuilder.estimate_size_in_bytes(key, b"v" * size, headers) > BROKER_RECORD_LIMIT:
        size -= 1  # the value's length varint grows with it
    return size


async def test_a_dead_letter_too_large_for_kafka_is_cut_to_fit_and_its_original_kept(db, backend):
    bootstrap = backend.kafka_bootstrap
    spec = EventSpec(f"kinerja.it-{uuid.uuid4().hex[:8]}", 1, ReportSubmitted, "dead letters near the size limit")
    await _create_topics(bootstrap, spec.topic, spec.dlq_topic)
    settings = ServiceSettings(
        service_name="it", kafka_bootstrap=bootstrap, relay_poll_interval_s=0.2, consumer_retry_backoff_s=0.01
    )
    noise = random.Random(42).randbytes(BROKER_RECORD_LIMIT)
    edge_len = _largest_value_the_producer_takes(b"edge", [("correlation_id", b"c-edge")])
    originals = {
        b"small": b"{not json either",
        b"large": (b"{not json " + noise)[: BROKER_RECORD_LIMIT - 2_048],  # just under the limit
        b"edge": (b"{not json " + noise)[:edge_len],  # as large as the producer and the broker take
    }
    assert len(originals[b"large"]) > settings.kafka_max_record_bytes
    await _produce(bootstrap, spec.topic, list(originals.items()))

    relay = OutboxRelay(db, settings)
    await relay.ensure_indexes()
    consumer = EventConsumer(db, [Route(spec, _never_called)], settings, on_commit=relay.wake)
    relay.start()
    source = AIOKafkaConsumer(spec.topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await source.start()
    consumed: list = []
    try:

        async def all_dead_lettered() -> bool:
            for records in (await source.getmany(timeout_ms=500)).values():
                await consumer.process_batch(records)
                consumed.extend(records)
            return len(consumed) >= len(originals)

        await eventually(all_dead_lettered, what="every record consumed and dead-lettered")

        async def all_published() -> bool:
            records = await outbox_records(db)
            return len(records) == len(originals) and {r["status"] for r in records} == {"sent"}

        await eventually(all_published, what="every dead letter published")
    finally:
        await source.stop()
        await relay.stop()

    assert await db[PARKED].count_documents({}) == 0
    received = {r.key: r for r in await _read(bootstrap, spec.dlq_topic, len(originals))}
    assert set(received) == set(originals)

    for key, offset in ((b"large", 1), (b"edge", 2)):
        value, cut = originals[key], received[key]
        headers = {k: bytes(v) for k, v in cut.headers}
        assert headers["kinerja_dlq_truncated"] == b"true"
        assert headers["kinerja_dlq_value_bytes"] == str(len(value)).encode()
        assert headers["kinerja_dlq_value_sha256"] == hashlib.sha256(value).hexdigest().encode()
        assert value.startswith(cut.value) and len(cut.value) < len(value)
        assert len(cut.value) > settings.kafka_max_record_bytes - 5_000  # all that fits is kept
        assert headers["kinerja_dlq_reason"] == b"invalid_event"
        assert headers["kinerja_dlq_offset"] == str(offset).encode()
        assert headers["correlation_id"] == b"c-" + key  # the original headers are kept
        database, collection, dead_letter_id = headers["kinerja_dlq_original"].decode().split("/")
        assert (database, collection) == (db.name, DEAD_LETTERS)
        original = await db[collection].find_one({"_id": dead_letter_id})
        assert bytes(original["value"]) == value
        assert (original["topic"], original["partition"], original["offset"]) == (spec.topic, 0, offset)
        assert bytes(original["key"]) == key and original["reason"] == "invalid_event"
        assert [[k, bytes(v)] for k, v in original["headers"]] == [["correlation_id", b"c-" + key]]

    # Whole, the edge record's dead letter is more than the producer would send: the case that was parked.
    said_so = {"kinerja_dlq_truncated", "kinerja_dlq_value_bytes", "kinerja_dlq_value_sha256", "kinerja_dlq_original"}
    uncut = [(k, v) for k, v in received[b"edge"].headers if k not in said_so]
    assert DefaultRecordBatchBuilder.estimate_size_in_bytes(b"edge", originals[b"edge"], uncut) > BROKER_RECORD_LIMIT

    whole = received[b"small"]
    headers = {k: bytes(v) for k, v in whole.headers}
    assert whole.value == originals[b"small"]
    assert "kinerja_dlq_truncated" not in headers and "kinerja_dlq_original" not in headers
    assert headers["kinerja_dlq_reason"] == b"invalid_event"
    assert await db[DEAD_LETTERS].count_documents({}) == 2  # only the ones that had to be cut

    await consumer.process_batch(consumed)  # redelivery changes nothing
    assert len(await outbox_records(db)) == len(originals)
    assert await db[DEAD_LETTERS].count_documents({}) == 2
