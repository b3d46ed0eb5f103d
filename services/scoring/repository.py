"""Scoring's own collections and the named queries over them.

- scores: the current revision of each report's score (`_id` report_id), holding the report version it was
  computed from (`report`) so a rescore can recompute it; score_revisions: the revisions it superseded;
- annual_scores: one per employee and year (`_id` agency/nip/tahun);
- policies: every published scoring policy version; current_policies: the agency's current one (`_id` agency);
- agencies and periods: what intake announced, so a rescore of an unknown agency or period is a 404;
- organisation_predikat: the organisation's own predikat per year (`_id` agency/tahun), selecting its curve;
- distribution_marks: agency-scopes whose distribution may have changed; distributions: the last evaluation;
- jobs: rescores and annual roll-ups, durable from the moment they are accepted.
"""

from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts.common import Predikat
from shared.contracts.reports import ReportSubmitted
from shared.contracts.scores import AnnualScoreComputed, DistributionEvaluated, ScoreComputed
from shared.messaging.unit_of_work import IN_CHUNK, UnitOfWork

from .domain.distribution import NO_UNIT

SCORES = "scores"
SCORE_REVISIONS = "score_revisions"
ANNUAL_SCORES = "annual_scores"
POLICIES = "policies"
CURRENT_POLICIES = "current_policies"
AGENCIES = "agencies"
PERIODS = "periods"
ORGANISATION_PREDIKAT = "organisation_predikat"
DISTRIBUTION_MARKS = "distribution_marks"
DISTRIBUTIONS = "distributions"
JOBS = "jobs"


async def setup_indexes(db: AsyncDatabase) -> None:
    await db[SCORES].create_index([("agency_id", ASCENDING), ("nip", ASCENDING)])
    await db[SCORES].create_index([("agency_id", ASCENDING), ("period_id", ASCENDING), ("nip", ASCENDING)])
    await db[SCORES].create_index([("agency_id", ASCENDING), ("tahun", ASCENDING), ("nip", ASCENDING)])
    await db[SCORE_REVISIONS].create_index([("report_id", ASCENDING), ("revision", ASCENDING)])
    await db[ANNUAL_SCORES].create_index([("agency_id", ASCENDING), ("tahun", ASCENDING), ("nip", ASCENDING)])
    await db[POLICIES].create_index([("agency_id", ASCENDING), ("number", DESCENDING)])
    await db[PERIODS].create_index([("agency_id", ASCENDING), ("tahun", ASCENDING)])
    await db[DISTRIBUTION_MARKS].create_index("dirty")
    await db[JOBS].create_index([("status", ASCENDING), ("requested_at", ASCENDING)])


# Reads that only show or roll up scores leave the report they were computed from on the server.
WITHOUT_REPORT = {"report": 0}


def scope_key(agency_id: str, scope: str) -> str:
    return f"{agency_id}/{scope}"


def stored_score(document: dict[str, Any]) -> ScoreComputed:
    return ScoreComputed.model_validate({k: v for k, v in document.items() if k not in ("_id", "tahun", "report")})


def score_document(score: ScoreComputed, report: ReportSubmitted) -> dict[str, Any]:
    """The current score with the report it was computed from: one document per report, one write."""
    fields = {"_id": score.report_id, "tahun": score.period.start.year, **score.model_dump(mode="json")}
    return fields | {"report": report.model_dump(mode="json")}


def stored_report(document: dict[str, Any]) -> ReportSubmitted:
    return ReportSubmitted.model_validate(document["report"])


def stored_annual(document: dict[str, Any]) -> AnnualScoreComputed:
    return AnnualScoreComputed.model_validate({k: v for k, v in document.items() if k != "_id"})


# --- Scores -------------------------------------------------------------------------------------------


async def find_score(db: AsyncDatabase, *, report_id: str) -> ScoreComputed | None:
    document = await db[SCORES].find_one({"_id": report_id}, WITHOUT_REPORT)
    return stored_score(document) if document else None


async def employee_scores(db: AsyncDatabase, *, nip: str, agency_id: str | None) -> list[ScoreComputed]:
    """Every current score of the employee, oldest period first (within one agency unless admin)."""
    query: dict[str, Any] = {"nip": nip} | ({"agency_id": agency_id} if agency_id else {})
    documents = (
        await db[SCORES].find(query, WITHOUT_REPORT).sort([("period.start", ASCENDING), ("_id", ASCENDING)]).to_list()
    )
    return [stored_score(d) for d in documents]


async def employee_annual_scores(db: AsyncDatabase, *, nip: str, agency_id: str | None) -> list[AnnualScoreComputed]:
    query: dict[str, Any] = {"nip": nip} | ({"agency_id": agency_id} if agency_id else {})
    documents = await db[ANNUAL_SCORES].find(query).sort("tahun", ASCENDING).to_list()
    return [stored_annual(d) for d in documents]


async def superseded_scores(db: AsyncDatabase, *, report_id: str) -> list[ScoreComputed]:
    """The revisions a report's current score replaced, the first one first."""
    documents = await db[SCORE_REVISIONS].find({"report_id": report_id}).sort("revision", ASCENDING).to_list()
    return [stored_score(d) for d in documents]


async def score_page(
    db: AsyncDatabase,
    *,
    agency_id: str,
    period_id: str,
    after: str | None,
    limit: int,
    unit_kerja: str | None,
    predikat: str | None,
) -> list[ScoreComputed]:
    """One page of an agency-period's current scores in report id order, after the report id `after`."""
    query: dict[str, Any] = {"agency_id": agency_id, "period_id": period_id}
    if after is not None:
        query["_id"] = {"$gt": after}
    if unit_kerja is not None:
        query["unit_kerja"] = unit_kerja
    if predikat is not None:
        query["predikat"] = predikat
    documents = await db[SCORES].find(query, WITHOUT_REPORT).sort("_id", ASCENDING).limit(limit).to_list()
    return [stored_score(d) for d in documents]


async def year_scores_after(
    db: AsyncDatabase, *, agency_id: str, tahun: int, after_nip: str | None, limit: int
) -> list[ScoreComputed]:
    """Current scores of an agency-year in NIP order, starting after `after_nip`: a page of whole employees
    is what the caller keeps (it drops the last NIP of a full page, which may continue)."""
    query: dict[str, Any] = {"agency_id": agency_id, "tahun": tahun}
    if after_nip is not None:
        query["nip"] = {"$gt": after_nip}
    documents = (
        await db[SCORES]
        .find(query, WITHOUT_REPORT)
        .sort([("nip", ASCENDING), ("_id", ASCENDING)])
        .limit(limit)
        .to_list()
    )
    return [stored_score(d) for d in documents]


async def scope_report_ids(db: AsyncDatabase, *, agency_id: str, scope: dict[str, Any]) -> list[str]:
    """The report ids of an agency-period's (or year's) scores, sorted: one projected query per rescore, so each
    batch after it is one `$in` read, never a new scan of the scope (on the embedded server, paging by a query
    per batch rescored 17-32 scores/s of 60,000)."""
    documents = await db[SCORES].find({"agency_id": agency_id, **scope}, {"_id": 1}).to_list()
    return sorted(d["_id"] for d in documents)


async def scores_by_id(db: AsyncDatabase, *, report_ids: list[str]) -> list[dict[str, Any]]:
    """The scores, with their reports, in the order asked."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(report_ids), IN_CHUNK):  # short `$in` lists: faster per id on some servers
        chunk = report_ids[start : start + IN_CHUNK]
        found |= {d["_id"]: d async for d in db[SCORES].find({"_id": {"$in": chunk}})}
    return [found[i] for i in report_ids if i in found]


# --- Policies, agencies, periods ----------------------------------------------------------------------


async def find_policy(db: AsyncDatabase, *, version: str) -> dict[str, Any] | None:
    return await db[POLICIES].find_one({"_id": version})


async def latest_policy_number(db: AsyncDatabase, *, agency_id: str) -> int:
    latest = await db[POLICIES].find_one({"agency_id": agency_id}, sort=[("number", DESCENDING)])
    return latest["number"] if latest else 0


async def current_policy_document(db: AsyncDatabase, *, agency_id: str) -> dict[str, Any] | None:
    return await db[CURRENT_POLICIES].find_one({"_id": agency_id})


async def agency_known(db: AsyncDatabase, *, agency_id: str) -> bool:
    return await db[AGENCIES].find_one({"_id": agency_id}, {"_id": 1}) is not None


async def period_known(db: AsyncDatabase, *, agency_id: str, period_id: str) -> bool:
    """Declared by intake, or at least scored once (reports of agencies that declared no periods)."""
    if await db[PERIODS].find_one({"_id": scope_key(agency_id, period_id)}, {"_id": 1}):
        return True
    return await db[SCORES].find_one({"agency_id": agency_id, "period_id": period_id}, {"_id": 1}) is not None


async def year_known(db: AsyncDatabase, *, agency_id: str, tahun: int) -> bool:
    if await db[PERIODS].find_one({"agency_id": agency_id, "tahun": tahun}, {"_id": 1}):
        return True
    return await db[SCORES].find_one({"agency_id": agency_id, "tahun": tahun}, {"_id": 1}) is not None


async def declared_periods(db: AsyncDatabase, *, agency_id: str, tahun: int) -> list[str]:
    """The periodic (not annual) period ids intake declared for the agency's year."""
    documents = await db[PERIODS].find({"agency_id": agency_id, "tahun": tahun, "type": {"$ne": "tahunan"}}).to_list()
    return sorted(d["period_id"] for d in documents)


async def organisation_predikat_of(db: AsyncDatabase, *, agency_id: str, tahun: int) -> str | None:
    document = await db[ORGANISATION_PREDIKAT].find_one({"_id": scope_key(agency_id, str(tahun))})
    return document["predikat"] if document else None


# --- Distributions ------------------------------------------------------------------------------------


Member = tuple[str | None, str]  # (unit kerja, predikat) of one score counted in a scope


def count_in_scope(
    uow: UnitOfWork, agency_id: str, scope: str, tahun: int, *, add: Member | None = None, remove: Member | None = None
) -> None:
    """Count a score in (or out of) its scope's predikat tally and mark the scope for evaluation.

    Counts move by `$inc` (one merged write per scope and batch), so evaluating a scope never reads its
    5,000 scores: the evaluator reads one document.
    """
    inc = {"changes": 1}
    for member, step in ((add, 1), (remove, -1)):
        if member is not None:
            unit, predikat = member
            inc[f"units.{_field(unit or NO_UNIT)}.{predikat}"] = (
                inc.get(f"units.{_field(unit or NO_UNIT)}.{predikat}", 0) + step
            )
    fields = {"dirty": True, "agency_id": agency_id, "scope": scope, "tahun": tahun}
    uow.update(DISTRIBUTION_MARKS, scope_key(agency_id, scope), set_=fields, inc=inc, upsert=True)


def members_of(mark: dict[str, Any]) -> list[tuple[str | None, Predikat]]:
    """The (unit, predikat) pairs a scope's tally stands for, one per score counted."""
    return [
        (_unit(field), Predikat(predikat))
        for field, counts in mark.get("units", {}).items()
        for predikat, count in counts.items()
        for _ in range(max(count, 0))
    ]


def _field(unit: str) -> str:
    # A unit id becomes a field name: "." and "$" would read as a path or an operator.
    return unit.replace("%", "%25").replace(".", "%2E").replace("$", "%24")


def _unit(field: str) -> str | None:
    unit = field.replace("%24", "$").replace("%2E", ".").replace("%25", "%")
    return None if unit == NO_UNIT else unit


async def dirty_marks(db: AsyncDatabase, *, limit: int) -> list[dict[str, Any]]:
    return await db[DISTRIBUTION_MARKS].find({"dirty": True}).limit(limit).to_list()


async def mark_evaluated(db: AsyncDatabase, *, key: str, changes: int) -> None:
    """Clean, unless the scope changed again since it was read (then it stays dirty for the next round)."""
    await db[DISTRIBUTION_MARKS].update_one({"_id": key, "changes": changes}, {"$set": {"dirty": False}})


async def mark_agency_dirty(db: AsyncDatabase, *, agency_id: str, tahun: int | None = None) -> None:
    """Every scope of the agency (of one year) is evaluated again: its curve or policy changed."""
    query: dict[str, Any] = {"agency_id": agency_id} | ({"tahun": tahun} if tahun is not None else {})
    await db[DISTRIBUTION_MARKS].update_many(query, {"$set": {"dirty": True}, "$inc": {"changes": 1}})


async def find_distribution(db: AsyncDatabase, *, agency_id: str, scope: str) -> DistributionEvaluated | None:
    document = await db[DISTRIBUTIONS].find_one({"_id": scope_key(agency_id, scope)})
    return DistributionEvaluated.model_validate(document["evaluation"]) if document else None


async def agency_distributions(db: AsyncDatabase, *, agency_id: str) -> list[DistributionEvaluated]:
    documents = await db[DISTRIBUTIONS].find({"evaluation.agency_id": agency_id}).sort("_id", ASCENDING).to_list()
    return [DistributionEvaluated.model_validate(d["evaluation"]) for d in documents]


# --- Jobs ---------------------------------------------------------------------------------------------


async def claim_job(db: AsyncDatabase, *, owner: str, now: Any, lease_until: Any) -> dict[str, Any] | None:
    """The oldest job waiting, or one whose runner's lease ran out (it died): now this runner's."""
    return await db[JOBS].find_one_and_update(
        {"$or": [{"status": "pending"}, {"status": "running", "lease_until": {"$lt": now}}]},
        {"$set": {"status": "running", "owner": owner, "lease_until": lease_until}},
        sort=[("requested_at", ASCENDING)],
        return_document=ReturnDocument.AFTER,
    )


async def find_job(db: AsyncDatabase, *, job_id: str) -> dict[str, Any] | None:
    return await db[JOBS].find_one({"_id": job_id})


async def finish_job(db: AsyncDatabase, *, job_id: str, owner: str, fields: dict[str, Any]) -> None:
    await db[JOBS].update_one({"_id": job_id, "owner": owner}, {"$set": fields})
