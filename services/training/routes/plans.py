"""The agency's development plan for a year, its versions, its approval and the year's budget.

An agency's key sees and acts for its own agency; the administrator's token for any (with `agency_id`).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import Field

from shared.agency_keys import CallerDep
from shared.contracts.common import AgencyId, Contract, StrictInt64
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..approvals import approve_plan, budget_view, set_budget
from ..repository import agency_known, find_budget, find_head, find_plan, plan_lines, plan_versions

router = APIRouter(tags=["training plans"])

YearPath = Annotated[int, Path(ge=2000, le=2100, description="The budget year")]
AgencyQuery = Annotated[AgencyId, Query(description="The agency")]


class Approval(Contract):
    agency_id: AgencyId
    version: StrictInt64 = Field(ge=1, description="The version HR reviewed; only the latest can be approved")


class BudgetIn(Contract):
    agency_id: AgencyId
    anggaran: StrictInt64 = Field(ge=0, le=10**15, description="The year's training budget in rupiah")


@router.get("/v1/training/plans/{tahun}")
async def get_plan(
    tahun: YearPath,
    agency_id: AgencyQuery,
    runtime: RuntimeDep,
    caller: CallerDep,
    version: Annotated[int | None, Query(ge=1, description="Default: the latest")] = None,
    nip: Annotated[str | None, Query(max_length=18, description="Only this employee's lines")] = None,
) -> dict[str, Any]:
    """The plan: totals, budget used / committed / left, unfunded needs by reason, and a line per employee
    (courses, gaps, what is not funded and why). Lines are kept for the latest and the approved version."""
    caller.require_agency(agency_id)
    head = await find_head(runtime.db, agency_id=agency_id, tahun=tahun)
    budget = await find_budget(runtime.db, agency_id=agency_id, tahun=tahun)
    if head is None or not head.get("latest_version"):
        waiting = "menunggu anggaran tahun ini" if budget is None else "belum ada nilai atau pegawai untuk direncanakan"
        raise ApiError(404, "rencana_belum_ada", f"rencana pelatihan {agency_id} tahun {tahun} belum ada: {waiting}")
    wanted = version or head["latest_version"]
    plan = await find_plan(runtime.db, agency_id=agency_id, tahun=tahun, version=wanted)
    if plan is None:
        raise ApiError(
            404, "rencana_tidak_ada", f"rencana pelatihan {agency_id} tahun {tahun} versi {wanted} tidak ada"
        )
    lines = await plan_lines(runtime.db, plan_id=plan["_id"], nip=nip)
    return {
        **_public(plan),
        "latest_version": head["latest_version"],
        "approved_version": head.get("approved_version"),
        "replanning": bool(head.get("dirty")),
        "budget": budget_view(budget),
        "lines": [_public(line) for line in lines],
        "lines_kept": bool(lines) or plan["allocations"] == 0,
    }


@router.get("/v1/training/plans/{tahun}/versions")
async def list_plan_versions(
    tahun: YearPath, agency_id: AgencyQuery, runtime: RuntimeDep, caller: CallerDep
) -> list[dict[str, Any]]:
    """Every version of the year's plan, newest first, with why it was made and what it changed."""
    caller.require_agency(agency_id)
    return [_public(v) for v in await plan_versions(runtime.db, agency_id=agency_id, tahun=tahun)]


@router.post("/v1/training/plans/{tahun}/approval")
async def approve(tahun: YearPath, approval: Approval, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    """HR approves the latest version: it commits its budget, and each employee whose courses changed gets a
    revised `kinerja.training.recommended.v1` (the others hear nothing new)."""
    caller.require_agency(approval.agency_id)
    plan = await approve_plan(runtime, agency_id=approval.agency_id, tahun=tahun, version=approval.version)
    return _public(plan)


@router.put("/v1/training/budgets/{tahun}")
async def put_budget(tahun: YearPath, budget: BudgetIn, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    """Set the year's training budget; the plan is re-optimised. Below what the approved plan committed: 422."""
    caller.require_agency(budget.agency_id)
    if not await agency_known(runtime.db, agency_id=budget.agency_id):
        raise ApiError(404, "instansi_tidak_dikenal", f"instansi {budget.agency_id} belum terdaftar")
    return await set_budget(runtime, agency_id=budget.agency_id, tahun=tahun, anggaran=budget.anggaran)


@router.get("/v1/training/budgets/{tahun}")
async def get_budget(tahun: YearPath, agency_id: AgencyQuery, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    caller.require_agency(agency_id)
    return budget_view(await find_budget(runtime.db, agency_id=agency_id, tahun=tahun))


def _public(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "_id"} | {"id": document["_id"]}
