"""Career rules on performance: bimbingan kinerja, the talent pool and the performance condition of promotion.

The thresholds and the regulation behind each rule are data (careers.json):
BKPSDM can read them, and an agency's policy can tighten them without a code
change. Each function returns the reasons, in Bahasa Indonesia, why the rule
fires; an empty list means it does not.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.contracts.common import BerAKHLAK, Predikat, Rating
from shared.contracts.labels import BERAKHLAK_LABEL, PREDIKAT_LABEL, RATING_LABEL
from shared.contracts.periods import period_id_of
from shared.contracts.scores import ScoreComputed

DEFAULT_RULES_PATH = Path(__file__).with_name("careers.json")

# Months a periodic period covers, by the shape of its id (shared/contracts/periods.py).
_MONTHS_BY_KIND = {"bulan": 1, "q": 3, "s": 6}


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    sumber: str = Field(min_length=10, description="The regulation the rule comes from")
    catatan: str | None = Field(default=None, description="What is policy rather than regulation")


class CoachingRule(_Rule):
    predikat: frozenset[Predikat] = Field(min_length=1)


class TalentPoolRule(_Rule):
    predikat: frozenset[Predikat] = Field(min_length=1)
    min_periods: int = Field(ge=1, le=24)  # at least this many periods in a row ...
    min_months: int = Field(ge=1, le=60)  # ... covering at least this many months


class PromotionRule(_Rule):
    predikat: frozenset[Predikat] = Field(min_length=1)
    rating: frozenset[Rating] = Field(min_length=1)  # both rating hasil kerja and rating perilaku
    tahun_berturut: int = Field(ge=1, le=10)


class CareerRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    coaching: CoachingRule
    talent_pool: TalentPoolRule
    promotion: PromotionRule

    @field_validator("talent_pool")
    @classmethod
    def _talent_is_high_performance(cls, rule: TalentPoolRule) -> TalentPoolRule:
        if not rule.predikat <= {Predikat.SANGAT_BAIK, Predikat.BAIK}:
            raise ValueError("predikat of the talent pool must be sangat_baik or baik")
        return rule


@dataclass(frozen=True)
class PeriodOutcome:
    """An employee's predikat in one periodic period (the latest revision of its score)."""

    period_id: str  # 2026-10, 2026-q4, 2026-s2; a tahunan id (2026) is ignored by the talent rule
    period_end: date
    predikat: Predikat


@dataclass(frozen=True)
class AnnualOutcome:
    """An employee's annual (year's) result."""

    tahun: int
    predikat: Predikat
    rating_hasil_kerja: Rating
    rating_perilaku: Rating


def load_career_rules(path: Path | str | None = None) -> CareerRules:
    """The career rules from JSON; ValueError naming the file and the field when they are not valid."""
    if path is None:
        return _default_rules()
    return _read_rules(Path(path))


@lru_cache(maxsize=1)
def _default_rules() -> CareerRules:
    return _read_rules(DEFAULT_RULES_PATH)


def _read_rules(path: Path) -> CareerRules:
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    try:
        return CareerRules.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(document)'}: {error['msg']}" for error in exc.errors()
        )
        raise ValueError(f"{path}: {problems}") from None


def coaching_reasons(score: ScoreComputed, rules: CareerRules) -> list[str]:
    """Why the atasan must coach (bimbingan kinerja) after this score; [] when the predikat does not call for it."""
    if score.predikat not in rules.coaching.predikat:
        return []
    period_id = score.period_id or period_id_of(score.period)
    reasons = [
        f"Predikat kinerja periode {period_id}: {PREDIKAT_LABEL[score.predikat]} "
        f"(rating hasil kerja {RATING_LABEL[score.rating_hasil_kerja]}, "
        f"rating perilaku {RATING_LABEL[score.rating_perilaku]})."
    ]
    rows = [row for row in score.indicators if row.rating is Rating.DI_BAWAH]
    if rows:
        described = ", ".join(
            f"{row.row_id} ({row.jenis.value.title()}, "
            + ("kualitatif, penilaian atasan" if row.capaian is None else f"capaian {_angka(row.capaian)}%")
            + ")"
            for row in rows
        )
        reasons.append(f"Hasil kerja di bawah ekspektasi: {described}.")
    values = _perilaku_below(score)
    if values:
        reasons.append(f"Perilaku kerja di bawah ekspektasi: {', '.join(BERAKHLAK_LABEL[v] for v in values)}.")
    reasons.append(f"Bimbingan kinerja oleh atasan diperlukan ({_dasar(rules.coaching)}).")
    return reasons


def talent_reasons(history: Sequence[PeriodOutcome], rules: CareerRules) -> list[str]:
    """Why the employee is a talent pool candidate: the latest periods in a row at a high predikat.

    The streak counts scored periods back from the latest and stops at the first other predikat; it must
    hold at least min_periods periods covering at least min_months months (monthly: 6 months, quarterly:
    2 quarters, semesters: 2 semesters with the shipped rules). A period with no score neither breaks nor
    extends it. Tahunan outcomes are skipped: they repeat their own periods.
    """
    rule = rules.talent_pool
    streak: list[PeriodOutcome] = []
    for outcome in reversed(_periodic_in_order(history)):
        if outcome.predikat not in rule.predikat:
            break
        streak.append(outcome)
    months = sum(_months_of(outcome.period_id) for outcome in streak)
    if len(streak) < rule.min_periods or months < rule.min_months:
        return []
    first, last = streak[-1], streak[0]
    labels = " atau ".join(PREDIKAT_LABEL[p] for p in Predikat if p in rule.predikat)
    return [
        f"Predikat {labels} {len(streak)} periode berturut-turut ({first.period_id} s.d. {last.period_id}, "
        f"{months} bulan); syarat paling sedikit {rule.min_periods} periode dan {rule.min_months} bulan.",
        f"Kandidat kelompok rencana suksesi ({_dasar(rule)}).",
    ]


def promotion_reasons(annuals: Sequence[AnnualOutcome], rules: CareerRules) -> list[str]:
    """Why the performance condition of kenaikan pangkat is met: the last consecutive years all at least Baik.

    The last `tahun_berturut` years must follow each other with no year missing, and in each the predikat
    and both ratings (hasil kerja and perilaku) must be among those the rule accepts.
    """
    rule = rules.promotion
    by_year = {annual.tahun: annual for annual in annuals}
    if not by_year:
        return []
    latest = max(by_year)
    years = [by_year.get(tahun) for tahun in range(latest - rule.tahun_berturut + 1, latest + 1)]
    if any(annual is None or not _meets_promotion(annual, rule) for annual in years):
        return []
    described = "; ".join(
        f"{a.tahun}: predikat {PREDIKAT_LABEL[a.predikat]}, hasil kerja {RATING_LABEL[a.rating_hasil_kerja]}, "
        f"perilaku {RATING_LABEL[a.rating_perilaku]}"
        for a in years
        if a is not None
    )
    return [
        f"Penilaian kinerja {rule.tahun_berturut} tahun terakhir berturut-turut paling rendah Baik pada setiap "
        f"unsur ({described}).",
        f"Memenuhi syarat kinerja kenaikan pangkat ({_dasar(rule)}).",
    ]


def _meets_promotion(annual: AnnualOutcome, rule: PromotionRule) -> bool:
    return (
        annual.predikat in rule.predikat
        and annual.rating_hasil_kerja in rule.rating
        and annual.rating_perilaku in rule.rating
    )


def _periodic_in_order(history: Sequence[PeriodOutcome]) -> list[PeriodOutcome]:
    """Periodic outcomes by period end; of two with the same period id, the later one given wins (a revision)."""
    latest: dict[str, PeriodOutcome] = {}
    for outcome in history:
        if _months_of(outcome.period_id):
            latest[outcome.period_id] = outcome
    return sorted(latest.values(), key=lambda outcome: (outcome.period_end, outcome.period_id))


def _months_of(period_id: str) -> int:
    """1 for 2026-10, 3 for 2026-q4, 6 for 2026-s2; 0 for the tahunan 2026 (not a periodic period)."""
    _, _, part = period_id.partition("-")
    if not part:
        return 0
    if part[0] in ("q", "s"):
        return _MONTHS_BY_KIND[part[0]]
    return _MONTHS_BY_KIND["bulan"]


def _perilaku_below(score: ScoreComputed) -> list[BerAKHLAK]:
    below = set(score.perilaku_di_bawah)
    if score.perilaku_basis is not None:
        below |= {value for value, rating in score.perilaku_basis.ratings.items() if rating is Rating.DI_BAWAH}
    return [value for value in BerAKHLAK if value in below]


def _dasar(rule: _Rule) -> str:
    """The regulation's name, without the explanation after the colon: what a reason cites."""
    return rule.sumber.split(":", 1)[0].strip()


def _angka(value: float) -> str:
    """Indonesian decimal comma, trailing zeros dropped: 81.5 -> "81,5", 60.0 -> "60"."""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
