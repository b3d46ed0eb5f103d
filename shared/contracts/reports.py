"""Work reports (laporan kinerja): submitted, or rejected by intake."""

from datetime import datetime

from pydantic import Field, HttpUrl, model_validator

from .common import AgencyId, BerAKHLAK, Contract, Number, Period, Polaritas, Rating, SkpRow
from .nip import Nip


class IndicatorRealisation(SkpRow):
    """An SKP row with what was achieved in the period."""

    realisasi: Number | None = Field(
        default=None, ge=0, description="Realised value; required for quantitative rows", examples=[92.5]
    )
    rating_atasan: Rating | None = Field(
        default=None, description="Supervisor's rating of this row; stands alone for qualitative rows"
    )

    @model_validator(mode="after")
    def _realisation_present(self) -> "IndicatorRealisation":
        if self.polaritas is Polaritas.QUALITATIVE:
            if self.rating_atasan is None:
                raise ValueError("indikator kualitatif memerlukan rating_atasan")
        elif self.realisasi is None:
            raise ValueError("indikator kuantitatif memerlukan nilai realisasi")
        return self


class Realisasi(Contract):
    """What was achieved on one SKP row: a number, or the supervisor's rating for a qualitative row."""

    row_id: str = Field(min_length=1, max_length=64, examples=["rhk-1"])
    realisasi: Number | None = Field(default=None, ge=0, examples=[92.5])
    rating_atasan: Rating | None = None


class ReportSubmission(Contract):
    """A work report as an agency sends it (HTTP, spreadsheet row or Kafka)."""

    report_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Agency's own id for the report. Resending the same report is safe (idempotent); "
        "without an id, the employee, SKP and period identify it",
    )
    nip: Nip
    skp_id: str = Field(min_length=1, max_length=64)
    period: Period
    realisasi: list[Realisasi] = Field(min_length=1, max_length=100)
    rating_hasil_kerja_atasan: Rating | None = None
    perilaku: dict[BerAKHLAK, Rating] = Field(default_factory=dict)
    evidence: list[HttpUrl] = Field(default_factory=list, max_length=50)
    feedback: str | None = Field(default=None, max_length=4000)
    correction: bool = Field(
        default=False,
        description="Replace the accepted report for the same employee, SKP and period with this new version "
        "(allowed while the period is open)",
    )


class ReportInbound(ReportSubmission):
    """A report an agency publishes on Kafka; who sends it is the agency named here (restrict producers with
    Kafka ACLs)."""

    agency_id: AgencyId


class ReportSubmitted(Contract):
    report_id: str = Field(
        min_length=1,
        max_length=160,
        description="<agency_id>/<the agency's own report id>: unique across agencies",
        examples=["bungo-dinkes/rpt-2026-10-198503122010011002"],
    )
    agency_id: AgencyId
    nip: Nip
    atasan_nip: Nip | None = Field(
        default=None, description="Supervisor (pejabat penilai) when the report was submitted; travels with the report"
    )
    skp_id: str = Field(min_length=1, max_length=64)
    period: Period
    indicators: list[IndicatorRealisation] = Field(min_length=1)
    rating_hasil_kerja_atasan: Rating | None = Field(
        default=None, description="Supervisor's overall rating of hasil kerja, when given it stands"
    )
    perilaku: dict[BerAKHLAK, Rating] = Field(
        default_factory=dict, description="Supervisor's rating for each BerAKHLAK value given"
    )
    evidence: list[HttpUrl] = Field(default_factory=list, description="Links to evidence (bukti dukung)")
    feedback: str | None = Field(default=None, max_length=4000, description="Umpan balik from the supervisor")
    submitted_at: datetime
    version: int = Field(
        default=1,
        ge=1,
        le=10_000,
        description="Version of this report: 1 when first accepted, +1 for each correction. Consumers keep the "
        "highest version per report_id and ignore a lower one that arrives late",
    )
    supersedes: int | None = Field(
        default=None, ge=1, le=10_000, description="The version this correction replaces; none for version 1"
    )
    skp_version: int = Field(
        default=1, ge=1, le=10_000, description="Version of the SKP plan the report was checked against"
    )
    unit_kerja: str | None = Field(default=None, max_length=64, description="The employee's unit kerja when submitted")


class RejectionReason(Contract):
    field: str = Field(description="Where the problem is", examples=["indicators[2].row_id"])
    code: str = Field(description="Stable machine-readable code", examples=["unknown_skp_row"])
    message: str = Field(description="Explanation in Bahasa Indonesia")


class ReportRejected(Contract):
    report_id: str
    agency_id: AgencyId
    nip: Nip
    reasons: list[RejectionReason] = Field(min_length=1)
    rejected_at: datetime
