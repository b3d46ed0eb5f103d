"""Mutasi: an administrator moves an employee to another agency, audited and published."""

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import Field

from shared.auth import AdminDep
from shared.contracts.common import AgencyId, Contract
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..master_data_intake import Refused, transfer_employee
from ..repository.records import find_agency

router = APIRouter(prefix="/v1/admin/employees", tags=["admin"])


class Transfer(Contract):
    ke_instansi: AgencyId = Field(description="The agency the employee moves to")
    alasan: str = Field(min_length=3, max_length=500, description="Why, for the audit trail (e.g. SK mutasi number)")


@router.post("/{nip}/transfer")
async def transfer(nip: str, body: Transfer, runtime: RuntimeDep, _: AdminDep) -> dict[str, str]:
    """Move an employee to another agency (mutasi). Their supervisor and unit are cleared for the new agency
    to set; reports already accepted stay with the old agency."""
    if await find_agency(runtime.db, agency_id=body.ke_instansi) is None:
        raise ApiError(404, "agency_not_found", f"instansi {body.ke_instansi} tidak ditemukan")
    uow = runtime.unit_of_work()
    result = await transfer_employee(uow, runtime.db, nip, body.ke_instansi, body.alasan, datetime.now(UTC))
    if isinstance(result, Refused):
        raise ApiError(result.status_code, result.reason.code, result.reason.message)
    await uow.commit()
    return {"nip": nip, "agency_id": body.ke_instansi, "status": "transferred"}
