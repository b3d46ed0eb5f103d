"""Reporting periods of an agency: declared per year, opened, closed at their deadline, reopened by an admin.

Each agency declares its periodic rhythm (skema) for a year; intake generates
the periods of that year plus the annual (tahunan) one and publishes one
`kinerja.period.opened.v1` per period. A period closes when its deadline passes
(or an administrator closes it) and may be reopened by an administrator for a
limited time. The subject of every period event is the agency id.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from .common import AgencyId, Contract, Period, PeriodType

PeriodId = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]|q[1-4]|s[12]))?$",
        description="Stable id of a period within an agency: <year>-<month> (bulanan), <year>-q<n> (triwulanan), "
        "<year>-s<n> (semesteran) or <year> (tahunan)",
        examples=["2026-q4"],
    ),
]


class PeriodScheme(StrEnum):
    """The periodic rhythm an agency declares for a year; the annual (tahunan) period comes with every scheme."""

    BULANAN = "bulanan"
    TRIWULANAN = "triwulanan"
    SEMESTERAN = "semesteran"


class PeriodStatus(StrEnum):
    """Open until its deadline; closed; or reopened by an administrator until a given time."""

    OPEN = "open"
    CLOSED = "closed"
    REOPENED = "reopened"


class ClosedBy(StrEnum):
    """What closed a period: its deadline passing, or an administrator."""

    DEADLINE = "deadline"
    ADMIN = "admin"


class PeriodOpened(Contract):
    agency_id: AgencyId
    period_id: PeriodId
    skema: PeriodScheme = Field(
        description="The scheme declared for the year. A later opened event of the same year with another scheme "
        "replaces the periods announced before it (allowed only while no period of that year has closed)",
    )
    type: PeriodType = Field(description="Type of this period: the scheme's own type, or tahunan for the annual one")
    start: date = Field(description="First day of the period", examples=["2026-10-01"])
    end: date = Field(description="Last day of the period", examples=["2026-12-31"])
    deadline: datetime = Field(
        description="Reports are accepted until this moment: 23:59:59 Asia/Jakarta (WIB, UTC+7) of the day that is "
        "tenggat_hari days after the period's end",
        examples=["2027-01-05T16:59:59Z"],
    )
    tenggat_hari: int = Field(
        ge=0, le=90, description="Days after the period's end that reports are still accepted", examples=[5]
    )


class PeriodClosed(Contract):
    agency_id: AgencyId
    period_id: PeriodId
    closed_at: datetime = Field(description="When the period was closed (UTC)", examples=["2027-01-05T17:00:03Z"])
    by: ClosedBy = Field(description="deadline: closed by intake's period clock; admin: closed by an administrator")
    alasan: str | None = Field(
        default=None,
        description="The administrator's reason; none when the deadline closed the period",
        examples=["Penilaian triwulan IV telah difinalkan"],
    )


class PeriodReopened(Contract):
    agency_id: AgencyId
    period_id: PeriodId
    reopened_until: datetime = Field(
        description="Reports are accepted again until this moment; then the period closes again",
        examples=["2027-01-20T16:59:59Z"],
    )
    alasan: str = Field(
        min_length=1,
        description="The administrator's reason for reopening",
        examples=["Gangguan jaringan di Puskesmas Muara Bungo pada hari tenggat"],
    )
    by: Literal["admin"] = Field(default="admin", description="Only an administrator reopens a period")


def period_id_of(period: Period) -> str:
    """The id intake gives the period a report covers: 2026-10, 2026-q4, 2026-s2, or 2026 for the annual one."""
    year, month = period.start.year, period.start.month
    match period.type:
        case PeriodType.BULANAN:
            return f"{year}-{month:02d}"
        case PeriodType.TRIWULANAN:
            return f"{year}-q{(month - 1) // 3 + 1}"
        case PeriodType.SEMESTERAN:
            return f"{year}-s{(month - 1) // 6 + 1}"
    return str(year)
