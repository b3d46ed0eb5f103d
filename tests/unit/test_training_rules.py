"""Training's rules: the JP ledger (PNS 20 JP right, PPPK 24 JP cap), coaching and career flags, the budget."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.training.domain.budget import BudgetBelowCommitted, check_budget, rupiah
from services.training.domain.careers import (
    DEFAULT_RULES_PATH,
    AnnualOutcome,
    PeriodOutcome,
    coaching_reasons,
    load_career_rules,
    promotion_reasons,
    talent_reasons,
)
from services.training.domain.errors import TrainingDomainError
from services.training.domain.jp import (
    AT_RISK_DAYS,
    JpLimitExceeded,
    check_completion,
    days_left_in_year,
    jp_limit,
    jp_status,
)
from shared.contracts.common import Aspek, BerAKHLAK, JenisAsn, JenisHasilKerja, Period, PeriodType, Polaritas
from shared.contracts.common import Predikat as P
from shared.contracts.common import Rating as R
from shared.contracts.scores import IndicatorScore, RatingSource, ScoreComputed

PNS, PPPK = JenisAsn.PNS, JenisAsn.PPPK
RULES = load_career_rules()

# --- JP ------------------------------------------------------------------------------------------------------


def test_only_pppk_have_a_jp_limit():
    assert jp_limit(PPPK) == 24
    assert jp_limit(PNS) is None


def test_pns_status_counts_what_is_short_of_twenty_jp():
    status = jp_status(PNS, 12, 2026, date(2026, 6, 30))
    assert (status.jp, status.minimum, status.maximum, status.kurang, status.tersisa) == (12, 20, None, 8, None)
    assert status.days_left == 184
    assert not status.at_risk
    assert jp_status(PNS, 32, 2026, date(2026, 6, 30)).kurang == 0


def test_pns_short_of_twenty_jp_is_at_risk_only_when_fewer_than_the_at_risk_days_are_left():
    # 31 December minus AT_RISK_DAYS: exactly AT_RISK_DAYS left, not yet at risk; one day later it is.
    boundary = date(2026, 12, 31) - timedelta(days=AT_RISK_DAYS)
    assert jp_status(PNS, 19, 2026, boundary).days_left == AT_RISK_DAYS
    assert not jp_status(PNS, 19, 2026, boundary).at_risk
    assert jp_status(PNS, 19, 2026, boundary + timedelta(days=1)).at_risk
    assert not jp_status(PNS, 20, 2026, boundary + timedelta(days=1)).at_risk  # the minimum is reached
    assert jp_status(PNS, 0, 2026, date(2027, 2, 1)).at_risk  # the year is over and the right was not met


def test_pppk_are_never_at_risk_and_see_what_remains_of_their_limit():
    status = jp_status(PPPK, 16, 2026, date(2026, 12, 1))
    assert (status.minimum, status.maximum, status.kurang, status.tersisa, status.at_risk) == (None, 24, 0, 8, False)


def test_days_left_are_bounded_by_the_year():
    assert days_left_in_year(2026, date(2026, 12, 31)) == 0
    assert days_left_in_year(2026, date(2027, 3, 1)) == 0
    assert days_left_in_year(2026, date(2025, 6, 1)) == 365
    assert days_left_in_year(2028, date(2028, 1, 1)) == 365  # leap year: 366 days, 365 after the first


def test_a_pppk_completion_past_24_jp_is_refused_with_the_figures():
    check_completion(PPPK, 16, 8)  # exactly 24: allowed
    with pytest.raises(JpLimitExceeded) as caught:
        check_completion(PPPK, 20, 8)
    error = caught.value
    assert isinstance(error, TrainingDomainError)
    assert error.code == "jp_melebihi_batas_pppk"
    for figure in ("24 JP", "20 JP", "8 JP", "28 JP", "sisa 4 JP"):
        assert figure in error.message


def test_pns_completions_have_no_cap():
    check_completion(PNS, 200, 80)


@given(st.integers(min_value=0, max_value=100), st.integers(min_value=1, max_value=100))
def test_pppk_completion_is_refused_exactly_when_it_passes_24(so_far, course):
    try:
        check_completion(PPPK, so_far, course)
        refused = False
    except JpLimitExceeded:
        refused = True
    assert refused == (so_far + course > 24)


# --- coaching ------------------------------------------------------------------------------------------------


def score(predikat, hasil_kerja=R.DI_BAWAH, perilaku=R.SESUAI, indicators=(), below=()) -> ScoreComputed:
    return ScoreComputed(
        report_id="bungo-dpupr/rpt-10",
        agency_id="bungo-dpupr",
        nip="199203142015031002",
        period=Period(type=PeriodType.BULANAN, start=date(2026, 10, 1), end=date(2026, 10, 31)),
        period_id="2026-10",
        indicators=list(indicators),
        nilai_hasil_kerja=None,
        rating_hasil_kerja=hasil_kerja,
        rating_hasil_kerja_source=RatingSource.COMPUTED,
        rating_perilaku=perilaku,
        rating_perilaku_source=RatingSource.ATASAN,
        perilaku_di_bawah=list(below),
        predikat=predikat,
        computed_at=datetime(2026, 11, 5, tzinfo=UTC),
    )


def row(row_id, rating, capaian=None, jenis=JenisHasilKerja.UTAMA):
    return IndicatorScore(
        row_id=row_id,
        jenis=jenis,
        aspek=Aspek.KUANTITAS,
        polaritas=Polaritas.HIGHER_IS_BETTER if capaian is not None else Polaritas.QUALITATIVE,
        capaian=capaian,
        nilai=None,
        rating=rating,
    )


ROWS = [row("jalan", R.DI_BAWAH, 87.5), row("koordinasi", R.DI_BAWAH), row("laporan", R.SESUAI, 100.0)]


@pytest.mark.parametrize(
    ("predikat", "hasil_kerja", "perilaku", "label"),
    [
        (P.BUTUH_PERBAIKAN, R.DI_BAWAH, R.SESUAI, "Butuh Perbaikan"),
        (P.KURANG, R.SESUAI, R.DI_BAWAH, "Kurang"),
        (P.SANGAT_KURANG, R.DI_BAWAH, R.DI_BAWAH, "Sangat Kurang"),
    ],
)
def test_coaching_is_required_for_each_predikat_that_falls_short(predikat, hasil_kerja, perilaku, label):
    reasons = coaching_reasons(score(predikat, hasil_kerja, perilaku, ROWS, [BerAKHLAK.HARMONIS]), RULES)
    text = " ".join(reasons)
    assert f"periode 2026-10: {label}" in reasons[0]
    assert "Ekspektasi" in reasons[0]
    assert "jalan (Utama, capaian 87,5%)" in text
    assert "koordinasi (Utama, kualitatif" in text
    assert "laporan" not in text  # met its target
    assert "Perilaku kerja di bawah ekspektasi: Harmonis." in reasons
    assert "PermenPANRB Nomor 6 Tahun 2022" in reasons[-1]


def test_coaching_reasons_leave_out_what_did_not_fall_short():
    reasons = coaching_reasons(score(P.BUTUH_PERBAIKAN, indicators=[row("a", R.DI_BAWAH)]), RULES)
    assert not any(r.startswith("Perilaku kerja") for r in reasons)


@pytest.mark.parametrize("predikat", [P.BAIK, P.SANGAT_BAIK])
def test_no_coaching_for_baik_or_better(predikat):
    assert coaching_reasons(score(predikat, R.SESUAI, R.SESUAI, ROWS), RULES) == []


# --- talent pool ---------------------------------------------------------------------------------------------


def monthly(*predikat, start_month=1):
    return [PeriodOutcome(f"2026-{m:02d}", _month_end(2026, m), p) for m, p in enumerate(predikat, start=start_month)]


def _month_end(year, month):
    return (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def test_six_monthly_sangat_baik_in_a_row_make_a_talent_candidate_five_do_not():
    assert talent_reasons(monthly(P.BAIK, *[P.SANGAT_BAIK] * 6), RULES)
    assert talent_reasons(monthly(P.BAIK, P.BAIK, *[P.SANGAT_BAIK] * 5), RULES) == []


def test_the_streak_counts_back_from_the_latest_period():
    assert talent_reasons(monthly(*[P.SANGAT_BAIK] * 8, P.BAIK), RULES) == []


def test_two_quarters_are_enough_one_is_not():
    q3 = PeriodOutcome("2026-q3", date(2026, 9, 30), P.SANGAT_BAIK)
    q4 = PeriodOutcome("2026-q4", date(2026, 12, 31), P.SANGAT_BAIK)
    reasons = talent_reasons([q4, q3], RULES)  # given out of order
    assert "2 periode berturut-turut (2026-q3 s.d. 2026-q4, 6 bulan)" in reasons[0]
    assert "PermenPANRB Nomor 3 Tahun 2020" in reasons[1]
    assert talent_reasons([PeriodOutcome("2026-q3", date(2026, 9, 30), P.BAIK), q4], RULES) == []


def test_one_semester_is_not_sustained_two_are():
    s1 = PeriodOutcome("2026-s1", date(2026, 6, 30), P.SANGAT_BAIK)
    s2 = PeriodOutcome("2026-s2", date(2026, 12, 31), P.SANGAT_BAIK)
    assert talent_reasons([s2], RULES) == []
    assert talent_reasons([s1, s2], RULES)


def test_the_annual_outcome_and_a_superseded_revision_do_not_count():
    history = monthly(*[P.SANGAT_BAIK] * 5, start_month=8)
    annual = PeriodOutcome("2026", date(2026, 12, 31), P.SANGAT_BAIK)
    assert talent_reasons([*history, annual], RULES) == []
    revised = [*monthly(*[P.SANGAT_BAIK] * 6, start_month=7), PeriodOutcome("2026-12", date(2026, 12, 31), P.BAIK)]
    assert talent_reasons(revised, RULES) == []  # December's later revision (Baik) replaces its Sangat Baik


# --- promotion -----------------------------------------------------------------------------------------------


def annual(tahun, predikat=P.BAIK, hasil_kerja=R.SESUAI, perilaku=R.SESUAI):
    return AnnualOutcome(tahun, predikat, hasil_kerja, perilaku)


def test_two_consecutive_years_at_least_baik_in_every_element_meet_the_promotion_condition():
    reasons = promotion_reasons([annual(2025, P.SANGAT_BAIK, R.DI_ATAS, R.DI_ATAS), annual(2026)], RULES)
    assert "2025: predikat Sangat Baik" in reasons[0]
    assert "2026: predikat Baik" in reasons[0]
    assert "PP Nomor 11 Tahun 2017" in reasons[1]


@pytest.mark.parametrize(
    "weak",
    [
        annual(2025, P.BUTUH_PERBAIKAN, R.DI_BAWAH, R.SESUAI),
        annual(2025, P.BAIK, R.DI_BAWAH, R.SESUAI),  # an agency's matrix may still call this Baik
        annual(2025, P.BAIK, R.SESUAI, R.DI_BAWAH),
    ],
)
def test_one_weak_element_in_either_year_fails_the_promotion_condition(weak):
    assert promotion_reasons([weak, annual(2026)], RULES) == []


def test_the_years_must_be_the_last_two_and_consecutive():
    assert promotion_reasons([annual(2024), annual(2026)], RULES) == []
    assert promotion_reasons([annual(2026)], RULES) == []
    assert promotion_reasons([], RULES) == []
    assert promotion_reasons([annual(2024), annual(2025), annual(2026, P.KURANG)], RULES) == []
    assert promotion_reasons([annual(2023, P.KURANG), annual(2025), annual(2026)], RULES)


# --- the rules file ------------------------------------------------------------------------------------------


def test_the_shipped_rules_cite_their_sources():
    assert RULES.talent_pool.min_periods == 2 and RULES.talent_pool.min_months == 6
    assert RULES.promotion.tahun_berturut == 2
    for rule in (RULES.coaching, RULES.talent_pool, RULES.promotion):
        assert rule.rule_id and ("PermenPANRB" in rule.sumber or "PP Nomor" in rule.sumber)


def test_invalid_rules_name_the_field(tmp_path):
    document = json.loads(DEFAULT_RULES_PATH.read_text())
    document["talent_pool"]["min_months"] = 0
    path = tmp_path / "careers.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"talent_pool\.min_months"):
        load_career_rules(path)
    document["talent_pool"]["min_months"] = 6
    document["promotion"]["predikat"] = ["luar_biasa"]
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"promotion\.predikat"):
        load_career_rules(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_career_rules(path)


# --- budget --------------------------------------------------------------------------------------------------


def test_rupiah_is_written_with_dots():
    assert rupiah(150_000_000) == "Rp 150.000.000"
    assert rupiah(0) == "Rp 0"
    assert rupiah(950) == "Rp 950"


def test_a_budget_below_what_the_approved_plan_committed_is_refused():
    check_budget(150_000_000, 150_000_000)
    check_budget(200_000_000, 150_000_000)
    with pytest.raises(BudgetBelowCommitted) as caught:
        check_budget(100_000_000, 150_000_000)
    assert caught.value.code == "anggaran_di_bawah_komitmen"
    assert "Rp 100.000.000" in caught.value.message
    assert "Rp 150.000.000" in caught.value.message
