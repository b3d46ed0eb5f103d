"""The idempotent consumer every service runs.

A batch of records is parsed, handled, and committed in one transaction (state + inbox + outbox + dead letters). Only
then does the subscriber commit Kafka offsets (FastStream NACK_ON_ERROR).
If one event makes a handler fail, the batch is replayed event by event with
bounded retries and backoff; an event that still fails, or that never parsed,
is dead-lettered to `<topic>.dlq` with the error and its original headers,
and consumption continues. Database outages are not the event's fault: they
nack the batch so it is redelivered, never dead-lettered. An event already
processed is recognised by its id in the inbox (unique), so a redelivered
event changes nothing.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts import Envelope, EventSpec
from shared.logging import correlation_id
from shared.mongo import is_duplicate_key, is_infrastructure_error, is_too_large
from shared.observability import EVENTS_CONSUMED
from shared.settings import ServiceSettings

from .dead_letters import (
    DEAD_LETTERS,
    REPLAY_FOR_HEADER,
    DeadLetter,
    build_dead_letter,
    describe_validation_error,
)
from .unit_of_work import INBOX, UnitOfWork

log = logging.getLogger(__name__)

INBOX_RETENTION = timedelta(days=30)


class ConsumerRecordLike(Protocol):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


@dataclass
class HandlerContext:
    """What a handler may touch: the unit of work, and a way to emit follow-up events."""

    uow: UnitOfWork
    cause: Envelope[Any]

    def emit(self, spec: EventSpec[Any], data: BaseModel, subject: str) -> Envelope[Any]:
        return self.uow.emit(spec, data, subject, correlationid=self.cause.correlationid)


Handler = Callable[[Any, HandlerContext], Awaitable[None]]


Prefetch = Callable[[list[Any], UnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    spec: EventSpec[Any]
    handler: Handler
    # Reads what a whole batch needs at once (`uow.get_many`), so handlers find it in the unit of work.
    prefetch: Prefetch | None = None


@dataclass
class _Parsed:
    record: ConsumerRecordLike
    route: Route
    event: Envelope[Any]


class EventConsumer:
    def __init__(
        self,
        db: AsyncDatabase,
        routes: Sequence[Route],
        settings: ServiceSettings,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.routes = {r.spec.topic: r for r in routes}
        self.settings = settings
        self.source = f"kinerja/{settings.service_name}"
        self._on_commit = on_commit

    @property
    def topics(self) -> list[str]:
        return list(self.routes)

    async def ensure_indexes(self) -> None:
        # Longer than any topic keeps its records (Kafka's default is 7 days): nothing older can come back.
        await self.db[INBOX].create_index("at", expireAfterSeconds=int(INBOX_RETENTION.total_seconds()))

    async def process_batch(self, records: Sequence[ConsumerRecordLike]) -> None:
        parsed, dead = _drop_seen(*self._parse(records), seen=set())
        try:
            await self._commit_new(parsed, dead)
        except Exception as exc:
            if is_infrastructure_error(exc):
                await self._pause_for_infrastructure(exc)
                raise
            if is_too_large(exc) and len(records) > 1:
                # More than one transaction can hold: commit it in halves, in order (per-key order holds).
                log.info("batch too large for one transaction, splitting", extra={"size": len(records)})
                half = len(records) // 2
                await self.process_batch(records[:half])
                await self.process_batch(records[half:])
                return
            log.warning("batch failed, isolating events", extra={"error": type(exc).__name__, "size": len(parsed)})
            await self._process_one_by_one(*await self._not_yet_processed(parsed, dead))

    def _parse(self, records: Sequence[ConsumerRecordLike]) -> tuple[list[_Parsed], list[DeadLetter]]:
        parsed: list[_Parsed] = []
        dead: list[DeadLetter] = []
        for record in records:
            if not self._meant_for_us(record):
                continue
            route = self.routes.get(record.topic)
            if route is None:
                dead.append(DeadLetter(record, "unknown_topic", f"no handler for {record.topic}"))
                continue
            try:
                event = route.spec.envelope_model.model_validate_json(record.value or b"")
            except ValidationError as exc:
                dead.append(DeadLetter(record, "invalid_event", describe_validation_error(exc)))
                continue
            if event.type != route.spec.type or event.schemaversion != route.spec.version:
                reason = f"{event.type} v{event.schemaversion} does not belong on {record.topic}"
                dead.append(DeadLetter(record, "wrong_event_type", reason))
                continue
            parsed.append(_Parsed(record, route, event))
        return parsed, dead

    def _meant_for_us(self, record: ConsumerRecordLike) -> bool:
        """A replayed dead letter is for the consumer that dead-lettered it; every record else is for all."""
        for name, value in record.headers or ():
            if name == REPLAY_FOR_HEADER:
                return bytes(value or b"").decode(errors="replace") == self.source
        return True

    async def _commit_new(self, parsed: list[_Parsed], dead: list[DeadLetter]) -> None:
        """Commit the batch, leaving out events processed before.

        The inbox's unique ids decide: a batch is committed without reading the inbox first, and only when the
        commit meets a duplicate id (a redelivery, rare) are the processed ones looked up, dropped, and the
        rest committed. That saves a read per batch on the common path.
        """
        try:
            await self._commit(parsed, dead)
        except Exception as exc:
            if not is_duplicate_key(exc):
                raise
            if not (seen := await self._processed(parsed, dead)):
                raise  # the duplicate is in the handlers' own writes: isolate the events
            await self._commit(*_drop_seen(parsed, dead, seen))

    async def _not_yet_processed(
        self, parsed: list[_Parsed], dead: list[DeadLetter]
    ) -> tuple[list[_Parsed], list[DeadLetter]]:
        return _drop_seen(parsed, dead, await self._processed(parsed, dead))

    async def _processed(self, parsed: list[_Parsed], dead: list[DeadLetter]) -> set[str]:
        """The ids of this batch already in the inbox."""
        ids = [p.event.id for p in parsed] + [d.id for d in dead]
        return {doc["_id"] async for doc in self.db[INBOX].find({"_id": {"$in": ids}}, {"_id": 1})}

    async def _commit(self, parsed: list[_Parsed], dead: list[DeadLetter]) -> None:
        uow = UnitOfWork(self.db, self._on_commit, source=self.source)
        await self._prefetch(parsed, uow)
        for p in parsed:
            await self._handle(p, uow)
        for d in dead:
            self._dead_letter(d, uow)
        await uow.commit()
        for p in parsed:
            EVENTS_CONSUMED.labels(topic=p.record.topic, outcome="processed").inc()
            event = {"event_id": p.event.id, "type": p.event.type, "correlation_id": p.event.correlationid}
            log.info("event handled", extra=event)
        for d in dead:  # counted and logged once committed, so a replayed batch does not count them twice
            EVENTS_CONSUMED.labels(topic=d.record.topic, outcome="dead_lettered").inc()
            where = {"topic": d.record.topic, "partition": d.record.partition, "offset": d.record.offset}
            log.warning("event dead-lettered", extra={**where, "reason": d.reason, "correlation_id": _correlation(d)})

    async def _prefetch(self, parsed: list[_Parsed], uow: UnitOfWork) -> None:
        by_route: dict[str, list[Any]] = {}
        for p in parsed:
            if p.route.prefetch is not None:
                by_route.setdefault(p.route.spec.topic, []).append(p.event.data)
        for topic, data in by_route.items():
            await self.routes[topic].prefetch(data, uow)

    async def _handle(self, p: _Parsed, uow: UnitOfWork) -> None:
        token = correlation_id.set(p.event.correlationid)
        try:
            await p.route.handler(p.event.data, HandlerContext(uow=uow, cause=p.event))
            uow.mark_processed(p.event.id, p.record.topic)
        finally:
            correlation_id.reset(token)

    def _dead_letter(self, d: DeadLetter, uow: UnitOfWork) -> None:
        letter = build_dead_letter(
            d, self.source, max_record_bytes=self.settings.kafka_max_record_bytes, database=self.db.name
        )
        if letter.original is not None:  # cut to fit Kafka: the full original stays here, in the same transaction
            uow.put(DEAD_LETTERS, letter.original)
        uow.publish_record(letter.record)
        uow.mark_processed(d.id, d.record.topic, outcome="dead_lettered")

    async def _process_one_by_one(self, parsed: list[_Parsed], dead: list[DeadLetter]) -> None:
        for d in dead:
            try:
                await self._commit([], [d])
            except Exception as exc:
                if not (is_duplicate_key(exc) and await self._in_inbox(d.id)):
                    raise
        for p in parsed:
            await self._process_with_retries(p)

    async def _in_inbox(self, event_id: str) -> bool:
        return await self.db[INBOX].find_one({"_id": event_id}, {"_id": 1}) is not None

    async def _process_with_retries(self, p: _Parsed) -> None:
        attempts = self.settings.consumer_max_attempts
        for attempt in range(1, attempts + 1):
            try:
                await self._commit([p], [])
                return
            except Exception as exc:
                if is_duplicate_key(exc) and await self._in_inbox(p.event.id):
                    # Another replica (before a rebalance reached us) processed it already.
                    EVENTS_CONSUMED.labels(topic=p.record.topic, outcome="duplicate").inc()
                    return
                if is_infrastructure_error(exc):
                    await self._pause_for_infrastructure(exc)
                    raise
                if attempt == attempts:
                    detail = f"{type(exc).__name__}: {exc}"[:2000]
                    await self._commit([], [DeadLetter(p.record, "processing_failed", detail, event_id=p.event.id)])
                    return
                failure = {"attempt": attempt, "error": type(exc).__name__, "correlation_id": p.event.correlationid}
                log.warning("handler failed, retrying", extra=failure)
                await asyncio.sleep(self.settings.consumer_retry_backoff_s * 2 ** (attempt - 1))

    async def _pause_for_infrastructure(self, exc: BaseException) -> None:
        log.warning("database unavailable, batch will be redelivered", extra={"error": type(exc).__name__})
        await asyncio.sleep(min(5.0, self.settings.consumer_retry_backoff_s * 10))


def _drop_seen(parsed: list[_Parsed], dead: list[DeadLetter], seen: set[str]) -> tuple[list[_Parsed], list[DeadLetter]]:
    """Events not yet processed, each once (a producer retry can put one event twice in a batch)."""
    fresh: list[_Parsed] = []
    for p in parsed:
        if p.event.id in seen:
            EVENTS_CONSUMED.labels(topic=p.record.topic, outcome="duplicate").inc()
            continue
        seen.add(p.event.id)
        fresh.append(p)
    return fresh, [d for d in dead if d.id not in seen]


def _correlation(d: DeadLetter) -> str | None:
    """Even a record that never parsed usually names its correlation id in a header."""
    for key, value in d.record.headers or ():
        if key == "correlation_id" and value:
            return bytes(value).decode(errors="replace")
    return None
