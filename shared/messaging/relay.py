"""Publishes the outbox to Kafka.

Pending entries are sent in batches through an idempotent producer with
acks=all and marked sent only once Kafka has acknowledged them. When Kafka is
down, entries stay pending and the relay retries with backoff: nothing is
lost. A lease in MongoDB lets one replica relay at a time, so scaling a
service keeps per-key order; a crash after sending but before marking sent
republishes, which consumers absorb because they deduplicate on event id.
"""

import asyncio
import contextlib
import logging
import os
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.observability import OUTBOX_FAILED, OUTBOX_OLDEST_PENDING_AGE, OUTBOX_PENDING, OUTBOX_PUBLISHED
from shared.settings import ServiceSettings

from .records import OutgoingRecord
from .unit_of_work import OUTBOX

log = logging.getLogger(__name__)

LEASES = "leases"
# Records Kafka refused for good (larger than it takes), with the error: kept for an operator, never retried.
PARKED = "outbox_failed"
LEASE_ID = "outbox-relay"
SENT_RETENTION = timedelta(days=7)


class OutboxRelay:
    def __init__(self, db: AsyncDatabase, settings: ServiceSettings) -> None:
        self.db = db
        self.settings = settings
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self._wake = asyncio.Event()
        self._renew_at = 0.0  # monotonic time after which the lease must be renewed before publishing
        self._producer: AIOKafkaProducer | None = None
        self._task: asyncio.Task[None] | None = None

    async def ensure_indexes(self) -> None:
        await self.db[OUTBOX].create_index([("status", ASCENDING), ("seq", ASCENDING)])
        await self.db[OUTBOX].create_index("sent_at", expireAfterSeconds=int(SENT_RETENTION.total_seconds()))

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._close_producer()
        # Hand the lease over now rather than make the next replica wait it out.
        self._renew_at = 0.0
        with contextlib.suppress(Exception):
            await self.db[LEASES].delete_one({"_id": LEASE_ID, "owner": self.owner})

    async def _run(self) -> None:
        backoff = poll = self.settings.relay_poll_interval_s
        while True:
            try:
                published = await self.publish_pending() if await self._hold_lease() else 0
                backoff = self.settings.relay_poll_interval_s
                if published >= self.settings.relay_batch_size:
                    continue  # more is waiting
                # This replica's own commits wake the relay at once; polling only finds other replicas' commits.
                # While there are none, poll less often: an idle service then costs next to nothing.
                poll = self.settings.relay_poll_interval_s if published else min(poll * 2, self.idle_poll_s)
                if await self._idle(poll):
                    poll = self.settings.relay_poll_interval_s
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Kafka or MongoDB unavailable: keep everything, retry
                log.warning("outbox relay failed, retrying", extra={"error": type(exc).__name__, "retry_in_s": backoff})
                await self._close_producer()
                # A plain sleep: new commits must not turn the backoff into one retry per request.
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    @property
    def idle_poll_s(self) -> float:
        return max(self.settings.relay_poll_interval_s, self.settings.relay_lease_s / 4)

    async def _idle(self, seconds: float) -> bool:
        """Wait for a wake-up or `seconds`; True if woken."""
        woken = True
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except TimeoutError:
            woken = False
        self._wake.clear()
        return woken

    async def publish_pending(self) -> int:
        """Publish the oldest pending outbox documents, about `relay_batch_size` records; returns the records."""
        documents = await self._oldest_pending()
        if not documents:
            return 0
        producer = await self._get_producer()
        futures, unsendable, topics = [], [], []
        for document in documents:
            for record in map(OutgoingRecord.from_entry, document["records"]):
                try:
                    futures.append(await producer.send(record.topic, record.value, record.key, headers=record.headers))
                    topics.append(record.topic)
                except MessageSizeTooLargeError as exc:
                    unsendable.append((record, exc))
        results = await asyncio.gather(*futures, return_exceptions=True)
        if failure := next((r for r in results if isinstance(r, BaseException)), None):
            raise failure
        for record, exc in unsendable:
            await self._park(record, exc)
        await self.db[OUTBOX].update_many(
            {"_id": {"$in": [d["_id"] for d in documents]}}, {"$set": {"status": "sent", "sent_at": datetime.now(UTC)}}
        )
        for topic in topics:
            OUTBOX_PUBLISHED.labels(topic=topic).inc()
        return sum(d["count"] for d in documents)

    async def _oldest_pending(self) -> list[dict[str, Any]]:
        # Documents hold one commit's records each (a whole consumer batch): read them a few at a time and
        # stop at the batch size, rather than load a long backlog at once.
        documents, records = [], 0
        cursor = self.db[OUTBOX].find({"status": "pending"}).sort("seq", ASCENDING).batch_size(16)
        try:
            async for document in cursor:
                documents.append(document)
                records += document["count"]
                if records >= self.settings.relay_batch_size:
                    break
        finally:
            await cursor.close()
        return documents

    async def _park(self, record: OutgoingRecord, exc: Exception) -> None:
        """A record Kafka will never take must not hold back everything behind it: it waits in outbox_failed."""
        error = f"{type(exc).__name__}: {exc}"[:500]
        parked = {"_id": record.id, **record.to_entry(), "error": error, "failed_at": datetime.now(UTC)}
        await self.db[PARKED].replace_one({"_id": record.id}, parked, upsert=True)
        OUTBOX_FAILED.labels(topic=record.topic).inc()
        log.error("outbox record cannot be published, parked", extra={"entry": record.id, "topic": record.topic})

    async def pending_count(self) -> int:
        """Records (not documents) waiting to be published."""
        totals = await (
            await self.db[OUTBOX].aggregate(
                [{"$match": {"status": "pending"}}, {"$group": {"_id": None, "records": {"$sum": "$count"}}}]
            )
        ).to_list()
        return totals[0]["records"] if totals else 0

    async def refresh_metrics(self) -> None:
        """Backlog and the age of its oldest entry: a stuck relay shows as a growing age."""
        oldest = await self.db[OUTBOX].find_one(
            {"status": "pending"}, {"created_at": 1}, sort=[("status", ASCENDING), ("seq", ASCENDING)]
        )
        OUTBOX_PENDING.set(await self.pending_count())
        age = (datetime.now(UTC) - oldest["created_at"]).total_seconds() if oldest else 0.0
        OUTBOX_OLDEST_PENDING_AGE.set(max(age, 0.0))

    async def _hold_lease(self) -> bool:
        # Renewed once half of it has passed, not on every publish: at one commit per request that would be a
        # database write per request for nothing.
        if time.monotonic() < self._renew_at:
            return True
        now = datetime.now(UTC)
        try:
            await self.db[LEASES].find_one_and_update(
                {"_id": LEASE_ID, "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "expires_at": now + timedelta(seconds=self.settings.relay_lease_s)}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # another replica holds it
        self._renew_at = time.monotonic() + self.settings.relay_lease_s / 2
        return True

    async def _get_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = make_producer(self.settings)
            try:
                await producer.start()
            except BaseException:
                await producer.stop()  # a failed start still holds a client
                raise
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            with contextlib.suppress(Exception):
                await producer.stop()


def make_producer(settings: ServiceSettings, **overrides: Any) -> AIOKafkaProducer:
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "client_id": f"kinerja-{settings.service_name}-relay",
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "request_timeout_ms": settings.kafka_request_timeout_ms,
        # aiokafka checks each record against this (as a one-record batch), before sending it. At the record
        # limit, whatever it takes the broker takes too; anything larger is refused here and parked, rather
        # than refused by the broker, which would fail the whole batch again and again.
        "max_request_size": settings.kafka_max_record_bytes,
    }
    return AIOKafkaProducer(**{**options, **overrides})
