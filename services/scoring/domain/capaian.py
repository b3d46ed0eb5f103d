"""Capaian (achievement, in percent) of an indicator and its nilai (score 0-120).

Capaian formulas follow PermenPANRB 8/2021; the capaian-to-nilai bands follow
PP 30/2019 and come from the scoring policy. Both are pure arithmetic so a
BKPSDM reviewer can recompute any published number by hand.
"""

from collections.abc import Sequence

from shared.contracts.common import Polaritas
from shared.contracts.reports import IndicatorRealisation
from shared.contracts.scores import Formula

from .policy import NILAI_MAX, NilaiBand


def capaian_higher_is_better(realisasi: float, target: float) -> float:
    """Capaian for "higher is better" indicators: realisasi / target x 100%."""
    _require_positive_target(target)
    return realisasi / target * 100


def capaian_lower_is_better(realisasi: float, target: float) -> float:
    """Capaian for "lower is better" indicators (waktu penyelesaian, jumlah keluhan).

    (1 + (1 - realisasi / target)) x 100%: target 7 months, realisasi 6.5 -> 107.14%.
    Floored at 0 because a realisation more than twice the target would
    otherwise give a negative achievement, which has no meaning. At the other
    end a realisation of 0 (no complaints at all) gives 200%, the formula's
    maximum; it is reported as such and the nilai caps it at 120 anyway.
    """
    _require_positive_target(target)
    return max(0.0, (1 + (1 - realisasi / target)) * 100)


def capaian_against_range(realisasi: float, lower: float, upper: float, polaritas: Polaritas) -> float:
    """Capaian for a target range: 100% inside it, else compared with the bound crossed.

    Above the range the realisation is compared with the upper bound, below it
    with the lower bound, using the indicator's polaritas formula. Below a lower
    bound of 0 cannot happen because realisasi >= 0.

    A zero upper bound has no ratio to compare with:
    - lower-is-better (a zero-tolerance target such as "0 keluhan"): any
      realisation above it gets 0%, the limit of the formula as the bound goes
      to 0 and the same floor a far-missed single target gets;
    - higher-is-better: a range of [0, 0] is a planning error, so it raises
      ValueError instead of inventing a number.
    """
    if polaritas is Polaritas.QUALITATIVE:
        raise ValueError("a qualitative indicator has no numeric capaian")
    if lower <= realisasi <= upper:
        return 100.0
    bound = upper if realisasi > upper else lower
    if bound == 0:
        if polaritas is Polaritas.LOWER_IS_BETTER:
            return 0.0
        raise ValueError("a target_range with a zero upper bound is meaningless for a higher-is-better indicator")
    return _capaian_for(polaritas, realisasi, bound)


def capaian_of(row: IndicatorRealisation) -> float | None:
    """Capaian of one reported row, or None for a qualitative row (the supervisor's rating stands)."""
    formula = formula_of(row)
    if formula is Formula.QUALITATIVE or row.realisasi is None:
        return None
    if row.target_range is not None:
        return capaian_against_range(row.realisasi, row.target_range.lower, row.target_range.upper, row.polaritas)
    if row.target is None:
        raise ValueError(f"row {row.row_id} has neither target nor target_range")
    return _capaian_for(row.polaritas, row.realisasi, row.target)


def formula_of(row: IndicatorRealisation) -> Formula:
    """Which formula `capaian_of` applies to a row."""
    if row.polaritas is Polaritas.QUALITATIVE:
        return Formula.QUALITATIVE
    if row.target_range is not None:
        return Formula.TARGET_RANGE
    if row.polaritas is Polaritas.LOWER_IS_BETTER:
        return Formula.LOWER_IS_BETTER
    return Formula.HIGHER_IS_BETTER


def _capaian_for(polaritas: Polaritas, realisasi: float, target: float) -> float:
    if polaritas is Polaritas.LOWER_IS_BETTER:
        return capaian_lower_is_better(realisasi, target)
    return capaian_higher_is_better(realisasi, target)


def _require_positive_target(target: float) -> None:
    if target <= 0:
        raise ValueError(f"target must be greater than 0, got {target}")


def band_of(capaian: float, bands: Sequence[NilaiBand]) -> NilaiBand:
    """The band a capaian falls in: the first (highest) band whose min_capaian it reaches."""
    if capaian < 0:
        raise ValueError(f"capaian cannot be negative, got {capaian}")
    for band in bands:
        if capaian >= band.min_capaian:
            return band
    # Unreachable with a validated policy, whose lowest band starts at 0.
    raise ValueError(f"no nilai band covers capaian {capaian}")


def nilai_from_capaian(capaian: float, bands: Sequence[NilaiBand]) -> float:
    """Nilai (0-120) from capaian with the policy's PP 30/2019 bands, rounded to 2 decimals.

    The policy validation guarantees the bands never make nilai fall as capaian
    grows, which a fair score must guarantee; the cap is PP 30/2019's 120.
    """
    return round(min(band_of(capaian, bands).nilai_at(capaian), NILAI_MAX), 2)
