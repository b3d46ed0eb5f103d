"""Score one work report under a scoring policy, with the breakdown that explains every number."""

from datetime import datetime
from statistics import fmean

from shared.contracts.common import BerAKHLAK, JenisHasilKerja, Rating
from shared.contracts.periods import period_id_of
from shared.contracts.reports import IndicatorRealisation, ReportSubmitted
from shared.contracts.scores import (
    HasilKerjaBasis,
    HasilKerjaRule,
    IndicatorScore,
    PerilakuBasis,
    PerilakuRule,
    RatingCounts,
    RatingSource,
    ScoreComputed,
)

from .capaian import band_of, capaian_of, formula_of, nilai_from_capaian
from .explain import hasil_kerja_reason, indicator_reason, perilaku_reason
from .policy import RatingThresholds, ScoringPolicy
from .predikat import kode_kuadran, kode_rating, predikat_from_quadrant
from .rating import rating_hasil_kerja, rating_of_indicator, rating_perilaku


def score_report(report: ReportSubmitted, policy: ScoringPolicy, computed_at: datetime) -> ScoreComputed:
    """Revision 1 of the ScoreComputed event for a report; deterministic given the same inputs.

    Later revisions (a corrected report, a rescore) are this score with the
    revision fields set by the caller (see revisions.py).
    """
    indicators = [score_indicator(row, policy) for row in report.indicators]
    hasil_kerja, hasil_kerja_basis = _hasil_kerja(report, indicators, policy.rating_thresholds)
    perilaku, perilaku_basis = _perilaku(report.perilaku)
    predikat = predikat_from_quadrant(hasil_kerja, perilaku, policy.predikat_matrix)
    return ScoreComputed(
        report_id=report.report_id,
        agency_id=report.agency_id,
        nip=report.nip,
        atasan_nip=report.atasan_nip,
        unit_kerja=report.unit_kerja,
        period=report.period,
        period_id=period_id_of(report.period),
        indicators=indicators,
        nilai_hasil_kerja=_nilai_hasil_kerja(indicators),
        rating_hasil_kerja=hasil_kerja,
        rating_hasil_kerja_source=(
            RatingSource.ATASAN if hasil_kerja_basis.rule is HasilKerjaRule.ATASAN else RatingSource.COMPUTED
        ),
        rating_perilaku=perilaku,
        rating_perilaku_source=(
            RatingSource.DEFAULT if perilaku_basis.rule is PerilakuRule.NOT_RATED else RatingSource.ATASAN
        ),
        perilaku_di_bawah=perilaku_di_bawah(report.perilaku),
        predikat=predikat,
        computed_at=computed_at,
        hasil_kerja_basis=hasil_kerja_basis,
        perilaku_basis=perilaku_basis,
        kode_hasil_kerja=kode_rating(hasil_kerja),
        kode_perilaku=kode_rating(perilaku),
        kode_kuadran=kode_kuadran(predikat),
        policy_version=policy.version,
        report_version=report.version,
    )


def score_indicator(row: IndicatorRealisation, policy: ScoringPolicy) -> IndicatorScore:
    """Capaian, nilai, band and rating of one row, with its inputs and the reason for the rating."""
    raw = capaian_of(row)
    # Nilai and rating come from the published (rounded) capaian so a reviewer
    # recomputing them from the event gets exactly the same answer.
    capaian = None if raw is None else round(raw, 2)
    score = IndicatorScore(
        row_id=row.row_id,
        jenis=row.jenis,
        aspek=row.aspek,
        polaritas=row.polaritas,
        capaian=capaian,
        nilai=None if capaian is None else nilai_from_capaian(capaian, policy.nilai_bands),
        rating=rating_of_indicator(row, capaian, policy.rating_thresholds),
        kompetensi=list(row.kompetensi),
        formula=formula_of(row),
        realisasi=row.realisasi,
        target=row.target,
        target_lower=None if row.target_range is None else row.target_range.lower,
        target_upper=None if row.target_range is None else row.target_range.upper,
        band=None if capaian is None else band_of(capaian, policy.nilai_bands).name,
        rating_source=RatingSource.COMPUTED if row.rating_atasan is None else RatingSource.ATASAN,
    )
    # The reason is written from the published fields, so it says exactly what a reviewer sees.
    return score.model_copy(update={"reason": indicator_reason(score, policy.rating_thresholds)})


def perilaku_di_bawah(ratings: dict[BerAKHLAK, Rating]) -> list[BerAKHLAK]:
    """BerAKHLAK values rated below expectation, in the order of the BerAKHLAK acronym."""
    return [value for value in BerAKHLAK if ratings.get(value) is Rating.DI_BAWAH]


def _hasil_kerja(
    report: ReportSubmitted, indicators: list[IndicatorScore], thresholds: RatingThresholds
) -> tuple[Rating, HasilKerjaBasis]:
    computed, rule = rating_hasil_kerja([(score.jenis, score.rating) for score in indicators], thresholds)
    rating = computed
    if report.rating_hasil_kerja_atasan is not None:
        rating, rule = report.rating_hasil_kerja_atasan, HasilKerjaRule.ATASAN
    utama = _counts([score.rating for score in indicators if score.jenis is JenisHasilKerja.UTAMA])
    tambahan = _counts([score.rating for score in indicators if score.jenis is JenisHasilKerja.TAMBAHAN])
    reason = hasil_kerja_reason(utama, tambahan, rule, computed, rating, thresholds)
    return rating, HasilKerjaBasis(utama=utama, tambahan=tambahan, rule=rule, reason=reason)


def _perilaku(ratings: dict[BerAKHLAK, Rating]) -> tuple[Rating, PerilakuBasis]:
    rating, rule = rating_perilaku(ratings)
    in_order = {value: ratings[value] for value in BerAKHLAK if value in ratings}
    return rating, PerilakuBasis(ratings=in_order, rule=rule, reason=perilaku_reason(in_order, rule, rating))


def _counts(ratings: list[Rating]) -> RatingCounts:
    return RatingCounts(
        di_atas=ratings.count(Rating.DI_ATAS),
        sesuai=ratings.count(Rating.SESUAI),
        di_bawah=ratings.count(Rating.DI_BAWAH),
    )


def _nilai_hasil_kerja(indicators: list[IndicatorScore]) -> float | None:
    # Qualitative rows have no nilai, so they do not pull the mean either way.
    nilai = [score.nilai for score in indicators if score.nilai is not None]
    return round(fmean(nilai), 2) if nilai else None
