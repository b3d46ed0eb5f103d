"""Work reports (laporan kinerja): submitted, or rejected by intake."""

from datetime import datetime

from pydantic import Field, HttpUrl, model_validator

from .common import AgencyId, BerAKHLAK, Contract, Period, Polaritas, Rating, SkpRow
from .nip import Nip


class IndicatorRealisation(SkpRow):
    """An SKP row with what was achieved in the period."""

    realisasi: float | None = Field(
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
