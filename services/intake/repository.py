"""Intake's own collections: agencies, employees, SKP plans and reports."""

from pymongo.asynchronous.database import AsyncDatabase

AGENCIES = "agencies"
EMPLOYEES = "employees"
SKP_PLANS = "skp_plans"
REPORTS = "reports"


async def setup_indexes(db: AsyncDatabase) -> None:
    await db[AGENCIES].create_index("api_key_sha256", unique=True)
    await db[EMPLOYEES].create_index("agency_id")
    await db[SKP_PLANS].create_index([("agency_id", 1), ("nip", 1)])
    await db[REPORTS].create_index([("agency_id", 1), ("nip", 1)])
