"""The dashboard's read model: collections shaped for the pages, and the named queries that read them.

Every page reads documents by `_id` or by agency (indexed): an agency of thousands of employees answers
without scanning another agency's data.
"""

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts.notifications import DeliveryHealth
from shared.contracts.scores import DistributionEvaluated
from shared.contracts.training import PlanUpdated

from .domain.views import PeriodRecord, PeriodTotals, RosterEntry

AGENCIES = "agencies"  # _id agency_id: nama, wilayah
UNITS = "units"  # _id agency_id:unit_id: agency_id, nama
EMPLOYEES = "employees"  # _id nip: the employee, and `reported` {period_id: agency_id}
# _id agency_id: `members` {nip: {nama, jabatan, unit_kerja, inactive_since, member}}: the whole roster in one
# read (a list page, who is expected, who is late), where a find over thousands of employees would be slow.
ROSTERS = "rosters"
HISTORIES = "histories"  # _id nip: scores, annual, training, jp, coaching, career (the employee page)
PERIODS = "periods"  # _id agency_id:period_id
PERIOD_TOTALS = "period_totals"  # _id agency_id:period_id: submitted, nilai_total, nilai_count
# _id agency_id:period_id: `nips` {nip: true}, who reported; apart from the totals, which every score rewrites
REPORTED = "reported"
DISTRIBUTIONS = "distributions"  # _id agency_id:scope: the latest DistributionEvaluated
PLANS = "plans"  # _id agency_id:tahun: the latest PlanUpdated
DELIVERY_HEALTH = "delivery_health"  # _id agency_id (or *): the latest DeliveryHealth


def pair(agency_id: str, other: Any) -> str:
    return f"{agency_id}:{other}"


async def setup_indexes(db: AsyncDatabase) -> None:
    for collection in (UNITS, PERIODS, PERIOD_TOTALS, DISTRIBUTIONS, PLANS):
        await db[collection].create_index([("agency_id", ASCENDING)])


def event_document(_id: str, agency_id: str, event: Any, order: list[Any]) -> dict[str, Any]:
    """An event kept whole (its contract validates it on the way out), with what orders it against others."""
    return {"_id": _id, "agency_id": agency_id, "order": order, "event": event.model_dump(mode="json")}


async def agencies(db: AsyncDatabase) -> list[dict[str, Any]]:
    return await db[AGENCIES].find({}, {"nama": 1, "wilayah": 1}).sort("_id", ASCENDING).to_list(None)


async def find_agency(db: AsyncDatabase, agency_id: str) -> dict[str, Any] | None:
    return await db[AGENCIES].find_one({"_id": agency_id})


async def unit_names(db: AsyncDatabase, agency_id: str) -> dict[str, str]:
    return {u["unit_id"]: u["nama"] async for u in db[UNITS].find({"agency_id": agency_id})}


async def agency_periods(db: AsyncDatabase, agency_id: str) -> list[PeriodRecord]:
    return [
        PeriodRecord(
            period_id=d["period_id"],
            start=d["start"].date(),
            end=d["end"].date(),
            deadline=d["deadline"],
            closed=d.get("closed", False),
            annual=d.get("annual", False),
        )
        async for d in db[PERIODS].find({"agency_id": agency_id})
    ]


async def period_totals(db: AsyncDatabase, agency_id: str) -> dict[str, PeriodTotals]:
    found = db[PERIOD_TOTALS].find({"agency_id": agency_id})
    return {
        d["period_id"]: PeriodTotals(d.get("submitted", 0), d.get("nilai_total", 0.0), d.get("nilai_count", 0))
        async for d in found
    }


async def reported_in(db: AsyncDatabase, agency_id: str, period_id: str) -> set[str]:
    found = await db[REPORTED].find_one({"_id": pair(agency_id, period_id)})
    return set((found or {}).get("nips") or {})


async def distributions(db: AsyncDatabase, agency_id: str) -> dict[str, DistributionEvaluated]:
    found = db[DISTRIBUTIONS].find({"agency_id": agency_id}, {"event": 1})
    return {d["event"]["scope"]: DistributionEvaluated.model_validate(d["event"]) async for d in found}


async def roster(db: AsyncDatabase, agency_id: str) -> list[RosterEntry]:
    found = await db[ROSTERS].find_one({"_id": agency_id}) or {}
    return [
        RosterEntry(
            nip=nip,
            nama=m["nama"],
            jabatan=m["jabatan"],
            unit_kerja=m.get("unit_kerja"),
            inactive_since=m["inactive_since"].date() if m.get("inactive_since") else None,
        )
        for nip, m in (found.get("members") or {}).items()
        if m.get("member", True)
    ]


async def find_employee(db: AsyncDatabase, nip: str) -> dict[str, Any] | None:
    return await db[EMPLOYEES].find_one({"_id": nip})


async def find_history(db: AsyncDatabase, nip: str) -> dict[str, Any]:
    return await db[HISTORIES].find_one({"_id": nip}) or {}


async def plan_years(db: AsyncDatabase, agency_id: str) -> list[int]:
    return sorted({d["event"]["tahun"] async for d in db[PLANS].find({"agency_id": agency_id}, {"event.tahun": 1})})


async def find_plan(db: AsyncDatabase, agency_id: str, tahun: int) -> PlanUpdated | None:
    found = await db[PLANS].find_one({"_id": pair(agency_id, tahun)})
    return PlanUpdated.model_validate(found["event"]) if found else None


async def find_delivery_health(db: AsyncDatabase, agency_id: str) -> DeliveryHealth | None:
    found = await db[DELIVERY_HEALTH].find_one({"_id": agency_id})
    return DeliveryHealth.model_validate(found["event"]) if found else None
