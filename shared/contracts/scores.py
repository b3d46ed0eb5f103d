"""Scores computed from a report, the annual roll-up, and an organisation's distribution against the curve.

Every score carries its breakdown (per row: formula, inputs, capaian, band, nilai,
rating and why; the rule that set rating hasil kerja; rating perilaku per
BerAKHLAK value; the matrix cell), the scoring policy version it was computed
under, and its revision: a corrected report or a rescore publishes revision n+1,
which supersedes revision n. Downstream systems keep the highest revision per
report_id.

SIASN codes travel with every score so a connector needs no mapping of its own:
hasil kerja and perilaku 1 = Di Atas, 2 = Sesuai, 3 = Di Bawah Ekspektasi;
kuadran 1 = Sangat Baik, 2 = Baik, 3 = Butuh Perbaikan, 4 = Kurang (Misconduct),
5 = Sangat Kurang.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from .common import (
    AgencyId,
    Aspek,
    BerAKHLAK,
    Contract,
    Int64,
    JenisHasilKerja,
    Period,
    Polaritas,
    Predikat,
    Rating,
)
from .nip import Nip

NATIONAL_POLICY_VERSION = "nasional@1"

KODE_RATING = "SIASN code: 1 Di Atas, 2 Sesuai, 3 Di Bawah Ekspektasi"
KODE_KUADRAN = "SIASN kuadran: 1 Sangat Baik, 2 Baik, 3 Butuh Perbaikan, 4 Kurang, 5 Sangat Kurang"


class RatingSource(StrEnum):
    ATASAN = "atasan"
    COMPUTED = "computed"
    DEFAULT = "default"


class Formula(StrEnum):
    """How a row's capaian was computed (PermenPANRB 8/2021)."""

    HIGHER_IS_BETTER = "higher_is_better"  # realisasi / target x 100
    LOWER_IS_BETTER = "lower_is_better"  # (1 + (1 - realisasi / target)) x 100
    TARGET_RANGE = "target_range"  # 100 inside the range, else against the bound crossed
    QUALITATIVE = "qualitative"  # no number: the atasan's rating stands


class RevisionCause(StrEnum):
    CORRECTION = "correction"  # a new version of the report
    RESCORE = "rescore"  # the same report under the agency's current policy


class IndicatorScore(Contract):
    row_id: str
    jenis: JenisHasilKerja
    aspek: Aspek
    polaritas: Polaritas
    capaian: float | None = Field(description="Achievement in percent; none for qualitative rows", examples=[107.1])
    nilai: float | None = Field(description="Score 0-120 from capaian (PP 30/2019 bands)", examples=[111.3])
    rating: Rating
    kompetensi: list[str] = Field(default_factory=list)
    formula: Formula | None = Field(default=None, description="How capaian was computed")
    realisasi: float | None = Field(default=None, description="The reported realisation (input)")
    target: float | None = Field(default=None, description="The SKP target (input), for single targets")
    target_lower: float | None = Field(default=None, description="Lower bound of a target range (input)")
    target_upper: float | None = Field(default=None, description="Upper bound of a target range (input)")
    band: str | None = Field(default=None, description="The capaian-to-nilai band applied", examples=["cukup"])
    rating_source: RatingSource = Field(
        default=RatingSource.COMPUTED, description="atasan: the supervisor's rating stands; computed: from capaian"
    )
    reason: str = Field(default="", description="Why this rating, in Bahasa Indonesia")


class RatingCounts(Contract):
    di_atas: Int64 = Field(ge=0)
    sesuai: Int64 = Field(ge=0)
    di_bawah: Int64 = Field(ge=0)


class HasilKerjaRule(StrEnum):
    """Which rule set rating hasil kerja."""

    ATASAN = "atasan"  # the supervisor's overall rating stands
    MOST_ABOVE_NONE_UTAMA_BELOW = "most_above_none_utama_below"  # Di Atas
    MOST_MEET_SMALL_PART_UTAMA_BELOW = "most_meet_small_part_utama_below"  # Sesuai
    OTHERWISE_BELOW = "otherwise_below"  # Di Bawah


class HasilKerjaBasis(Contract):
    utama: RatingCounts
    tambahan: RatingCounts
    rule: HasilKerjaRule
    reason: str = Field(description="The rule and its numbers, in Bahasa Indonesia")


class PerilakuRule(StrEnum):
    NOT_RATED = "not_rated"  # no value rated: Sesuai by default
    MOST_ABOVE_NONE_BELOW = "most_above_none_below"
    MOST_BELOW = "most_below"
    OTHERWISE_MEETS = "otherwise_meets"


class PerilakuBasis(Contract):
    ratings: dict[BerAKHLAK, Rating] = Field(default_factory=dict, description="The atasan's rating per value")
    rule: PerilakuRule
    reason: str


class ScoreComputed(Contract):
    report_id: str
    agency_id: AgencyId
    nip: Nip
    atasan_nip: Nip | None = Field(default=None, description="Supervisor to be told, copied from the report")
    unit_kerja: str | None = Field(default=None, description="The employee's unit kerja when the report was sent")
    period: Period
    period_id: str | None = Field(
        default=None, description="The period's id within the agency: 2026-10, 2026-q4, 2026-s2 or 2026"
    )
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
    hasil_kerja_basis: HasilKerjaBasis | None = Field(default=None, description="Why rating hasil kerja is what it is")
    perilaku_basis: PerilakuBasis | None = Field(default=None, description="Why rating perilaku is what it is")
    kode_hasil_kerja: Int64 | None = Field(default=None, ge=1, le=3, description=KODE_RATING)
    kode_perilaku: Int64 | None = Field(default=None, ge=1, le=3, description=KODE_RATING)
    kode_kuadran: Int64 | None = Field(default=None, ge=1, le=5, description=KODE_KUADRAN)
    policy_version: str = Field(
        default=NATIONAL_POLICY_VERSION, description="The scoring policy the score was computed under"
    )
    report_version: Int64 = Field(default=1, ge=1, description="The version of the report that was scored")
    revision: Int64 = Field(default=1, ge=1, description="1 for the first score of a report, +1 for each revision")
    supersedes: Int64 | None = Field(default=None, ge=1, description="The revision this one replaces; none for 1")
    revision_cause: RevisionCause | None = Field(default=None, description="Why a revision was made; none for 1")


class AnnualMethod(StrEnum):
    """How the periods' ratings become the year's rating."""

    DOMINANT = "dominant"  # the rating of most periods; a tie goes to the later period
    LATEST = "latest"  # the rating of the last period scored
    MEAN = "mean"  # the mean of the SIASN codes, rounded half towards Sesuai


class AnnualPeriod(Contract):
    period_id: str
    report_id: str
    rating_hasil_kerja: Rating
    rating_perilaku: Rating
    predikat: Predikat
    revision: Int64 = Field(ge=1)


class AnnualScoreComputed(Contract):
    agency_id: AgencyId
    nip: Nip
    tahun: Int64 = Field(ge=2000, le=2100)
    unit_kerja: str | None = None
    periods: list[AnnualPeriod] = Field(description="The periodic scores counted, in period order")
    periods_missing: list[str] = Field(
        default_factory=list, description="Periods the agency declared for the year with no score for this employee"
    )
    method: AnnualMethod
    rating_hasil_kerja: Rating
    rating_perilaku: Rating
    predikat: Predikat
    kode_hasil_kerja: Int64 = Field(ge=1, le=3, description=KODE_RATING)
    kode_perilaku: Int64 = Field(ge=1, le=3, description=KODE_RATING)
    kode_kuadran: Int64 = Field(ge=1, le=5, description=KODE_KUADRAN)
    reason: str = Field(description="How the year's ratings follow from the periods, in Bahasa Indonesia")
    policy_version: str
    revision: Int64 = Field(default=1, ge=1)
    supersedes: Int64 | None = Field(default=None, ge=1)
    computed_at: datetime


class OrganisationPredikat(StrEnum):
    """The organisation's own predikat (from its IKU and the leader's expectations); it selects the curve."""

    ISTIMEWA = "istimewa"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"


class CurveLimit(StrEnum):
    AT_MOST = "at_most"  # at most `percent` of employees in the predikat listed
    AT_LEAST = "at_least"  # at least `percent`
    SOME = "some"  # at least one employee
    NONE = "none"  # no employee


class CurveCheck(Contract):
    predikat: list[Predikat] = Field(min_length=1)
    limit: CurveLimit
    percent: float | None = Field(default=None, description="The limit in percent, for at_most and at_least")
    actual_percent: float
    actual_count: Int64 = Field(ge=0)
    ok: bool
    message: str = Field(examples=["52% Sangat Baik, paling banyak 70% diperbolehkan: sesuai"])


class PredikatCounts(Contract):
    employees: Int64 = Field(ge=0)
    counts: dict[Predikat, Int64]
    percent: dict[Predikat, float]


class UnitDistribution(PredikatCounts):
    unit_kerja: str


class DistributionEvaluated(Contract):
    """An agency's predikat distribution for a period (or a year) against the curve of its own predikat.

    A flag for HR to calibrate; it never changes anyone's score."""

    agency_id: AgencyId
    scope: str = Field(description="A period id (2026-10, 2026-q4) or a year (2026) for the annual predikat")
    organisation_predikat: OrganisationPredikat
    overall: PredikatCounts
    units: list[UnitDistribution] = Field(default_factory=list, description="Per unit kerja, same counts")
    checks: list[CurveCheck]
    violations: Int64 = Field(ge=0)
    policy_version: str
    evaluated_at: datetime
