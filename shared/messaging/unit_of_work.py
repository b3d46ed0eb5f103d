"""A state change and the events it causes, committed in one transaction.

Handlers and HTTP routes describe writes on a UnitOfWork; nothing touches the
database until `commit`, which writes every collection, the inbox (event ids
processed) and the outbox (events to publish) in one MongoDB transaction. A
batch of events therefore costs one transaction, not one per event.
"""

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from pymongo import DeleteOne, InsertOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts import Envelope, EventSpec, new_event_id
from shared.logging import correlation_id

from .records import OutgoingRecord, outbox_documents, record_for

# Ids per `$in` read: a very long list is slower per id than several short ones on some servers.
IN_CHUNK = 200

INBOX = "inbox"
OUTBOX = "outbox"

_last_seq = 0


def next_seq() -> int:
    """Publication order: wall-clock nanoseconds, strictly increasing within this process."""
    global _last_seq
    _last_seq = max(_last_seq + 1, time.time_ns())
    return _last_seq


@dataclass(frozen=True)
class _Overlay:
    set_: dict[str, Any]
    inc: dict[str, float]
    set_on_insert: dict[str, Any]
    upsert: bool

    def then(self, later: "_Overlay") -> "_Overlay | None":
        """One update doing this and then `later`, if MongoDB can take it as one (else None)."""
        if later.upsert != self.upsert:
            return None
        inc = dict(self.inc)
        for field, amount in later.inc.items():
            inc[field] = inc.get(field, 0) + amount
        merged = _Overlay({**self.set_, **later.set_}, inc, {**later.set_on_insert, **self.set_on_insert}, self.upsert)
        groups = [set(merged.set_), set(merged.inc), set(merged.set_on_insert)]
        paths = [(i, path) for i, group in enumerate(groups) for path in group]
        if any(i != j and _overlap(p, q) for i, p in paths for j, q in paths):
            return None  # the same field under two operators: MongoDB refuses that in one update
        return merged

    def to_operation(self, _id: Any) -> UpdateOne:
        ops = {op: v for op, v in (("$set", self.set_), ("$inc", self.inc), ("$setOnInsert", self.set_on_insert)) if v}
        return UpdateOne({"_id": _id}, ops, upsert=self.upsert)

    def apply(self, _id: Any, document: dict[str, Any] | None) -> dict[str, Any] | None:
        if document is None:
            if not self.upsert:
                return None
            document = {"_id": _id}
            for path, value in self.set_on_insert.items():
                _set_path(document, path, value)
        document = dict(document)
        for path, value in self.set_.items():
            _set_path(document, path, value)
        for path, amount in self.inc.items():
            _set_path(document, path, _get_path(document, path, 0) + amount)
        return document


def _set_path(document: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path as MongoDB would, copying the nested documents on the way (the read cache's own stay
    untouched)."""
    head, _, rest = path.partition(".")
    if not rest:
        document[head] = value
        return
    inner = document.get(head)
    document[head] = inner = dict(inner) if isinstance(inner, dict) else {}
    _set_path(inner, rest, value)


def _get_path(document: dict[str, Any], path: str, default: Any) -> Any:
    for part in path.split("."):
        if not isinstance(document, dict) or part not in document:
            return default
        document = document[part]
    return document


def _overlap(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


class UnitOfWork:
    def __init__(self, db: AsyncDatabase, on_commit: Callable[[], None] | None = None, source: str = "kinerja") -> None:
        self.db = db
        self.source = source
        self._fallback_correlation = new_event_id()
        self._on_commit = on_commit
        self._writes: dict[str, list[Any]] = defaultdict(list)
        self._pending_docs: dict[tuple[str, Any], dict[str, Any] | None] = {}
        self._overlays: dict[tuple[str, Any], list[_Overlay]] = defaultdict(list)
        # The last update of a document, while nothing else has written it: later updates merge into it.
        self._open_updates: dict[tuple[str, Any], tuple[int, _Overlay]] = {}
        self._read_cache: dict[tuple[str, Any], dict[str, Any] | None] = {}
        self._outbox: list[OutgoingRecord] = []
        self._inbox: list[dict[str, Any]] = []

    @property
    def correlation_id(self) -> str:
        """The request's or the event's being handled (a consumer's batch handles several), else one of its own."""
        return correlation_id.get() or self._fallback_correlation

    def put(self, collection: str, document: dict[str, Any], match: dict[str, Any] | None = None) -> None:
        """Insert or replace a document by its `_id`.

        With `match`, an existing document is replaced only if it also matches;
        otherwise the commit fails with a duplicate key (someone else owns it).
        """
        key = (collection, document["_id"])
        self._writes[collection].append(ReplaceOne({"_id": document["_id"], **(match or {})}, document, upsert=True))
        self._pending_docs[key] = document
        self._overlays.pop(key, None)
        self._open_updates.pop(key, None)

    def insert(self, collection: str, document: dict[str, Any]) -> None:
        self._writes[collection].append(InsertOne(document))
        if "_id" in document:
            self._pending_docs[(collection, document["_id"])] = document
            self._open_updates.pop((collection, document["_id"]), None)

    def delete(self, collection: str, _id: Any) -> None:
        """Delete a document by its `_id` (nothing happens if it is not there)."""
        key = (collection, _id)
        self._writes[collection].append(DeleteOne({"_id": _id}))
        self._pending_docs[key] = None
        self._overlays.pop(key, None)
        self._open_updates.pop(key, None)

    def update(
        self,
        collection: str,
        _id: Any,
        *,
        set_: dict[str, Any] | None = None,
        inc: dict[str, float] | None = None,
        set_on_insert: dict[str, Any] | None = None,
        upsert: bool = False,
    ) -> None:
        """An atomic partial update ($set, $inc, $setOnInsert): concurrent replicas lose nothing.

        Successive updates of one document merge into one write (a batch that spends one agency's budget 200
        times writes its ledger once): the same result, and one update is what the database server pays for.
        """
        key = (collection, _id)
        overlay = _Overlay(set_ or {}, inc or {}, set_on_insert or {}, upsert)
        self._overlays[key].append(overlay)
        writes = self._writes[collection]
        if key in self._open_updates:
            index, open_update = self._open_updates[key]
            if (merged := open_update.then(overlay)) is not None:
                writes[index] = merged.to_operation(_id)
                self._open_updates[key] = (index, merged)
                return
        writes.append(overlay.to_operation(_id))
        self._open_updates[key] = (len(writes) - 1, overlay)

    async def get(self, collection: str, _id: Any) -> dict[str, Any] | None:
        """Read a document as it will be after this unit of work commits."""
        key = (collection, _id)
        if key in self._pending_docs:
            document = self._pending_docs[key]
        else:
            # One read per document per unit of work: a batch often asks for the same agency or person.
            if key not in self._read_cache:
                self._read_cache[key] = await self.db[collection].find_one({"_id": _id})
            document = self._read_cache[key]
        for overlay in self._overlays.get(key, ()):
            document = overlay.apply(_id, document)
        return document

    async def get_many(self, collection: str, ids: Iterable[Any]) -> dict[Any, dict[str, Any]]:
        """Like `get` for many documents, with one `$in` read for those not yet known: a batch reads once."""
        wanted = list(dict.fromkeys(ids))
        unknown = [
            i for i in wanted if (collection, i) not in self._pending_docs and (collection, i) not in self._read_cache
        ]
        for start in range(0, len(unknown), IN_CHUNK):
            chunk = unknown[start : start + IN_CHUNK]
            found = {d["_id"]: d async for d in self.db[collection].find({"_id": {"$in": chunk}})}
            for i in chunk:
                self._read_cache[(collection, i)] = found.get(i)
        documents = {i: await self.get(collection, i) for i in wanted}
        return {i: d for i, d in documents.items() if d is not None}

    def publish(self, spec: EventSpec[Any], envelope: Envelope[Any]) -> None:
        self._outbox.append(record_for(spec, envelope))

    def emit(
        self, spec: EventSpec[Any], data: BaseModel, subject: str, correlationid: str | None = None
    ) -> Envelope[Any]:
        """Publish an event from this service, tied to the request or event being handled."""
        cause = correlationid or self.correlation_id
        envelope = spec.envelope(data=data, subject=subject, source=self.source, correlationid=cause)
        self.publish(spec, envelope)
        return envelope

    def publish_record(self, record: OutgoingRecord) -> None:
        self._outbox.append(record)

    def mark_processed(self, event_id: str, topic: str, outcome: str = "processed") -> None:
        self._inbox.append({"_id": event_id, "topic": topic, "outcome": outcome, "at": datetime.now(UTC)})

    @property
    def outgoing(self) -> list[OutgoingRecord]:
        return list(self._outbox)

    @property
    def is_empty(self) -> bool:
        return not (self._writes or self._outbox or self._inbox)

    async def commit(self) -> None:
        if self.is_empty:
            return
        async with self.db.client.start_session() as session:
            await session.with_transaction(self._write_all)
        if self._outbox and self._on_commit:
            self._on_commit()

    async def _write_all(self, session: AsyncClientSession) -> None:
        for collection, ops in self._writes.items():
            await self.db[collection].bulk_write(ops, ordered=True, session=session)
        if self._inbox:
            await self.db[INBOX].insert_many(self._inbox, ordered=False, session=session)
        if self._outbox:
            docs = outbox_documents(self._outbox, next_seq, datetime.now(UTC))
            await self.db[OUTBOX].insert_many(docs, ordered=True, session=session)
