"""Intake's own records and the named queries over them: agencies, employees, unit kerja, SKP plans, reports.

Reports: `reports` holds each report's latest answer and live version,
`report_slots` the one live report per employee, SKP and period,
each report keeps its attempts in `history` (accepted versions with their content).
"""

from datetime import date
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from ..domain.models import Employee, SkpPlan, StoredReport

AGENCIES = "agencies"
EMPLOYEES = "employees"
UNITS = "unit_kerja"
SKP_PLANS = "skp_plans"
REPORTS = "reports"
REPORT_SLOTS = "report_slots"
AUDIT = "audit"


async def setup_record_indexes(db: AsyncDatabase) -> None:
    await db[EMPLOYEES].create_index("agency_id")
    await db[UNITS].create_index("agency_id")
    await db[SKP_PLANS].create_index([("agency_id", 1), ("nip", 1)])
    # No secondary index on reports: every read is by reference, whose `<agency_id>/` prefix makes an agency's
    # reports one range of _id. Each index would cost every one of the month-end's inserts.
    await db[AUDIT].create_index([("agency_id", 1), ("at", -1)])


def employee_from(document: dict[str, Any] | None) -> Employee | None:
    return Employee.model_validate(document) if document else None


def plan_from(document: dict[str, Any] | None) -> SkpPlan | None:
    return SkpPlan.model_validate(document) if document else None


def stored_report_from(document: dict[str, Any] | None) -> StoredReport | None:
    return StoredReport.model_validate(document) if document else None


async def find_agency(db: AsyncDatabase, *, agency_id: str) -> dict[str, Any] | None:
    return await db[AGENCIES].find_one({"_id": agency_id}, {"_id": 1, "nama": 1})


async def unit_parents(db: AsyncDatabase, *, agency_id: str) -> dict[str, str | None]:
    """The agency's unit kerja ids, each with its parent unit."""
    return {
        d["unit_id"]: d.get("induk") async for d in db[UNITS].find({"agency_id": agency_id}, {"unit_id": 1, "induk": 1})
    }


async def list_units(db: AsyncDatabase, *, agency_id: str) -> list[dict[str, Any]]:
    return await db[UNITS].find({"agency_id": agency_id}, {"_id": 0}).sort("unit_id", 1).to_list()


async def find_plan(db: AsyncDatabase, *, skp_id: str, agency_id: str) -> SkpPlan | None:
    return plan_from(await db[SKP_PLANS].find_one({"_id": skp_id, "agency_id": agency_id}))


async def staff_of(db: AsyncDatabase, *, agency_id: str, atasan_nip: str) -> list[Employee]:
    """The employees of the agency whose supervisor this is."""
    return [
        Employee.model_validate(d) async for d in db[EMPLOYEES].find({"agency_id": agency_id, "atasan_nip": atasan_nip})
    ]


async def find_employee(db: AsyncDatabase, *, nip: str) -> Employee | None:
    return employee_from(await db[EMPLOYEES].find_one({"_id": nip}))


async def find_report(db: AsyncDatabase, *, reference: str) -> StoredReport | None:
    return stored_report_from(await db[REPORTS].find_one({"_id": reference}))


async def report_page(
    db: AsyncDatabase,
    *,
    agency_id: str,
    after: str | None,
    limit: int,
    period_start: date | None = None,
    unit_kerja: str | None = None,
    status: str | None = None,
    nip: str | None = None,
) -> list[StoredReport]:
    """One page of the agency's reports in reference order; `after` is the last reference of the previous page."""
    # References start with "<agency_id>/": the agency's reports are one range of the _id index ("0" follows "/").
    query: dict[str, Any] = {"_id": {"$gt": after or f"{agency_id}/", "$lt": f"{agency_id}0"}}
    for field, value in (("unit_kerja", unit_kerja), ("status", status), ("nip", nip)):
        if value is not None:
            query[field] = value
    if period_start is not None:
        query["period.start"] = period_start.isoformat()
    documents = await db[REPORTS].find(query, {"report": 0, "history": 0}).sort("_id", ASCENDING).limit(limit).to_list()
    return [StoredReport.model_validate(d) for d in documents]


async def active_employees_with_plans(
    db: AsyncDatabase, *, agency_id: str, tahun: int
) -> list[tuple[Employee, SkpPlan | None]]:
    """For a report template: the agency's employees still active, each with their SKP of the year."""
    employees = [Employee.model_validate(d) async for d in db[EMPLOYEES].find({"agency_id": agency_id}).sort("nama", 1)]
    plans: dict[str, SkpPlan] = {}
    async for d in db[SKP_PLANS].find({"agency_id": agency_id, "tahun": tahun}).sort("_id", DESCENDING):
        plan = SkpPlan.model_validate(d)
        plans.setdefault(plan.nip, plan)
    return [(e, plans.get(e.nip)) for e in employees]
