"""Uploads: the file, kept until processed, then its summary."""

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

UPLOADS = "uploads"


async def setup_upload_indexes(db: AsyncDatabase) -> None:
    await db[UPLOADS].create_index([("status", ASCENDING), ("received_at", ASCENDING)])


async def store_upload(db: AsyncDatabase, *, document: dict[str, Any]) -> None:
    """Durable before the upload is answered: the file itself is kept until it has been processed."""
    await db[UPLOADS].insert_one(document)


async def claim_pending_upload(db: AsyncDatabase, *, now: datetime, stale_before: timedelta) -> dict[str, Any] | None:
    """The oldest upload waiting, or one whose processing was interrupted; claimed so one replica takes it."""
    query = {"$or": [{"status": "pending"}, {"status": "processing", "claimed_at": {"$lt": now - stale_before}}]}
    return await db[UPLOADS].find_one_and_update(
        query, {"$set": {"status": "processing", "claimed_at": now}}, sort=[("received_at", ASCENDING)]
    )


async def finish_upload(db: AsyncDatabase, *, upload_id: str, summary: dict[str, Any]) -> None:
    """The summary replaces the file: once processed, the reports themselves are what is kept."""
    await db[UPLOADS].update_one(
        {"_id": upload_id}, {"$set": {"summary": summary, "status": summary["status"]}, "$unset": {"data": ""}}
    )


async def find_upload(db: AsyncDatabase, *, upload_id: str, agency_id: str) -> dict[str, Any] | None:
    return await db[UPLOADS].find_one({"_id": upload_id, "agency_id": agency_id}, {"data": 0})
