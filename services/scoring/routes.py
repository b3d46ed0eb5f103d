"""Reading scores back: for administrators today (agencies read them through the events they subscribe to)."""

from fastapi import APIRouter

from shared.auth import AdminDep
from shared.contracts.scores import ScoreComputed
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from .repository import find_score

router = APIRouter(prefix="/v1/scores", tags=["scores"])


@router.get("/{agency_id}/{report_id}")
async def get_score(agency_id: str, report_id: str, runtime: RuntimeDep, _: AdminDep) -> ScoreComputed:
    """The score of a report, by its reference `<agency_id>/<report_id>` (as intake answered it)."""
    score = await find_score(runtime.db, reference=f"{agency_id}/{report_id}")
    if score is None:
        raise ApiError(404, "score_not_found", f"nilai untuk laporan {agency_id}/{report_id} belum ada")
    return score
