"""Training domain: catalogue, gaps from a score, and the budget optimiser."""

import itertools
import json
import random
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.training.domain import (
    MAX_CANDIDATES,
    Course,
    Plan,
    find_gaps,
    load_catalogue,
    recommend,
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
)
from shared.contracts.scores import IndicatorScore, RatingSource, ScoreComputed
from shared.contracts.training import Gap, GapSource, LearningMode

NIP = "198503122010011002"
UTAMA, TAMBAHAN = JenisHasilKerja.UTAMA, JenisHasilKerja.TAMBAHAN
ATAS, SESUAI, BAWAH = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH
CATALOGUE = load_catalogue()

DEMO_TAGS = [
    "kesehatan-masyarakat",
    "teknologi-informasi",
    "pelayanan-publik",
    "manajemen-proyek",
    "inovasi-pendidikan",
    "administrasi-kependudukan",
    "koordinasi-masyarakat",
    "analisis-data",
    "perencanaan-anggaran",
]


def indicator(row_id: str, jenis: JenisHasilKerja, rating: Rating, *kompetensi: str) -> IndicatorScore:
    return IndicatorScore(
        row_id=row_id,
        jenis=jenis,
        aspek=Aspek.KUANTITAS,
        polaritas=Polaritas.HIGHER_IS_BETTER,
        capaian=90.0,
        nilai=80.0,
        rating=rating,
        kompetensi=list(kompetensi),
    )


def score(indicators: list[IndicatorScore], perilaku_di_bawah: tuple[BerAKHLAK, ...] = ()) -> ScoreComputed:
    return ScoreComputed(
        report_id="rpt-2026-10-198503122010011002",
        agency_id="bungo-dinkes",
        nip=NIP,
        period=Period(type=PeriodType.TRIWULANAN, start=date(2026, 7, 1), end=date(2026, 9, 30)),
        indicators=indicators,
        nilai_hasil_kerja=80.0,
        rating_hasil_kerja=BAWAH,
        rating_hasil_kerja_source=RatingSource.COMPUTED,
        rating_perilaku=SESUAI,
        rating_perilaku_source=RatingSource.ATASAN,
        perilaku_di_bawah=list(perilaku_di_bawah),
        predikat=Predikat.BUTUH_PERBAIKAN,
        computed_at=datetime(2026, 10, 5, tzinfo=UTC),
    )


def gap(kompetensi: str, weight: float, source: GapSource = GapSource.HASIL_KERJA) -> Gap:
    return Gap(kompetensi=kompetensi, source=source, weight=weight)


def course(course_id: str, biaya: int, jp: int, *kompetensi: str, mode: LearningMode = LearningMode.KLASIKAL) -> Course:
    return Course(id=course_id, judul=f"Pelatihan {course_id}", mode=mode, jp=jp, biaya=biaya, kompetensi=kompetensi)


# --- catalogue -------------------------------------------------------------


def test_catalogue_covers_demo_tags_and_every_berakhlak_value():
    tags = {tag for c in CATALOGUE for tag in c.kompetensi}
    assert set(DEMO_TAGS) <= tags
    assert {value.value for value in BerAKHLAK} <= tags


def test_catalogue_is_realistic():
    assert len(CATALOGUE) >= 16
    assert len({c.id for c in CATALOGUE}) == len(CATALOGUE)
    assert {c.mode for c in CATALOGUE} == set(LearningMode)
    for c in CATALOGUE:
        assert c.jp > 0 and c.biaya >= 0
        if c.mode is LearningMode.KLASIKAL:
            assert 2_500_000 <= c.biaya <= 7_500_000, c.id
        if c.mode in (LearningMode.E_LEARNING, LearningMode.COACHING, LearningMode.MENTORING):
            assert c.biaya <= 750_000, c.id
    # Budget 0 must still be able to reach the 20 JP right.
    assert sum(c.jp for c in CATALOGUE if c.biaya == 0 and c.mode is LearningMode.E_LEARNING) >= 20


def test_course_becomes_a_recommendation():
    rec = CATALOGUE[0].to_recommendation()
    assert (rec.course_id, rec.jp, rec.biaya, rec.kompetensi) == (
        CATALOGUE[0].id,
        CATALOGUE[0].jp,
        CATALOGUE[0].biaya,
        list(CATALOGUE[0].kompetensi),
    )


def _raw_course(**overrides):
    raw = {"id": "x-1", "judul": "Pelatihan X", "mode": "klasikal", "jp": 10, "biaya": 1000, "kompetensi": ["a"]}
    return raw | overrides


@pytest.mark.parametrize(
    ("courses", "message"),
    [
        ([_raw_course(), _raw_course()], "duplicate course id 'x-1'"),
        ([_raw_course(jp=0)], "jp must be a positive integer"),
        ([_raw_course(jp=True)], "jp must be a positive integer"),
        ([_raw_course(biaya=-1)], "biaya must be a non-negative integer"),
        ([_raw_course(mode="webinar")], "webinar"),
        ([_raw_course(kompetensi=[])], "kompetensi"),
        ([{"id": "x-1"}], "missing field 'judul'"),
    ],
)
def test_invalid_catalogue_is_rejected(tmp_path, courses, message):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps({"courses": courses}), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_catalogue(path)


# --- gaps ------------------------------------------------------------------


def test_gap_weights_by_jenis_and_perilaku():
    gaps = find_gaps(
        score(
            [
                indicator("rhk-1", UTAMA, BAWAH, "kesehatan-masyarakat"),
                indicator("rhk-2", TAMBAHAN, BAWAH, "analisis-data"),
                indicator("rhk-3", UTAMA, SESUAI, "pelayanan-publik"),
                indicator("rhk-4", UTAMA, ATAS, "teknologi-informasi"),
            ],
            (BerAKHLAK.ADAPTIF,),
        )
    )
    assert [(g.kompetensi, g.source, g.weight) for g in gaps] == [
        ("kesehatan-masyarakat", GapSource.HASIL_KERJA, 2.0),
        ("adaptif", GapSource.PERILAKU, 1.5),
        ("analisis-data", GapSource.HASIL_KERJA, 1.0),
    ]


def test_same_tag_from_several_rows_sums():
    gaps = find_gaps(
        score(
            [
                indicator("rhk-1", UTAMA, BAWAH, "analisis-data", "analisis-data"),
                indicator("rhk-2", TAMBAHAN, BAWAH, "analisis-data"),
                indicator("rhk-3", UTAMA, BAWAH, "analisis-data", "perencanaan-anggaran"),
            ]
        )
    )
    assert [(g.kompetensi, g.weight) for g in gaps] == [("analisis-data", 5.0), ("perencanaan-anggaran", 2.0)]


def test_gaps_order_ties_by_name():
    gaps = find_gaps(score([indicator("rhk-1", UTAMA, SESUAI)], (BerAKHLAK.LOYAL, BerAKHLAK.AKUNTABEL)))
    assert [g.kompetensi for g in gaps] == ["akuntabel", "loyal"]


def test_no_gaps_when_nothing_is_below():
    assert find_gaps(score([indicator("rhk-1", UTAMA, SESUAI, "analisis-data")])) == []


# --- optimiser -------------------------------------------------------------


def _covered(plan: Plan) -> set[str]:
    return {tag for c in plan.courses for tag in c.kompetensi}


def test_prefers_covering_the_heavier_gap_when_only_one_fits():
    catalogue = [course("a-berat", 5_000_000, 30, "kesehatan-masyarakat"), course("b-ringan", 4_000_000, 40, "x")]
    gaps = [gap("kesehatan-masyarakat", 2.0), gap("x", 1.0)]
    plan = recommend(gaps, catalogue, budget=5_000_000, jp_target=20)
    assert [c.id for c in plan.courses] == ["a-berat"]
    assert plan.uncovered == ["x"]


def test_two_light_gaps_beat_one_heavy_gap():
    catalogue = [
        course("heavy", 5_000_000, 30, "h"),
        course("light-1", 2_500_000, 20, "l1"),
        course("light-2", 2_500_000, 20, "l2"),
    ]
    plan = recommend([gap("h", 2.0), gap("l1", 1.5), gap("l2", 1.5)], catalogue, budget=5_000_000, jp_target=20)
    assert sorted(c.id for c in plan.courses) == ["light-1", "light-2"]


def test_budget_zero_meets_20_jp_with_free_e_learning_and_reports_uncovered():
    # Perencanaan anggaran is only taught in paid classical courses (Bungo: training cancelled for lack of budget).
    plan = recommend([gap("perencanaan-anggaran", 2.0)], CATALOGUE, budget=0, jp_target=20)
    assert plan.total_biaya == 0
    assert plan.total_jp >= 20
    assert all(c.biaya == 0 for c in plan.courses)
    assert plan.uncovered == ["perencanaan-anggaran"]


def test_free_courses_covering_gaps_are_chosen_with_budget_zero():
    gaps = [gap("adaptif", 1.5, GapSource.PERILAKU), gap("akuntabel", 1.5, GapSource.PERILAKU)]
    plan = recommend(gaps, CATALOGUE, budget=0, jp_target=20)
    assert {"adaptif", "akuntabel"} <= _covered(plan)
    assert plan.uncovered == []
    assert plan.total_biaya == 0


def test_prefers_reaching_20_jp_over_saving_money():
    catalogue = [
        course("gap-course", 1_000_000, 8, "analisis-data"),
        course("elearn-paid", 200_000, 16, "lain", mode=LearningMode.E_LEARNING),
    ]
    plan = recommend([gap("analisis-data", 1.0)], catalogue, budget=1_200_000, jp_target=20)
    assert sorted(c.id for c in plan.courses) == ["elearn-paid", "gap-course"]
    tight = recommend([gap("analisis-data", 1.0)], catalogue, budget=1_000_000, jp_target=20)
    assert [c.id for c in tight.courses] == ["gap-course"]


def test_cheaper_plan_wins_when_coverage_and_jp_are_equal():
    catalogue = [course("mahal", 6_000_000, 24, "t"), course("murah", 2_500_000, 24, "t")]
    plan = recommend([gap("t", 2.0)], catalogue, budget=10_000_000, jp_target=20)
    assert [c.id for c in plan.courses] == ["murah"]


def test_no_pointless_courses_once_target_is_met():
    catalogue = [
        course("kelas", 3_000_000, 24, "t"),
        course("gratis", 0, 10, "lain", mode=LearningMode.E_LEARNING),
    ]
    plan = recommend([gap("t", 2.0)], catalogue, budget=5_000_000, jp_target=20)
    assert [c.id for c in plan.courses] == ["kelas"]


def test_identical_courses_tie_break_on_id():
    catalogue = [course("kursus-b", 1_000, 20, "t"), course("kursus-a", 1_000, 20, "t")]
    plan = recommend([gap("t", 1.0)], catalogue, budget=5_000, jp_target=20)
    assert [c.id for c in plan.courses] == ["kursus-a"]


def test_plan_is_deterministic_whatever_the_input_order():
    gaps = [
        gap("kesehatan-masyarakat", 2.0),
        gap("analisis-data", 1.0),
        gap("akuntabel", 1.5, GapSource.PERILAKU),
        gap("kolaboratif", 1.5, GapSource.PERILAKU),
    ]
    expected = recommend(gaps, CATALOGUE, budget=7_000_000, jp_target=20)
    rng = random.Random(7)
    for _ in range(10):
        shuffled_catalogue, shuffled_gaps = CATALOGUE[:], gaps[:]
        rng.shuffle(shuffled_catalogue)
        rng.shuffle(shuffled_gaps)
        assert recommend(shuffled_gaps, shuffled_catalogue, budget=7_000_000, jp_target=20) == expected


def test_gap_counts_once_however_many_courses_cover_it():
    catalogue = [course("satu", 1_000, 20, "t"), course("dua", 1_000, 20, "t", "u")]
    plan = recommend([gap("t", 2.0), gap("u", 1.0)], catalogue, budget=2_000, jp_target=20)
    assert [c.id for c in plan.courses] == ["dua"]


def test_negative_budget_or_target_is_rejected():
    with pytest.raises(ValueError):
        recommend([], CATALOGUE, budget=-1, jp_target=20)
    with pytest.raises(ValueError):
        recommend([], CATALOGUE, budget=0, jp_target=-1)


def test_more_courses_than_the_cap_still_gives_a_plan_within_budget():
    catalogue = [course(f"k-{i:02d}", 1_000_000 + i * 10_000, 8, f"t{i % 30}") for i in range(40)]
    gaps = [gap(f"t{i}", 1.0 + i % 3) for i in range(30)]
    plan = recommend(gaps, catalogue, budget=9_000_000, jp_target=20)
    assert len(plan.courses) <= MAX_CANDIDATES
    assert 0 < plan.total_biaya <= 9_000_000


gap_lists = st.lists(
    st.builds(gap, st.sampled_from(DEMO_TAGS + [v.value for v in BerAKHLAK]), st.sampled_from([1.0, 1.5, 2.0, 3.0])),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(gaps=gap_lists, budget=st.integers(0, 30_000_000), jp_target=st.integers(0, 40))
def test_budget_is_never_exceeded_and_uncovered_is_exact(gaps, budget, jp_target):
    plan = recommend(gaps, CATALOGUE, budget=budget, jp_target=jp_target)
    assert plan.total_biaya == sum(c.biaya for c in plan.courses) <= budget
    assert plan.total_jp == sum(c.jp for c in plan.courses)
    assert set(plan.uncovered) == {g.kompetensi for g in gaps} - _covered(plan)
    assert len({c.id for c in plan.courses}) == len(plan.courses)


small_catalogues = st.lists(
    st.builds(
        course,
        st.text("abcdefgh", min_size=1, max_size=3),
        st.sampled_from([0, 100_000, 500_000, 2_500_000, 5_000_000]),
        st.integers(1, 24),
        st.sampled_from(["t1", "t2", "t3", "t4"]),
        mode=st.sampled_from([LearningMode.KLASIKAL, LearningMode.E_LEARNING]),
    ),
    max_size=8,
    unique_by=lambda c: c.id,
)


def _objective(courses, gaps, jp_target):
    tags = {tag for c in courses for tag in c.kompetensi}
    weight = sum(g.weight for g in gaps if g.kompetensi in tags)
    return (weight, min(sum(c.jp for c in courses), jp_target), -sum(c.biaya for c in courses))


@settings(max_examples=80, deadline=None)
@given(
    catalogue=small_catalogues,
    weights=st.lists(st.sampled_from([0.5, 1.0, 1.5, 2.0]), min_size=4, max_size=4),
    budget=st.integers(0, 8_000_000),
    jp_target=st.integers(0, 40),
)
def test_plan_is_optimal_against_brute_force(catalogue, weights, budget, jp_target):
    gaps = [gap("t1", weights[0]), gap("t2", weights[1]), gap("t3", weights[2])]  # t4 is never a gap
    # The candidate rule: a course must cover a gap or be e-learning (for JP).
    pool = [c for c in catalogue if set(c.kompetensi) & {"t1", "t2", "t3"} or c.mode is LearningMode.E_LEARNING]
    best = max(
        _objective(subset, gaps, jp_target)
        for size in range(len(pool) + 1)
        for subset in itertools.combinations(pool, size)
        if sum(c.biaya for c in subset) <= budget
    )
    plan = recommend(gaps, catalogue, budget=budget, jp_target=jp_target)
    assert _objective(plan.courses, gaps, jp_target) == best
