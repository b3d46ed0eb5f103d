"""An organisation's predikat distribution against the curve of its own predikat (pola distribusi).

PermenPANRB 6/2022 limits how an organisation's employees' predikat may be
spread according to the organisation's own predikat; the limits are the
policy's curves. The result is a flag for HR to calibrate: it never changes
anyone's score.
"""

from collections import Counter
from datetime import datetime

from shared.contracts.common import Predikat
from shared.contracts.labels import ORGANISATION_PREDIKAT_LABEL, PREDIKAT_LABEL
from shared.contracts.scores import (
    CurveCheck,
    CurveLimit,
    DistributionEvaluated,
    OrganisationPredikat,
    PredikatCounts,
    UnitDistribution,
)

from .bahasa import angka, daftar
from .policy import CurveRule, ScoringPolicy

# The unit of employees whose report named no unit kerja.
NO_UNIT = "tanpa-unit"


def evaluate_distribution(
    *,
    agency_id: str,
    scope: str,
    members: list[tuple[str | None, Predikat]],
    organisation_predikat: OrganisationPredikat,
    policy: ScoringPolicy,
    evaluated_at: datetime,
) -> DistributionEvaluated:
    """Counts overall and per unit kerja, and each rule of the organisation's curve checked.

    `members` holds (unit kerja, predikat) once per employee. Units are listed
    by id, employees without a unit under "tanpa-unit". An organisation with no
    employee scored has nothing to judge: no check is made and it has no
    violation (rather than failing every "at least" and "some" rule).
    """
    overall = _counts([predikat for _, predikat in members])
    by_unit: dict[str, list[Predikat]] = {}
    for unit, predikat in members:
        by_unit.setdefault(unit or NO_UNIT, []).append(predikat)
    units = [UnitDistribution(unit_kerja=unit, **_counts(by_unit[unit]).model_dump()) for unit in sorted(by_unit)]
    rules = policy.curves[organisation_predikat] if overall.employees else []
    checks = [_check(rule, overall, organisation_predikat) for rule in rules]
    return DistributionEvaluated(
        agency_id=agency_id,
        scope=scope,
        organisation_predikat=organisation_predikat,
        overall=overall,
        units=units,
        checks=checks,
        violations=sum(not check.ok for check in checks),
        policy_version=policy.version,
        evaluated_at=evaluated_at,
    )


def distribution_changed(previous: DistributionEvaluated | None, current: DistributionEvaluated) -> bool:
    """Whether `current` says anything `previous` did not (anything but evaluated_at)."""
    if previous is None:
        return True
    return previous.model_dump(exclude={"evaluated_at"}) != current.model_dump(exclude={"evaluated_at"})


def _counts(predikat: list[Predikat]) -> PredikatCounts:
    counted = Counter(predikat)
    return PredikatCounts(
        employees=len(predikat),
        counts={p: counted[p] for p in Predikat},
        percent={p: _percent(counted[p], len(predikat)) for p in Predikat},
    )


def _percent(count: int, employees: int) -> float:
    return round(count / employees * 100, 1) if employees else 0.0


def _check(rule: CurveRule, overall: PredikatCounts, organisation: OrganisationPredikat) -> CurveCheck:
    count = sum(overall.counts[predikat] for predikat in set(rule.predikat))
    # Judged on the published percent (1 decimal), so the message and the verdict always agree.
    actual = _percent(count, overall.employees)
    ok = _meets(rule, count, actual)
    names = daftar(PREDIKAT_LABEL[predikat] for predikat in rule.predikat)
    shown = f"{angka(actual, 1)}% {names}"
    curve = f"kurva {ORGANISATION_PREDIKAT_LABEL[organisation]}"
    match rule.limit:
        case CurveLimit.AT_MOST:
            condition = f"{shown}, paling banyak {angka(rule.percent or 0)}% diperbolehkan"
        case CurveLimit.AT_LEAST:
            condition = f"{shown}, paling sedikit {angka(rule.percent or 0)}% diperlukan"
        # Judged on the count, so the count is shown: 1 of 3000 employees is "0%".
        case CurveLimit.SOME:
            condition = f"{shown} ({count} pegawai); {curve} memerlukan sebagian"
        case _:
            condition = f"{shown} ({count} pegawai); {curve} tidak memperbolehkan satu pun"
    return CurveCheck(
        predikat=list(rule.predikat),
        limit=rule.limit,
        percent=rule.percent,
        actual_percent=actual,
        actual_count=count,
        ok=ok,
        message=f"{condition}: {'sesuai' if ok else 'pelanggaran'}",
    )


def _meets(rule: CurveRule, count: int, actual_percent: float) -> bool:
    # CurveRule validation guarantees a percent for at_most and at_least.
    match rule.limit:
        case CurveLimit.AT_MOST:
            return actual_percent <= (rule.percent or 0)
        case CurveLimit.AT_LEAST:
            return actual_percent >= (rule.percent or 0)
        case CurveLimit.SOME:
            return count > 0
    return count == 0
