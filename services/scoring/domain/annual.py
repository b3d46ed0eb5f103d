"""The year's ratings and predikat of one employee from the periodic scores.

PermenPANRB 6/2022 makes the annual evaluation an accumulation of the periodic
evaluations; how the periods accumulate is the policy's annual_method.
"""

from collections import Counter
from datetime import datetime
from fractions import Fraction

from shared.contracts.common import PeriodType, Rating
from shared.contracts.labels import PREDIKAT_LABEL, RATING_LABEL
from shared.contracts.periods import period_id_of
from shared.contracts.scores import AnnualMethod, AnnualPeriod, AnnualScoreComputed, ScoreComputed

from .bahasa import angka, daftar
from .policy import ScoringPolicy
from .predikat import kode_kuadran, kode_rating, predikat_from_quadrant, rating_of_kode

_METHOD_LABEL = {AnnualMethod.DOMINANT: "dominan", AnnualMethod.LATEST: "terakhir", AnnualMethod.MEAN: "rata-rata"}


def annual_score(
    *,
    agency_id: str,
    nip: str,
    tahun: int,
    scores: list[ScoreComputed],
    expected_periods: list[str],
    policy: ScoringPolicy,
    computed_at: datetime,
) -> AnnualScoreComputed:
    """Revision 1 of the employee's annual score for `tahun`.

    `scores` are the latest revision of each of the employee's reports; only
    the periodic ones of that year count (not a tahunan report). When two
    reports cover one period, the one whose period ends later counts, then the
    one computed later: the most recent evidence of the period. Raises
    ValueError when no periodic score is left (such an employee has no annual
    score and the caller lists them as missing entirely), and for a score of
    another employee or agency, which would be the caller's mistake.
    """
    counted = _one_per_period(scores, agency_id, nip, tahun)
    if not counted:
        raise ValueError(f"tidak ada nilai periodik tahun {tahun} untuk pegawai {nip}")
    period_ids = [_period_id(score) for score in counted]
    hasil_kerja, hasil_kerja_why = _annual_rating([s.rating_hasil_kerja for s in counted], period_ids, policy)
    perilaku, perilaku_why = _annual_rating([s.rating_perilaku for s in counted], period_ids, policy)
    predikat = predikat_from_quadrant(hasil_kerja, perilaku, policy.predikat_matrix)
    missing = sorted({p for p in expected_periods if not _is_annual(p)} - set(period_ids))
    reason = (
        f"Nilai tahunan {tahun} dari {len(counted)} periode, metode {_METHOD_LABEL[policy.annual_method]}. "
        f"Hasil kerja {RATING_LABEL[hasil_kerja]}: {hasil_kerja_why}. "
        f"Perilaku {RATING_LABEL[perilaku]}: {perilaku_why}. "
        f"Predikat {PREDIKAT_LABEL[predikat]}. "
        + (
            f"Periode tanpa nilai: {', '.join(missing)}."
            if missing
            else "Semua periode yang ditetapkan memiliki nilai."
        )
    )
    return AnnualScoreComputed(
        agency_id=agency_id,
        nip=nip,
        tahun=tahun,
        unit_kerja=counted[-1].unit_kerja,
        periods=[_annual_period(score, period_id) for score, period_id in zip(counted, period_ids, strict=True)],
        periods_missing=missing,
        method=policy.annual_method,
        rating_hasil_kerja=hasil_kerja,
        rating_perilaku=perilaku,
        predikat=predikat,
        kode_hasil_kerja=kode_rating(hasil_kerja),
        kode_perilaku=kode_rating(perilaku),
        kode_kuadran=kode_kuadran(predikat),
        reason=reason,
        policy_version=policy.version,
        computed_at=computed_at,
    )


def _dominant(ratings: list[Rating], period_ids: list[str]) -> tuple[Rating, str]:
    """The rating held in most periods; a tie goes to the tied rating of the latest period.

    Why dominant: PermenPANRB 6/2022 makes the annual evaluation an
    accumulation of the periodic ones, and the rating most periods agree on is
    robust to one bad (or one exceptional) month. A tie has no majority to
    follow, so it follows the most recent evidence. `ratings` are in period
    order; returns the rating and why, in Bahasa.
    """
    counts = Counter(ratings)
    most = max(counts.values())
    tied = {rating for rating, count in counts.items() if count == most}
    breakdown = ", ".join(f"{RATING_LABEL[r].removesuffix(' Ekspektasi')} {counts[r]}" for r in Rating if r in counts)
    latest = max(index for index, rating in enumerate(ratings) if rating in tied)
    why = f"{most} dari {len(ratings)} periode ({breakdown})"
    if len(tied) > 1:
        others = daftar(RATING_LABEL[r] for r in Rating if r in tied and r is not ratings[latest])
        why += f"; seri dengan {others}, mengikuti periode terakhir yang seri ({period_ids[latest]})"
    return ratings[latest], why


def _mean(ratings: list[Rating]) -> tuple[Rating, str]:
    """The mean of the SIASN codes (1 Di Atas .. 3 Di Bawah), rounded half towards 2 = Sesuai.

    Exact arithmetic (Fraction), so 1.5 and 2.5 are exact halves and both go
    to Sesuai: a year split evenly between two ratings is read as meeting
    expectation rather than being pushed to either end.
    """
    mean = Fraction(sum(kode_rating(rating) for rating in ratings), len(ratings))
    # An exact half lies between 1 and 2 or between 2 and 3: either way it goes to 2.
    kode = 2 if mean.denominator == 2 else round(mean)
    why = f"rata-rata kode {angka(float(mean))} dari {len(ratings)} periode, dibulatkan ke {kode}"
    return rating_of_kode(kode), why


def _annual_rating(ratings: list[Rating], period_ids: list[str], policy: ScoringPolicy) -> tuple[Rating, str]:
    match policy.annual_method:
        case AnnualMethod.LATEST:
            return ratings[-1], f"rating periode terakhir ({period_ids[-1]})"
        case AnnualMethod.MEAN:
            return _mean(ratings)
    return _dominant(ratings, period_ids)


def _one_per_period(scores: list[ScoreComputed], agency_id: str, nip: str, tahun: int) -> list[ScoreComputed]:
    """The periodic scores of the year, one per period, in period order."""
    latest: dict[str, ScoreComputed] = {}
    for score in scores:
        if score.agency_id != agency_id or score.nip != nip:
            raise ValueError(f"nilai laporan {score.report_id} bukan milik pegawai {nip} di instansi {agency_id}")
        if score.period.type is PeriodType.TAHUNAN or score.period.start.year != tahun:
            continue
        period_id = _period_id(score)
        kept = latest.get(period_id)
        if kept is None or (score.period.end, score.computed_at) > (kept.period.end, kept.computed_at):
            latest[period_id] = score
    return sorted(latest.values(), key=lambda score: (score.period.start, score.period.end, _period_id(score)))


def _annual_period(score: ScoreComputed, period_id: str) -> AnnualPeriod:
    return AnnualPeriod(
        period_id=period_id,
        report_id=score.report_id,
        rating_hasil_kerja=score.rating_hasil_kerja,
        rating_perilaku=score.rating_perilaku,
        predikat=score.predikat,
        revision=score.revision,
    )


def _period_id(score: ScoreComputed) -> str:
    # Scores published before period_id existed carry only the period.
    return score.period_id or period_id_of(score.period)


def _is_annual(period_id: str) -> bool:
    # PeriodId: <year> alone is the tahunan period; periodic ones are <year>-<month|qN|sN>.
    return "-" not in period_id
