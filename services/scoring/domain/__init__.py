"""Scoring domain: capaian, nilai, ratings and predikat kinerja (PermenPANRB 6/2022). Pure, no I/O."""

from .capaian import (
    NILAI_BANDS,
    NilaiBand,
    capaian_against_range,
    capaian_higher_is_better,
    capaian_lower_is_better,
    capaian_of,
    nilai_from_capaian,
)
from .predikat import PredikatMatrix, load_predikat_matrix, predikat_from_quadrant
from .rating import RatingThresholds, rating_hasil_kerja, rating_of_indicator, rating_perilaku
from .score_report import perilaku_di_bawah, score_indicator, score_report

__all__ = [
    "NILAI_BANDS",
    "NilaiBand",
    "PredikatMatrix",
    "RatingThresholds",
    "capaian_against_range",
    "capaian_higher_is_better",
    "capaian_lower_is_better",
    "capaian_of",
    "load_predikat_matrix",
    "nilai_from_capaian",
    "perilaku_di_bawah",
    "predikat_from_quadrant",
    "rating_hasil_kerja",
    "rating_of_indicator",
    "rating_perilaku",
    "score_indicator",
    "score_report",
]
