"""Scoring's own collection: one score per report."""

from pymongo.asynchronous.database import AsyncDatabase

SCORES = "scores"


async def setup_indexes(db: AsyncDatabase) -> None:
    await db[SCORES].create_index([("agency_id", 1), ("nip", 1)])
