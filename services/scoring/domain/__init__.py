"""Scoring domain: capaian, nilai, ratings, predikat kinerja (PermenPANRB 6/2022) under a scoring policy,
revisions, the annual roll-up and the distribution curve. Pure, no I/O."""

from .annual import annual_score
from .capaian import (
    band_of,
    capaian_against_range,
    capaian_higher_is_better,
    capaian_lower_is_better,
    capaian_of,
    formula_of,
    nilai_from_capaian,
)
from .distribution import NO_UNIT, distribution_changed, evaluate_distribution
from .explain import explain_in_bahasa
from .policy import (
    NILAI_MAX,
    CurveRule,
    NilaiBand,
    PredikatMatrix,
    RatingThresholds,
    ScoringPolicy,
    national_policy,
)
from .predikat import kode_kuadran, kode_rating, predikat_from_quadrant
from .rating import rating_hasil_kerja, rating_of_indicator, rating_perilaku
from .revisions import (
    ReportDecision,
    ReportOutcome,
    ScoreState,
    annual_revision_needed,
    decide_report,
    is_revision_needed,
)
from .score_report import perilaku_di_bawah, score_indicator, score_report

__all__ = [
    "NILAI_MAX",
    "NO_UNIT",
    "CurveRule",
    "NilaiBand",
    "PredikatMatrix",
    "RatingThresholds",
    "ReportDecision",
    "ReportOutcome",
    "ScoreState",
    "ScoringPolicy",
    "annual_revision_needed",
    "annual_score",
    "band_of",
    "capaian_against_range",
    "capaian_higher_is_better",
    "capaian_lower_is_better",
    "capaian_of",
    "decide_report",
    "distribution_changed",
    "evaluate_distribution",
    "explain_in_bahasa",
    "formula_of",
    "is_revision_needed",
    "kode_kuadran",
    "kode_rating",
    "national_policy",
    "nilai_from_capaian",
    "perilaku_di_bawah",
    "predikat_from_quadrant",
    "rating_hasil_kerja",
    "rating_of_indicator",
    "rating_perilaku",
    "score_indicator",
    "score_report",
]
