"""The platform's topics by their short names, and the few Kafka reads and writes the commands make.

No command joins a consumer group: reading a topic never moves a service's offsets.
"""

import asyncio
import difflib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError

from shared.contracts import all_topics

from .common import fail

TOPIC_PREFIX = "kinerja."
# Written by `kinerja dlq replay` only: which dead letters were replayed, keyed by dead letter id.
REPLAYS_TOPIC = "kinerja.dlq.replays"
KNOWN_TOPICS = (*all_topics(), REPLAYS_TOPIC)
READ_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_MS = 10_000

# aiokafka logs a failed connection itself; the command tells it in one line of its own.
logging.getLogger("aiokafka").addHandler(logging.NullHandler())
logging.getLogger("aiokafka").propagate = False


def short_name(topic: str) -> str:
    """kinerja.score.computed.v1 -> score.computed; its .dlq twin -> score.computed.dlq."""
    name = topic.removeprefix(TOPIC_PREFIX)
    stem, dlq = (name[: -len(".dlq")], ".dlq") if name.endswith(".dlq") else (name, "")
    head, _, version = stem.rpartition(".")
    if head and version.startswith("v") and version[1:].isdigit():
        stem = head
    return stem + dlq


def resolve_topic(name: str) -> str:
    """A topic's full name from its full or short name; an unknown one fails naming the closest and the rest."""
    names = {}
    for topic in KNOWN_TOPICS:
        for alias in (topic, topic.removeprefix(TOPIC_PREFIX), short_name(topic)):
            names[alias] = topic
    if name in names:
        return names[name]
    close = difflib.get_close_matches(name, [short_name(t) for t in KNOWN_TOPICS], n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    valid = ", ".join(short_name(t) for t in KNOWN_TOPICS if not t.endswith(".dlq"))
    fail(f"unknown topic {name!r}; {hint}topics: {valid} (each also as <name>.dlq)")


async def _started(client: Any, bootstrap: str) -> None:
    try:
        await client.start()
    except BaseException as exc:
        await _close(client)  # a failed start still holds connections
        if isinstance(exc, KafkaConnectionError | OSError):
            fail(f"Kafka is unreachable at {bootstrap} (is the platform running? --kafka or KINERJA_KAFKA_BOOTSTRAP)")
        if isinstance(exc, KafkaError):
            fail(f"Kafka at {bootstrap}: {exc}")
        raise


async def _close(client: Any) -> None:
    try:
        await (client.close() if isinstance(client, AIOKafkaAdminClient) else client.stop())
    except Exception:  # already broken: nothing more to release
        return


@asynccontextmanager
async def connected(client: Any, bootstrap: str) -> AsyncIterator[Any]:
    """A started aiokafka client, stopped on leaving; a broker that cannot be reached is a one-line error."""
    await _started(client, bootstrap)
    try:
        yield client
    except KafkaConnectionError:
        fail(f"lost the connection to Kafka at {bootstrap}")
    except KafkaError as exc:
        fail(f"Kafka at {bootstrap}: {type(exc).__name__}: {exc}")
    finally:
        await _close(client)


def reader(bootstrap: str) -> AIOKafkaConsumer:
    """A consumer outside any group, that commits nothing."""
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, request_timeout_ms=REQUEST_TIMEOUT_MS
    )


def writer(bootstrap: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, request_timeout_ms=REQUEST_TIMEOUT_MS
    )


def admin(bootstrap: str) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=REQUEST_TIMEOUT_MS)


async def partitions_of(consumer: AIOKafkaConsumer, topics: list[str]) -> list[TopicPartition]:
    """The partitions of those topics that exist (the metadata of every topic is fetched first)."""
    await consumer.topics()
    return [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]


async def read_to_end(bootstrap: str, topics: list[str]) -> list[ConsumerRecord]:
    """Every record now on these topics, in each partition's order; a topic that does not exist has none."""
    records: list[ConsumerRecord] = []
    async with connected(reader(bootstrap), bootstrap) as consumer:
        partitions = await partitions_of(consumer, topics)
        if not partitions:
            return records
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        pending = {tp for tp in partitions if await consumer.position(tp) < ends[tp]}
        deadline = asyncio.get_running_loop().time() + READ_TIMEOUT_S
        while pending:
            if asyncio.get_running_loop().time() > deadline:
                slow = ", ".join(sorted({tp.topic for tp in pending}))
                fail(f"reading {slow} from Kafka took over {READ_TIMEOUT_S:g} s")
            batches = await consumer.getmany(*pending, timeout_ms=500)
            for tp, batch in batches.items():
                records += [r for r in batch if r.offset < ends[tp]]
            pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    return records
