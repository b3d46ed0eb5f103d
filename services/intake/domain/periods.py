"""Reporting periods of an agency: generated from its declared scheme, open until their deadline.

Pure, no I/O. Each agency declares a scheme (skema) per year: bulanan,
triwulanan or semesteran. The scheme yields the periodic periods of that year
plus the annual (tahunan) period. A period accepts reports until its deadline:
23:59:59 Asia/Jakarta of the day `tenggat_hari` days after the period's end.
Then it is closed, by intake's period clock or earlier by an administrator; an
administrator may reopen it until a given time.

Agencies that have not declared a scheme for a year are not checked: any
period within the SKP year is accepted for them, as before schemes existed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone

from shared.contracts.common import Period, PeriodType
from shared.contracts.periods import ClosedBy, PeriodScheme, PeriodStatus
from shared.contracts.reports import RejectionReason

# Asia/Jakarta (WIB) has been UTC+7 without daylight saving since 1964; a fixed offset needs no tz database.
WIB = timezone(timedelta(hours=7), "WIB")
CLOSING_TIME = time(23, 59, 59)
DEFAULT_TENGGAT_HARI = 5
MAX_TENGGAT_HARI = 90

_MONTHS_PER_PERIOD = {PeriodScheme.BULANAN: 1, PeriodScheme.TRIWULANAN: 3, PeriodScheme.SEMESTERAN: 6}
_ID_PREFIX = {PeriodScheme.TRIWULANAN: "q", PeriodScheme.SEMESTERAN: "s"}
_NAMA_PERIODE = {
    PeriodType.BULANAN: "bulan",
    PeriodType.TRIWULANAN: "triwulan",
    PeriodType.SEMESTERAN: "semester",
    PeriodType.TAHUNAN: "tahun",
}


@dataclass(frozen=True)
class AgencyPeriod:
    """One period of an agency's declared scheme, with where it stands."""

    agency_id: str
    period_id: str
    type: PeriodType
    start: date
    end: date
    deadline: datetime
    status: PeriodStatus = PeriodStatus.OPEN
    reopened_until: datetime | None = None
    closed_at: datetime | None = None
    closed_by: ClosedBy | None = None

    @property
    def tahun(self) -> int:
        return self.start.year

    @property
    def period(self) -> Period:
        return Period(type=self.type, start=self.start, end=self.end)

    def covers(self, period: Period) -> bool:
        return (self.type, self.start, self.end) == (period.type, period.start, period.end)

    @property
    def closes_at(self) -> datetime | None:
        """When it stops accepting reports: the deadline, the end of a reopening, or never again (closed)."""
        if self.status is PeriodStatus.OPEN:
            return self.deadline
        if self.status is PeriodStatus.REOPENED:
            return self.reopened_until
        return None

    def is_open(self, now: datetime) -> bool:
        closes_at = self.closes_at
        return closes_at is not None and now <= closes_at

    def effective_status(self, now: datetime) -> PeriodStatus:
        """The status as of `now`: an open period past its deadline is closed even before the clock records it."""
        return self.status if self.is_open(now) else PeriodStatus.CLOSED

    def has_ever_closed(self, now: datetime) -> bool:
        return self.status is not PeriodStatus.OPEN or now > self.deadline

    def closed(self, now: datetime, by: ClosedBy) -> "AgencyPeriod":
        return replace(self, status=PeriodStatus.CLOSED, closed_at=now, closed_by=by)

    def reopened(self, until: datetime) -> "AgencyPeriod":
        return replace(self, status=PeriodStatus.REOPENED, reopened_until=until)


@dataclass(frozen=True)
class DeclaredScheme:
    """An agency's scheme for one year and the periods it yields; stored and revised as a whole."""

    agency_id: str
    tahun: int
    skema: PeriodScheme
    tenggat_hari: int
    periods: tuple[AgencyPeriod, ...]
    revision: int = 0

    @property
    def next_close_at(self) -> datetime | None:
        """The earliest moment one of its periods is due to close; None when all are closed."""
        return min((p.closes_at for p in self.periods if p.closes_at is not None), default=None)

    def period(self, period_id: str) -> AgencyPeriod | None:
        return next((p for p in self.periods if p.period_id == period_id), None)

    def with_period(self, changed: AgencyPeriod) -> "DeclaredScheme":
        return replace(self, periods=tuple(changed if p.period_id == changed.period_id else p for p in self.periods))

    def first_closed(self, now: datetime) -> AgencyPeriod | None:
        """A period that has closed (even once): the scheme can no longer change."""
        return next((p for p in self.periods if p.has_ever_closed(now)), None)


def declare_scheme(
    agency_id: str, tahun: int, skema: PeriodScheme, tenggat_hari: int = DEFAULT_TENGGAT_HARI
) -> DeclaredScheme:
    periods = tuple(generate_periods(agency_id, tahun, skema, tenggat_hari))
    return DeclaredScheme(agency_id, tahun, PeriodScheme(skema), tenggat_hari, periods)


def deadline_for(end: date, tenggat_hari: int) -> datetime:
    """23:59:59 Asia/Jakarta of the day `tenggat_hari` days after `end`, in UTC."""
    if not 0 <= tenggat_hari <= MAX_TENGGAT_HARI:
        raise ValueError(f"tenggat_hari harus antara 0 dan {MAX_TENGGAT_HARI}")
    return datetime.combine(end + timedelta(days=tenggat_hari), CLOSING_TIME, tzinfo=WIB).astimezone(UTC)


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def period_id(scheme: PeriodScheme, tahun: int, number: int) -> str:
    """`2026-10` (bulanan), `2026-q4` (triwulanan), `2026-s2` (semesteran)."""
    if scheme is PeriodScheme.BULANAN:
        return f"{tahun}-{number:02d}"
    return f"{tahun}-{_ID_PREFIX[scheme]}{number}"


def generate_periods(
    agency_id: str, tahun: int, skema: PeriodScheme, tenggat_hari: int = DEFAULT_TENGGAT_HARI
) -> list[AgencyPeriod]:
    """The periods of a year under a scheme, in order, then the annual period; all open."""
    skema = PeriodScheme(skema)
    months = _MONTHS_PER_PERIOD[skema]
    periods = []
    for number, first_month in enumerate(range(1, 13, months), start=1):
        start, end = date(tahun, first_month, 1), _month_end(tahun, first_month + months - 1)
        periods.append(
            AgencyPeriod(
                agency_id=agency_id,
                period_id=period_id(skema, tahun, number),
                type=PeriodType(skema.value),
                start=start,
                end=end,
                deadline=deadline_for(end, tenggat_hari),
            )
        )
    annual_end = date(tahun, 12, 31)
    periods.append(
        AgencyPeriod(
            agency_id=agency_id,
            period_id=str(tahun),
            type=PeriodType.TAHUNAN,
            start=date(tahun, 1, 1),
            end=annual_end,
            deadline=deadline_for(annual_end, tenggat_hari),
        )
    )
    return periods


def scheme_of(periods: Iterable[AgencyPeriod]) -> PeriodScheme | None:
    """The periodic scheme a set of declared periods follows."""
    return next((PeriodScheme(p.type.value) for p in periods if p.type is not PeriodType.TAHUNAN), None)


def periods_due_to_close(periods: Iterable[AgencyPeriod], now: datetime) -> list[AgencyPeriod]:
    """Open or reopened periods whose deadline (or reopening) has passed."""
    return [p for p in periods if p.closes_at is not None and now > p.closes_at]


def format_wib(moment: datetime) -> str:
    """`5 Januari 2027 pukul 23.59.59 WIB`: how a person in Indonesia reads a deadline."""
    local = moment.astimezone(WIB)
    return f"{local.day} {_BULAN[local.month - 1]} {local.year} pukul {local:%H.%M.%S} WIB"


_BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def describe_period(period: Period) -> str:
    return f"{period.type.value} {period.start.isoformat()} s.d. {period.end.isoformat()}"


def period_rejection(
    report_period: Period, declared: Sequence[AgencyPeriod] | None, now: datetime
) -> RejectionReason | None:
    """Why a report for `report_period` cannot be accepted now, or None.

    `declared` holds the agency's periods for the report's year, or None when it
    declared no scheme for that year: then nothing is checked.
    """
    if declared is None:
        return None
    tahun = report_period.start.year
    match = next((p for p in declared if p.covers(report_period)), None)
    if match is None:
        scheme = scheme_of(declared)
        if scheme is None:
            allowed = "tidak ada periode yang ditetapkan"
        else:
            allowed = f"skema {scheme.value}: gunakan periode {scheme.value} atau tahunan yang ditetapkan"
        return RejectionReason(
            field="period",
            code="period_not_in_scheme",
            message=f"periode {describe_period(report_period)} tidak sesuai skema periode instansi untuk tahun "
            f"{tahun} ({allowed}; lihat GET /v1/periods/{tahun})",
        )
    if match.is_open(now):
        return None
    nama = f"{_NAMA_PERIODE[match.type]} {match.period_id}"
    if match.status is PeriodStatus.OPEN:
        why = f"tenggatnya {format_wib(match.deadline)} sudah lewat"
    elif match.status is PeriodStatus.REOPENED and match.reopened_until is not None:
        why = f"dibuka kembali hanya sampai {format_wib(match.reopened_until)} (tenggat {format_wib(match.deadline)})"
    elif match.closed_by is ClosedBy.ADMIN:
        why = f"ditutup oleh admin (tenggat {format_wib(match.deadline)})"
    elif match.reopened_until is not None:
        why = f"masa buka kembali sampai {format_wib(match.reopened_until)} sudah lewat"
    else:
        why = f"tenggatnya {format_wib(match.deadline)} sudah lewat"
    return RejectionReason(
        field="period",
        code="period_closed",
        message=f"periode {nama} sudah ditutup: {why}; minta admin membuka kembali periode ini bila perlu",
    )
