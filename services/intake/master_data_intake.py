"""Master data an agency manages: load once per batch, decide (domain.master_data), store, emit."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts import EMPLOYEE_REGISTERED, SKP_PUBLISHED, UNIT_KERJA_REGISTERED
from shared.contracts.master_data import EmployeeRegistered, SkpPublished, UnitKerjaRegistered
from shared.contracts.reports import RejectionReason
from shared.messaging.unit_of_work import UnitOfWork

from .contracts_in import EmployeeRegistration, SkpSubmission, UnitKerjaRegistration
from .domain.master_data import Refusal, Registration, decide_employees, decide_skp, decide_unit
from .domain.models import Employee
from .repository.records import (
    AUDIT,
    EMPLOYEES,
    SKP_PLANS,
    UNITS,
    employee_from,
    list_units,
    plan_from,
    staff_of,
    unit_parents,
)


@dataclass(frozen=True)
class Done:
    key: str
    status: str  # registered, unchanged, published
    version: int | None = None


@dataclass(frozen=True)
class Refused:
    key: str
    status_code: int
    reason: RejectionReason


async def register_employees(
    uow: UnitOfWork, db: AsyncDatabase, agency_id: str, items: list[EmployeeRegistration]
) -> list[Done | Refused]:
    nips = {i.nip for i in items} | {i.atasan_nip for i in items if i.atasan_nip}
    existing = {nip: Employee.model_validate(d) for nip, d in (await uow.get_many(EMPLOYEES, nips)).items()}
    units = set(await unit_parents(db, agency_id=agency_id))
    results: list[Done | Refused] = []
    for item, decision in zip(items, decide_employees(items, agency_id, existing, units), strict=True):
        if isinstance(decision, Refusal):
            results.append(Refused(item.nip, decision.status, decision.reason))
            continue
        results.append(Done(item.nip, "registered" if decision.changed else "unchanged"))
        if decision.changed:
            _store_employee(uow, decision)
    return results


def _store_employee(uow: UnitOfWork, decision: Registration) -> None:
    employee = decision.employee
    document = {"_id": employee.nip, **employee.model_dump(mode="json")}
    uow.put(EMPLOYEES, document, match={"agency_id": employee.agency_id})
    uow.emit(EMPLOYEE_REGISTERED, EmployeeRegistered(**employee.model_dump()), subject=employee.nip)


async def register_units(
    uow: UnitOfWork, db: AsyncDatabase, agency_id: str, items: list[UnitKerjaRegistration]
) -> list[Done | Refused]:
    """Units in any order: a parent listed after its child is registered first; the same unit again changes nothing."""
    existing = {u["unit_id"]: u for u in await list_units(db, agency_id=agency_id)}
    parents = {unit_id: u.get("induk") for unit_id, u in existing.items()}
    results: dict[int, Done | Refused] = {}
    pending = dict(enumerate(items))
    while pending:
        ready = {i: u for i, u in pending.items() if u.induk is None or u.induk in parents}
        for i, item in (ready or pending).items():  # nothing ready: what is left refers to unknown parents
            refusal = decide_unit(item, agency_id, parents)
            known = existing.get(item.unit_id)
            if refusal is not None:
                results[i] = Refused(item.unit_id, refusal.status, refusal.reason)
            elif known is not None and (known["nama"], known.get("induk")) == (item.nama, item.induk):
                results[i] = Done(item.unit_id, "unchanged")
            else:
                _store_unit(uow, agency_id, item)
                parents[item.unit_id] = item.induk
                results[i] = Done(item.unit_id, "registered")
            del pending[i]
    return [results[i] for i in range(len(items))]


def _store_unit(uow: UnitOfWork, agency_id: str, item: UnitKerjaRegistration) -> None:
    data = UnitKerjaRegistered(agency_id=agency_id, **item.model_dump())
    uow.put(UNITS, {"_id": f"{agency_id}/{item.unit_id}", **data.model_dump(mode="json")})
    uow.emit(UNIT_KERJA_REGISTERED, data, subject=agency_id)


async def publish_skp(uow: UnitOfWork, agency_id: str, item: SkpSubmission, now: datetime) -> Done | Refused:
    employee = employee_from(await uow.get(EMPLOYEES, item.nip))
    current = plan_from(await uow.get(SKP_PLANS, item.skp_id))
    decision = decide_skp(item, agency_id, employee, current, now)
    if isinstance(decision, Refusal):
        return Refused(item.skp_id, decision.status, decision.reason)
    if decision.new_version is None:
        return Done(item.skp_id, "unchanged", decision.plan.current.version)
    plan, version = decision.plan, decision.new_version
    uow.put(SKP_PLANS, {"_id": plan.skp_id, **plan.model_dump(mode="json")}, match={"agency_id": agency_id})
    published = SkpPublished(
        skp_id=plan.skp_id,
        agency_id=agency_id,
        nip=plan.nip,
        tahun=plan.tahun,
        rows=version.rows,
        version=version.version,
        berlaku_mulai=version.berlaku_mulai,
    )
    uow.emit(SKP_PUBLISHED, published, subject=plan.nip)
    return Done(item.skp_id, "published", version.version)


async def transfer_employee(
    uow: UnitOfWork, db: AsyncDatabase, nip: str, to_agency: str, alasan: str, now: datetime
) -> Done | Refused:
    """Mutasi, by an administrator: the employee leaves their supervisor and unit behind, and their former staff
    lose them as supervisor (scores must never reach another agency); audited and published."""
    employee = employee_from(await uow.get(EMPLOYEES, nip))
    if employee is None:
        return Refused(
            nip, 404, RejectionReason(field="nip", code="employee_not_found", message="pegawai tidak ditemukan")
        )
    moved = employee.model_copy(update={"agency_id": to_agency, "atasan_nip": None, "unit_kerja": None})
    uow.put(EMPLOYEES, {"_id": nip, **moved.model_dump(mode="json")}, match={"agency_id": employee.agency_id})
    audit: dict[str, Any] = {"_id": str(uuid.uuid4()), "at": now, "by": "admin", "action": "employee_transferred"}
    audit |= {"nip": nip, "from_agency": employee.agency_id, "agency_id": to_agency, "alasan": alasan}
    uow.insert(AUDIT, audit | {"correlation_id": uow.correlation_id})
    uow.emit(EMPLOYEE_REGISTERED, EmployeeRegistered(**moved.model_dump()), subject=nip)
    for staff in await staff_of(db, agency_id=employee.agency_id, atasan_nip=nip):
        without = staff.model_copy(update={"atasan_nip": None})
        uow.put(EMPLOYEES, {"_id": staff.nip, **without.model_dump(mode="json")}, match={"agency_id": staff.agency_id})
        uow.emit(EMPLOYEE_REGISTERED, EmployeeRegistered(**without.model_dump()), subject=staff.nip)
    return Done(nip, "transferred")
