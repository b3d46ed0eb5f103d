"""How scoring's decisions are written: the same few writes from the consumer, the jobs and the routes."""

from datetime import UTC, datetime
from typing import Any

from shared.contracts.reports import ReportSubmitted
from shared.contracts.scores import AnnualScoreComputed, ScoreComputed
from shared.messaging.unit_of_work import UnitOfWork

from .repository import (
    ANNUAL_SCORES,
    SCORE_REVISIONS,
    SCORES,
    count_in_scope,
    scope_key,
    score_document,
    stored_score,
)

RESCORE = "rescore"
ANNUAL_ROLLUP = "annual_rollup"


def store_score(
    uow: UnitOfWork, score: ScoreComputed, report: ReportSubmitted, previous: dict[str, Any] | None
) -> None:
    """The score as current (with its report), the one it replaces kept in the revision history, and counted
    in its period's distribution. `previous` is the stored document of the current score, if any."""
    uow.put(SCORES, score_document(score, report))
    if previous is not None:
        uow.put(SCORE_REVISIONS, {**previous, "_id": f"{score.report_id}#{previous['revision']}"})
        _recount(uow, score, stored_score(previous))
    else:
        _count(uow, score, add=(score.unit_kerja, score.predikat.value))


def _recount(uow: UnitOfWork, score: ScoreComputed, previous: ScoreComputed) -> None:
    member = (score.unit_kerja, score.predikat.value)
    before = (previous.unit_kerja, previous.predikat.value)
    if before == member and previous.period_id == score.period_id:
        return
    if previous.period_id == score.period_id:
        _count(uow, score, add=member, remove=before)
    else:
        _count(uow, previous, remove=before)
        _count(uow, score, add=member)


def _count(uow: UnitOfWork, score: ScoreComputed, **change: Any) -> None:
    tahun = score.period.start.year
    count_in_scope(uow, score.agency_id, score.period_id or str(tahun), tahun, **change)


def annual_key(agency_id: str, nip: str, tahun: int) -> str:
    return scope_key(agency_id, f"{nip}/{tahun}")


def store_annual(uow: UnitOfWork, annual: AnnualScoreComputed, previous: AnnualScoreComputed | None) -> None:
    """The employee's annual score, counted in the year's distribution."""
    key = annual_key(annual.agency_id, annual.nip, annual.tahun)
    uow.put(ANNUAL_SCORES, {"_id": key, **annual.model_dump(mode="json")})
    member = (annual.unit_kerja, annual.predikat.value)
    before = None if previous is None else (previous.unit_kerja, previous.predikat.value)
    if before != member:
        count_in_scope(uow, annual.agency_id, str(annual.tahun), annual.tahun, add=member, remove=before)


def new_job(
    kind: str,
    agency_id: str,
    *,
    requested_by: str,
    correlation_id: str,
    period_id: str | None = None,
    tahun: int | None = None,
) -> dict[str, Any]:
    """A rescore of an agency-period (or year), or an annual roll-up: accepted, waiting for the job runner."""
    return {
        "kind": kind,
        "agency_id": agency_id,
        "period_id": period_id,
        "tahun": tahun,
        "status": "pending",
        "requested_at": datetime.now(UTC),
        "requested_by": requested_by,
        "correlation_id": correlation_id,
        "cursor": None,
        "checked": 0,
        "revised": 0,
        "unchanged": 0,
        "without_scores": 0,
    }
