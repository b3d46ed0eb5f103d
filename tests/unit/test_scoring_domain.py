"""Scoring domain: capaian, nilai bands, ratings, predikat quadrant and the explained ScoreComputed."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.scoring.domain import (
    RatingThresholds,
    capaian_against_range,
    capaian_higher_is_better,
    capaian_lower_is_better,
    capaian_of,
    explain_in_bahasa,
    formula_of,
    kode_kuadran,
    kode_rating,
    national_policy,
    nilai_from_capaian,
    predikat_from_quadrant,
    rating_hasil_kerja,
    rating_of_indicator,
    rating_perilaku,
    score_report,
)
from services.scoring.domain.policy import NilaiBand
from shared.contracts.common import (
    Aspek,
    BerAKHLAK,
    JenisHasilKerja,
    Period,
    PeriodType,
    Polaritas,
    Predikat,
    Rating,
    TargetRange,
)
from shared.contracts.reports import IndicatorRealisation, ReportSubmitted
from shared.contracts.scores import (
    Formula,
    HasilKerjaRule,
    PerilakuRule,
    RatingCounts,
    RatingSource,
    RevisionCause,
    ScoreComputed,
)

NIP = "198503122010011002"
NOW = datetime(2026, 11, 5, 9, 30, tzinfo=UTC)
POLICY = national_policy()
THRESHOLDS = POLICY.rating_thresholds
BANDS = POLICY.nilai_bands
UTAMA, TAMBAHAN = JenisHasilKerja.UTAMA, JenisHasilKerja.TAMBAHAN
ATAS, SESUAI, BAWAH = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH
HIGHER, LOWER, QUALITATIVE = Polaritas.HIGHER_IS_BETTER, Polaritas.LOWER_IS_BETTER, Polaritas.QUALITATIVE


def row(
    row_id: str = "rhk-1",
    *,
    jenis: JenisHasilKerja = UTAMA,
    polaritas: Polaritas = HIGHER,
    target: float | None = 100,
    target_range: tuple[float, float] | None = None,
    realisasi: float | None = 100,
    rating_atasan: Rating | None = None,
    kompetensi: tuple[str, ...] = (),
) -> IndicatorRealisation:
    if polaritas is QUALITATIVE:
        target, realisasi = None, None
    if target_range is not None:
        target = None
    return IndicatorRealisation(
        row_id=row_id,
        rhk="Cakupan imunisasi dasar lengkap",
        jenis=jenis,
        aspek=Aspek.KUANTITAS,
        indikator="Persentase bayi diimunisasi",
        polaritas=polaritas,
        target=target,
        target_range=None if target_range is None else TargetRange(lower=target_range[0], upper=target_range[1]),
        realisasi=realisasi,
        rating_atasan=rating_atasan,
        kompetensi=list(kompetensi),
    )


def report(
    indicators: list[IndicatorRealisation],
    perilaku: dict[BerAKHLAK, Rating] | None = None,
    rating_hasil_kerja_atasan: Rating | None = None,
    version: int = 1,
) -> ReportSubmitted:
    return ReportSubmitted(
        report_id="bungo-dinkes/rpt-2026-10-198503122010011002",
        agency_id="bungo-dinkes",
        nip=NIP,
        skp_id="skp-2026-198503122010011002",
        period=Period(type=PeriodType.BULANAN, start=date(2026, 10, 1), end=date(2026, 10, 31)),
        indicators=indicators,
        rating_hasil_kerja_atasan=rating_hasil_kerja_atasan,
        perilaku=perilaku or {},
        submitted_at=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
        version=version,
        supersedes=None if version == 1 else version - 1,
        unit_kerja="puskesmas-muara-bungo",
    )


# --- capaian ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "formula", "capaian"),
    [
        (row(target=95, realisasi=92.5), Formula.HIGHER_IS_BETTER, 97.368421),
        (row(target=95, realisasi=0), Formula.HIGHER_IS_BETTER, 0.0),
        # The regulation's own example: target 7 months, realisasi 6.5.
        (row(polaritas=LOWER, target=7, realisasi=6.5), Formula.LOWER_IS_BETTER, 107.142857),
        (row(polaritas=LOWER, target=5, realisasi=0), Formula.LOWER_IS_BETTER, 200.0),  # the formula's maximum
        (row(polaritas=LOWER, target=7, realisasi=20), Formula.LOWER_IS_BETTER, 0.0),  # floored, not negative
        (row(target_range=(90, 100), realisasi=95), Formula.TARGET_RANGE, 100.0),
        (row(target_range=(90, 100), realisasi=110), Formula.TARGET_RANGE, 110.0),  # against the upper bound
        (row(target_range=(90, 100), realisasi=81), Formula.TARGET_RANGE, 90.0),  # against the lower bound
        (row(polaritas=LOWER, target_range=(5, 10), realisasi=12), Formula.TARGET_RANGE, 80.0),
        (row(polaritas=LOWER, target_range=(5, 10), realisasi=4), Formula.TARGET_RANGE, 120.0),
        (row(polaritas=QUALITATIVE, rating_atasan=SESUAI), Formula.QUALITATIVE, None),
    ],
)
def test_every_capaian_formula(indicator, formula, capaian):
    assert formula_of(indicator) is formula
    assert capaian_of(indicator) == (None if capaian is None else pytest.approx(capaian, abs=1e-6))


@pytest.mark.parametrize("target", [0, -1])
def test_single_target_must_be_positive(target):
    with pytest.raises(ValueError, match="target"):
        capaian_higher_is_better(5, target)


@pytest.mark.parametrize("polaritas", [HIGHER, LOWER])
@pytest.mark.parametrize("realisasi", [90, 95, 100])
def test_realisation_inside_range_including_bounds_is_100(realisasi, polaritas):
    assert capaian_against_range(realisasi, 90, 100, polaritas) == 100.0


def test_zero_tolerance_range_for_lower_is_better():
    assert capaian_against_range(0, 0, 0, LOWER) == 100.0
    assert capaian_against_range(2, 0, 0, LOWER) == 0.0


def test_zero_upper_bound_for_higher_is_better_is_rejected():
    with pytest.raises(ValueError, match="zero upper bound"):
        capaian_against_range(3, 0, 0, HIGHER)


REALISASI = st.floats(0, 10_000, allow_nan=False)
TARGET = st.floats(0.01, 10_000, allow_nan=False)


@given(REALISASI, REALISASI, TARGET)
def test_capaian_never_falls_as_realisasi_grows_when_higher_is_better(a, b, target):
    low, high = sorted((a, b))
    assert capaian_higher_is_better(low, target) <= capaian_higher_is_better(high, target)


@given(REALISASI, REALISASI, TARGET)
def test_capaian_never_rises_as_realisasi_grows_when_lower_is_better(a, b, target):
    low, high = sorted((a, b))
    assert capaian_lower_is_better(low, target) >= capaian_lower_is_better(high, target)


@given(REALISASI, REALISASI, TARGET, TARGET, st.sampled_from([HIGHER, LOWER]))
def test_range_capaian_is_monotone_in_the_direction_of_its_polaritas(a, b, bound_a, bound_b, polaritas):
    low, high = sorted((a, b))
    lower, upper = sorted((bound_a, bound_b))
    at_low, at_high = (capaian_against_range(r, lower, upper, polaritas) for r in (low, high))
    assert at_low <= at_high if polaritas is HIGHER else at_low >= at_high


# --- nilai bands -----------------------------------------------------------


@pytest.mark.parametrize(
    ("capaian", "nilai"),
    [
        (0, 0.0),
        (30, 24.92),  # 30 / 59 x 49
        (59.99, 49.82),
        (60, 50.0),
        (79.99, 69.99),
        (80, 70.0),
        (99.99, 89.99),
        (100, 90.0),
        (105, 105.0),
        (109.99, 119.97),
        (110, 120.0),
        (110.01, 120.0),
        (1_000_000, 120.0),
    ],
)
def test_nilai_band_end_points(capaian, nilai):
    assert nilai_from_capaian(capaian, BANDS) == nilai


@given(st.floats(0, 300), st.floats(0, 300))
def test_nilai_never_decreases_as_capaian_grows(a, b):
    low, high = sorted((a, b))
    assert nilai_from_capaian(low, BANDS) <= nilai_from_capaian(high, BANDS)


@given(st.floats(0, 299.99))
def test_nilai_stays_in_0_120_and_has_no_big_jumps(capaian):
    nilai = nilai_from_capaian(capaian, BANDS)
    assert 0 <= nilai <= 120
    # Largest jump is at 60% (59.99 -> 49.82, 60 -> 50); nothing else should leap.
    assert nilai_from_capaian(capaian + 0.01, BANDS) - nilai <= 0.25


def test_unconfirmed_band_end_points_are_flagged_and_configurable():
    assert {band.name for band in BANDS if not band.confirmed} == {"sangat_baik", "baik"}
    # An agency correcting the Baik band to 100-110 -> 100-120 only swaps data.
    corrected = [
        NilaiBand(name="baik", min_capaian=100, nilai_at_min=100, slope=2) if b.name == "baik" else b for b in BANDS
    ]
    assert nilai_from_capaian(105, corrected) == 110.0
    assert nilai_from_capaian(105, BANDS) == 105.0


def test_negative_capaian_is_rejected():
    with pytest.raises(ValueError):
        nilai_from_capaian(-1, BANDS)


# --- rating per indicator --------------------------------------------------


@pytest.mark.parametrize(
    ("capaian", "expected"), [(110, ATAS), (109.99, SESUAI), (100, SESUAI), (99.99, BAWAH), (0, BAWAH)]
)
def test_indicator_rating_from_capaian(capaian, expected):
    assert rating_of_indicator(row(), capaian, THRESHOLDS) is expected


def test_supervisor_rating_of_indicator_stands_over_capaian():
    assert rating_of_indicator(row(rating_atasan=ATAS), 50.0, THRESHOLDS) is ATAS
    assert rating_of_indicator(row(rating_atasan=BAWAH), 150.0, THRESHOLDS) is BAWAH


def test_indicator_thresholds_are_configurable():
    assert rating_of_indicator(row(), 115.0, RatingThresholds(di_atas_min_capaian=120.0)) is SESUAI


# --- rating hasil kerja ----------------------------------------------------

ABOVE_RULE = (ATAS, HasilKerjaRule.MOST_ABOVE_NONE_UTAMA_BELOW)
MEETS_RULE = (SESUAI, HasilKerjaRule.MOST_MEET_SMALL_PART_UTAMA_BELOW)
BELOW_RULE = (BAWAH, HasilKerjaRule.OTHERWISE_BELOW)


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([(UTAMA, ATAS), (UTAMA, ATAS), (TAMBAHAN, ATAS)], ABOVE_RULE),
        # 3 of 4 above is "most", but a main result below rules Di Atas out; 1 of 4 Utama is the small part.
        ([(UTAMA, ATAS)] * 3 + [(UTAMA, BAWAH)], MEETS_RULE),
        ([(UTAMA, ATAS), (UTAMA, ATAS), (TAMBAHAN, BAWAH)], ABOVE_RULE),  # a Tambahan below does not block
        ([(UTAMA, ATAS), (UTAMA, SESUAI)], MEETS_RULE),  # half is not most
        ([(UTAMA, SESUAI)] * 3 + [(UTAMA, BAWAH)], MEETS_RULE),  # exactly the small part
        ([(UTAMA, BAWAH), (TAMBAHAN, BAWAH), (TAMBAHAN, ATAS)], BELOW_RULE),
        # 5 of 6 meet, but 1 of 3 Utama (33%) is more than the 25% small part.
        ([(UTAMA, SESUAI), (UTAMA, SESUAI), (UTAMA, BAWAH)] + [(TAMBAHAN, SESUAI)] * 3, BELOW_RULE),
    ],
)
def test_rating_hasil_kerja_and_its_rule(ratings, expected):
    assert rating_hasil_kerja(ratings, THRESHOLDS) == expected


def test_small_part_of_utama_is_configurable():
    ratings = [(UTAMA, SESUAI), (UTAMA, SESUAI), (UTAMA, BAWAH)] + [(TAMBAHAN, SESUAI)] * 3
    assert rating_hasil_kerja(ratings, RatingThresholds(small_part_of_utama=0.34)) == MEETS_RULE


def test_rating_hasil_kerja_needs_rows():
    with pytest.raises(ValueError):
        rating_hasil_kerja([], THRESHOLDS)


# --- rating perilaku -------------------------------------------------------


def _perilaku(*ratings: Rating) -> dict[BerAKHLAK, Rating]:
    return dict(zip(BerAKHLAK, ratings, strict=False))


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ((), (SESUAI, PerilakuRule.NOT_RATED)),
        ((ATAS,) * 4 + (SESUAI,) * 3, (ATAS, PerilakuRule.MOST_ABOVE_NONE_BELOW)),
        ((ATAS,) * 6 + (BAWAH,), (SESUAI, PerilakuRule.OTHERWISE_MEETS)),  # majority above, but one below
        ((ATAS,) * 3 + (SESUAI,) * 4, (SESUAI, PerilakuRule.OTHERWISE_MEETS)),
        ((BAWAH,) * 3 + (SESUAI,) * 4, (SESUAI, PerilakuRule.OTHERWISE_MEETS)),
        ((BAWAH,) * 4 + (ATAS,) * 3, (BAWAH, PerilakuRule.MOST_BELOW)),
        ((BAWAH,), (BAWAH, PerilakuRule.MOST_BELOW)),
    ],
)
def test_rating_perilaku_from_berakhlak(ratings, expected):
    assert rating_perilaku(_perilaku(*ratings)) == expected


# --- predikat quadrant and SIASN codes ---------------------------------------

# The table in docs/domain.md, written out again so a change to the national
# policy's data has to be a deliberate change to this test as well.
DOMAIN_MD_QUADRANT = [
    (ATAS, BAWAH, Predikat.KURANG),
    (ATAS, SESUAI, Predikat.BAIK),
    (ATAS, ATAS, Predikat.SANGAT_BAIK),
    (SESUAI, BAWAH, Predikat.KURANG),
    (SESUAI, SESUAI, Predikat.BAIK),
    (SESUAI, ATAS, Predikat.BAIK),
    (BAWAH, BAWAH, Predikat.SANGAT_KURANG),
    (BAWAH, SESUAI, Predikat.BUTUH_PERBAIKAN),
    (BAWAH, ATAS, Predikat.BUTUH_PERBAIKAN),
]


@pytest.mark.parametrize(("hasil_kerja", "perilaku", "predikat"), DOMAIN_MD_QUADRANT)
def test_national_predikat_quadrant_cell(hasil_kerja, perilaku, predikat):
    assert predikat_from_quadrant(hasil_kerja, perilaku, POLICY.predikat_matrix) is predikat


def test_siasn_codes():
    assert [kode_rating(r) for r in (ATAS, SESUAI, BAWAH)] == [1, 2, 3]
    assert [kode_kuadran(p) for p in Predikat] == [1, 2, 3, 4, 5]  # Sangat Baik .. Sangat Kurang


# --- the whole report ------------------------------------------------------


def _bungo_dinkes_report(**kwargs) -> ReportSubmitted:
    return report(
        [
            # Imunisasi: 92.5 of 95 -> 97.37% -> Cukup.
            row("rhk-1", target=95, realisasi=92.5, kompetensi=("kesehatan-masyarakat",)),
            # Permit time: 6.5 of 7 days, lower is better -> 107.14%.
            row("rhk-2", polaritas=LOWER, target=7, realisasi=6.5, kompetensi=("pelayanan-publik",)),
            # Coverage within 90-100 -> 100%.
            row("rhk-3", target_range=(90, 100), realisasi=93),
            row("rhk-4", jenis=TAMBAHAN, polaritas=QUALITATIVE, rating_atasan=ATAS, kompetensi=("analisis-data",)),
        ],
        **kwargs,
    )


PERILAKU = {
    BerAKHLAK.KOLABORATIF: BAWAH,
    BerAKHLAK.AKUNTABEL: BAWAH,
    BerAKHLAK.LOYAL: SESUAI,
    BerAKHLAK.HARMONIS: SESUAI,
    BerAKHLAK.KOMPETEN: ATAS,
}


def test_score_report_builds_the_full_contract():
    score = score_report(_bungo_dinkes_report(perilaku=PERILAKU), POLICY, NOW)

    assert [(i.row_id, i.capaian, i.nilai, i.band, i.rating, i.rating_source) for i in score.indicators] == [
        ("rhk-1", 97.37, 87.37, "cukup", BAWAH, RatingSource.COMPUTED),
        ("rhk-2", 107.14, 111.42, "baik", SESUAI, RatingSource.COMPUTED),
        ("rhk-3", 100.0, 90.0, "baik", SESUAI, RatingSource.COMPUTED),
        ("rhk-4", None, None, None, ATAS, RatingSource.ATASAN),
    ]
    assert [(i.formula, i.realisasi, i.target, i.target_lower, i.target_upper) for i in score.indicators] == [
        (Formula.HIGHER_IS_BETTER, 92.5, 95, None, None),
        (Formula.LOWER_IS_BETTER, 6.5, 7, None, None),
        (Formula.TARGET_RANGE, 93, None, 90, 100),
        (Formula.QUALITATIVE, None, None, None, None),
    ]
    assert score.indicators[1].reason == (
        "capaian 107,14% (lebih kecil lebih baik: (1 + (1 - 6,5/7)) x 100) >= 100%: Sesuai Ekspektasi"
    )
    assert (
        score.indicators[0].reason
        == "capaian 97,37% (lebih besar lebih baik: 92,5/95 x 100) < 100%: Di Bawah Ekspektasi"
    )
    assert score.indicators[0].kompetensi == ["kesehatan-masyarakat"]
    assert score.nilai_hasil_kerja == pytest.approx((87.37 + 111.42 + 90.0) / 3, abs=0.005)
    # 3 of 4 meet expectation; 1 of 3 Utama short is more than the small part.
    assert (score.rating_hasil_kerja, score.rating_hasil_kerja_source) == (BAWAH, RatingSource.COMPUTED)
    basis = score.hasil_kerja_basis
    assert (basis.utama, basis.tambahan, basis.rule) == (
        RatingCounts(di_atas=0, sesuai=2, di_bawah=1),
        RatingCounts(di_atas=1, sesuai=0, di_bawah=0),
        HasilKerjaRule.OTHERWISE_BELOW,
    )
    assert "1 dari 3 Utama Di Bawah Ekspektasi, lebih dari 25% yang diperbolehkan" in basis.reason
    assert (score.rating_perilaku, score.rating_perilaku_source) == (SESUAI, RatingSource.ATASAN)
    assert score.perilaku_basis.rule is PerilakuRule.OTHERWISE_MEETS
    # BerAKHLAK order (Akuntabel before Kolaboratif), whatever order the report used.
    assert list(score.perilaku_basis.ratings) == [
        BerAKHLAK.AKUNTABEL,
        BerAKHLAK.KOMPETEN,
        BerAKHLAK.HARMONIS,
        BerAKHLAK.LOYAL,
        BerAKHLAK.KOLABORATIF,
    ]
    assert "Di Bawah: Akuntabel dan Kolaboratif" in score.perilaku_basis.reason
    assert score.perilaku_di_bawah == [BerAKHLAK.AKUNTABEL, BerAKHLAK.KOLABORATIF]
    assert score.predikat is Predikat.BUTUH_PERBAIKAN
    assert (score.kode_hasil_kerja, score.kode_perilaku, score.kode_kuadran) == (3, 2, 3)
    assert (score.period_id, score.unit_kerja) == ("2026-10", "puskesmas-muara-bungo")
    assert (score.policy_version, score.report_version, score.revision, score.supersedes) == ("nasional@1", 1, 1, None)
    assert score.revision_cause is None
    assert score.computed_at == NOW
    assert ScoreComputed.model_validate_json(score.model_dump_json()) == score


def test_supervisor_rating_hasil_kerja_stands_and_drives_predikat():
    score = score_report(_bungo_dinkes_report(rating_hasil_kerja_atasan=SESUAI), POLICY, NOW)
    assert (score.rating_hasil_kerja, score.rating_hasil_kerja_source) == (SESUAI, RatingSource.ATASAN)
    assert score.hasil_kerja_basis.rule is HasilKerjaRule.ATASAN
    assert "perhitungan dari baris: Di Bawah Ekspektasi" in score.hasil_kerja_basis.reason
    assert (score.rating_perilaku, score.rating_perilaku_source) == (SESUAI, RatingSource.DEFAULT)
    assert score.perilaku_basis.rule is PerilakuRule.NOT_RATED
    assert score.predikat is Predikat.BAIK


def test_exemplary_employee_is_sangat_baik():
    perilaku = dict.fromkeys(BerAKHLAK, ATAS)
    score = score_report(report([row(realisasi=115), row("rhk-2", target=10, realisasi=12)], perilaku), POLICY, NOW)
    assert [i.nilai for i in score.indicators] == [120.0, 120.0]
    assert score.hasil_kerja_basis.rule is HasilKerjaRule.MOST_ABOVE_NONE_UTAMA_BELOW
    assert (score.predikat, score.kode_kuadran) == (Predikat.SANGAT_BAIK, 1)


def test_only_qualitative_rows_have_no_nilai_hasil_kerja():
    score = score_report(report([row(polaritas=QUALITATIVE, rating_atasan=SESUAI)]), POLICY, NOW)
    assert score.nilai_hasil_kerja is None
    assert score.rating_hasil_kerja is SESUAI


def test_rating_and_nilai_follow_the_published_rounded_capaian():
    # 109.9996% is published as 110.0, so it must also score and rate as 110%.
    score = score_report(report([row(target=100_000, realisasi=109_999.6)]), POLICY, NOW)
    assert (score.indicators[0].capaian, score.indicators[0].nilai) == (110.0, 120.0)
    assert (score.indicators[0].rating, score.indicators[0].band) == (ATAS, "sangat_baik")


def test_score_report_uses_the_policy_given():
    matrix = {hasil: dict(cells) for hasil, cells in POLICY.predikat_matrix.items()}
    matrix[BAWAH][SESUAI] = Predikat.KURANG
    custom = POLICY.model_copy(update={"predikat_matrix": matrix, "version": "bungo-dinkes@2"})
    lenient = POLICY.model_copy(
        update={"rating_thresholds": RatingThresholds(sesuai_min_capaian=95.0, small_part_of_utama=0.5)}
    )
    assert score_report(_bungo_dinkes_report(), custom, NOW).predikat is Predikat.KURANG
    assert score_report(_bungo_dinkes_report(), custom, NOW).policy_version == "bungo-dinkes@2"
    assert score_report(_bungo_dinkes_report(), lenient, NOW).predikat is Predikat.BAIK
    assert score_report(_bungo_dinkes_report(), POLICY, NOW).predikat is Predikat.BUTUH_PERBAIKAN


def test_a_corrected_report_is_scored_with_its_version():
    score = score_report(_bungo_dinkes_report(version=3), POLICY, NOW)
    assert (score.report_version, score.revision, score.supersedes) == (3, 1, None)
    assert explain_in_bahasa(score)[-1] == "Kebijakan penilaian nasional@1; laporan versi 3, revisi 1"


def test_explanation_names_every_row_both_ratings_the_cell_and_the_policy():
    lines = explain_in_bahasa(score_report(_bungo_dinkes_report(perilaku=PERILAKU), POLICY, NOW))
    assert [line.split(" ")[0] for line in lines[:4]] == ["rhk-1", "rhk-2", "rhk-3", "rhk-4"]
    assert "nilai 111,42 (pita baik)" in lines[1]
    assert "rentang target 90 s.d. 100, realisasi 93 di dalamnya" in lines[2]
    assert "indikator kualitatif" in lines[3]
    assert lines[4].startswith("Hasil kerja Di Bawah Ekspektasi (dihitung). Utama: 0 Di Atas, 2 Sesuai, 1 Di Bawah")
    assert lines[5].startswith("Perilaku Sesuai Ekspektasi (dari atasan). 5 dari 7 nilai BerAKHLAK dinilai")
    assert "perilaku Sesuai Ekspektasi: predikat Butuh Perbaikan" in lines[6]
    assert lines[7] == "Kebijakan penilaian nasional@1; laporan versi 1, revisi 1"
    assert len(lines) == 8


def test_explanation_of_a_revision_says_what_it_replaces():
    score = score_report(_bungo_dinkes_report(), POLICY, NOW).model_copy(
        update={"revision": 3, "supersedes": 2, "revision_cause": RevisionCause.RESCORE}
    )
    assert explain_in_bahasa(score)[-1].endswith(
        "revisi 3 (menggantikan revisi 2 karena penilaian ulang dengan kebijakan terkini)"
    )
