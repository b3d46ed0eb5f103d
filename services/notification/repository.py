"""Notification's own collections: people it can address, notifications sent."""

from pymongo.asynchronous.database import AsyncDatabase

PEOPLE = "people"
NOTIFICATIONS = "notifications"


async def setup_indexes(db: AsyncDatabase) -> None:
    await db[NOTIFICATIONS].create_index([("recipient_nip", 1), ("sent_at", -1)])
    await db[NOTIFICATIONS].create_index("agency_id")
