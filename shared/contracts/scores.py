"""Scores computed from a report: capaian per indicator, ratings, predikat."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from .common import (
    AgencyId,
    Aspek,
    BerAKHLAK,
    Contract,
    JenisHasilKerja,
    Period,
    Polaritas,
    Predikat,
    Rating,
)
from .nip import Nip


class RatingSource(StrEnum):
    ATASAN = "atasan"
    COMPUTED = "computed"
    DEFAULT = "default"


class IndicatorScore(Contract):
    row_id: str
    jenis: JenisHasilKerja
    aspek: Aspek
    polaritas: Polaritas
    capaian: float | None = Field(description="Achievement in percent; none for qualitative rows", examples=[107.1])
    nilai: float | None = Field(description="Score 0-120 from capaian (PP 30/2019 bands)", examples=[111.3])
    rating: Rating
    kompetensi: list[str] = Field(default_factory=list)


class ScoreComputed(Contract):
    report_id: str
    agency_id: AgencyId
    nip: Nip
    atasan_nip: Nip | None = Field(default=None, description="Supervisor to be told, copied from the report")
    period: Period
    indicators: list[IndicatorScore]
    nilai_hasil_kerja: float | None = Field(description="Mean score of quantitative rows", examples=[96.4])
    rating_hasil_kerja: Rating
    rating_hasil_kerja_source: RatingSource
    rating_perilaku: Rating
    rating_perilaku_source: RatingSource
    perilaku_di_bawah: list[BerAKHLAK] = Field(
        default_factory=list, description="BerAKHLAK values rated below expectation"
    )
    predikat: Predikat
    computed_at: datetime
