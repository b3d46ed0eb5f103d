"""Predikat kinerja from the quadrant of rating hasil kerja x rating perilaku, and the SIASN codes.

The quadrant is the scoring policy's predikat_matrix, not code, because it is
unconfirmed against the gazetted annex of PermenPANRB 6/2022. "Kurang/Misconduct"
is Predikat.KURANG.
"""

from shared.contracts.common import Predikat, Rating

from .policy import PredikatMatrix

# SIASN `kinerjaperiodik` codes, so a connector needs no mapping of its own.
_KODE_RATING = {Rating.DI_ATAS: 1, Rating.SESUAI: 2, Rating.DI_BAWAH: 3}
_RATING_OF_KODE = {kode: rating for rating, kode in _KODE_RATING.items()}
_KODE_KUADRAN = {
    Predikat.SANGAT_BAIK: 1,
    Predikat.BAIK: 2,
    Predikat.BUTUH_PERBAIKAN: 3,
    Predikat.KURANG: 4,
    Predikat.SANGAT_KURANG: 5,
}


def predikat_from_quadrant(hasil_kerja: Rating, perilaku: Rating, matrix: PredikatMatrix) -> Predikat:
    """Predikat kinerja for one employee from the two ratings and the policy's quadrant."""
    return matrix[hasil_kerja][perilaku]


def kode_rating(rating: Rating) -> int:
    """SIASN code of a rating: 1 Di Atas, 2 Sesuai, 3 Di Bawah Ekspektasi."""
    return _KODE_RATING[rating]


def rating_of_kode(kode: int) -> Rating:
    """The rating a SIASN code stands for (the inverse of kode_rating)."""
    return _RATING_OF_KODE[kode]


def kode_kuadran(predikat: Predikat) -> int:
    """SIASN kuadran of a predikat: 1 Sangat Baik .. 5 Sangat Kurang."""
    return _KODE_KUADRAN[predikat]
