"""An agency's predikat distribution against its curve, per period or year, and per unit kerja."""

from typing import Annotated

from fastapi import APIRouter, Path

from shared.agency_keys import CallerDep
from shared.contracts.scores import DistributionEvaluated
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..repository import agency_distributions, find_distribution

router = APIRouter(tags=["distributions"])

ScopePath = Annotated[
    str, Path(pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]|q[1-4]|s[12]))?$", description="A period id, or a year (annual)")
]


@router.get("/v1/agencies/{agency_id}/distributions")
async def list_distributions(agency_id: str, runtime: RuntimeDep, caller: CallerDep) -> list[DistributionEvaluated]:
    """Every period and year evaluated for the agency, with its curve checks."""
    caller.require_agency(agency_id)
    return await agency_distributions(runtime.db, agency_id=agency_id)


@router.get("/v1/agencies/{agency_id}/distributions/{scope}")
async def get_distribution(
    agency_id: str, scope: ScopePath, runtime: RuntimeDep, caller: CallerDep
) -> DistributionEvaluated:
    """The distribution of predikat for a period (2026-10) or a year (2026, the annual predikat), against the curve
    of the organisation's own predikat: a flag for HR to calibrate, never a change to anyone's score."""
    caller.require_agency(agency_id)
    evaluation = await find_distribution(runtime.db, agency_id=agency_id, scope=scope)
    if evaluation is None:
        raise ApiError(404, "distribution_not_found", f"distribusi {agency_id} untuk {scope} belum ada")
    return evaluation
