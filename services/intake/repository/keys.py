"""API keys: one document per key, `_id` the SHA-256 hex digest of the key (never the key itself)."""

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from .records import AGENCIES

# agency_id, label, created_at, expires_at (None: no expiry), revoked_at, last_used_at, and announced_at: when
# its state was last published on kinerja.apikey.changed.v1 (missing on keys from before that event existed).
API_KEYS = "api_keys"
_LEGACY_KEY_INDEX = "api_key_sha256_1"  # agencies.api_key_sha256 (one key per agency), before api_keys


async def setup_api_key_indexes(db: AsyncDatabase) -> None:
    await db[API_KEYS].create_index([("agency_id", ASCENDING), ("created_at", ASCENDING)])
    # Unique over a field new agencies no longer have: it would refuse every agency after the first.
    if _LEGACY_KEY_INDEX in await db[AGENCIES].index_information():
        await db[AGENCIES].drop_index(_LEGACY_KEY_INDEX)


async def find_api_key(db: AsyncDatabase, *, key_digest: str) -> dict[str, Any] | None:
    return await db[API_KEYS].find_one({"_id": key_digest})


async def find_key_owner(db: AsyncDatabase, *, agency_id: str) -> dict[str, Any] | None:
    """The agency a key belongs to, with what authenticated routes need."""
    return await db[AGENCIES].find_one({"_id": agency_id}, {"_id": 1, "nama": 1, "wilayah": 1})


async def agency_api_keys(db: AsyncDatabase, *, agency_id: str) -> list[dict[str, Any]]:
    """Every key of the agency, revoked and expired ones too, oldest first."""
    return await db[API_KEYS].find({"agency_id": agency_id}).sort("created_at", ASCENDING).to_list()


async def find_agency_api_key(db: AsyncDatabase, *, agency_id: str, key_id: str) -> dict[str, Any] | None:
    """The agency's key whose digest starts with `key_id` (lowercase hex): a range read on `_id`."""
    # Every digest starting with key_id sorts between key_id and key_id + "g" ("g" follows every hex digit).
    return await db[API_KEYS].find_one({"agency_id": agency_id, "_id": {"$gte": key_id, "$lt": key_id + "g"}})


async def unannounced_api_keys(db: AsyncDatabase, *, limit: int) -> list[dict[str, Any]]:
    """Keys whose state was never published: from before kinerja.apikey.changed.v1 existed.

    Read once per intake start-up, so a scan rather than an index every key write would pay for."""
    return await db[API_KEYS].find({"announced_at": {"$exists": False}}).limit(limit).to_list()


async def touch_api_key(db: AsyncDatabase, *, key_digest: str, at: datetime) -> None:
    """Record a use of the key; `$max`, so a late write from another replica never moves it back."""
    await db[API_KEYS].update_one({"_id": key_digest}, {"$max": {"last_used_at": at}})
