"""Training's own collections and the named queries over them.

Keys: an agency's budget year and plan head are `agency:tahun`; a plan version is `agency:tahun:v<n>`; the
evidence of one scored report is its report id; an employee's periodic outcomes of a year are `nip:tahun`;
coaching is `nip:period_id` (once per employee and period); a career flag is `nip:flag:tahun`.
"""

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

AGENCIES = "agencies"
BUDGETS = "budgets"
EMPLOYEES = "employees"
EVIDENCE = "gap_evidence"
OUTCOMES = "outcomes"
ANNUALS = "annual_outcomes"
COMPLETIONS = "completions"
COURSES = "courses"
COURSE_VERSIONS = "course_versions"
PLAN_HEADS = "plan_heads"
PLANS = "plans"
PLAN_LINES = "plan_lines"
RECOMMENDATIONS = "recommendations"
COACHING = "coaching"
CAREER_FLAGS = "career_flags"


def year_key(agency_id: str, tahun: int) -> str:
    return f"{agency_id}:{tahun}"


def plan_key(agency_id: str, tahun: int, version: int) -> str:
    return f"{agency_id}:{tahun}:v{version}"


def outcomes_key(nip: str, tahun: int) -> str:
    return f"{nip}:{tahun}"


async def prepare_database(db: AsyncDatabase, seed_courses: list[dict[str, Any]]) -> None:
    """Indexes, and the seeded catalogue's courses that are not there yet (HR's changes are never undone)."""
    await setup_indexes(db)
    if seed_courses:
        await db[COURSES].bulk_write(
            [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d}, upsert=True) for d in seed_courses], ordered=False
        )


async def setup_indexes(db: AsyncDatabase) -> None:
    await db[EMPLOYEES].create_index("agency_id")
    await db[EVIDENCE].create_index([("agency_id", ASCENDING), ("tahun", ASCENDING)])
    await db[EVIDENCE].create_index([("nip", ASCENDING), ("tahun", ASCENDING)])
    await db[COMPLETIONS].create_index([("agency_id", ASCENDING), ("tahun", ASCENDING)])
    await db[COMPLETIONS].create_index([("nip", ASCENDING), ("tahun", ASCENDING)])
    await db[PLAN_HEADS].create_index("dirty")
    await db[PLANS].create_index([("agency_id", ASCENDING), ("tahun", ASCENDING), ("version", DESCENDING)])
    await db[COACHING].create_index([("agency_id", ASCENDING), ("tahun", ASCENDING)])
    await db[CAREER_FLAGS].create_index([("agency_id", ASCENDING), ("tahun", ASCENDING)])
    await db[PLAN_LINES].create_index([("plan_id", ASCENDING), ("nip", ASCENDING)])
    await db[PLAN_LINES].create_index([("agency_id", ASCENDING), ("tahun", ASCENDING)])
    await db[RECOMMENDATIONS].create_index([("agency_id", ASCENDING), ("tahun", ASCENDING)])


# --- plan heads: which agency-years need planning ---------------------------------------------------------


def mark_plan_dirty(uow: Any, agency_id: str, tahun: int, cause: str) -> None:
    """Ask the planner to re-optimise the agency's year (merged into one write per batch)."""
    uow.update(
        PLAN_HEADS,
        year_key(agency_id, tahun),
        set_={"dirty": True, "cause": cause, "changed_at": datetime.now(UTC)},
        inc={"changes": 1},
        set_on_insert={"agency_id": agency_id, "tahun": tahun, "latest_version": 0, "approved_version": None},
        upsert=True,
    )


async def mark_plans_dirty_for_course(db: AsyncDatabase, *, agency_id: str | None) -> None:
    """A course changed: re-plan the years that may use it (every agency's for a shared course)."""
    query = {} if agency_id is None else {"agency_id": agency_id}
    marked = {"dirty": True, "cause": "katalog_berubah", "changed_at": datetime.now(UTC)}
    await db[PLAN_HEADS].update_many(query, {"$set": marked, "$inc": {"changes": 1}})


async def dirty_heads(db: AsyncDatabase) -> list[dict[str, Any]]:
    """Every marked year (a few per agency at most), for the planner to choose the due ones."""
    return await db[PLAN_HEADS].find({"dirty": True}).to_list()


async def mark_planned(db: AsyncDatabase, *, key: str, changes: int, at: datetime) -> None:
    """Clean the mark only if nothing changed the year while it was planned; else the next round plans again."""
    await db[PLAN_HEADS].update_one({"_id": key}, {"$set": {"planned_at": at}})
    await db[PLAN_HEADS].update_one({"_id": key, "changes": changes}, {"$set": {"dirty": False}})


async def find_head(db: AsyncDatabase, *, agency_id: str, tahun: int) -> dict[str, Any] | None:
    return await db[PLAN_HEADS].find_one({"_id": year_key(agency_id, tahun)})


# --- the planner's inputs ---------------------------------------------------------------------------------


async def find_budget(db: AsyncDatabase, *, agency_id: str, tahun: int) -> dict[str, Any] | None:
    return await db[BUDGETS].find_one({"_id": year_key(agency_id, tahun)})


async def agency_employees(db: AsyncDatabase, *, agency_id: str) -> list[dict[str, Any]]:
    return await db[EMPLOYEES].find({"agency_id": agency_id, "aktif": {"$ne": False}}).to_list()


async def year_evidence(db: AsyncDatabase, *, agency_id: str, tahun: int) -> list[dict[str, Any]]:
    return await db[EVIDENCE].find({"agency_id": agency_id, "tahun": tahun}).to_list()


async def year_completions(db: AsyncDatabase, *, agency_id: str, tahun: int) -> list[dict[str, Any]]:
    return await db[COMPLETIONS].find({"agency_id": agency_id, "tahun": tahun}).to_list()


async def employee_completions(db: AsyncDatabase, *, nip: str, tahun: int) -> list[dict[str, Any]]:
    return await db[COMPLETIONS].find({"nip": nip, "tahun": tahun}).sort("selesai_pada", ASCENDING).to_list()


async def employee_year_evidence(db: AsyncDatabase, *, nip: str, tahun: int) -> list[dict[str, Any]]:
    return await db[EVIDENCE].find({"nip": nip, "tahun": tahun}).to_list()


async def find_completion(db: AsyncDatabase, *, completion_id: str) -> dict[str, Any] | None:
    return await db[COMPLETIONS].find_one({"_id": completion_id})


async def agency_known(db: AsyncDatabase, *, agency_id: str) -> bool:
    return await db[AGENCIES].find_one({"_id": agency_id}, {"_id": True}) is not None


async def courses_for(db: AsyncDatabase, *, agency_id: str | None) -> list[dict[str, Any]]:
    """The shared catalogue and, for an agency, its own courses; retired courses left out."""
    owners = [None] if agency_id is None else [None, agency_id]
    return await db[COURSES].find({"agency_id": {"$in": owners}, "retired": {"$ne": True}}).sort("_id").to_list()


async def find_course(db: AsyncDatabase, *, course_id: str) -> dict[str, Any] | None:
    return await db[COURSES].find_one({"_id": course_id})


# --- plans --------------------------------------------------------------------------------------------------


async def find_plan(db: AsyncDatabase, *, agency_id: str, tahun: int, version: int) -> dict[str, Any] | None:
    return await db[PLANS].find_one({"_id": plan_key(agency_id, tahun, version)})


async def plan_versions(db: AsyncDatabase, *, agency_id: str, tahun: int) -> list[dict[str, Any]]:
    projection = {"allocations": False, "unfunded": False, "changes": False}
    query = {"agency_id": agency_id, "tahun": tahun}
    return await db[PLANS].find(query, projection).sort("version", DESCENDING).to_list()


async def claim_plan_version(db: AsyncDatabase, *, agency_id: str, tahun: int) -> int:
    """The next version number of the agency's plan for the year (numbers are never reused)."""
    head = await db[PLAN_HEADS].find_one_and_update(
        {"_id": year_key(agency_id, tahun)},
        {"$inc": {"claimed_version": 1}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    return int(head["claimed_version"])


async def plan_lines(db: AsyncDatabase, *, plan_id: str, nip: str | None = None) -> list[dict[str, Any]]:
    query = {"plan_id": plan_id} | ({} if nip is None else {"nip": nip})
    return await db[PLAN_LINES].find(query).sort("nip", ASCENDING).to_list()


async def plan_unfunded(db: AsyncDatabase, *, plan_id: str) -> list[dict[str, Any]]:
    """A version's lines with their unfunded needs only (an agency's lines can be thousands)."""
    return await db[PLAN_LINES].find({"plan_id": plan_id}, {"unfunded": True}).to_list()


async def recommendations_of(db: AsyncDatabase, *, agency_id: str, tahun: int) -> dict[str, dict[str, Any]]:
    found = db[RECOMMENDATIONS].find({"agency_id": agency_id, "tahun": tahun})
    return {d["nip"]: d async for d in found}


async def find_recommendation(db: AsyncDatabase, *, nip: str, tahun: int) -> dict[str, Any] | None:
    return await db[RECOMMENDATIONS].find_one({"_id": outcomes_key(nip, tahun)})


# --- people and lists for HR --------------------------------------------------------------------------------


async def find_employee(db: AsyncDatabase, *, nip: str) -> dict[str, Any] | None:
    return await db[EMPLOYEES].find_one({"_id": nip})


async def coaching_list(db: AsyncDatabase, *, agency_id: str, tahun: int) -> list[dict[str, Any]]:
    query = {"agency_id": agency_id, "tahun": tahun}
    return await db[COACHING].find(query).sort([("period_id", ASCENDING), ("nip", ASCENDING)]).to_list()


async def career_flag_list(db: AsyncDatabase, *, agency_id: str, tahun: int, flag: str) -> list[dict[str, Any]]:
    query = {"agency_id": agency_id, "tahun": tahun, "flag": flag}
    return await db[CAREER_FLAGS].find(query).sort("nip", ASCENDING).to_list()
