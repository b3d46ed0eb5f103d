"""The collections behind kinerja.delivery.health.v1, through named queries.

- delivery_marks: per scope (`_id` the agency id, or `*`), a counter that every transaction writing the scope's
  deliveries or inbox items bumps (one merged write per transaction, never a read): the health job reads these
  few documents once a round, and looks further only at the scopes whose counter moved;
- webhook_endpoints: per subscription (`_id` its id), what its attempts left on record: failures in a row, the
  last error and success, and whether the circuit breaker holds it; written with the attempts' outcomes;
- delivery_health: per scope, the digest of the last snapshot published (domain/health.py).
"""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.messaging.unit_of_work import UnitOfWork

from .domain.deliveries import Delivery

MARKS = "delivery_marks"
ENDPOINTS = "webhook_endpoints"
PUBLISHED = "delivery_health"


def mark_changed(uow: UnitOfWork, scope: str) -> None:
    uow.update(MARKS, scope, inc={"seq": 1}, upsert=True)


async def mark_changed_now(db: AsyncDatabase, scope: str) -> None:
    """For a write outside a unit of work (a re-send, a subscription made or removed)."""
    await db[MARKS].update_one({"_id": scope}, {"$inc": {"seq": 1}}, upsert=True)


def record_endpoint_outcome(
    uow: UnitOfWork, delivery: Delivery, *, sent: bool, at: datetime, error: str | None, paused: bool
) -> None:
    """A webhook attempt's outcome on its subscription's record; `paused`: its target's breaker has opened and
    seen no success since."""
    subscription_id = delivery.payload.get("subscription_id")
    if not subscription_id:
        return
    if sent:
        fields = {"failures_in_a_row": 0, "last_success_at": at, "paused": paused}
        uow.update(ENDPOINTS, str(subscription_id), set_=fields, upsert=True)
        return
    fields = {"last_error": (error or "")[:500], "last_failure_at": at, "paused": paused}
    uow.update(ENDPOINTS, str(subscription_id), set_=fields, inc={"failures_in_a_row": 1}, upsert=True)


async def forget_endpoint(db: AsyncDatabase, subscription_id: str) -> None:
    await db[ENDPOINTS].delete_one({"_id": subscription_id})


async def change_marks(db: AsyncDatabase) -> dict[str, int]:
    return {d["_id"]: d.get("seq", 0) async for d in db[MARKS].find({}, {"seq": 1})}


async def endpoint_records(db: AsyncDatabase, subscription_ids: Collection[str]) -> dict[str, dict[str, Any]]:
    if not subscription_ids:
        return {}
    return {d["_id"]: d async for d in db[ENDPOINTS].find({"_id": {"$in": list(subscription_ids)}})}


async def published_digests(db: AsyncDatabase, scopes: Collection[str]) -> dict[str, str]:
    return {d["_id"]: d["digest"] async for d in db[PUBLISHED].find({"_id": {"$in": list(scopes)}})}


def keep_published(uow: UnitOfWork, scope: str, digest: str, previous: str | None, at: datetime) -> None:
    """The digest just published, replacing `previous` only: if another replica published meanwhile, the
    commit fails on the duplicate key and this snapshot is not published twice."""
    uow.put(PUBLISHED, {"_id": scope, "digest": digest, "published_at": at}, match={"digest": previous})
