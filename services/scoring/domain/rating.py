"""Rating hasil kerja and rating perilaku (PermenPANRB 6/2022).

Each is one of Di Atas / Sesuai / Di Bawah Ekspektasi. The regulation words
the rules as "most or all" and "a small part"; the numbers that make those
words precise are the scoring policy's RatingThresholds, so an agency can tune
them. Each rating comes with the rule that set it, which the score publishes.
"""

from shared.contracts.common import BerAKHLAK, JenisHasilKerja, Rating
from shared.contracts.reports import IndicatorRealisation
from shared.contracts.scores import HasilKerjaRule, PerilakuRule

from .policy import RatingThresholds


def rating_of_indicator(row: IndicatorRealisation, capaian: float | None, thresholds: RatingThresholds) -> Rating:
    """Rating of one row: the supervisor's rating stands if given, else it follows from capaian."""
    if row.rating_atasan is not None:
        return row.rating_atasan
    if capaian is None:
        # Unreachable for valid reports: qualitative rows always carry rating_atasan.
        raise ValueError(f"row {row.row_id} has neither capaian nor rating_atasan")
    if capaian >= thresholds.di_atas_min_capaian:
        return Rating.DI_ATAS
    if capaian >= thresholds.sesuai_min_capaian:
        return Rating.SESUAI
    return Rating.DI_BAWAH


def rating_hasil_kerja(
    indicator_ratings: list[tuple[JenisHasilKerja, Rating]], thresholds: RatingThresholds
) -> tuple[Rating, HasilKerjaRule]:
    """Rating hasil kerja from the rating of every row, and the rule that set it.

    - Di Atas: most (> 50%) or all results above expectation and no Utama result below.
    - Sesuai: most or all results at least meet expectation and at most
      `small_part_of_utama` of the Utama results are below.
    - Di Bawah: otherwise.
    """
    if not indicator_ratings:
        raise ValueError("rating hasil kerja needs at least one hasil kerja row")
    ratings = [rating for _, rating in indicator_ratings]
    utama = [rating for jenis, rating in indicator_ratings if jenis is JenisHasilKerja.UTAMA]
    utama_di_bawah = utama.count(Rating.DI_BAWAH)

    if is_most(ratings.count(Rating.DI_ATAS), len(ratings)) and utama_di_bawah == 0:
        return Rating.DI_ATAS, HasilKerjaRule.MOST_ABOVE_NONE_UTAMA_BELOW
    meets = ratings.count(Rating.DI_ATAS) + ratings.count(Rating.SESUAI)
    if is_most(meets, len(ratings)) and utama_di_bawah <= thresholds.small_part_of_utama * len(utama):
        return Rating.SESUAI, HasilKerjaRule.MOST_MEET_SMALL_PART_UTAMA_BELOW
    return Rating.DI_BAWAH, HasilKerjaRule.OTHERWISE_BELOW


def rating_perilaku(ratings: dict[BerAKHLAK, Rating]) -> tuple[Rating, PerilakuRule]:
    """Rating perilaku from the supervisor's rating of each BerAKHLAK value given, and the rule that set it.

    - No value rated yet: Sesuai Ekspektasi (rule NOT_RATED). Assumption: an
      employee is not marked down (or up) for behaviour nobody has assessed.
    - Di Atas: most (> 50%) of the rated values above and none below.
    - Di Bawah: more than half of the rated values below.
    - Sesuai: otherwise.
    """
    if not ratings:
        return Rating.SESUAI, PerilakuRule.NOT_RATED
    given = list(ratings.values())
    if is_most(given.count(Rating.DI_ATAS), len(given)) and Rating.DI_BAWAH not in given:
        return Rating.DI_ATAS, PerilakuRule.MOST_ABOVE_NONE_BELOW
    if is_most(given.count(Rating.DI_BAWAH), len(given)):
        return Rating.DI_BAWAH, PerilakuRule.MOST_BELOW
    return Rating.SESUAI, PerilakuRule.OTHERWISE_MEETS


def is_most(count: int, total: int) -> bool:
    """ "Most or all" read as a strict majority: half is not most."""
    return total > 0 and count * 2 > total
