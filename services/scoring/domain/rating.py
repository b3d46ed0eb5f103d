"""Rating hasil kerja and rating perilaku (PermenPANRB 6/2022).

Each is one of Di Atas / Sesuai / Di Bawah Ekspektasi. The regulation words
the rules as "most or all" and "a small part"; the numbers that make those
words precise live in RatingThresholds so an agency can tune them.
"""

from dataclasses import dataclass

from shared.contracts.common import BerAKHLAK, JenisHasilKerja, Rating
from shared.contracts.reports import IndicatorRealisation
from shared.contracts.scores import RatingSource


@dataclass(frozen=True)
class RatingThresholds:
    """Where "above" and "meets" expectation start, and what "a small part" of Utama rows is."""

    # Capaian (percent) from which one indicator is Di Atas Ekspektasi.
    di_atas_min_capaian: float = 110.0
    # Capaian (percent) from which one indicator is Sesuai Ekspektasi.
    sesuai_min_capaian: float = 100.0
    # Fraction of Utama rows that may be Di Bawah while hasil kerja is still Sesuai.
    small_part_of_utama: float = 0.25


def rating_of_indicator(
    row: IndicatorRealisation, capaian: float | None, thresholds: RatingThresholds = RatingThresholds()
) -> Rating:
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
    indicator_ratings: list[tuple[JenisHasilKerja, Rating]], thresholds: RatingThresholds = RatingThresholds()
) -> Rating:
    """Rating hasil kerja from the rating of every row.

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

    if _is_most(ratings.count(Rating.DI_ATAS), len(ratings)) and utama_di_bawah == 0:
        return Rating.DI_ATAS
    meets = ratings.count(Rating.DI_ATAS) + ratings.count(Rating.SESUAI)
    if _is_most(meets, len(ratings)) and utama_di_bawah <= thresholds.small_part_of_utama * len(utama):
        return Rating.SESUAI
    return Rating.DI_BAWAH


def rating_perilaku(ratings: dict[BerAKHLAK, Rating]) -> tuple[Rating, RatingSource]:
    """Rating perilaku from the supervisor's rating of each BerAKHLAK value given.

    - No value rated yet: Sesuai Ekspektasi with source DEFAULT. Assumption: an
      employee is not marked down (or up) for behaviour nobody has assessed.
    - Di Atas: most (> 50%) of the rated values above and none below.
    - Di Bawah: more than half of the rated values below.
    - Sesuai: otherwise.
    """
    if not ratings:
        return Rating.SESUAI, RatingSource.DEFAULT
    given = list(ratings.values())
    if _is_most(given.count(Rating.DI_ATAS), len(given)) and Rating.DI_BAWAH not in given:
        return Rating.DI_ATAS, RatingSource.ATASAN
    if _is_most(given.count(Rating.DI_BAWAH), len(given)):
        return Rating.DI_BAWAH, RatingSource.ATASAN
    return Rating.SESUAI, RatingSource.ATASAN


def _is_most(count: int, total: int) -> bool:
    # "Most or all" read as a strict majority: half is not most.
    return total > 0 and count * 2 > total
