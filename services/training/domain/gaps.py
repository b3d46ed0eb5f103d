"""Performance gaps (kesenjangan kinerja) read from a computed score.

A gap is a kompetensi the appraisal shows falling short: the tags of every
hasil kerja row rated Di Bawah Ekspektasi, and every BerAKHLAK value rated
Di Bawah Ekspektasi.
"""

from shared.contracts.common import JenisHasilKerja, Rating
from shared.contracts.scores import ScoreComputed
from shared.contracts.training import Gap, GapSource

# Utama rows carry the job's main results, so falling short there matters most.
WEIGHT_UTAMA = 2.0
WEIGHT_TAMBAHAN = 1.0
# A BerAKHLAK value below expectation weighs on the predikat as much as hasil
# kerja does, but one value of seven is narrower than a main result missed, so
# it sits between the two. All three weights are policy, tunable here.
WEIGHT_PERILAKU = 1.5


def find_gaps(score: ScoreComputed) -> list[Gap]:
    """Gaps ordered by weight (heaviest first), then kompetensi, then source."""
    weights: dict[tuple[str, GapSource], float] = {}
    for indicator in score.indicators:
        if indicator.rating is not Rating.DI_BAWAH:
            continue
        weight = WEIGHT_UTAMA if indicator.jenis is JenisHasilKerja.UTAMA else WEIGHT_TAMBAHAN
        # A tag listed twice on one row is still one shortfall of that row.
        for tag in dict.fromkeys(indicator.kompetensi):
            key = (tag, GapSource.HASIL_KERJA)
            weights[key] = weights.get(key, 0.0) + weight
    for value in score.perilaku_di_bawah:
        weights[(value.value, GapSource.PERILAKU)] = WEIGHT_PERILAKU
    gaps = [Gap(kompetensi=tag, source=source, weight=weight) for (tag, source), weight in weights.items()]
    return sorted(gaps, key=lambda gap: (-gap.weight, gap.kompetensi, gap.source.value))
