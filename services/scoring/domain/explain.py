"""Why a score is what it is, in Bahasa Indonesia, for a BKPSDM officer checking it by hand.

The reasons are written into the score when it is computed (so they name the
thresholds of the policy used); `explain_in_bahasa` reads only the published
score, so an old score explains itself without its policy at hand.
"""

from shared.contracts.common import BerAKHLAK, JenisHasilKerja, Polaritas, Rating
from shared.contracts.labels import BERAKHLAK_LABEL, PREDIKAT_LABEL, RATING_LABEL
from shared.contracts.scores import (
    Formula,
    HasilKerjaBasis,
    HasilKerjaRule,
    IndicatorScore,
    PerilakuBasis,
    PerilakuRule,
    RatingCounts,
    RatingSource,
    RevisionCause,
    ScoreComputed,
)

from .bahasa import angka, daftar, masukan
from .policy import RatingThresholds
from .rating import is_most

_SOURCE_LABEL = {RatingSource.ATASAN: "dari atasan", RatingSource.COMPUTED: "dihitung", RatingSource.DEFAULT: "bawaan"}
_JENIS_LABEL = {JenisHasilKerja.UTAMA: "Utama", JenisHasilKerja.TAMBAHAN: "Tambahan"}
_CAUSE_LABEL = {
    RevisionCause.CORRECTION: "koreksi laporan",
    RevisionCause.RESCORE: "penilaian ulang dengan kebijakan terkini",
}


def indicator_reason(score: IndicatorScore, thresholds: RatingThresholds) -> str:
    """Why one row has its rating: "capaian 107,14% (lebih kecil lebih baik: ...) >= 100%: Sesuai Ekspektasi"."""
    rating = RATING_LABEL[score.rating]
    if score.capaian is None:
        return f"indikator kualitatif tanpa capaian angka; rating atasan: {rating}"
    capaian = f"capaian {angka(score.capaian)}% ({_formula_text(score)})"
    if score.rating_source is RatingSource.ATASAN:
        return f"{capaian}; rating atasan berlaku: {rating}"
    return f"{capaian} {_threshold_text(score.rating, thresholds)}: {rating}"


def hasil_kerja_reason(
    utama: RatingCounts,
    tambahan: RatingCounts,
    rule: HasilKerjaRule,
    computed: Rating,
    rating: Rating,
    thresholds: RatingThresholds,
) -> str:
    """The counts, the rule that fired and its numbers; `computed` is what the rows alone give."""
    counts = f"Utama: {_counts_text(utama)}; Tambahan: {_counts_text(tambahan)}"
    total = _total(utama) + _total(tambahan)
    meets = utama.di_atas + utama.sesuai + tambahan.di_atas + tambahan.sesuai
    utama_short = f"{utama.di_bawah} dari {_total(utama)} Utama Di Bawah Ekspektasi"
    small_part = f"{angka(thresholds.small_part_of_utama * 100)}%"
    match rule:
        case HasilKerjaRule.ATASAN:
            why = f"rating hasil kerja dari atasan berlaku (perhitungan dari baris: {RATING_LABEL[computed]})"
        case HasilKerjaRule.MOST_ABOVE_NONE_UTAMA_BELOW:
            above = utama.di_atas + tambahan.di_atas
            why = f"{above} dari {total} hasil kerja Di Atas Ekspektasi (lebih dari separuh), tidak ada Utama Di Bawah"
        case HasilKerjaRule.MOST_MEET_SMALL_PART_UTAMA_BELOW:
            why = (
                f"{meets} dari {total} hasil kerja Sesuai atau Di Atas Ekspektasi (lebih dari separuh), "
                f"{utama_short}, tidak lebih dari {small_part}"
            )
        case _ if not is_most(meets, total):
            why = f"hanya {meets} dari {total} hasil kerja Sesuai atau Di Atas Ekspektasi (tidak lebih dari separuh)"
        case _:
            why = f"{utama_short}, lebih dari {small_part} yang diperbolehkan"
    return f"{counts}. {_capitalised(why)}: {RATING_LABEL[rating]}"


def perilaku_reason(ratings: dict[BerAKHLAK, Rating], rule: PerilakuRule, rating: Rating) -> str:
    """The BerAKHLAK values rated, those below, and the rule that fired."""
    if rule is PerilakuRule.NOT_RATED:
        return f"Belum ada nilai BerAKHLAK yang dinilai atasan: {RATING_LABEL[rating]} (bawaan)"
    given = list(ratings.values())
    above, below = given.count(Rating.DI_ATAS), given.count(Rating.DI_BAWAH)
    summary = (
        f"{len(given)} dari {len(BerAKHLAK)} nilai BerAKHLAK dinilai: "
        f"{above} Di Atas, {given.count(Rating.SESUAI)} Sesuai, {below} Di Bawah"
    )
    if below:
        names = [BERAKHLAK_LABEL[value] for value in BerAKHLAK if ratings.get(value) is Rating.DI_BAWAH]
        summary += f" (Di Bawah: {daftar(names, 'dan')})"
    match rule:
        case PerilakuRule.MOST_ABOVE_NONE_BELOW:
            why = "lebih dari separuh Di Atas dan tidak ada yang Di Bawah"
        case PerilakuRule.MOST_BELOW:
            why = "lebih dari separuh Di Bawah"
        case _ if is_most(above, len(given)):
            why = "lebih dari separuh Di Atas, tetapi ada yang Di Bawah"
        case _:
            why = "bukan mayoritas Di Atas maupun mayoritas Di Bawah"
    return f"{summary}. {_capitalised(why)}: {RATING_LABEL[rating]}"


def explain_in_bahasa(score: ScoreComputed) -> list[str]:
    """One line per row, then hasil kerja, perilaku, the quadrant cell with the predikat, and the policy."""
    lines = [_row_line(indicator) for indicator in score.indicators]
    lines.append(
        _rating_line("Hasil kerja", score.rating_hasil_kerja, score.rating_hasil_kerja_source, score.hasil_kerja_basis)
    )
    lines.append(_rating_line("Perilaku", score.rating_perilaku, score.rating_perilaku_source, score.perilaku_basis))
    lines.append(
        f"Kuadran: hasil kerja {RATING_LABEL[score.rating_hasil_kerja]} x perilaku "
        f"{RATING_LABEL[score.rating_perilaku]}: predikat {PREDIKAT_LABEL[score.predikat]}" + _kode_text(score)
    )
    lines.append(_policy_line(score))
    return lines


def _formula_text(score: IndicatorScore) -> str:
    lower_is_better = score.polaritas is Polaritas.LOWER_IS_BETTER
    if score.formula is not Formula.TARGET_RANGE:
        return _single_text(lower_is_better, score.realisasi, score.target)
    lower, upper, realisasi = score.target_lower, score.target_upper, score.realisasi
    rentang = f"rentang target {_input(lower)} s.d. {_input(upper)}"
    if lower is None or upper is None or realisasi is None:
        return rentang  # not from score_indicator, which always copies a range row's inputs
    if lower <= realisasi <= upper:
        return f"{rentang}, realisasi {_input(realisasi)} di dalamnya: 100"
    bound, side = (upper, "di atas batas atas") if realisasi > upper else (lower, "di bawah batas bawah")
    if bound == 0:
        # Only a lower-is-better zero-tolerance range gets here (capaian_against_range).
        return f"{rentang}, realisasi {_input(realisasi)} {side} 0: 0"
    return f"{rentang}, realisasi {side}; {_single_text(lower_is_better, realisasi, bound)}"


def _single_text(lower_is_better: bool, realisasi: float | None, target: float | None) -> str:
    if lower_is_better:
        # capaian_lower_is_better floors a realisation over twice the target at 0.
        floored = realisasi is not None and target is not None and realisasi > 2 * target
        floor = ", paling kecil 0" if floored else ""
        return f"lebih kecil lebih baik: (1 + (1 - {_input(realisasi)}/{_input(target)})) x 100{floor}"
    return f"lebih besar lebih baik: {_input(realisasi)}/{_input(target)} x 100"


def _threshold_text(rating: Rating, thresholds: RatingThresholds) -> str:
    if rating is Rating.DI_ATAS:
        return f">= {angka(thresholds.di_atas_min_capaian)}%"
    if rating is Rating.SESUAI:
        return f">= {angka(thresholds.sesuai_min_capaian)}%"
    return f"< {angka(thresholds.sesuai_min_capaian)}%"


def _row_line(indicator: IndicatorScore) -> str:
    reason = indicator.reason or f"rating {RATING_LABEL[indicator.rating]}"
    nilai = "" if indicator.nilai is None else f"; nilai {angka(indicator.nilai)} (pita {indicator.band})"
    return f"{indicator.row_id} ({_JENIS_LABEL[indicator.jenis]}): {reason}{nilai}"


def _rating_line(name: str, rating: Rating, source: RatingSource, basis: HasilKerjaBasis | PerilakuBasis | None) -> str:
    # Scores published before the breakdown existed have no basis: the rating alone is shown.
    head = f"{name} {RATING_LABEL[rating]} ({_SOURCE_LABEL[source]})"
    return head if basis is None else f"{head}. {basis.reason}"


def _kode_text(score: ScoreComputed) -> str:
    if score.kode_kuadran is None:
        return ""
    return (
        f" (kode SIASN hasil kerja {score.kode_hasil_kerja}, perilaku {score.kode_perilaku}, "
        f"kuadran {score.kode_kuadran})"
    )


def _policy_line(score: ScoreComputed) -> str:
    line = f"Kebijakan penilaian {score.policy_version}; laporan versi {score.report_version}, revisi {score.revision}"
    if score.supersedes is not None:
        cause = "" if score.revision_cause is None else f" karena {_CAUSE_LABEL[score.revision_cause]}"
        line += f" (menggantikan revisi {score.supersedes}{cause})"
    return line


def _counts_text(counts: RatingCounts) -> str:
    return f"{counts.di_atas} Di Atas, {counts.sesuai} Sesuai, {counts.di_bawah} Di Bawah"


def _total(counts: RatingCounts) -> int:
    return counts.di_atas + counts.sesuai + counts.di_bawah


def _input(value: float | None) -> str:
    return "-" if value is None else masukan(value)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
