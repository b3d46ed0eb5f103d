"""An agency's own master data over HTTP: unit kerja, employees (one or many at once) and SKP plans."""

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError

from shared.http_errors import ApiError
from shared.service import RuntimeDep
from shared.validation_messages import describe

from ..contracts_in import EmployeeBatch, EmployeeRegistration, SkpSubmission, UnitKerjaRegistration
from ..master_data_intake import Done, Refused, publish_skp, register_employees, register_units
from ..repository.records import find_employee, find_plan, list_units
from ..security import AgencyDep

router = APIRouter(prefix="/v1", tags=["master data"])


def _answer(result: Done | Refused) -> dict[str, Any]:
    if isinstance(result, Refused):
        reason = result.reason
        raise ApiError(result.status_code, reason.code, reason.message, [reason.model_dump()])
    answer: dict[str, Any] = {"status": result.status}
    if result.version is not None:
        answer["version"] = result.version
    return answer


@router.put("/unit-kerja/{unit_id}")
async def put_unit(unit_id: str, body: UnitKerjaRegistration, agency: AgencyDep, runtime: RuntimeDep) -> dict:
    """Register or rename a unit kerja (bidang, seksi, puskesmas, sekolah); `induk` is its parent unit."""
    if unit_id != body.unit_id:
        raise ApiError(422, "unit_id_mismatch", "unit_id pada alamat dan pada isi permintaan berbeda")
    uow = runtime.unit_of_work()
    [result] = await register_units(uow, runtime.db, agency.agency_id, [body])
    await uow.commit()
    return {"unit_id": unit_id, **_answer(result)}


@router.get("/unit-kerja")
async def get_units(agency: AgencyDep, runtime: RuntimeDep) -> list[dict[str, Any]]:
    """The agency's unit kerja."""
    return await list_units(runtime.db, agency_id=agency.agency_id)


@router.put("/employees/{nip}")
async def put_employee(nip: str, body: EmployeeRegistration, agency: AgencyDep, runtime: RuntimeDep) -> dict:
    """Register or update an employee. A change publishes `kinerja.employee.registered.v1` again."""
    if nip != body.nip:
        raise ApiError(422, "nip_mismatch", "NIP pada alamat dan pada isi permintaan berbeda")
    uow = runtime.unit_of_work()
    [result] = await register_employees(uow, runtime.db, agency.agency_id, [body])
    await uow.commit()
    return {"nip": nip, **_answer(result)}


@router.post("/employees/batch")
async def post_employees(body: EmployeeBatch, agency: AgencyDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Up to 1,000 employees in one request, in any order: supervisors may follow their staff."""
    valid, results = [], {}
    for index, raw in enumerate(body.employees):
        try:
            valid.append((index, EmployeeRegistration.model_validate(raw)))
        except ValidationError as exc:
            results[index] = {"status": "invalid", "reasons": [describe(e) for e in exc.errors()]}
    uow = runtime.unit_of_work()
    decided = await register_employees(uow, runtime.db, agency.agency_id, [item for _, item in valid])
    await uow.commit()
    for (index, _), result in zip(valid, decided, strict=True):
        if isinstance(result, Refused):
            results[index] = {"nip": result.key, "status": "rejected", "reasons": [result.reason.model_dump()]}
        else:
            results[index] = {"nip": result.key, "status": result.status}
    ordered = [{"index": i, **results[i]} for i in sorted(results)]
    return {"summary": dict(Counter(r["status"] for r in ordered)), "results": ordered}


@router.get("/employees/{nip}")
async def get_employee(nip: str, agency: AgencyDep, runtime: RuntimeDep) -> dict[str, Any]:
    employee = await find_employee(runtime.db, nip=nip)
    if employee is None or employee.agency_id != agency.agency_id:
        raise ApiError(404, "employee_not_found", f"pegawai dengan NIP {nip} tidak ditemukan di instansi ini")
    return employee.model_dump(mode="json")


@router.put("/skp/{skp_id}")
async def put_skp(skp_id: str, body: SkpSubmission, agency: AgencyDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Publish an employee's SKP plan for a year. Changed rows make a new version, in force from
    `berlaku_mulai`; the same rows again change nothing."""
    if skp_id != body.skp_id:
        raise ApiError(422, "skp_id_mismatch", "skp_id pada alamat dan pada isi permintaan berbeda")
    uow = runtime.unit_of_work()
    result = await publish_skp(uow, agency.agency_id, body, datetime.now(UTC))
    await uow.commit()
    return {"skp_id": skp_id, **_answer(result)}


@router.get("/skp/{skp_id}")
async def get_skp(skp_id: str, agency: AgencyDep, runtime: RuntimeDep) -> dict[str, Any]:
    """An SKP plan with every version."""
    plan = await find_plan(runtime.db, skp_id=skp_id, agency_id=agency.agency_id)
    if plan is None:
        raise ApiError(404, "skp_not_found", f"SKP {skp_id} tidak ditemukan")
    return plan.model_dump(mode="json")
