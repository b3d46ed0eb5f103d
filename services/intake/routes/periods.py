"""Reporting periods: each agency declares its scheme per year; administrators close and reopen periods.

Every change is one unit of work: the agency-year's periods, the audit entry
and the events (`kinerja.period.opened.v1`, `.closed.v1`, `.reopened.v1`,
subject the agency id) commit together.
"""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field, StringConstraints, field_validator
from pymongo.errors import PyMongoError

from shared.auth import AdminDep
from shared.contracts import PERIOD_CLOSED, PERIOD_OPENED, PERIOD_REOPENED
from shared.contracts.common import Contract, PeriodType, StrictInt64
from shared.contracts.periods import ClosedBy, PeriodClosed, PeriodOpened, PeriodReopened, PeriodScheme, PeriodStatus
from shared.http_errors import ApiError
from shared.messaging.unit_of_work import UnitOfWork
from shared.mongo import is_duplicate_key
from shared.service import Runtime, RuntimeDep

from ..domain.periods import (
    DEFAULT_TENGGAT_HARI,
    MAX_TENGGAT_HARI,
    WIB,
    AgencyPeriod,
    DeclaredScheme,
    declare_scheme,
    format_wib,
)
from ..repository.periods import find_period_scheme, stage_period_audit, stage_period_scheme
from ..security import AgencyDep

router = APIRouter(prefix="/v1/periods", tags=["periods"])
admin_router = APIRouter(prefix="/v1/admin/agencies", tags=["admin"])

DEADLINE_RULE = (
    "A period accepts reports until its deadline: 23:59:59 Asia/Jakarta (WIB) of the day tenggat_hari days after "
    "the period's end. Then intake's period clock closes it (kinerja.period.closed.v1, by deadline)."
)

Tahun = Annotated[int, Path(ge=2000, le=2100, description="The SKP year", examples=[2026])]
PeriodIdPath = Annotated[
    str, Path(pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]|q[1-4]|s[12]))?$", examples=["2026-q4"], description="Period id")
]
Alasan = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    Field(description="The reason, kept in the audit trail and sent with the event"),
]


# --- what callers send -----------------------------------------------------------------


class SchemeDeclaration(Contract):
    skema: PeriodScheme = Field(
        description="The periodic rhythm of the year: 12 bulanan, 4 triwulanan or 2 semesteran periods; the annual "
        "(tahunan) period comes with every scheme"
    )
    tenggat_hari: StrictInt64 = Field(
        default=DEFAULT_TENGGAT_HARI,
        ge=0,
        le=MAX_TENGGAT_HARI,
        description="Days after a period's end that its reports are still accepted. " + DEADLINE_RULE,
        examples=[5],
    )


class PeriodClosing(Contract):
    alasan: Alasan = Field(examples=["Penilaian triwulan IV telah difinalkan"])


class PeriodReopening(Contract):
    alasan: Alasan = Field(examples=["Gangguan jaringan di Puskesmas Muara Bungo pada hari tenggat"])
    sampai: datetime = Field(
        description="Reports are accepted again until this moment, which must be in the future. Without a UTC "
        "offset it is read as Asia/Jakarta (WIB) time",
        examples=["2027-01-20T23:59:59+07:00"],
    )

    @field_validator("sampai")
    @classmethod
    def _in_wib_unless_said(cls, value: datetime) -> datetime:
        return (value if value.tzinfo else value.replace(tzinfo=WIB)).astimezone(UTC)


# --- what callers get --------------------------------------------------------------------


class PeriodView(BaseModel):
    period_id: str = Field(examples=["2026-q4"], description="Stable id: 2026-10, 2026-q4, 2026-s2 or 2026 (tahunan)")
    type: PeriodType
    start: date = Field(examples=["2026-10-01"])
    end: date = Field(examples=["2026-12-31"])
    deadline: datetime = Field(description=DEADLINE_RULE, examples=["2027-01-05T16:59:59Z"])
    status: PeriodStatus = Field(
        description="As of now: open until the deadline, closed, or reopened by an administrator until reopened_until"
    )
    reopened_until: datetime | None = Field(default=None, description="End of the latest reopening, if any")
    closed_at: datetime | None = Field(default=None, description="When it was last closed, once recorded")
    closed_by: ClosedBy | None = None


class SchemeView(BaseModel):
    agency_id: str
    tahun: int
    skema: PeriodScheme
    tenggat_hari: int
    periods: list[PeriodView]


def _period_view(period: AgencyPeriod, now: datetime) -> PeriodView:
    return PeriodView(
        period_id=period.period_id,
        type=period.type,
        start=period.start,
        end=period.end,
        deadline=period.deadline,
        status=period.effective_status(now),
        reopened_until=period.reopened_until,
        closed_at=period.closed_at,
        closed_by=period.closed_by,
    )


def _scheme_view(scheme: DeclaredScheme, now: datetime) -> SchemeView:
    periods = [_period_view(p, now) for p in scheme.periods]
    return SchemeView(
        agency_id=scheme.agency_id,
        tahun=scheme.tahun,
        skema=scheme.skema,
        tenggat_hari=scheme.tenggat_hari,
        periods=periods,
    )


async def _commit(uow: UnitOfWork) -> None:
    """Commit; the agency-year was written only over the revision read, so a concurrent change is a 409."""
    try:
        await uow.commit()
    except PyMongoError as exc:
        if is_duplicate_key(exc):
            message = "Periode ini baru saja diubah oleh proses lain; periksa lalu coba lagi"
            raise ApiError(409, "period_changed_concurrently", message) from exc
        raise


# --- agencies ----------------------------------------------------------------------------------


@router.put("/{tahun}", status_code=status.HTTP_200_OK)
async def declare_period_scheme(
    tahun: Tahun, body: SchemeDeclaration, agency: AgencyDep, runtime: RuntimeDep
) -> SchemeView:
    """Declare the calling agency's period scheme for a year; answers with the periods it yields.

    Generates 12 monthly, 4 quarterly or 2 semester periods plus the annual period (1 January - 31 December),
    and publishes `kinerja.period.opened.v1` for each. Declaring the same scheme again changes nothing. The
    scheme (or tenggat_hari) may change only while no period of the year has closed: else `409
    period_scheme_locked`. Until an agency declares a scheme for a year, its reports for that year are not
    checked against periods.
    """
    agency_id, now = agency.agency_id, datetime.now(UTC)
    current = await find_period_scheme(runtime.db, agency_id=agency_id, tahun=tahun)
    if current is not None and (current.skema, current.tenggat_hari) == (body.skema, body.tenggat_hari):
        return _scheme_view(current, now)
    if current is not None and (closed := current.first_closed(now)) is not None:
        raise ApiError(
            409,
            "period_scheme_locked",
            f"skema periode tahun {tahun} ({current.skema.value}, tenggat {current.tenggat_hari} hari) tidak dapat "
            f"diubah lagi: periode {closed.period_id} sudah pernah ditutup",
        )
    scheme = declare_scheme(agency_id, tahun, body.skema, body.tenggat_hari)
    uow = runtime.unit_of_work()
    stored = stage_period_scheme(uow, scheme=scheme, previous=current)
    for period in scheme.periods:
        data = PeriodOpened(
            agency_id=agency_id,
            period_id=period.period_id,
            skema=scheme.skema,
            type=period.type,
            start=period.start,
            end=period.end,
            deadline=period.deadline,
            tenggat_hari=scheme.tenggat_hari,
        )
        uow.emit(PERIOD_OPENED, data, subject=agency_id)
    await _commit(uow)
    return _scheme_view(stored, now)


@router.get("/{tahun}")
async def list_periods(tahun: Tahun, agency: AgencyDep, runtime: RuntimeDep) -> SchemeView:
    """The calling agency's periods of a year, each with its status as of now."""
    scheme = await find_period_scheme(runtime.db, agency_id=agency.agency_id, tahun=tahun)
    if scheme is None:
        raise ApiError(
            404,
            "period_scheme_not_found",
            f"instansi belum menetapkan skema periode tahun {tahun} (PUT /v1/periods/{tahun}); sampai ditetapkan, "
            f"laporan tahun itu tidak diperiksa terhadap periode",
        )
    return _scheme_view(scheme, datetime.now(UTC))


# --- administrators ---------------------------------------------------------------------------


async def _find(runtime: Runtime, agency_id: str, period_id: str) -> tuple[DeclaredScheme, AgencyPeriod]:
    tahun = int(period_id[:4])
    scheme = await find_period_scheme(runtime.db, agency_id=agency_id, tahun=tahun)
    period = scheme.period(period_id) if scheme is not None else None
    if scheme is None or period is None:
        raise ApiError(
            404,
            "period_not_found",
            f"periode {period_id} tidak ditemukan untuk instansi {agency_id} (skema periode tahun {tahun} belum "
            f"ditetapkan atau tidak memuat periode ini)",
        )
    return scheme, period


@admin_router.post("/{agency_id}/periods/{period_id}/close")
async def close_period(
    agency_id: str, period_id: PeriodIdPath, body: PeriodClosing, runtime: RuntimeDep, _: AdminDep
) -> PeriodView:
    """Close an open (or reopened) period now, before its deadline; audited and published (by admin)."""
    scheme, period = await _find(runtime, agency_id, period_id)
    now = datetime.now(UTC)
    if not period.is_open(now):
        raise ApiError(409, "period_already_closed", f"periode {period_id} sudah ditutup")
    closed = period.closed(now, ClosedBy.ADMIN)
    uow = runtime.unit_of_work()
    cause = uow.correlation_id
    stage_period_scheme(uow, scheme=scheme.with_period(closed), previous=scheme)
    stage_period_audit(
        uow,
        agency_id=agency_id,
        period_id=period_id,
        action="close",
        who=ClosedBy.ADMIN.value,
        at=now,
        alasan=body.alasan,
        correlation_id=cause,
        previous_status=period.status.value,
    )
    data = PeriodClosed(agency_id=agency_id, period_id=period_id, closed_at=now, by=ClosedBy.ADMIN, alasan=body.alasan)
    uow.emit(PERIOD_CLOSED, data, subject=agency_id, correlationid=cause)
    await _commit(uow)
    return _period_view(closed, now)


@admin_router.post("/{agency_id}/periods/{period_id}/reopen")
async def reopen_period(
    agency_id: str, period_id: PeriodIdPath, body: PeriodReopening, runtime: RuntimeDep, _: AdminDep
) -> PeriodView:
    """Reopen a closed period until `sampai`, then it closes again by itself; audited and published.

    A reopened period may be reopened again to move `sampai`. A period still open before its deadline
    needs no reopening (`409 period_not_closed`).
    """
    now = datetime.now(UTC)
    if body.sampai <= now:
        detail = {"field": "sampai", "code": "not_in_future", "message": "harus waktu yang akan datang"}
        raise ApiError(422, "validation_failed", "Data yang dikirim tidak valid", [detail])
    scheme, period = await _find(runtime, agency_id, period_id)
    if period.status is PeriodStatus.OPEN and period.is_open(now):
        raise ApiError(
            409,
            "period_not_closed",
            f"periode {period_id} masih terbuka sampai tenggatnya {format_wib(period.deadline)}",
        )
    reopened = period.reopened(body.sampai)
    uow = runtime.unit_of_work()
    cause = uow.correlation_id
    stage_period_scheme(uow, scheme=scheme.with_period(reopened), previous=scheme)
    stage_period_audit(
        uow,
        agency_id=agency_id,
        period_id=period_id,
        action="reopen",
        who=ClosedBy.ADMIN.value,
        at=now,
        alasan=body.alasan,
        correlation_id=cause,
        previous_status=period.effective_status(now).value,
        reopened_until=body.sampai,
    )
    data = PeriodReopened(agency_id=agency_id, period_id=period_id, reopened_until=body.sampai, alasan=body.alasan)
    uow.emit(PERIOD_REOPENED, data, subject=agency_id, correlationid=cause)
    await _commit(uow)
    return _period_view(reopened, now)
