"""The `deliveries` collection, through named queries: e-mails and webhooks waiting, being sent, sent or dead.

A document is `Delivery.model_dump()` with `_id` = the delivery id, plus a few fields of the worker's own:
`claimed_by` and `claim` (who holds it while SENDING, and which claim handed it over), `first_attempt_at` (where
the retry schedule counts from) and `dead_at`. `delivery_from_document` drops them.

Claiming is what keeps one delivery from two workers: a claim moves due documents to SENDING in one
`update_many` whose filter repeats the due condition, so a document another worker took in the meantime no
longer matches, and reads back only what carries its own claim token. A SENDING document's `next_attempt_at` is
its lease's end: if its worker dies, it is simply due again then, and the same indexed query finds it.

The queue: `delivery_queue` holds one small document per delivery still to go (pending, or sending under a
lease): its target, channel and `next_attempt_at`. Claims look there, and read the deliveries themselves by id.
A delivery leaves the queue when it is sent or dead, in the same transaction, so the claim's query does not
grow with every delivery ever sent.

Targets: `delivery_targets` names every target a delivery was ever queued for (webhook endpoints and e-mail
domains: few), written with the delivery. A claim asks only for the targets that have room, through the queue's
(target, next_attempt_at) index, so the backlog of a slow endpoint whose lane is full, or of a dead one whose
circuit is open, is not read at every claim: on the embedded server a claim that filtered those out read all of
them (about 100 ms per claim behind 5,000 parked deliveries, 3 ms with the targets named).

Outcomes (sent, retry, dead) are unit-of-work writes, so the caller commits them with the events they cause
(`kinerja.notification.sent.v1`) in one transaction. Every write that changes how a scope's deliveries stand
bumps its change marker (health_store.py) in the same transaction: the delivery-health job looks only then.
"""

import uuid
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.messaging.unit_of_work import UnitOfWork

from .domain.deliveries import Channel, Delivery, DeliveryStatus
from .domain.health import DeliveryGroup, delivery_scope, scope_of
from .health_store import mark_changed, mark_changed_now

DELIVERIES = "deliveries"
QUEUE = "delivery_queue"
TARGETS = "delivery_targets"
_WORKER_FIELDS = ("claimed_by", "claim", "first_attempt_at", "dead_at")
_ACTIVE = [DeliveryStatus.PENDING.value, DeliveryStatus.SENDING.value]


async def ensure_delivery_indexes(db: AsyncDatabase) -> None:
    await db[DELIVERIES].create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
    await db[DELIVERIES].create_index([("agency_id", ASCENDING), ("status", ASCENDING)])
    await db[QUEUE].create_index([("target", ASCENDING), ("next_attempt_at", ASCENDING)])
    await _queue_active_deliveries(db)
    await _register_queued_targets(db)


async def _queue_active_deliveries(db: AsyncDatabase) -> None:
    """Deliveries stored before the queue existed (or by an older version) join it; once, when it is empty."""
    if await db[QUEUE].find_one({}, {"_id": 1}) is not None:
        return
    active = db[DELIVERIES].find({"status": {"$in": _ACTIVE}}, {"target": 1, "channel": 1, "next_attempt_at": 1})
    entries = [_queue_entry(d["_id"], d["target"], d["channel"], d["next_attempt_at"]) async for d in active]
    if entries:
        await db[QUEUE].insert_many(entries, ordered=False)


async def _register_queued_targets(db: AsyncDatabase) -> None:
    """Targets of deliveries queued by a version without the registry (an upgrade, or a replica of the older
    version beside this one) are registered, at every start: otherwise no claim would ever name them."""
    channels = {d["target"]: d["channel"] async for d in db[QUEUE].find({}, {"target": 1, "channel": 1})}
    for target, channel in channels.items():
        await db[TARGETS].update_one({"_id": target}, {"$setOnInsert": {"channel": channel}}, upsert=True)


async def delivery_targets(db: AsyncDatabase, channels: Collection[Channel]) -> list[str]:
    """Every target deliveries of these channels were ever queued for."""
    wanted = {"channel": {"$in": [str(c) for c in channels]}}
    return [d["_id"] async for d in db[TARGETS].find(wanted, {"_id": 1})]


def _register_target(uow: UnitOfWork, delivery: Delivery) -> None:
    # One write per target per transaction (the unit of work merges them); none once it is there.
    uow.update(TARGETS, delivery.target, set_on_insert={"channel": str(delivery.channel)}, upsert=True)


def _queue_entry(delivery_id: str, target: str, channel: str, due: datetime) -> dict[str, Any]:
    return {"_id": delivery_id, "target": target, "channel": channel, "next_attempt_at": due}


def delivery_document(delivery: Delivery) -> dict[str, Any]:
    document = delivery.model_dump()
    document["_id"] = document.pop("id")
    for key in ("channel", "status", "kind"):  # plain strings in the database
        if document.get(key) is not None:
            document[key] = str(document[key])
    return document


def delivery_from_document(document: dict[str, Any]) -> Delivery:
    fields = {k: v for k, v in document.items() if k not in _WORKER_FIELDS and k != "_id"}
    for key in ("next_attempt_at", "created_at", "sent_at"):
        if isinstance(fields.get(key), datetime):
            fields[key] = _aware(fields[key])
    return Delivery.model_validate({"id": document["_id"], **fields})


def enqueue(uow: UnitOfWork, delivery: Delivery) -> None:
    """Store a new delivery with the unit of work; one already there (a repeated event) is left as it is."""
    document = delivery_document(delivery)
    document.pop("_id")
    uow.update(DELIVERIES, delivery.id, set_on_insert=document, upsert=True)
    entry = _queue_entry(delivery.id, delivery.target, str(delivery.channel), delivery.next_attempt_at)
    entry.pop("_id")
    # A repeated event re-adds an entry for a delivery already gone; the claim drops such an entry.
    uow.update(QUEUE, delivery.id, set_on_insert=entry, upsert=True)
    _register_target(uow, delivery)
    mark_changed(uow, delivery_scope(delivery))


# --- Claiming -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """A delivery handed to one worker until `lease_until`."""

    delivery: Delivery
    lease_until: datetime
    first_attempt_at: datetime | None  # None before its first attempt


@dataclass
class ClaimRound:
    claimed: list[Claimed] = field(default_factory=list)
    backlog: bool = False  # due deliveries were left for the worker's limit: claim again when it has room
    limited_targets: set[str] = field(default_factory=set)  # due deliveries left for a target's room
    next_due_at: datetime | None = None  # the earliest not yet due, among those looked at (None: none seen)


def _due(now: datetime) -> dict[str, Any]:
    # PENDING ones whose time has come, and SENDING ones whose lease ran out (their worker died).
    return {"status": {"$in": _ACTIVE}, "next_attempt_at": {"$lte": now}}


async def claim(
    db: AsyncDatabase,
    *,
    now: datetime,
    lease_until: datetime,
    owner: str,
    limit: int,
    targets: Collection[str],
    room: Callable[[str], int] | None = None,
    horizon: timedelta = timedelta(seconds=5),
) -> ClaimRound:
    """Claim up to `limit` due deliveries of `targets` (those with room; the others' stay pending), earliest
    first, at most `room(target)` per target; `next_due_at` tells when the next one within `horizon` falls due.
    One indexed read when nothing is due."""
    result = ClaimRound()
    if limit <= 0 or not targets:
        return result
    query: dict[str, Any] = {"target": {"$in": list(targets)}, "next_attempt_at": {"$lte": now + horizon}}
    window = min(max(4 * limit, 100), 1000)
    candidates = (
        await db[QUEUE]
        .find(query, {"_id": 1, "target": 1, "next_attempt_at": 1})
        .sort("next_attempt_at", ASCENDING)
        .limit(window)
        .to_list()
    )
    chosen: list[str] = []
    taken: Counter[str] = Counter()
    for candidate in candidates:
        due_at = _aware(candidate["next_attempt_at"])
        if due_at > now:
            result.next_due_at = due_at
            break
        target = candidate.get("target", "")
        if len(chosen) >= limit:
            result.backlog = True
            continue
        if room is not None and taken[target] >= room(target):
            result.limited_targets.add(target)
            continue
        chosen.append(candidate["_id"])
        taken[target] += 1
    else:
        result.backlog = result.backlog or len(candidates) == window
    if not chosen:
        return result
    token = uuid.uuid4().hex
    claimed = {"status": DeliveryStatus.SENDING.value, "next_attempt_at": lease_until, "claimed_by": owner}
    await db[DELIVERIES].update_many({"_id": {"$in": chosen}, **_due(now)}, {"$set": claimed | {"claim": token}})
    documents = await db[DELIVERIES].find({"_id": {"$in": chosen}}).to_list()
    gone = [d["_id"] for d in documents if d["status"] not in _ACTIVE] + list(
        set(chosen) - {d["_id"] for d in documents}
    )
    if gone:  # sent or dead already (a repeated event queued it again): not waiting any more
        await db[QUEUE].delete_many({"_id": {"$in": gone}})
    documents = [d for d in documents if d.get("claim") == token]
    # Due again when the lease ends, as the delivery itself (a worker that dies leaves both so).
    await db[QUEUE].update_many(
        {"_id": {"$in": [d["_id"] for d in documents]}}, {"$set": {"next_attempt_at": lease_until}}
    )
    order = {_id: i for i, _id in enumerate(chosen)}
    documents.sort(key=lambda d: order[d["_id"]])
    for document in documents:
        first = document.get("first_attempt_at")
        result.claimed.append(Claimed(delivery_from_document(document), lease_until, _aware(first) if first else None))
    return result


async def release(db: AsyncDatabase, ids: Collection[str], owner: str, now: datetime) -> int:
    """Hand back deliveries claimed but not attempted (a worker stopping): due again at once."""
    if not ids:
        return 0
    result = await db[DELIVERIES].update_many(
        {"_id": {"$in": list(ids)}, "status": DeliveryStatus.SENDING.value, "claimed_by": owner},
        {"$set": {"status": DeliveryStatus.PENDING.value, "next_attempt_at": now, "claimed_by": None, "claim": None}},
    )
    await db[QUEUE].update_many({"_id": {"$in": list(ids)}}, {"$set": {"next_attempt_at": now}})
    return result.modified_count


# --- Outcomes, as unit-of-work writes -----------------------------------------------------------------------


def _released() -> dict[str, Any]:
    return {"claimed_by": None, "claim": None}


def record_sent(uow: UnitOfWork, delivery: Delivery, at: datetime) -> None:
    uow.delete(QUEUE, delivery.id)
    uow.update(
        DELIVERIES,
        delivery.id,
        set_={"status": DeliveryStatus.SENT.value, "sent_at": at, "next_attempt_at": at, **_released()},
        inc={"attempts": 1},
    )
    mark_changed(uow, delivery_scope(delivery))


def record_retry(
    uow: UnitOfWork, delivery: Delivery, error: str, next_at: datetime, *, first_attempt_at: datetime | None = None
) -> None:
    """Pending again at `next_at`; `first_attempt_at` is stored when given (after the first attempt)."""
    fields = {"status": DeliveryStatus.PENDING.value, "next_attempt_at": next_at, "last_error": error[:500]}
    if first_attempt_at is not None:
        fields["first_attempt_at"] = first_attempt_at
    uow.update(DELIVERIES, delivery.id, set_={**fields, **_released()}, inc={"attempts": 1})
    where = {"target": delivery.target, "channel": str(delivery.channel)}
    uow.update(QUEUE, delivery.id, set_={"next_attempt_at": next_at}, set_on_insert=where, upsert=True)
    if delivery.channel is Channel.WEBHOOK:  # its endpoint's failures in a row and last error changed
        mark_changed(uow, delivery_scope(delivery))


def record_dead(uow: UnitOfWork, delivery: Delivery, error: str, at: datetime) -> None:
    uow.delete(QUEUE, delivery.id)
    uow.update(
        DELIVERIES,
        delivery.id,
        set_={
            "status": DeliveryStatus.DEAD.value,
            "last_error": error[:500],
            "dead_at": at,
            "next_attempt_at": at,
            **_released(),
        },
        inc={"attempts": 1},
    )
    mark_changed(uow, delivery_scope(delivery))


# --- Reading and re-sending -----------------------------------------------------------------------------------


async def find_delivery(db: AsyncDatabase, delivery_id: str) -> Delivery | None:
    document = await db[DELIVERIES].find_one({"_id": delivery_id})
    return delivery_from_document(document) if document else None


async def dead_deliveries(
    db: AsyncDatabase, agency_id: str | None, limit: int, after: str | None = None
) -> list[Delivery]:
    """Dead deliveries (of one agency, or all), in id order; `after` is the last id of the previous page."""
    query: dict[str, Any] = {"status": DeliveryStatus.DEAD.value}
    if agency_id is not None:
        query["agency_id"] = agency_id
    if after is not None:
        query["_id"] = {"$gt": after}
    documents = await db[DELIVERIES].find(query).sort("_id", ASCENDING).limit(limit).to_list()
    return [delivery_from_document(d) for d in documents]


async def resend(db: AsyncDatabase, delivery_id: str, now: datetime) -> bool:
    """A dead delivery is pending again, due now: its attempts are kept, its retry window starts again (a policy
    that counts attempts allows it one more). False when it is not dead (unknown, pending, sent)."""
    result = await db[DELIVERIES].update_one(
        {"_id": delivery_id, "status": DeliveryStatus.DEAD.value},
        {
            "$set": {
                "status": DeliveryStatus.PENDING.value,
                "next_attempt_at": now,
                "first_attempt_at": None,
                "dead_at": None,
            }
        },
    )
    if result.modified_count != 1:
        return False
    document = await db[DELIVERIES].find_one({"_id": delivery_id})
    entry = _queue_entry(delivery_id, document["target"], document["channel"], now)
    await db[QUEUE].replace_one({"_id": delivery_id}, entry, upsert=True)
    target = {"$setOnInsert": {"channel": document["channel"]}}
    await db[TARGETS].update_one({"_id": document["target"]}, target, upsert=True)
    await mark_changed_now(db, delivery_scope(delivery_from_document(document)))
    return True


async def grouped_deliveries(db: AsyncDatabase, scopes: Collection[str]) -> list[DeliveryGroup]:
    """How many deliveries the scopes have per channel, status and webhook subscription: one aggregation over
    few fields (the health job runs it only for scopes whose marker moved)."""
    wanted = {"$or": [{"agency_id": {"$in": list(scopes)}}, {"payload.scope": {"$in": list(scopes)}}]}
    keys = {
        "agency_id": "$agency_id",
        "scope": "$payload.scope",
        "channel": "$channel",
        "status": "$status",
        "subscription_id": "$payload.subscription_id",
    }
    cursor = await db[DELIVERIES].aggregate([{"$match": wanted}, {"$group": {"_id": keys, "n": {"$sum": 1}}}])
    groups = []
    async for row in cursor:
        key = row["_id"]
        channel = Channel(key["channel"])
        scope = scope_of(channel, key["agency_id"], key.get("scope"))
        status = DeliveryStatus(key["status"])
        groups.append(DeliveryGroup(scope, channel, status, row["n"], key.get("subscription_id")))
    return groups


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
