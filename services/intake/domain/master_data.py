"""Decisions about an agency's own master data: employees, unit kerja and versioned SKP plans.

Registration order never matters: a batch may list staff before their
supervisors. An employee of another agency is never revealed: the answer
says only that this agency cannot register the NIP.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from shared.contracts.reports import RejectionReason

from ..contracts_in import EmployeeRegistration, SkpSubmission, UnitKerjaRegistration
from .models import Employee, SkpPlan, SkpVersion


@dataclass(frozen=True)
class Refusal:
    status: int  # 409 for a conflict with what exists, 422 for data that does not fit
    reason: RejectionReason


@dataclass(frozen=True)
class Registration:
    employee: Employee
    changed: bool


def _refuse(status: int, field: str, code: str, message: str) -> Refusal:
    return Refusal(status, RejectionReason(field=field, code=code, message=message))


def decide_employees(
    items: list[EmployeeRegistration], agency_id: str, existing: dict[str, Employee], units: set[str]
) -> list[Registration | Refusal]:
    """Each item's fate; a supervisor may be registered already or anywhere in the same batch."""
    decided: list[Registration | Refusal | None] = [_on_its_own(i, agency_id, existing, units) for i in items]
    while True:  # a refused supervisor makes their staff's supervisor unknown: repeat until nothing changes
        known = {nip for nip, e in existing.items() if e.agency_id == agency_id}
        known |= {items[i].nip for i, d in enumerate(decided) if d is None}
        changed = False
        for i, item in enumerate(items):
            if decided[i] is None and item.atasan_nip is not None and item.atasan_nip not in known:
                message = f"atasan dengan NIP {item.atasan_nip} tidak terdaftar di instansi ini"
                decided[i] = _refuse(422, "atasan_nip", "unknown_atasan", message)
                changed = True
        if not changed:
            break
    return [d if d is not None else _registration(items[i], agency_id, existing) for i, d in enumerate(decided)]


def _on_its_own(
    item: EmployeeRegistration, agency_id: str, existing: dict[str, Employee], units: set[str]
) -> Refusal | None:
    current = existing.get(item.nip)
    if current is not None and current.agency_id != agency_id:
        message = (
            "NIP ini tidak dapat didaftarkan oleh instansi Anda; jika pegawai pindah instansi (mutasi), "
            "minta administrator memindahkannya"
        )
        return _refuse(409, "nip", "employee_not_available", message)
    if item.atasan_nip == item.nip:
        return _refuse(422, "atasan_nip", "atasan_is_self", "atasan tidak boleh pegawai itu sendiri")
    if item.unit_kerja is not None and item.unit_kerja not in units:
        message = f"unit kerja {item.unit_kerja} belum terdaftar di instansi ini"
        return _refuse(422, "unit_kerja", "unknown_unit_kerja", message)
    return None


def _registration(item: EmployeeRegistration, agency_id: str, existing: dict[str, Employee]) -> Registration:
    employee = Employee(agency_id=agency_id, **item.model_dump())
    return Registration(employee, changed=existing.get(item.nip) != employee)


def decide_unit(item: UnitKerjaRegistration, agency_id: str, units: dict[str, str | None]) -> Refusal | None:
    """`units`: the agency's unit ids with their parent. A unit's parents must exist and never lead back to it."""
    parent = item.induk
    seen = {item.unit_id}
    while parent is not None:
        if parent not in units and parent != item.unit_id:
            return _refuse(422, "induk", "unknown_unit_kerja", f"unit induk {parent} belum terdaftar di instansi ini")
        if parent in seen:
            return _refuse(422, "induk", "unit_cycle", "unit induk tidak boleh membentuk lingkaran")
        seen.add(parent)
        parent = units.get(parent)
    return None


@dataclass(frozen=True)
class PlanChange:
    plan: SkpPlan
    new_version: SkpVersion | None  # None: the same rows again, nothing to publish


def decide_skp(
    item: SkpSubmission, agency_id: str, employee: Employee | None, current: SkpPlan | None, now: datetime
) -> PlanChange | Refusal:
    if employee is None or employee.agency_id != agency_id:
        message = f"pegawai dengan NIP {item.nip} belum terdaftar di instansi ini"
        return _refuse(422, "nip", "unknown_employee", message)
    if current is not None and current.agency_id != agency_id:
        return _refuse(409, "skp_id", "skp_not_available", "skp_id ini tidak dapat dipakai; gunakan id lain")
    if current is not None and (current.nip, current.tahun) != (item.nip, item.tahun):
        message = f"SKP {item.skp_id} milik NIP {current.nip} tahun {current.tahun}; rencana baru memakai id baru"
        return _refuse(409, "skp_id", "skp_id_conflict", message)
    if len({row.row_id for row in item.rows}) != len(item.rows):
        return _refuse(422, "rows", "duplicate_row", "row_id dalam SKP harus unik")
    if current is not None and current.current.rows == item.rows:
        return PlanChange(current, None)
    start = _in_force_from(item, current, now)
    if isinstance(start, Refusal):
        return start
    version = SkpVersion(
        version=current.current.version + 1 if current else 1, berlaku_mulai=start, rows=item.rows, published_at=now
    )
    versions = [*(current.versions if current else []), version]
    plan = SkpPlan(skp_id=item.skp_id, agency_id=agency_id, nip=item.nip, tahun=item.tahun, versions=versions)
    return PlanChange(plan, version)


def _in_force_from(item: SkpSubmission, current: SkpPlan | None, now: datetime) -> date | Refusal:
    first_day, last_day = date(item.tahun, 1, 1), date(item.tahun, 12, 31)
    if item.berlaku_mulai is not None:
        start = item.berlaku_mulai
    elif current is None:
        start = first_day
    else:
        start = min(max(now.astimezone(UTC).date(), first_day), last_day)
    if not first_day <= start <= last_day:
        return _refuse(
            422, "berlaku_mulai", "berlaku_mulai_outside_year", f"berlaku_mulai harus dalam tahun {item.tahun}"
        )
    if current is not None and start < current.current.berlaku_mulai:
        message = (
            f"versi baru tidak boleh berlaku sebelum versi {current.current.version} ({current.current.berlaku_mulai})"
        )
        return _refuse(422, "berlaku_mulai", "berlaku_mulai_before_current", message)
    return start
