"""An agency's own master data: its employees and their SKP plans."""

from fastapi import APIRouter, status

from shared.contracts import EMPLOYEE_REGISTERED, SKP_PUBLISHED
from shared.contracts.master_data import EmployeeRegistered, SkpPublished
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..contracts_in import EmployeeRegistration, SkpSubmission
from ..repository import EMPLOYEES, SKP_PLANS
from ..security import AgencyDep

router = APIRouter(prefix="/v1", tags=["master data"])


@router.put("/employees/{nip}", status_code=status.HTTP_200_OK)
async def register_employee(
    nip: str, body: EmployeeRegistration, agency: AgencyDep, runtime: RuntimeDep
) -> dict[str, str]:
    """Register or update an employee of the calling agency."""
    if nip != body.nip:
        raise ApiError(422, "nip_mismatch", "NIP pada alamat dan pada isi permintaan berbeda")
    existing = await runtime.db[EMPLOYEES].find_one({"_id": body.nip}, {"agency_id": 1})
    if existing and existing["agency_id"] != agency["_id"]:
        raise ApiError(409, "employee_in_other_agency", "pegawai ini terdaftar di instansi lain")
    if body.atasan_nip is not None:
        # Scores are sent to the supervisor: never to someone of another agency.
        atasan = await runtime.db[EMPLOYEES].find_one({"_id": body.atasan_nip, "agency_id": agency["_id"]}, {"_id": 1})
        if atasan is None or body.atasan_nip == body.nip:
            raise ApiError(
                422, "unknown_atasan", f"atasan dengan NIP {body.atasan_nip} harus terdaftar lebih dulu di instansi ini"
            )
    data = EmployeeRegistered(agency_id=agency["_id"], **body.model_dump())
    uow = runtime.unit_of_work()
    uow.put(EMPLOYEES, {"_id": body.nip, **data.model_dump(mode="json")}, match={"agency_id": agency["_id"]})
    uow.emit(EMPLOYEE_REGISTERED, data, subject=body.nip)
    await uow.commit()
    return {"nip": body.nip, "status": "registered"}


@router.put("/skp/{skp_id}", status_code=status.HTTP_200_OK)
async def publish_skp(skp_id: str, body: SkpSubmission, agency: AgencyDep, runtime: RuntimeDep) -> dict[str, str]:
    """Publish (or replace) an employee's SKP plan for a year."""
    if skp_id != body.skp_id:
        raise ApiError(422, "skp_id_mismatch", "skp_id pada alamat dan pada isi permintaan berbeda")
    employee = await runtime.db[EMPLOYEES].find_one({"_id": body.nip})
    if employee is None or employee["agency_id"] != agency["_id"]:
        raise ApiError(422, "unknown_employee", f"pegawai dengan NIP {body.nip} belum terdaftar di instansi ini")
    existing = await runtime.db[SKP_PLANS].find_one({"_id": skp_id}, {"agency_id": 1})
    if existing and existing["agency_id"] != agency["_id"]:
        raise ApiError(409, "skp_in_other_agency", "SKP dengan id ini milik instansi lain")
    if len({row.row_id for row in body.rows}) != len(body.rows):
        raise ApiError(422, "duplicate_row", "row_id dalam SKP harus unik")
    data = SkpPublished(agency_id=agency["_id"], **body.model_dump())
    uow = runtime.unit_of_work()
    uow.put(SKP_PLANS, {"_id": skp_id, **data.model_dump(mode="json")}, match={"agency_id": agency["_id"]})
    uow.emit(SKP_PUBLISHED, data, subject=body.nip)
    await uow.commit()
    return {"skp_id": skp_id, "status": "published"}
