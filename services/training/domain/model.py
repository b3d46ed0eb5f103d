"""The vocabulary of training's domain: an employee's needs, the courses on offer, the plan that funds them.

Plain frozen dataclasses: the optimiser, the gap model and the rules take and
return these, never MongoDB documents.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from shared.contracts.common import JenisAsn
from shared.contracts.training import GapSource, LearningMode


@dataclass(frozen=True)
class GapEvidence:
    """One observation of a shortfall: a hasil kerja row or a BerAKHLAK value below expectation in one period."""

    kompetensi: str
    source: GapSource
    period_id: str  # 2026-10, 2026-q4, 2026-s2 or 2026
    period_end: date
    origin: str  # the SKP row id, or the BerAKHLAK value
    severity: float  # 0 < severity <= 1: how far below expectation
    base_weight: float = 1.0  # what the row or value counts for before severity and recency (gaps.py)


@dataclass(frozen=True)
class MetEvidence:
    """A kompetensi shown at or above expectation in a period: it closes earlier gaps of that kompetensi."""

    kompetensi: str
    period_end: date


@dataclass(frozen=True)
class CompletedCourse:
    course_id: str
    kompetensi: tuple[str, ...]
    jp: int
    selesai_pada: date


@dataclass(frozen=True)
class EmployeeGap:
    """A kompetensi an employee needs this year, its weight and where it came from."""

    kompetensi: str
    weight: float
    sources: tuple[GapEvidence, ...]
    faded: bool = False  # closed by a later period or by completed training; its weight is what remains


@dataclass(frozen=True)
class EmployeeNeed:
    """What the optimiser knows of one employee."""

    nip: str
    jenis_asn: JenisAsn
    jp_selesai: int  # JP already completed this year
    gaps: Mapping[str, float]  # kompetensi -> weight (> 0)
    courses_done: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CourseOffer:
    """What the optimiser knows of one course."""

    id: str
    mode: LearningMode
    jp: int
    biaya: int  # rupiah per participant
    kursi: int  # seats over the year (all runs)
    kompetensi: tuple[str, ...]
    prasyarat: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanRules:
    """The agency's planning rules; PP 11/2017 as amended by PP 17/2020 for the JP figures."""

    jp_minimum_pns: int = 20  # every PNS's right, a soft goal: penalised, not ignored
    jp_maximum_pppk: int = 24  # a hard limit for PPPK
    shortfall_penalty_per_jp: float = 0.05  # objective units per JP below the minimum
    stability_bonus: float = 0.001  # keeps a previous allocation when it is as good, so plans do not churn
    # Per allocation, above the stability bonus: a course that closes nothing and adds no needed JP (even a
    # free one) is left out, and a kept one that no longer helps is dropped.
    allocation_penalty: float = 0.002
    cost_weight_per_million: float = 0.0001  # the cheaper of two equally good plans (cheaper modes first)
    time_limit_s: float = 10.0
    relative_gap: float = 0.01


class UnfundedReason(StrEnum):
    NO_COURSE = "tidak_ada_kursus"  # no course in the catalogue closes this kompetensi
    NO_SEATS = "kursi_penuh"  # courses exist, their seats went to heavier gaps
    NO_MONEY = "anggaran_tidak_cukup"  # courses and seats exist, the budget did not reach
    JP_LIMIT = "batas_jp"  # the employee's JP limit for the year (PPPK 24 JP) is reached


@dataclass(frozen=True)
class Allocation:
    nip: str
    course_id: str
    biaya: int
    jp: int
    value: float  # the gap weight this allocation closes (shared gaps split between the courses that close them)


@dataclass(frozen=True)
class UnfundedNeed:
    nip: str
    kompetensi: str
    weight: float
    reason: UnfundedReason


@dataclass(frozen=True)
class PlanResult:
    allocations: tuple[Allocation, ...]
    unfunded: tuple[UnfundedNeed, ...]
    total_biaya: int
    total_value: float
    objective: float
    bound: float  # the solver's proven bound on the objective
    relative_gap: float  # (bound - objective) / max(|objective|, tiny); 0 when proven optimal
    status: str  # "optimal", or "feasible" when stopped by the time limit
    solve_seconds: float
    jp_shortfall: Mapping[str, int] = field(default_factory=dict)  # nip -> JP below the minimum after the plan
