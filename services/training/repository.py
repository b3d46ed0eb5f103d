"""Training's own collections: agencies' budget ledgers, employees, recommendations."""

from pymongo.asynchronous.database import AsyncDatabase

BUDGETS = "budgets"
EMPLOYEES = "employees"
RECOMMENDATIONS = "recommendations"


async def setup_indexes(db: AsyncDatabase) -> None:
    await db[EMPLOYEES].create_index("agency_id")
    await db[RECOMMENDATIONS].create_index([("agency_id", 1), ("nip", 1)])
