"""Training and careers: the catalogue, recommendations from the agency's plan, completed training (the JP
ledger), coaching and career flags."""

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from .common import AgencyId, Contract, Int64, JenisAsn, Predikat, StrictInt64
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


class CompetencyKind(StrEnum):
    """The three competency groups of PermenPANRB 38/2017, and the BerAKHLAK core values."""

    TEKNIS = "teknis"
    MANAJERIAL = "manajerial"
    SOSIAL_KULTURAL = "sosial_kultural"
    BERAKHLAK = "berakhlak"


CourseId = str


class CourseSpec(Contract):
    """A course in the catalogue, as HR writes it (`PUT /v1/training/courses/{id}`)."""

    judul: str = Field(min_length=3, max_length=200, examples=["Pelatihan Surveilans Epidemiologi"])
    jenis_kompetensi: CompetencyKind
    kompetensi: list[str] = Field(
        min_length=1,
        max_length=20,
        description="Competency tags the course closes",
        examples=[["kesehatan-masyarakat"]],
    )
    mode: LearningMode
    jp: StrictInt64 = Field(gt=0, le=400, description="Jam pelajaran (1 JP = 45 minutes)")
    biaya: StrictInt64 = Field(ge=0, le=1_000_000_000, description="Cost per participant in rupiah")
    kursi_per_kelas: StrictInt64 = Field(gt=0, le=100_000, description="Seats in one run of the course")
    jadwal: list[date] = Field(
        default_factory=list, max_length=52, description="Start dates of the runs; none: one run, any time"
    )
    penyelenggara: str = Field(min_length=1, max_length=200, examples=["BPSDM Provinsi Jambi"])
    prasyarat: list[CourseId] = Field(default_factory=list, max_length=10, description="Courses to complete first")

    @property
    def kursi(self) -> int:
        """Seats over the year: every run's."""
        return self.kursi_per_kelas * max(1, len(self.jadwal))


class Course(CourseSpec):
    id: CourseId = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$", examples=["kes-surveilans-klasikal"])
    agency_id: AgencyId | None = Field(default=None, description="Its agency's own course; none: shared catalogue")
    version: Int64 = Field(default=1, ge=1, description="1 when created, +1 for every change")


class Recommendation(Contract):
    course_id: str
    judul: str
    mode: LearningMode
    jp: Int64 = Field(gt=0, description="Jam pelajaran (1 JP = 45 minutes)")
    biaya: Int64 = Field(ge=0, description="Cost in rupiah")
    kompetensi: list[str]


class TrainingRecommended(Contract):
    """An employee's part of the agency's approved development plan; a later revision replaces it whole."""

    report_id: str | None = Field(default=None, description="Deprecated: recommendations now come from the plan")
    agency_id: AgencyId
    nip: Nip
    tahun: Int64 | None = Field(default=None, ge=2000, le=2100, description="The budget year of the plan")
    plan_version: Int64 | None = Field(default=None, ge=1, description="The approved plan version it comes from")
    revision: Int64 = Field(default=1, ge=1, description="1 for the employee's first in the year, +1 per change")
    predikat: Predikat | None = Field(default=None, description="The employee's latest predikat, if scored")
    gaps: list[Gap]
    recommendations: list[Recommendation] = Field(description="Empty: an earlier recommendation is withdrawn")
    total_jp: Int64
    total_biaya: Int64
    anggaran_tersedia: Int64 = Field(description="The agency's budget for the year")
    gaps_tidak_tertutup: list[str] = Field(default_factory=list, description="Gaps the plan does not fund")
    recommended_at: datetime


class TrainingCompleted(Contract):
    """A course an employee completed: a line of the JP ledger."""

    completion_id: str = Field(min_length=1, max_length=100)
    agency_id: AgencyId
    nip: Nip
    jenis_asn: JenisAsn
    course_id: CourseId
    judul: str
    mode: LearningMode
    kompetensi: list[str]
    jp: Int64 = Field(gt=0)
    biaya: Int64 = Field(ge=0)
    tahun: Int64 = Field(ge=2000, le=2100)
    selesai_pada: date
    jp_tahun_ini: Int64 = Field(ge=0, description="The employee's JP in the year, this course included")
    recorded_at: datetime


class CoachingRequired(Contract):
    """Bimbingan kinerja: the supervisor coaches an employee whose predikat fell short (PermenPANRB 6/2022)."""

    agency_id: AgencyId
    nip: Nip
    atasan_nip: Nip | None = None
    report_id: str
    period_id: str
    predikat: Predikat
    reasons: list[str] = Field(description="Why, in Bahasa Indonesia")
    required_at: datetime


class CareerFlag(StrEnum):
    TALENT_POOL = "talent_pool"  # kandidat kelompok rencana suksesi (manajemen talenta)
    PROMOTION_ELIGIBLE = "promotion_eligible"  # memenuhi syarat kinerja kenaikan pangkat/jabatan


class CareerFlagged(Contract):
    agency_id: AgencyId
    nip: Nip
    flag: CareerFlag
    rule_id: str = Field(description="The rule that fired, as published in the rules data")
    tahun: Int64 = Field(ge=2000, le=2100)
    period_id: str | None = Field(default=None, description="The period that completed the evidence, if periodic")
    reasons: list[str] = Field(min_length=1, description="Why, in Bahasa Indonesia")
    flagged_at: datetime


class UnfundedReason(StrEnum):
    TIDAK_ADA_KURSUS = "tidak_ada_kursus"
    KURSI_PENUH = "kursi_penuh"
    ANGGARAN_TIDAK_CUKUP = "anggaran_tidak_cukup"
    BATAS_JP = "batas_jp"


class UnfundedNeed(Contract):
    nip: Nip
    kompetensi: str
    reason: UnfundedReason
    weight: float = Field(ge=0, description="How much closing this gap would have mattered")


class UnfundedTotal(Contract):
    jumlah: Int64 = Field(ge=0, description="Needs left unfunded for this reason")
    bobot: float = Field(ge=0, description="Their summed weight")


class PlanStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


UNFUNDED_LISTED_MAX = 500


class PlanUpdated(Contract):
    """A version of an agency's development plan for a year was made or approved: its totals, budget and what
    stays unfunded. Employees' own parts come as `kinerja.training.recommended.v1` once a version is approved."""

    agency_id: AgencyId
    tahun: Int64 = Field(ge=2000, le=2100)
    version: Int64 = Field(ge=1, description="This version; a later version of the year replaces it")
    status: PlanStatus
    approved_version: Int64 | None = Field(default=None, ge=1, description="The approved version, if any")
    cause: str = Field(
        description="Why this version was made: nilai_baru, anggaran_berubah, pelatihan_selesai, "
        "data_pegawai_berubah or katalog_berubah",
        examples=["nilai_baru"],
    )
    anggaran: Int64 = Field(ge=0, description="The year's budget in rupiah")
    total_biaya: Int64 = Field(ge=0, description="What this version spends")
    committed: Int64 = Field(ge=0, description="What the approved version committed")
    sisa: Int64 = Field(description="Budget left after the commitment")
    total_jp: Int64 = Field(ge=0)
    allocations: Int64 = Field(ge=0)
    employees: Int64 = Field(ge=0, description="Employees with at least one course in this version")
    jp_shortfall_employees: Int64 = Field(ge=0, description="PNS left below 20 JP by this version")
    waiting_for_employee_record: Int64 = Field(default=0, ge=0)
    unfunded_by_reason: dict[UnfundedReason, UnfundedTotal] = Field(default_factory=dict)
    unfunded: list[UnfundedNeed] = Field(
        default_factory=list,
        max_length=UNFUNDED_LISTED_MAX,
        description=f"The heaviest unfunded needs, at most {UNFUNDED_LISTED_MAX}; the totals count them all",
    )
    updated_at: datetime
