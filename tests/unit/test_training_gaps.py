"""Training's gap model: evidence from scores, severity, recency, fading by later periods and by training."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.training.domain.gaps import (
    FADE_FACTOR,
    HALF_LIFE_DAYS,
    MIN_GAP_WEIGHT,
    PERILAKU_WEIGHT,
    SEVERITY_FLOOR,
    employee_gaps,
    evidence_from_score,
    evidence_weight,
    recency_of,
    severity_of,
)
from services.training.domain.model import CompletedCourse, GapEvidence, MetEvidence
from shared.contracts.common import Aspek, BerAKHLAK, JenisHasilKerja, Period, PeriodType, Polaritas, Predikat, Rating
from shared.contracts.scores import IndicatorScore, PerilakuBasis, PerilakuRule, RatingSource, ScoreComputed
from shared.contracts.training import GapSource

NIP = "198503122010011002"
UTAMA, TAMBAHAN = JenisHasilKerja.UTAMA, JenisHasilKerja.TAMBAHAN
ATAS, SESUAI, BAWAH = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH


def indicator(row_id, rating, kompetensi, capaian=None, jenis=UTAMA) -> IndicatorScore:
    return IndicatorScore(
        row_id=row_id,
        jenis=jenis,
        aspek=Aspek.KUANTITAS if capaian is not None else Aspek.KUALITAS,
        polaritas=Polaritas.HIGHER_IS_BETTER if capaian is not None else Polaritas.QUALITATIVE,
        capaian=capaian,
        nilai=None,
        rating=rating,
        kompetensi=list(kompetensi),
    )


def score(month: int, indicators, perilaku=None, period_id="auto", period_type=PeriodType.BULANAN) -> ScoreComputed:
    start = date(2026, month, 1)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if period_type is PeriodType.TRIWULANAN:
        end = date(2026, month + 2, 30 if month + 2 in (6, 9) else 31)
    perilaku = perilaku or {}
    return ScoreComputed(
        report_id=f"bungo-dinkes/rpt-{month}",
        agency_id="bungo-dinkes",
        nip=NIP,
        period=Period(type=period_type, start=start, end=end),
        period_id=f"2026-{month:02d}" if period_id == "auto" else period_id,
        indicators=indicators,
        nilai_hasil_kerja=None,
        rating_hasil_kerja=BAWAH,
        rating_hasil_kerja_source=RatingSource.COMPUTED,
        rating_perilaku=SESUAI,
        rating_perilaku_source=RatingSource.ATASAN,
        perilaku_di_bawah=[value for value, rating in perilaku.items() if rating is BAWAH],
        predikat=Predikat.BUTUH_PERBAIKAN,
        computed_at=datetime(2026, month, 5, tzinfo=UTC) + timedelta(days=31),
        perilaku_basis=PerilakuBasis(ratings=perilaku, rule=PerilakuRule.OTHERWISE_MEETS, reason="-"),
    )


def gap_evidence(kompetensi="kesehatan-masyarakat", end=date(2026, 10, 31), severity=1.0, base=2.0, origin="rhk-1"):
    return GapEvidence(
        kompetensi=kompetensi,
        source=GapSource.HASIL_KERJA,
        period_id=f"{end.year}-{end.month:02d}",
        period_end=end,
        origin=origin,
        severity=severity,
        base_weight=base,
    )


# --- evidence from one score ---------------------------------------------------------------------------------


def test_rows_below_expectation_give_evidence_per_tag_with_their_base_weight_and_origin():
    gaps, _ = evidence_from_score(
        score(
            10,
            [
                indicator("imunisasi", BAWAH, ["kesehatan-masyarakat", "analisis-data"], capaian=81.0),
                indicator("penyuluhan", BAWAH, ["pelayanan-publik"], jenis=TAMBAHAN),
            ],
        )
    )
    by_tag = {g.kompetensi: g for g in gaps}
    assert set(by_tag) == {"kesehatan-masyarakat", "analisis-data", "pelayanan-publik"}
    assert by_tag["kesehatan-masyarakat"].base_weight == 2.0
    assert by_tag["kesehatan-masyarakat"].origin == "imunisasi"
    assert by_tag["kesehatan-masyarakat"].source is GapSource.HASIL_KERJA
    assert by_tag["kesehatan-masyarakat"].period_id == "2026-10"
    assert by_tag["kesehatan-masyarakat"].period_end == date(2026, 10, 31)
    assert by_tag["pelayanan-publik"].base_weight == 1.0
    assert by_tag["pelayanan-publik"].severity == 1.0  # qualitative: the atasan's Di Bawah is the whole evidence
    assert by_tag["kesehatan-masyarakat"].severity < 1.0


def test_berakhlak_values_below_expectation_are_their_own_tag_and_those_met_are_met():
    gaps, met = evidence_from_score(
        score(
            10,
            [indicator("imunisasi", SESUAI, ["kesehatan-masyarakat"], capaian=100.0)],
            perilaku={BerAKHLAK.KOMPETEN: BAWAH, BerAKHLAK.HARMONIS: ATAS, BerAKHLAK.LOYAL: SESUAI},
        )
    )
    assert [(g.kompetensi, g.origin, g.source, g.base_weight) for g in gaps] == [
        ("kompeten", "kompeten", GapSource.PERILAKU, PERILAKU_WEIGHT)
    ]
    assert {m.kompetensi for m in met} == {"kesehatan-masyarakat", "harmonis", "loyal"}
    assert all(m.period_end == date(2026, 10, 31) for m in met)


def test_perilaku_di_bawah_alone_is_enough_when_the_score_has_no_basis():
    plain = score(10, []).model_copy(update={"perilaku_basis": None, "perilaku_di_bawah": [BerAKHLAK.AKUNTABEL]})
    gaps, met = evidence_from_score(plain)
    assert [g.kompetensi for g in gaps] == ["akuntabel"]
    assert met == []


def test_a_tag_listed_twice_on_a_row_is_one_shortfall():
    gaps, _ = evidence_from_score(score(10, [indicator("r", BAWAH, ["analisis-data", "analisis-data"], 70.0)]))
    assert len(gaps) == 1


def test_period_id_falls_back_to_the_one_derived_from_the_period():
    gaps, _ = evidence_from_score(
        score(10, [indicator("r", BAWAH, ["analisis-data"])], period_id=None, period_type=PeriodType.TRIWULANAN)
    )
    assert gaps[0].period_id == "2026-q4"
    assert gaps[0].period_end == date(2026, 12, 31)


# --- severity and recency ------------------------------------------------------------------------------------


def test_a_deeper_shortfall_is_more_severe_and_a_near_miss_still_counts():
    assert severity_of(60.0) == 1.0
    assert severity_of(30.0) == 1.0  # no more than full
    assert severity_of(60.0) > severity_of(80.0) > severity_of(95.0) > severity_of(99.9) >= SEVERITY_FLOOR
    assert severity_of(100.0) == SEVERITY_FLOOR  # rated below by the atasan despite the number: still heard
    assert severity_of(None) == 1.0


@given(st.floats(min_value=0, max_value=250), st.floats(min_value=0, max_value=250))
def test_severity_stays_in_range_and_never_rises_with_capaian(a, b):
    low, high = sorted((a, b))
    assert 0 < severity_of(high) <= severity_of(low) <= 1


def test_recency_halves_every_half_life_and_is_whole_for_today_or_later():
    as_of = date(2026, 11, 1)
    assert recency_of(as_of, as_of) == 1.0
    assert recency_of(date(2026, 12, 31), as_of) == 1.0
    assert recency_of(as_of - timedelta(days=int(HALF_LIFE_DAYS)), as_of) == pytest.approx(0.5)
    assert recency_of(as_of - timedelta(days=2 * int(HALF_LIFE_DAYS)), as_of) == pytest.approx(0.25)


# --- the year's gaps -----------------------------------------------------------------------------------------


def test_the_same_shortfall_weighs_more_when_recent():
    as_of = date(2026, 11, 5)
    old = employee_gaps([gap_evidence("a", end=date(2026, 1, 31))], [], [], as_of)
    recent = employee_gaps([gap_evidence("a", end=date(2026, 10, 31))], [], [], as_of)
    assert recent[0].weight > old[0].weight
    assert recent[0].weight == pytest.approx(2.0 * recency_of(date(2026, 10, 31), as_of), abs=1e-4)


def test_weight_is_the_sum_over_evidence_of_base_times_severity_times_recency():
    as_of = date(2026, 10, 31)
    evidence = [
        gap_evidence("a", end=date(2026, 10, 31), severity=0.5, base=2.0, origin="r1"),
        gap_evidence("a", end=date(2026, 4, 30), severity=1.0, base=1.0, origin="r2"),
    ]
    expected = 2.0 * 0.5 + 1.0 * recency_of(date(2026, 4, 30), as_of)
    [gap] = employee_gaps(evidence, [], [], as_of)
    assert gap.weight == pytest.approx(expected, abs=1e-4)
    assert not gap.faded


def test_a_later_period_at_expectation_fades_the_gap_but_the_same_or_an_earlier_one_does_not():
    as_of = date(2026, 10, 31)
    evidence = [gap_evidence("a", end=date(2026, 6, 30))]
    full = employee_gaps(evidence, [], [], as_of)[0].weight

    [later] = employee_gaps(evidence, [MetEvidence("a", date(2026, 9, 30))], [], as_of)
    assert later.faded
    assert later.weight == pytest.approx(full * FADE_FACTOR, abs=1e-4)

    for end in (date(2026, 6, 30), date(2026, 3, 31)):
        [same] = employee_gaps(evidence, [MetEvidence("a", end)], [], as_of)
        assert not same.faded and same.weight == full
    [other] = employee_gaps(evidence, [MetEvidence("b", date(2026, 9, 30))], [], as_of)
    assert not other.faded


def test_a_course_completed_after_the_shortfall_fades_it_one_completed_before_does_not():
    as_of = date(2026, 10, 31)
    evidence = [gap_evidence("kesehatan-masyarakat", end=date(2026, 6, 30))]
    full = employee_gaps(evidence, [], [], as_of)[0].weight
    after = CompletedCourse("kes-promkes-elearning", ("kesehatan-masyarakat", "x"), 20, date(2026, 8, 14))
    before = CompletedCourse("kes-promkes-elearning", ("kesehatan-masyarakat",), 20, date(2026, 5, 14))
    unrelated = CompletedCourse("ti-spbe-klasikal", ("teknologi-informasi",), 32, date(2026, 8, 14))

    [trained] = employee_gaps(evidence, [], [after], as_of)
    assert trained.faded and trained.weight == pytest.approx(full * FADE_FACTOR, abs=1e-4)
    assert not employee_gaps(evidence, [], [before], as_of)[0].faded
    assert not employee_gaps(evidence, [], [unrelated], as_of)[0].faded


def test_a_gap_that_recurs_after_it_was_closed_is_not_faded_and_keeps_the_old_evidence():
    as_of = date(2026, 10, 31)
    evidence = [gap_evidence("a", end=date(2026, 3, 31), origin="r-mar"), gap_evidence("a", end=date(2026, 9, 30))]
    [gap] = employee_gaps(evidence, [MetEvidence("a", date(2026, 6, 30))], [], as_of)
    assert not gap.faded
    expected = evidence_weight(evidence[0], as_of, faded=True) + evidence_weight(evidence[1], as_of)
    assert gap.weight == pytest.approx(expected, abs=1e-4)
    assert [s.period_end for s in gap.sources] == [date(2026, 3, 31), date(2026, 9, 30)]


def test_gaps_below_the_floor_are_dropped():
    as_of = date(2026, 12, 31)
    tiny = gap_evidence("a", end=date(2025, 12, 31), severity=SEVERITY_FLOOR, base=1.0)
    assert evidence_weight(tiny, as_of, faded=True) < MIN_GAP_WEIGHT
    assert employee_gaps([tiny], [MetEvidence("a", date(2026, 3, 31))], [], as_of) == []
    assert employee_gaps([tiny], [], [], as_of) != []


def test_gaps_are_sorted_heaviest_first_then_by_kompetensi():
    as_of = date(2026, 10, 31)
    evidence = [
        gap_evidence("c", base=1.0),
        gap_evidence("b", base=1.0),
        gap_evidence("a", severity=0.5, base=1.0),
        gap_evidence("d", base=2.0),
    ]
    assert [g.kompetensi for g in employee_gaps(evidence, [], [], as_of)] == ["d", "b", "c", "a"]


def test_a_year_of_scores_gives_gaps_with_their_sources():
    scores = [
        score(
            8,
            [
                indicator("imunisasi", BAWAH, ["kesehatan-masyarakat"], capaian=60.0),
                indicator("surveilans", BAWAH, ["analisis-data"], capaian=95.0),
            ],
            perilaku={BerAKHLAK.KOMPETEN: BAWAH},
        ),
        score(9, [indicator("surveilans", SESUAI, ["analisis-data"], capaian=100.0)]),
        score(10, [indicator("imunisasi", BAWAH, ["kesehatan-masyarakat"], capaian=90.0)]),
    ]
    evidence, met = [], []
    for one in scores:
        gaps, shown = evidence_from_score(one)
        evidence += gaps
        met += shown

    result = employee_gaps(evidence, met, [], date(2026, 11, 5))

    by_tag = {g.kompetensi: g for g in result}
    assert [g.kompetensi for g in result] == ["kesehatan-masyarakat", "kompeten", "analisis-data"]
    assert [(s.period_id, s.origin) for s in by_tag["kesehatan-masyarakat"].sources] == [
        ("2026-08", "imunisasi"),
        ("2026-10", "imunisasi"),
    ]
    assert [(s.period_id, s.origin, s.source) for s in by_tag["kompeten"].sources] == [
        ("2026-08", "kompeten", GapSource.PERILAKU)
    ]
    assert by_tag["analisis-data"].faded  # met in September
    assert not by_tag["kesehatan-masyarakat"].faded


# --- properties ----------------------------------------------------------------------------------------------

DAYS = st.integers(min_value=0, max_value=1500)


@st.composite
def evidence_lists(draw):
    base_day = date(2024, 1, 1)
    items = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["a", "b", "c"]),
                DAYS,
                st.floats(min_value=SEVERITY_FLOOR, max_value=1.0),
                st.sampled_from([1.0, 1.5, 2.0]),
            ),
            max_size=12,
        )
    )
    return [
        gap_evidence(tag, base_day + timedelta(days=d), sev, base, f"r{i}")
        for i, (tag, d, sev, base) in enumerate(items)
    ]


@given(evidence_lists(), st.lists(st.tuples(st.sampled_from(["a", "b"]), DAYS), max_size=5), DAYS)
def test_weights_are_never_below_the_floor_and_every_source_is_of_its_gap(evidence, met_days, as_of_day):
    met = [MetEvidence(tag, date(2024, 1, 1) + timedelta(days=d)) for tag, d in met_days]
    gaps = employee_gaps(evidence, met, [], date(2024, 1, 1) + timedelta(days=as_of_day))
    assert all(g.weight >= MIN_GAP_WEIGHT - 1e-4 for g in gaps)
    assert all(s.kompetensi == g.kompetensi for g in gaps for s in g.sources)
    assert [g.weight for g in gaps] == sorted((g.weight for g in gaps), reverse=True)


@given(DAYS, DAYS, st.floats(min_value=SEVERITY_FLOOR, max_value=1.0))
def test_more_recent_evidence_never_weighs_less(day_a, day_b, severity):
    as_of = date(2028, 12, 31)
    earlier, later = sorted((day_a, day_b))
    start = date(2024, 1, 1)
    old = evidence_weight(gap_evidence(end=start + timedelta(days=earlier), severity=severity), as_of)
    new = evidence_weight(gap_evidence(end=start + timedelta(days=later), severity=severity), as_of)
    assert new >= old > 0
