"""What HR reads and records about people: completed training (the JP ledger), an employee's gaps,
recommendation and JP, and the coaching and career lists."""

import hashlib
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import Field

from shared.agency_keys import CallerDep
from shared.contracts import TRAINING_COMPLETED
from shared.contracts.common import AgencyId, Contract, JenisAsn
from shared.contracts.nip import Nip
from shared.contracts.training import CareerFlag, TrainingCompleted
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..documents import completed_course_of, course_of, evidence_of
from ..domain.gaps import employee_gaps
from ..domain.jp import JpLimitExceeded, check_completion, jp_status
from ..domain.planning import PlanCause
from ..http import invalid
from ..repository import (
    COMPLETIONS,
    agency_employees,
    career_flag_list,
    coaching_list,
    employee_completions,
    employee_year_evidence,
    find_completion,
    find_course,
    find_employee,
    find_recommendation,
    mark_plan_dirty,
    year_completions,
)

router = APIRouter(tags=["training people"])

YearQuery = Annotated[int, Query(ge=2000, le=2100, description="The budget year")]


class CompletionIn(Contract):
    nip: Nip
    course_id: str = Field(min_length=1, max_length=64)
    selesai_pada: date = Field(ge=date(2000, 1, 1), description="The day the course was completed")
    completion_id: str | None = Field(
        default=None, min_length=1, max_length=100, description="The sender's id; resending it records nothing twice"
    )


@router.post("/v1/training/completions", status_code=201)
async def record_completion(
    completion: CompletionIn, runtime: RuntimeDep, caller: CallerDep, response: Response
) -> TrainingCompleted:
    """Record a completed course in the JP ledger; publishes `kinerja.training.completed.v1` and re-plans."""
    employee = await find_employee(runtime.db, nip=completion.nip)
    if employee is None or not caller.may_see(employee["agency_id"]):
        raise invalid("nip", "pegawai_tidak_dikenal", f"pegawai dengan NIP {completion.nip} tidak dikenal")
    course_document = await find_course(runtime.db, course_id=completion.course_id)
    if course_document is None or course_document.get("agency_id") not in (None, employee["agency_id"]):
        raise invalid("course_id", "pelatihan_tidak_dikenal", f"pelatihan {completion.course_id} tidak ada di katalog")
    if completion.selesai_pada > datetime.now(UTC).date():
        raise invalid("selesai_pada", "tanggal_di_masa_depan", "tanggal selesai tidak boleh di masa depan")
    completion_id = completion.completion_id or _derived_id(completion)
    stored = await find_completion(runtime.db, completion_id=completion_id)
    if stored is not None:
        response.status_code = 200  # already recorded: the same answer, nothing twice
        return TrainingCompleted.model_validate(stored["event"])
    course = course_of(course_document)
    tahun = completion.selesai_pada.year
    jp_so_far = sum(c["jp"] for c in await employee_completions(runtime.db, nip=completion.nip, tahun=tahun))
    jenis_asn = JenisAsn(employee["jenis_asn"])
    try:
        check_completion(jenis_asn, jp_so_far, course.jp)
    except JpLimitExceeded as exc:
        raise invalid("course_id", exc.code, exc.message) from None
    event = TrainingCompleted(
        completion_id=completion_id,
        agency_id=employee["agency_id"],
        nip=completion.nip,
        jenis_asn=jenis_asn,
        course_id=course.id,
        judul=course.judul,
        mode=course.mode,
        kompetensi=list(course.kompetensi),
        jp=course.jp,
        biaya=course.biaya,
        tahun=tahun,
        selesai_pada=completion.selesai_pada,
        jp_tahun_ini=jp_so_far + course.jp,
        recorded_at=datetime.now(UTC),
    )
    uow = runtime.unit_of_work()
    document = event.model_dump(mode="json")
    uow.insert(COMPLETIONS, {"_id": completion_id, **document, "event": document})
    uow.emit(TRAINING_COMPLETED, event, subject=completion.nip)
    mark_plan_dirty(uow, employee["agency_id"], tahun, PlanCause.TRAINING_COMPLETED)
    await uow.commit()
    return event


@router.get("/v1/training/jp")
async def jp_ledger(
    agency_id: Annotated[AgencyId, Query()],
    tahun: YearQuery,
    runtime: RuntimeDep,
    caller: CallerDep,
    kurang: Annotated[bool, Query(description="Only PNS below 20 JP")] = False,
) -> list[dict[str, Any]]:
    """JP per employee in the year against the PNS right of 20 JP and the PPPK limit of 24 JP; `at_risk` marks
    PNS below 20 JP with the year running out."""
    caller.require_agency(agency_id)
    jp: dict[str, int] = {}
    for c in await year_completions(runtime.db, agency_id=agency_id, tahun=tahun):
        jp[c["nip"]] = jp.get(c["nip"], 0) + c["jp"]
    today = datetime.now(UTC).date()
    rows = []
    for employee in await agency_employees(runtime.db, agency_id=agency_id):
        status = jp_status(JenisAsn(employee["jenis_asn"]), jp.get(employee["_id"], 0), tahun, today)
        if kurang and not status.kurang:
            continue
        rows.append({"nip": employee["_id"], "nama": employee.get("nama"), **_jp_view(status)})
    return sorted(rows, key=lambda r: (not r["at_risk"], -r["kurang"], r["nip"]))


@router.get("/v1/training/employees/{nip}")
async def employee_training(
    nip: Annotated[Nip, Path()], tahun: YearQuery, runtime: RuntimeDep, caller: CallerDep
) -> dict[str, Any]:
    """An employee's gaps this year (each with where it came from), the recommendation in force, JP and
    completed courses."""
    employee = await find_employee(runtime.db, nip=nip)
    if employee is None or not caller.may_see(employee["agency_id"]):
        raise ApiError(404, "pegawai_tidak_dikenal", f"pegawai dengan NIP {nip} tidak dikenal")
    completions = await employee_completions(runtime.db, nip=nip, tahun=tahun)
    completed = [completed_course_of(c) for c in completions]
    gaps, met = [], []
    for document in await employee_year_evidence(runtime.db, nip=nip, tahun=tahun):
        found, shown = evidence_of(document)
        gaps.extend(found)
        met.extend(shown)
    today = min(datetime.now(UTC).date(), date(tahun, 12, 31))
    recommendation = await find_recommendation(runtime.db, nip=nip, tahun=tahun)
    status = jp_status(JenisAsn(employee["jenis_asn"]), sum(c.jp for c in completed), tahun, datetime.now(UTC).date())
    return {
        "nip": nip,
        "agency_id": employee["agency_id"],
        "tahun": tahun,
        "gaps": [_gap_view(g) for g in employee_gaps(gaps, met, completed, today)],
        "recommendation": recommendation["recommendation"] if recommendation else None,
        "jp": _jp_view(status),
        "completions": [c["event"] for c in completions],
    }


@router.get("/v1/training/coaching")
async def coaching(
    agency_id: Annotated[AgencyId, Query()], tahun: YearQuery, runtime: RuntimeDep, caller: CallerDep
) -> list[dict[str, Any]]:
    """Bimbingan kinerja started this year, by period."""
    caller.require_agency(agency_id)
    return [_without_id(d) for d in await coaching_list(runtime.db, agency_id=agency_id, tahun=tahun)]


@router.get("/v1/training/careers")
async def careers(
    agency_id: Annotated[AgencyId, Query()],
    tahun: YearQuery,
    runtime: RuntimeDep,
    caller: CallerDep,
    flag: Annotated[CareerFlag, Query()] = CareerFlag.TALENT_POOL,
) -> list[dict[str, Any]]:
    """Talent-pool candidates or promotion-eligible employees of the year, with the reasons."""
    caller.require_agency(agency_id)
    return [_without_id(d) for d in await career_flag_list(runtime.db, agency_id=agency_id, tahun=tahun, flag=flag)]


def _derived_id(completion: CompletionIn) -> str:
    text = f"{completion.nip}|{completion.course_id}|{completion.selesai_pada.isoformat()}"
    return "c-" + hashlib.sha256(text.encode()).hexdigest()[:24]


def _jp_view(status: Any) -> dict[str, Any]:
    return {
        "jp": status.jp,
        "minimum": status.minimum,
        "maximum": status.maximum,
        "kurang": status.kurang,
        "tersisa": status.tersisa,
        "days_left": status.days_left,
        "at_risk": status.at_risk,
    }


def _gap_view(gap: Any) -> dict[str, Any]:
    return {
        "kompetensi": gap.kompetensi,
        "weight": round(gap.weight, 4),
        "faded": gap.faded,
        "sources": [
            {"period_id": s.period_id, "source": s.source.value, "origin": s.origin, "severity": round(s.severity, 3)}
            for s in gap.sources
        ],
    }


def _without_id(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "_id"}
