"""Notification's own collections and the named queries over them.

- people: employees as intake announced them (`_id` NIP); preferences: a person's channels, language and digest
  choice (`_id` NIP, or `hr:<email>` for an HR contact), kept apart so a re-registration never wipes them;
- hr_contacts: an agency's BKPSDM / HR contacts (`_id` agency id);
- notifications: the inbox, one item per person and event (`_id` the delivery id): the NotificationSent fields
  (`sent_at` as its ISO text, as ever), `at` (the same moment as a date, for ordering) and `read_at` (None until
  read);
- webhook_subscriptions: downstream systems' subscriptions, their secrets encrypted (secrets.py);
- deliveries: e-mails and webhooks to send (delivery_store.py);
- digest_items: messages held for a digest recipient's daily e-mail;
- periods and reported: intake's periods (deadlines) and who reported for which, for the deadline reminders;
  deadline_notices: each reminder and missed-deadline notice that went out (`_id` its key, domain/deadlines.py);
- distribution_states: the curve limits an agency-scope broke when HR was last told (`_id` agency/scope);
- delivery_marks, webhook_endpoints, delivery_health: what the delivery-health job reads (health_store.py).
"""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts.notifications import NotificationSent

from .domain.deliveries import Channel, DeliveryStatus
from .domain.health import DeliveryGroup

PEOPLE = "people"
PREFERENCES = "preferences"
HR_CONTACTS = "hr_contacts"
NOTIFICATIONS = "notifications"
SUBSCRIPTIONS = "webhook_subscriptions"
DIGEST_ITEMS = "digest_items"
PERIODS = "periods"
REPORTED = "reported"
DEADLINE_NOTICES = "deadline_notices"
DISTRIBUTION_STATES = "distribution_states"


async def setup_indexes(db: AsyncDatabase) -> None:
    await db[NOTIFICATIONS].create_index([("recipient_nip", ASCENDING), ("sent_at", DESCENDING)])
    await db[NOTIFICATIONS].create_index([("agency_id", ASCENDING), ("sent_at", DESCENDING)])
    await db[NOTIFICATIONS].create_index([("recipient_nip", ASCENDING), ("at", DESCENDING)])
    await db[PEOPLE].create_index([("agency_id", ASCENDING)])
    await db[SUBSCRIPTIONS].create_index([("owner_agency_id", ASCENDING)])
    await db[DIGEST_ITEMS].create_index([("digest_id", ASCENDING), ("created_at", ASCENDING)])
    await db[PERIODS].create_index([("reminded", ASCENDING), ("deadline", ASCENDING)])
    await db[PERIODS].create_index([("missed_checked", ASCENDING), ("deadline", ASCENDING)])
    await db[REPORTED].create_index([("agency_id", ASCENDING), ("period_id", ASCENDING)])


def period_key(agency_id: str, period_id: str) -> str:
    return f"{agency_id}/{period_id}"


def reported_key(agency_id: str, period_id: str, nip: str) -> str:
    return f"{agency_id}/{period_id}/{nip}"


# --- People ---------------------------------------------------------------------------------------------------


async def find_person(db: AsyncDatabase, *, nip: str) -> dict[str, Any] | None:
    return await db[PEOPLE].find_one({"_id": nip})


async def find_preferences(db: AsyncDatabase, *, key: str) -> dict[str, Any] | None:
    return await db[PREFERENCES].find_one({"_id": key})


async def find_hr_contacts(db: AsyncDatabase, *, agency_id: str) -> dict[str, Any] | None:
    return await db[HR_CONTACTS].find_one({"_id": agency_id})


async def agency_people(db: AsyncDatabase, *, agency_id: str) -> list[dict[str, Any]]:
    return await db[PEOPLE].find({"agency_id": agency_id}).to_list()


# --- The inbox ------------------------------------------------------------------------------------------------


async def latest_notifications(
    db: AsyncDatabase, *, nip: str | None, agency_id: str | None, limit: int
) -> list[NotificationSent]:
    query = {k: v for k, v in (("recipient_nip", nip), ("agency_id", agency_id)) if v is not None}
    documents = await db[NOTIFICATIONS].find(query, {"_id": 0}).sort("sent_at", -1).limit(limit).to_list()
    fields = NotificationSent.model_fields
    return [NotificationSent.model_validate({k: v for k, v in d.items() if k in fields}) for d in documents]


async def inbox_counts(db: AsyncDatabase, *, agency_ids: Collection[str]) -> list[DeliveryGroup]:
    """The agencies' inbox items (each one sent when it is written): one aggregation."""
    match = {"agency_id": {"$in": list(agency_ids)}, "channel": Channel.INBOX.value}
    cursor = await db[NOTIFICATIONS].aggregate([{"$match": match}, {"$group": {"_id": "$agency_id", "n": {"$sum": 1}}}])
    return [DeliveryGroup(row["_id"], Channel.INBOX, DeliveryStatus.SENT, row["n"]) async for row in cursor]


def _inbox_query(nip: str, agency_id: str | None) -> dict[str, Any]:
    return {"recipient_nip": nip} | ({"agency_id": agency_id} if agency_id else {})


async def inbox_page(
    db: AsyncDatabase, *, nip: str, agency_id: str | None, after: tuple[datetime, str] | None, limit: int
) -> list[dict[str, Any]]:
    """A person's inbox items, newest first, after the item `after` (its `at` and id) of a previous page."""
    query = _inbox_query(nip, agency_id)
    if after is not None:
        at, item_id = after
        query["$or"] = [{"at": {"$lt": at}}, {"at": at, "_id": {"$lt": item_id}}]
    return await db[NOTIFICATIONS].find(query).sort([("at", DESCENDING), ("_id", DESCENDING)]).limit(limit).to_list()


async def unread_count(db: AsyncDatabase, *, nip: str, agency_id: str | None) -> int:
    return await db[NOTIFICATIONS].count_documents({**_inbox_query(nip, agency_id), "read_at": None})


async def mark_read(db: AsyncDatabase, *, nip: str, agency_id: str | None, item_id: str, now: datetime) -> dict | None:
    """The item, read from `now` (or from when it was first read); None when the person has no such item."""
    query = {"_id": item_id, **_inbox_query(nip, agency_id)}
    await db[NOTIFICATIONS].update_one({**query, "read_at": None}, {"$set": {"read_at": now}})
    return await db[NOTIFICATIONS].find_one(query)


# --- Webhook subscriptions ------------------------------------------------------------------------------------


async def find_subscription(db: AsyncDatabase, *, subscription_id: str) -> dict[str, Any] | None:
    return await db[SUBSCRIPTIONS].find_one({"_id": subscription_id})


async def list_subscriptions(db: AsyncDatabase, *, owner_agency_id: str | None) -> list[dict[str, Any]]:
    """An agency's own subscriptions; every subscription for the administrator (owner None)."""
    query = {} if owner_agency_id is None else {"owner_agency_id": owner_agency_id}
    return await db[SUBSCRIPTIONS].find(query).sort("created_at", ASCENDING).to_list()


async def subscription_targets(db: AsyncDatabase) -> list[dict[str, Any]]:
    """Every subscription's URL and whose it is, never a secret (the delivery-health job's)."""
    return await db[SUBSCRIPTIONS].find({}, {"url": 1, "owner_agency_id": 1, "agency_ids": 1}).to_list()


async def subscriptions_for_topics(db: AsyncDatabase, *, topics: list[str]) -> list[dict[str, Any]]:
    """Every subscription to any of the topics, without their secrets: read once per consumer batch."""
    return await db[SUBSCRIPTIONS].find({"event_types": {"$in": topics}}, {"secrets": 0}).to_list()


async def replace_secrets(
    db: AsyncDatabase, *, subscription_id: str, secrets: list[dict[str, Any]], now: datetime
) -> bool:
    result = await db[SUBSCRIPTIONS].update_one(
        {"_id": subscription_id}, {"$set": {"secrets": secrets, "secret_rotated_at": now}}
    )
    return result.matched_count == 1


async def delete_subscription(db: AsyncDatabase, *, subscription_id: str) -> bool:
    return (await db[SUBSCRIPTIONS].delete_one({"_id": subscription_id})).deleted_count == 1


# --- Deadlines ------------------------------------------------------------------------------------------------


async def periods_to_remind(db: AsyncDatabase, *, now: datetime, until: datetime) -> list[dict[str, Any]]:
    """Periods accepting reports whose deadline is in (now, until] and whose reminders have not gone out."""
    query = {"reminded": False, "status": {"$in": ["open", "reopened"]}, "deadline": {"$gt": now, "$lte": until}}
    return await db[PERIODS].find(query).to_list()


async def periods_past_deadline(db: AsyncDatabase, *, now: datetime, since: datetime) -> list[dict[str, Any]]:
    """Periods whose deadline passed in [since, now) and whose missed-deadline notice is not settled, closed or
    not (intake's clock may not have closed them yet)."""
    query = {"missed_checked": False, "deadline": {"$gte": since, "$lt": now}}
    return await db[PERIODS].find(query).to_list()


async def settle_period(db: AsyncDatabase, *, key: str, deadline: datetime, field: str) -> None:
    """`reminded` or `missed_checked`, for this deadline (a reopening since then moved it: not settled)."""
    await db[PERIODS].update_one({"_id": key, "deadline": deadline}, {"$set": {field: True}})


async def reported_nips(db: AsyncDatabase, *, agency_id: str, period_id: str) -> set[str]:
    query = {"agency_id": agency_id, "period_id": period_id}
    return {d["nip"] async for d in db[REPORTED].find(query, {"nip": 1})}


async def notices_sent(db: AsyncDatabase, *, ids: list[str]) -> set[str]:
    return {d["_id"] async for d in db[DEADLINE_NOTICES].find({"_id": {"$in": ids}}, {"_id": 1})}
