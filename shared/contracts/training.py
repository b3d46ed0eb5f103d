"""Training recommendations that close an employee's gaps within budget."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from .common import AgencyId, Contract, Int64, Predikat
from .nip import Nip


class GapSource(StrEnum):
    HASIL_KERJA = "hasil_kerja"
    PERILAKU = "perilaku"


class Gap(Contract):
    kompetensi: str = Field(examples=["kesehatan-masyarakat"])
    source: GapSource
    weight: float = Field(gt=0, description="How much closing this gap matters")


class LearningMode(StrEnum):
    KLASIKAL = "klasikal"
    E_LEARNING = "e_learning"
    COACHING = "coaching"
    MENTORING = "mentoring"
    IN_HOUSE = "in_house"


class Recommendation(Contract):
    course_id: str
    judul: str
    mode: LearningMode
    jp: Int64 = Field(gt=0, description="Jam pelajaran (1 JP = 45 minutes)")
    biaya: Int64 = Field(ge=0, description="Cost in rupiah")
    kompetensi: list[str]


class TrainingRecommended(Contract):
    report_id: str
    agency_id: AgencyId
    nip: Nip
    predikat: Predikat
    gaps: list[Gap]
    recommendations: list[Recommendation]
    total_jp: Int64
    total_biaya: Int64
    anggaran_tersedia: Int64 = Field(description="Budget this employee could use when recommended")
    gaps_tidak_tertutup: list[str] = Field(default_factory=list, description="Gaps no affordable course covers")
    recommended_at: datetime
