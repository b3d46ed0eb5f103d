"""An employee's competency gaps over the year, accumulated from every scored period.

A gap is a kompetensi an employee fell short on: a tag of a hasil kerja row
rated Di Bawah Ekspektasi, or a BerAKHLAK value rated below expectation (the
value is its own tag). Each shortfall is one GapEvidence; its weight in the
year is

    base weight (Utama 2, Tambahan 1, perilaku 1.5) x severity x recency

summed per kompetensi. Evidence fades, without vanishing, when the employee
later shows the kompetensi at or above expectation or completes a course that
covers it. Pure functions: the caller passes the latest revision of each
period's score and the employee's completed courses.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from shared.contracts.common import BerAKHLAK, JenisHasilKerja, Rating
from shared.contracts.periods import period_id_of
from shared.contracts.scores import IndicatorScore, ScoreComputed
from shared.contracts.training import GapSource

from .model import CompletedCourse, EmployeeGap, GapEvidence, MetEvidence

# Base weights. A main result (Utama) is what the SKP is judged on first (PermenPANRB 6/2022: no Utama row
# below for Di Atas, only a small part for Sesuai), so it counts twice an additional (Tambahan) one. A
# BerAKHLAK value sits between: perilaku is half of the predikat matrix, but one value is one of seven.
BASE_WEIGHT = {JenisHasilKerja.UTAMA: 2.0, JenisHasilKerja.TAMBAHAN: 1.0}
PERILAKU_WEIGHT = 1.5

# Severity of a quantitative row grows linearly with the shortfall from capaian 100% (target met,
# PermenPANRB 8/2021) and is full at 40 points short: capaian 60% is where PP 30/2019's Kurang band ends
# and Sangat Kurang begins, nothing further below is "more" of a training need.
EXPECTED_CAPAIAN = 100.0
FULL_SEVERITY_SHORTFALL = 40.0
# A near miss (capaian 99%) was still rated below expectation by the rules: it keeps a quarter of full
# severity so that it is heard, while a deep shortfall counts up to four times as much.
SEVERITY_FLOOR = 0.25
# Qualitative rows and BerAKHLAK values have no number: the atasan's Di Bawah is the whole evidence.
UNMEASURED_SEVERITY = 1.0

# Recency: evidence halves in weight every 182 days (about six months) between its period's end and the
# day the gaps are computed. A shortfall from last month counts fully; the same one a year ago counts a
# quarter, so a monthly reporter's old misses do not outweigh this year's, yet a yearly (tahunan) score
# still matters for the whole next budget year.
HALF_LIFE_DAYS = 182.0

# Fading: a later period at or above expectation, or a completed course covering the kompetensi, shows
# the gap was (being) closed. It keeps a quarter of its weight rather than none: one good month or one
# e-learning does not prove the competence, and a gap that recurs should find the old evidence still there.
FADE_FACTOR = 0.25

# Gaps weighing less than this are dropped: e.g. a faded Tambahan near miss from last year (1 x 0.27 x
# 0.25 x 0.25 = 0.02). A plan should not spend seats on them.
MIN_GAP_WEIGHT = 0.05


def evidence_from_score(score: ScoreComputed) -> tuple[list[GapEvidence], list[MetEvidence]]:
    """The shortfalls (GapEvidence) and the kompetensi shown at or above expectation (MetEvidence) of one score."""
    period_id = score.period_id or period_id_of(score.period)
    period_end = score.period.end
    gaps: list[GapEvidence] = []
    met: list[MetEvidence] = []
    for row in score.indicators:
        if row.rating is Rating.DI_BAWAH:
            gaps.extend(_row_gaps(row, period_id, period_end))
        else:
            met.extend(MetEvidence(kompetensi=tag, period_end=period_end) for tag in _unique(row.kompetensi))
    for value, rating in _perilaku_ratings(score).items():
        if rating is Rating.DI_BAWAH:
            gaps.append(
                GapEvidence(
                    kompetensi=value.value,
                    source=GapSource.PERILAKU,
                    period_id=period_id,
                    period_end=period_end,
                    origin=value.value,
                    severity=UNMEASURED_SEVERITY,
                    base_weight=PERILAKU_WEIGHT,
                )
            )
        else:
            met.append(MetEvidence(kompetensi=value.value, period_end=period_end))
    return gaps, met


def severity_of(capaian: float | None) -> float:
    """How far below expectation, in [SEVERITY_FLOOR, 1]; unmeasured (qualitative) rows are at full severity."""
    if capaian is None:
        return UNMEASURED_SEVERITY
    shortfall = min(max(EXPECTED_CAPAIAN - capaian, 0.0), FULL_SEVERITY_SHORTFALL)
    return SEVERITY_FLOOR + (1.0 - SEVERITY_FLOOR) * shortfall / FULL_SEVERITY_SHORTFALL


def recency_of(period_end: date, as_of: date) -> float:
    """1 for evidence of today (or later), halving every HALF_LIFE_DAYS before it."""
    age_days = max((as_of - period_end).days, 0)
    return 0.5 ** (age_days / HALF_LIFE_DAYS)


def evidence_weight(evidence: GapEvidence, as_of: date, faded: bool = False) -> float:
    """One piece of evidence's contribution to its kompetensi's gap."""
    weight = evidence.base_weight * evidence.severity * recency_of(evidence.period_end, as_of)
    return weight * FADE_FACTOR if faded else weight


def employee_gaps(
    evidence: Iterable[GapEvidence],
    met: Iterable[MetEvidence],
    completed: Iterable[CompletedCourse],
    as_of: date,
) -> list[EmployeeGap]:
    """The employee's gaps as of a day: heaviest first, then by kompetensi; each with the evidence behind it.

    `as_of` only ages the evidence; a met period or a course closes the evidence dated before it, whatever
    as_of is (the ledger holds completed courses only).
    """
    closed_on = _latest_closing(met, completed)
    by_tag: dict[str, list[GapEvidence]] = defaultdict(list)
    for item in evidence:
        by_tag[item.kompetensi].append(item)
    gaps: list[EmployeeGap] = []
    for kompetensi, items in by_tag.items():
        closing = closed_on.get(kompetensi)
        faded = [closing is not None and closing > item.period_end for item in items]
        weight = sum(evidence_weight(item, as_of, fade) for item, fade in zip(items, faded, strict=True))
        if weight < MIN_GAP_WEIGHT:
            continue
        sources = tuple(sorted(items, key=lambda item: (item.period_end, item.period_id, item.origin)))
        gaps.append(EmployeeGap(kompetensi=kompetensi, weight=round(weight, 4), sources=sources, faded=all(faded)))
    gaps.sort(key=lambda gap: (-gap.weight, gap.kompetensi))
    return gaps


def _row_gaps(row: IndicatorScore, period_id: str, period_end: date) -> list[GapEvidence]:
    severity = severity_of(row.capaian)
    return [
        GapEvidence(
            kompetensi=tag,
            source=GapSource.HASIL_KERJA,
            period_id=period_id,
            period_end=period_end,
            origin=row.row_id,
            severity=severity,
            base_weight=BASE_WEIGHT[row.jenis],
        )
        for tag in _unique(row.kompetensi)
    ]


def _perilaku_ratings(score: ScoreComputed) -> dict[BerAKHLAK, Rating]:
    """Every BerAKHLAK value the atasan rated; perilaku_di_bawah alone when the score carries no basis."""
    ratings = dict(score.perilaku_basis.ratings) if score.perilaku_basis is not None else {}
    for value in score.perilaku_di_bawah:
        ratings[value] = Rating.DI_BAWAH
    return {value: ratings[value] for value in BerAKHLAK if value in ratings}


def _latest_closing(met: Iterable[MetEvidence], completed: Iterable[CompletedCourse]) -> dict[str, date]:
    """Per kompetensi, the last day it was shown met or trained: evidence dated before it has faded."""
    latest: dict[str, date] = {}
    for item in met:
        _keep_latest(latest, item.kompetensi, item.period_end)
    for course in completed:
        for tag in course.kompetensi:
            _keep_latest(latest, tag, course.selesai_pada)
    return latest


def _keep_latest(latest: dict[str, date], kompetensi: str, day: date) -> None:
    if kompetensi not in latest or day > latest[kompetensi]:
        latest[kompetensi] = day


def _unique(tags: Sequence[str]) -> list[str]:
    # A row listing a tag twice is one shortfall of that kompetensi, not two.
    return list(dict.fromkeys(tags))
