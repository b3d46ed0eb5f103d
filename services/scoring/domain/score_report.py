"""Score one work report: capaian and nilai per indicator, both ratings, predikat."""

from datetime import datetime
from statistics import fmean

from shared.contracts.common import BerAKHLAK, Rating
from shared.contracts.reports import IndicatorRealisation, ReportSubmitted
from shared.contracts.scores import IndicatorScore, RatingSource, ScoreComputed

from .capaian import capaian_of, nilai_from_capaian
from .predikat import PredikatMatrix, predikat_from_quadrant
from .rating import RatingThresholds, rating_hasil_kerja, rating_of_indicator, rating_perilaku


def score_report(
    report: ReportSubmitted,
    computed_at: datetime,
    thresholds: RatingThresholds = RatingThresholds(),
    matrix: PredikatMatrix | None = None,
) -> ScoreComputed:
    """The ScoreComputed event for a report; deterministic given the same inputs."""
    indicators = [score_indicator(row, thresholds) for row in report.indicators]
    hasil_kerja, hasil_kerja_source = _rating_hasil_kerja(report, indicators, thresholds)
    perilaku, perilaku_source = rating_perilaku(report.perilaku)
    return ScoreComputed(
        report_id=report.report_id,
        agency_id=report.agency_id,
        nip=report.nip,
        atasan_nip=report.atasan_nip,
        period=report.period,
        indicators=indicators,
        nilai_hasil_kerja=_nilai_hasil_kerja(indicators),
        rating_hasil_kerja=hasil_kerja,
        rating_hasil_kerja_source=hasil_kerja_source,
        rating_perilaku=perilaku,
        rating_perilaku_source=perilaku_source,
        perilaku_di_bawah=perilaku_di_bawah(report.perilaku),
        predikat=predikat_from_quadrant(hasil_kerja, perilaku, matrix),
        computed_at=computed_at,
    )


def score_indicator(row: IndicatorRealisation, thresholds: RatingThresholds = RatingThresholds()) -> IndicatorScore:
    """Capaian, nilai and rating of one row."""
    raw = capaian_of(row)
    # Nilai and rating come from the published (rounded) capaian so a reviewer
    # recomputing them from the event gets exactly the same answer.
    capaian = None if raw is None else round(raw, 2)
    return IndicatorScore(
        row_id=row.row_id,
        jenis=row.jenis,
        aspek=row.aspek,
        polaritas=row.polaritas,
        capaian=capaian,
        nilai=None if capaian is None else nilai_from_capaian(capaian),
        rating=rating_of_indicator(row, capaian, thresholds),
        kompetensi=list(row.kompetensi),
    )


def perilaku_di_bawah(ratings: dict[BerAKHLAK, Rating]) -> list[BerAKHLAK]:
    """BerAKHLAK values rated below expectation, in the order of the BerAKHLAK acronym."""
    return [value for value in BerAKHLAK if ratings.get(value) is Rating.DI_BAWAH]


def _rating_hasil_kerja(
    report: ReportSubmitted, indicators: list[IndicatorScore], thresholds: RatingThresholds
) -> tuple[Rating, RatingSource]:
    if report.rating_hasil_kerja_atasan is not None:
        return report.rating_hasil_kerja_atasan, RatingSource.ATASAN
    computed = rating_hasil_kerja([(score.jenis, score.rating) for score in indicators], thresholds)
    return computed, RatingSource.COMPUTED


def _nilai_hasil_kerja(indicators: list[IndicatorScore]) -> float | None:
    # Qualitative rows have no nilai, so they do not pull the mean either way.
    nilai = [score.nilai for score in indicators if score.nilai is not None]
    return round(fmean(nilai), 2) if nilai else None
