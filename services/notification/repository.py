"""Notification's own collections: people it can address, notifications sent."""

from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts.notifications import NotificationSent

PEOPLE = "people"
NOTIFICATIONS = "notifications"


async def setup_indexes(db: AsyncDatabase) -> None:
    await db[NOTIFICATIONS].create_index([("recipient_nip", 1), ("sent_at", -1)])
    await db[NOTIFICATIONS].create_index([("agency_id", 1), ("sent_at", -1)])


async def latest_notifications(
    db: AsyncDatabase, *, nip: str | None, agency_id: str | None, limit: int
) -> list[NotificationSent]:
    query = {k: v for k, v in (("recipient_nip", nip), ("agency_id", agency_id)) if v is not None}
    documents = await db[NOTIFICATIONS].find(query, {"_id": 0}).sort("sent_at", -1).limit(limit).to_list()
    return [NotificationSent.model_validate(d) for d in documents]
