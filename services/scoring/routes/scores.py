"""Reading scores: one report's (with its explanation), an agency-period's in pages, an employee's history.

An agency's key sees its own agency only; the administrator's token sees all.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from shared.agency_keys import Caller, CallerDep
from shared.contracts.common import Predikat
from shared.contracts.nip import Nip
from shared.contracts.scores import AnnualScoreComputed, ScoreComputed
from shared.http_errors import ApiError
from shared.pagination import agency_cursor, next_cursor
from shared.service import RuntimeDep

from ..domain import explain_in_bahasa
from ..repository import employee_annual_scores, employee_scores, find_score, score_page, superseded_scores

router = APIRouter(tags=["scores"])

PeriodIdQuery = Annotated[
    str, Query(pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]|q[1-4]|s[12]))?$", description="2026-10, 2026-q4, 2026-s2 or 2026")
]


async def _visible_score(runtime: Any, caller: Caller, reference: str) -> ScoreComputed:
    score = await find_score(runtime.db, report_id=reference)
    # Another agency's report answers like a missing one: its existence is not this caller's to learn.
    if score is None or not caller.may_see(score.agency_id):
        raise ApiError(404, "score_not_found", f"nilai untuk laporan {reference} belum ada")
    return score


@router.get("/v1/scores/{reference:path}/explanation")
async def explain_score(reference: str, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    """Why the score is what it is: the breakdown as data, and as lines in Bahasa Indonesia to check by hand."""
    score = await _visible_score(runtime, caller, reference)
    return {
        "reference": reference,
        "revision": score.revision,
        "policy_version": score.policy_version,
        "predikat": score.predikat,
        "indicators": [row.model_dump(mode="json") for row in score.indicators],
        "hasil_kerja": score.hasil_kerja_basis.model_dump(mode="json") if score.hasil_kerja_basis else None,
        "perilaku": score.perilaku_basis.model_dump(mode="json") if score.perilaku_basis else None,
        "matrix_cell": {
            "rating_hasil_kerja": score.rating_hasil_kerja,
            "rating_perilaku": score.rating_perilaku,
            "predikat": score.predikat,
        },
        "text": explain_in_bahasa(score),
    }


@router.get("/v1/scores/{reference:path}/revisions")
async def list_revisions(reference: str, runtime: RuntimeDep, caller: CallerDep) -> list[ScoreComputed]:
    """Every revision of the report's score, the first one first."""
    current = await _visible_score(runtime, caller, reference)
    return [*await superseded_scores(runtime.db, report_id=reference), current]


@router.get("/v1/scores/{reference:path}")
async def get_score(reference: str, runtime: RuntimeDep, caller: CallerDep) -> ScoreComputed:
    """The current score of a report, by its reference `<agency_id>/<report_id>` (as intake answered it)."""
    return await _visible_score(runtime, caller, reference)


@router.get("/v1/agencies/{agency_id}/scores")
async def list_scores(
    agency_id: str,
    runtime: RuntimeDep,
    caller: CallerDep,
    period_id: PeriodIdQuery,
    unit_kerja: Annotated[str | None, Query(max_length=64)] = None,
    predikat: Annotated[Predikat | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=400, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """An agency-period's current scores, filtered, in pages: follow `next_cursor` until it is null."""
    caller.require_agency(agency_id)
    page = await score_page(
        runtime.db,
        agency_id=agency_id,
        period_id=period_id,
        after=agency_cursor(cursor, agency_id),
        limit=limit,
        unit_kerja=unit_kerja,
        predikat=predikat.value if predikat else None,
    )
    last = page[-1].report_id if len(page) == limit else None
    return {"items": [s.model_dump(mode="json") for s in page], "next_cursor": next_cursor(last)}


@router.get("/v1/employees/{nip}/scores")
async def employee_history(nip: Nip, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    """The employee's scores, period by period (current revision each), and annual scores, in the caller's agency
    (every agency for the administrator: an employee who moved keeps a history in each)."""
    agency_id = None if caller.is_admin else caller.agency_id
    periodic: list[ScoreComputed] = await employee_scores(runtime.db, nip=nip, agency_id=agency_id)
    annual: list[AnnualScoreComputed] = await employee_annual_scores(runtime.db, nip=nip, agency_id=agency_id)
    return {
        "nip": nip,
        "scores": [s.model_dump(mode="json") for s in periodic],
        "annual": [a.model_dump(mode="json") for a in annual],
    }
