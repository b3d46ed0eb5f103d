"""Scoring's own collection: one score per report."""

from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts.scores import ScoreComputed

SCORES = "scores"


async def setup_indexes(db: AsyncDatabase) -> None:
    await db[SCORES].create_index([("agency_id", 1), ("nip", 1)])


async def find_score(db: AsyncDatabase, *, reference: str) -> ScoreComputed | None:
    document = await db[SCORES].find_one({"_id": reference}, {"_id": 0})
    return ScoreComputed.model_validate(document) if document else None
