"""Intake's own records, typed: what the decisions in this package reason about.

The repository turns MongoDB documents into these and back, so no rule ever
reads a raw dict.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.common import JenisAsn, Period, SkpRow
from shared.contracts.reports import RejectionReason, ReportSubmitted


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Employee(Record):
    nip: str
    agency_id: str
    nama: str
    jabatan: str
    jenis_asn: JenisAsn = JenisAsn.PNS
    unit_kerja: str | None = None
    atasan_nip: str | None = None
    email: str | None = None
    nonaktif_sejak: date | None = None

    def inactive_for(self, period: Period) -> bool:
        """Mutasi or pensiun: periods that start after the date cannot be reported."""
        return self.nonaktif_sejak is not None and period.start > self.nonaktif_sejak


class SkpVersion(Record):
    version: int
    berlaku_mulai: date
    rows: list[SkpRow]
    published_at: datetime


class SkpPlan(Record):
    skp_id: str
    agency_id: str
    nip: str
    tahun: int
    versions: list[SkpVersion] = Field(min_length=1)

    @property
    def current(self) -> SkpVersion:
        return self.versions[-1]

    def in_force_for(self, period: Period) -> SkpVersion:
        """The newest version already in force by the end of the period (the first one before any change)."""
        applicable = [v for v in self.versions if v.berlaku_mulai <= period.end]
        return applicable[-1] if applicable else self.versions[0]


class ReportStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class StoredReport(Record):
    """A report as intake keeps it: the latest attempt's answer, and the live accepted version."""

    reference: str = Field(alias="_id")
    report_id: str
    agency_id: str
    nip: str
    skp_id: str
    period: Period
    unit_kerja: str | None = None
    status: ReportStatus
    accepted_version: int = Field(default=0, description="0 while no version was ever accepted")
    fingerprint: str
    reasons: list[RejectionReason] = []
    report: ReportSubmitted | None = None
    correlation_id: str
    received_at: datetime
    history: list[dict[str, Any]] = Field(default_factory=list, description="every attempt, oldest first")

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


def slot_key(agency_id: str, nip: str, skp_id: str, period: Period) -> str:
    """One live report per employee, SKP and period: the key of that slot."""
    return f"{agency_id}|{nip}|{skp_id}|{period.type}|{period.start:%Y%m%d}|{period.end:%Y%m%d}"
