"""How scoring's decisions are written: the same few writes from the consumer, the jobs and the routes."""

from datetime import UTC, datetime
from typing import Any

from shared.contracts.scores import AnnualScoreComputed, ScoreComputed
from shared.messaging.unit_of_work import UnitOfWork

from .repository import ANNUAL_SCORES, SCORE_REVISIONS, SCORES, mark_scope_changed, scope_key, score_document

RESCORE = "rescore"
ANNUAL_ROLLUP = "annual_rollup"


def store_score(uow: UnitOfWork, score: ScoreComputed, previous: ScoreComputed | None) -> None:
    """The score as current, in the revision history, and its period's distribution marked as changed."""
    document = score_document(score)
    uow.put(SCORES, document)
    uow.insert(SCORE_REVISIONS, {**document, "_id": f"{score.report_id}#{score.revision}"})
    if previous is None or previous.predikat != score.predikat or previous.unit_kerja != score.unit_kerja:
        mark_scope_changed(
            uow, score.agency_id, score.period_id or str(score.period.start.year), score.period.start.year
        )


def annual_key(agency_id: str, nip: str, tahun: int) -> str:
    return scope_key(agency_id, f"{nip}/{tahun}")


def store_annual(uow: UnitOfWork, annual: AnnualScoreComputed) -> None:
    uow.put(
        ANNUAL_SCORES, {"_id": annual_key(annual.agency_id, annual.nip, annual.tahun), **annual.model_dump(mode="json")}
    )


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
