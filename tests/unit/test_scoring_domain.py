"""Scoring domain: capaian, nilai bands, ratings, predikat quadrant and the full ScoreComputed."""

import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.scoring.domain import (
    NILAI_BANDS,
    NilaiBand,
    RatingThresholds,
    capaian_against_range,
    capaian_higher_is_better,
    capaian_lower_is_better,
    capaian_of,
    load_predikat_matrix,
    nilai_from_capaian,
    predikat_from_quadrant,
    rating_hasil_kerja,
    rating_of_indicator,
    rating_perilaku,
    score_report,
)
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
from shared.contracts.scores import RatingSource, ScoreComputed

NIP = "198503122010011002"
NOW = datetime(2026, 11, 5, 9, 30, tzinfo=UTC)
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
) -> ReportSubmitted:
    return ReportSubmitted(
        report_id="rpt-2026-10-198503122010011002",
        agency_id="bungo-dinkes",
        nip=NIP,
        skp_id="skp-2026-198503122010011002",
        period=Period(type=PeriodType.BULANAN, start=date(2026, 10, 1), end=date(2026, 10, 31)),
        indicators=indicators,
        rating_hasil_kerja_atasan=rating_hasil_kerja_atasan,
        perilaku=perilaku or {},
        submitted_at=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
    )


# --- capaian ---------------------------------------------------------------


def test_lower_is_better_matches_regulation_example_7_months_target_6_5_actual():
    assert capaian_lower_is_better(6.5, 7) == pytest.approx(107.142857, abs=1e-6)


def test_higher_is_better_is_realisasi_over_target():
    assert capaian_higher_is_better(92.5, 95) == pytest.approx(97.368421, abs=1e-6)


def test_lower_is_better_floors_at_zero_when_realisasi_is_far_above_target():
    assert capaian_lower_is_better(20, 7) == 0.0


def test_lower_is_better_with_zero_realisasi_gives_200_percent():
    assert capaian_lower_is_better(0, 5) == 200.0


@pytest.mark.parametrize("target", [0, -1])
def test_single_target_must_be_positive(target):
    with pytest.raises(ValueError, match="target"):
        capaian_higher_is_better(5, target)


@pytest.mark.parametrize("polaritas", [HIGHER, LOWER])
@pytest.mark.parametrize("realisasi", [90, 95, 100])
def test_realisation_inside_range_including_bounds_is_100(realisasi, polaritas):
    assert capaian_against_range(realisasi, 90, 100, polaritas) == 100.0


@pytest.mark.parametrize(
    ("realisasi", "polaritas", "expected"),
    [
        (110, HIGHER, 110.0),  # above upper, compared with upper: 110/100
        (81, HIGHER, 90.0),  # below lower, compared with lower: 81/90
        (12, LOWER, 80.0),  # complaints above upper 10: 2 - 12/10
        (4, LOWER, 120.0),  # complaints below lower 5: 2 - 4/5
    ],
)
def test_range_compares_with_the_bound_crossed(realisasi, polaritas, expected):
    lower, upper = (90, 100) if polaritas is HIGHER else (5, 10)
    assert capaian_against_range(realisasi, lower, upper, polaritas) == pytest.approx(expected)


def test_zero_tolerance_range_for_lower_is_better():
    assert capaian_against_range(0, 0, 0, LOWER) == 100.0
    assert capaian_against_range(2, 0, 0, LOWER) == 0.0


def test_zero_upper_bound_for_higher_is_better_is_rejected():
    with pytest.raises(ValueError, match="zero upper bound"):
        capaian_against_range(3, 0, 0, HIGHER)


def test_capaian_of_dispatches_on_row_shape():
    assert capaian_of(row(polaritas=QUALITATIVE, rating_atasan=SESUAI)) is None
    assert capaian_of(row(polaritas=LOWER, target=7, realisasi=6.5)) == pytest.approx(107.142857, abs=1e-6)
    assert capaian_of(row(target_range=(90, 100), realisasi=95)) == 100.0
    assert capaian_of(row(polaritas=LOWER, target_range=(5, 10), realisasi=12)) == pytest.approx(80.0)


# --- nilai bands -----------------------------------------------------------


@pytest.mark.parametrize(
    ("capaian", "nilai"),
    [
        (0, 0.0),
        (30, 24.92),  # 30 / 59 x 49
        (59, 49.0),
        (60, 50.0),
        (79.99, 69.99),
        (80, 70.0),
        (99, 89.0),
        (100, 90.0),
        (105, 105.0),
        (110, 120.0),
        (110.01, 120.0),
        (200, 120.0),
    ],
)
def test_nilai_band_boundaries(capaian, nilai):
    assert nilai_from_capaian(capaian) == nilai


@given(st.floats(0, 300), st.floats(0, 300))
def test_nilai_never_decreases_as_capaian_grows(a, b):
    low, high = sorted((a, b))
    assert nilai_from_capaian(low) <= nilai_from_capaian(high)


@given(st.floats(0, 299.99))
def test_nilai_stays_in_0_120_and_has_no_big_jumps(capaian):
    nilai = nilai_from_capaian(capaian)
    assert 0 <= nilai <= 120
    # Largest jump is at 60% (59.99 -> 49.82, 60 -> 50); nothing else should leap.
    assert nilai_from_capaian(capaian + 0.01) - nilai <= 0.25


def test_unconfirmed_band_end_points_are_flagged_and_configurable():
    assert {band.name for band in NILAI_BANDS if not band.confirmed} == {"sangat_baik", "baik"}
    # An agency correcting the Baik band to 100-110 -> 100-120 only swaps data.
    corrected = tuple(NilaiBand("baik", 100.0, 100.0, 2.0) if b.name == "baik" else b for b in NILAI_BANDS)
    assert nilai_from_capaian(105, corrected) == 110.0
    assert nilai_from_capaian(105) == 105.0


def test_negative_capaian_is_rejected():
    with pytest.raises(ValueError):
        nilai_from_capaian(-1)


# --- rating per indicator --------------------------------------------------


@pytest.mark.parametrize(
    ("capaian", "expected"), [(110, ATAS), (109.99, SESUAI), (100, SESUAI), (99.99, BAWAH), (0, BAWAH)]
)
def test_indicator_rating_from_capaian(capaian, expected):
    assert rating_of_indicator(row(), capaian, RatingThresholds()) is expected


def test_supervisor_rating_of_indicator_stands_over_capaian():
    assert rating_of_indicator(row(rating_atasan=ATAS), 50.0, RatingThresholds()) is ATAS
    assert rating_of_indicator(row(rating_atasan=BAWAH), 150.0, RatingThresholds()) is BAWAH


def test_indicator_thresholds_are_configurable():
    strict = RatingThresholds(di_atas_min_capaian=120.0)
    assert rating_of_indicator(row(), 115.0, strict) is SESUAI


# --- rating hasil kerja ----------------------------------------------------


def test_all_results_above_is_di_atas():
    assert rating_hasil_kerja([(UTAMA, ATAS), (UTAMA, ATAS), (TAMBAHAN, ATAS)]) is ATAS


def test_one_utama_below_blocks_di_atas():
    ratings = [(UTAMA, ATAS), (UTAMA, ATAS), (UTAMA, ATAS), (UTAMA, BAWAH)]
    # 3 of 4 above would be "most", but a main result below rules Di Atas out;
    # 1 of 4 Utama short is the allowed small part, so it is Sesuai.
    assert rating_hasil_kerja(ratings) is SESUAI


def test_tambahan_below_does_not_block_di_atas():
    assert rating_hasil_kerja([(UTAMA, ATAS), (UTAMA, ATAS), (TAMBAHAN, BAWAH)]) is ATAS


def test_half_above_is_not_most():
    assert rating_hasil_kerja([(UTAMA, ATAS), (UTAMA, SESUAI)]) is SESUAI


def test_more_than_small_part_of_utama_below_is_di_bawah_even_if_most_meet():
    ratings = [(UTAMA, SESUAI), (UTAMA, SESUAI), (UTAMA, BAWAH)] + [(TAMBAHAN, SESUAI)] * 3
    # 5 of 6 meet expectation, but 1 of 3 Utama (33%) is more than the 25% small part.
    assert rating_hasil_kerja(ratings) is BAWAH
    assert rating_hasil_kerja(ratings, RatingThresholds(small_part_of_utama=0.34)) is SESUAI


def test_exactly_the_small_part_of_utama_below_is_still_sesuai():
    ratings = [(UTAMA, SESUAI), (UTAMA, SESUAI), (UTAMA, SESUAI), (UTAMA, BAWAH)]
    assert rating_hasil_kerja(ratings) is SESUAI


def test_most_results_below_is_di_bawah():
    assert rating_hasil_kerja([(UTAMA, BAWAH), (TAMBAHAN, BAWAH), (TAMBAHAN, ATAS)]) is BAWAH


def test_rating_hasil_kerja_needs_rows():
    with pytest.raises(ValueError):
        rating_hasil_kerja([])


# --- rating perilaku -------------------------------------------------------


def test_no_perilaku_rated_yet_defaults_to_sesuai():
    assert rating_perilaku({}) == (SESUAI, RatingSource.DEFAULT)


def _perilaku(*ratings: Rating) -> dict[BerAKHLAK, Rating]:
    return dict(zip(BerAKHLAK, ratings, strict=False))


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ((ATAS,) * 4 + (SESUAI,) * 3, ATAS),
        ((ATAS,) * 6 + (BAWAH,), SESUAI),  # majority above, but one value below
        ((ATAS,) * 3 + (SESUAI,) * 4, SESUAI),
        ((BAWAH,) * 3 + (SESUAI,) * 4, SESUAI),
        ((BAWAH,) * 4 + (ATAS,) * 3, BAWAH),
        ((BAWAH,), BAWAH),
    ],
)
def test_rating_perilaku_from_berakhlak(ratings, expected):
    assert rating_perilaku(_perilaku(*ratings)) == (expected, RatingSource.ATASAN)


# --- predikat quadrant -----------------------------------------------------

# The table in docs/domain.md, written out again so a change to the JSON data
# has to be a deliberate change to this test as well.
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
def test_predikat_quadrant_cell(hasil_kerja, perilaku, predikat):
    assert predikat_from_quadrant(hasil_kerja, perilaku) is predikat


def _write_matrix(tmp_path, matrix):
    path = tmp_path / "matrix.json"
    path.write_text(json.dumps({"matrix": matrix}), encoding="utf-8")
    return path


def _full_matrix() -> dict[str, dict[str, str]]:
    matrix: dict[str, dict[str, str]] = {}
    for hasil_kerja, perilaku, predikat in DOMAIN_MD_QUADRANT:
        matrix.setdefault(hasil_kerja.value, {})[perilaku.value] = predikat.value
    return matrix


def test_missing_cell_is_a_clear_error(tmp_path):
    matrix = _full_matrix()
    del matrix["sesuai_ekspektasi"]["di_atas_ekspektasi"]
    with pytest.raises(ValueError, match="sesuai_ekspektasi x di_atas_ekspektasi"):
        load_predikat_matrix(_write_matrix(tmp_path, matrix))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: m["di_atas_ekspektasi"].update(di_atas_ekspektasi="istimewa"), "unknown predikat"),
        (lambda m: m.update(luar_biasa={}), "unknown rating hasil kerja"),
        (lambda m: m["di_atas_ekspektasi"].update(luar_biasa="baik"), "unknown rating perilaku"),
    ],
)
def test_invalid_matrix_is_rejected(tmp_path, mutate, message):
    matrix = _full_matrix()
    mutate(matrix)
    with pytest.raises(ValueError, match=message):
        load_predikat_matrix(_write_matrix(tmp_path, matrix))


def test_corrected_matrix_is_used_without_code_change(tmp_path):
    matrix = _full_matrix()
    matrix["sesuai_ekspektasi"]["di_atas_ekspektasi"] = "sangat_baik"
    loaded = load_predikat_matrix(_write_matrix(tmp_path, matrix))
    assert predikat_from_quadrant(SESUAI, ATAS, loaded) is Predikat.SANGAT_BAIK
    assert predikat_from_quadrant(SESUAI, ATAS) is Predikat.BAIK


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


def test_score_report_builds_the_full_contract():
    perilaku = {
        BerAKHLAK.KOLABORATIF: BAWAH,
        BerAKHLAK.AKUNTABEL: BAWAH,
        BerAKHLAK.LOYAL: SESUAI,
        BerAKHLAK.HARMONIS: SESUAI,
        BerAKHLAK.KOMPETEN: ATAS,
    }
    score = score_report(_bungo_dinkes_report(perilaku=perilaku), NOW)

    assert [(i.row_id, i.capaian, i.nilai, i.rating) for i in score.indicators] == [
        ("rhk-1", 97.37, 87.37, BAWAH),
        ("rhk-2", 107.14, 111.42, SESUAI),
        ("rhk-3", 100.0, 90.0, SESUAI),
        ("rhk-4", None, None, ATAS),
    ]
    assert score.indicators[0].kompetensi == ["kesehatan-masyarakat"]
    assert score.nilai_hasil_kerja == pytest.approx((87.37 + 111.42 + 90.0) / 3, abs=0.005)
    # 3 of 4 meet expectation; 1 of 3 Utama short is more than the small part.
    assert (score.rating_hasil_kerja, score.rating_hasil_kerja_source) == (BAWAH, RatingSource.COMPUTED)
    assert (score.rating_perilaku, score.rating_perilaku_source) == (SESUAI, RatingSource.ATASAN)
    # BerAKHLAK order (Akuntabel before Kolaboratif), whatever order the report used.
    assert score.perilaku_di_bawah == [BerAKHLAK.AKUNTABEL, BerAKHLAK.KOLABORATIF]
    assert score.predikat is Predikat.BUTUH_PERBAIKAN
    assert score.computed_at == NOW
    assert ScoreComputed.model_validate_json(score.model_dump_json()) == score


def test_supervisor_rating_hasil_kerja_stands_and_drives_predikat():
    score = score_report(_bungo_dinkes_report(rating_hasil_kerja_atasan=SESUAI), NOW)
    assert (score.rating_hasil_kerja, score.rating_hasil_kerja_source) == (SESUAI, RatingSource.ATASAN)
    assert (score.rating_perilaku, score.rating_perilaku_source) == (SESUAI, RatingSource.DEFAULT)
    assert score.predikat is Predikat.BAIK


def test_exemplary_employee_is_sangat_baik():
    perilaku = dict.fromkeys(BerAKHLAK, ATAS)
    score = score_report(report([row(realisasi=115), row("rhk-2", target=10, realisasi=12)], perilaku), NOW)
    assert [i.nilai for i in score.indicators] == [120.0, 120.0]
    assert score.predikat is Predikat.SANGAT_BAIK


def test_only_qualitative_rows_have_no_nilai_hasil_kerja():
    score = score_report(report([row(polaritas=QUALITATIVE, rating_atasan=SESUAI)]), NOW)
    assert score.nilai_hasil_kerja is None
    assert score.rating_hasil_kerja is SESUAI


def test_rating_and_nilai_follow_the_published_rounded_capaian():
    # 109.9996% is published as 110.0, so it must also score and rate as 110%.
    score = score_report(report([row(target=100_000, realisasi=109_999.6)]), NOW)
    assert (score.indicators[0].capaian, score.indicators[0].nilai) == (110.0, 120.0)
    assert score.indicators[0].rating is ATAS


def test_score_report_uses_the_given_matrix_and_thresholds(tmp_path):
    matrix = _full_matrix()
    matrix["di_bawah_ekspektasi"]["sesuai_ekspektasi"] = "kurang"
    custom = load_predikat_matrix(_write_matrix(tmp_path, matrix))
    lenient = RatingThresholds(sesuai_min_capaian=95.0, small_part_of_utama=0.5)
    assert score_report(_bungo_dinkes_report(), NOW, matrix=custom).predikat is Predikat.KURANG
    assert score_report(_bungo_dinkes_report(), NOW, thresholds=lenient).predikat is Predikat.BAIK
