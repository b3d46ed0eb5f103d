"""The annual roll-up of periodic scores, and an organisation's distribution against its curve."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from services.scoring.domain import (
    annual_score,
    distribution_changed,
    evaluate_distribution,
    kode_kuadran,
    kode_rating,
    national_policy,
)
from shared.contracts.common import Period, PeriodType, Predikat, Rating
from shared.contracts.scores import AnnualMethod, OrganisationPredikat, RatingSource, ScoreComputed

AGENCY = "bungo-dinkes"
NIP = "198503122010011002"
NOW = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
POLICY = national_policy()
ATAS, SESUAI, BAWAH = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH
MONTHS = [f"2026-{month:02d}" for month in range(1, 13)]


def periodic(
    month: int,
    hasil_kerja: Rating,
    perilaku: Rating = Rating.SESUAI,
    *,
    tahun: int = 2026,
    type: PeriodType = PeriodType.BULANAN,
    end_day: int = 28,
    report_id: str | None = None,
    computed_at: datetime = NOW,
    unit_kerja: str | None = "bidang-p2p",
) -> ScoreComputed:
    """A scored report of one month (or of the year, for type tahunan)."""
    start, end = date(tahun, month, 1), date(tahun, month, end_day)
    if type is PeriodType.TAHUNAN:
        start, end = date(tahun, 1, 1), date(tahun, 12, 31)
    predikat = POLICY.predikat_matrix[hasil_kerja][perilaku]
    return ScoreComputed(
        report_id=report_id or f"{AGENCY}/{tahun}-{month:02d}",
        agency_id=AGENCY,
        nip=NIP,
        unit_kerja=unit_kerja,
        period=Period(type=type, start=start, end=end),
        indicators=[],
        nilai_hasil_kerja=None,
        rating_hasil_kerja=hasil_kerja,
        rating_hasil_kerja_source=RatingSource.COMPUTED,
        rating_perilaku=perilaku,
        rating_perilaku_source=RatingSource.ATASAN,
        predikat=predikat,
        computed_at=computed_at,
        kode_hasil_kerja=kode_rating(hasil_kerja),
        kode_perilaku=kode_rating(perilaku),
        kode_kuadran=kode_kuadran(predikat),
    )


def year(hasil_kerja: list[Rating], perilaku: list[Rating] | None = None) -> list[ScoreComputed]:
    """One score per month from January, handed over shuffled: the roll-up must order them itself."""
    perilaku = perilaku or [SESUAI] * len(hasil_kerja)
    scores = [periodic(month, hk, pr) for month, (hk, pr) in enumerate(zip(hasil_kerja, perilaku, strict=True), 1)]
    random.Random(6).shuffle(scores)
    return scores


def roll_up(scores, method=AnnualMethod.DOMINANT, expected=MONTHS):
    return annual_score(
        agency_id=AGENCY,
        nip=NIP,
        tahun=2026,
        scores=scores,
        expected_periods=[*expected, "2026"],
        policy=POLICY.model_copy(update={"annual_method": method}),
        computed_at=NOW,
    )


# --- annual ----------------------------------------------------------------


def test_dominant_takes_the_rating_of_most_periods_for_each_rating_separately():
    annual = roll_up(year([ATAS] * 3 + [SESUAI] * 7 + [BAWAH] * 2, perilaku=[ATAS] * 7 + [SESUAI] * 5))
    assert (annual.rating_hasil_kerja, annual.rating_perilaku, annual.predikat) == (SESUAI, ATAS, Predikat.BAIK)
    assert (annual.kode_hasil_kerja, annual.kode_perilaku, annual.kode_kuadran) == (2, 1, 2)
    assert [period.period_id for period in annual.periods] == MONTHS
    assert "Hasil kerja Sesuai Ekspektasi: 7 dari 12 periode (Di Atas 3, Sesuai 7, Di Bawah 2)" in annual.reason
    assert annual.periods_missing == []
    assert "Semua periode yang ditetapkan memiliki nilai" in annual.reason


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([ATAS, SESUAI, SESUAI, ATAS], ATAS),  # 2-2, April was Di Atas
        ([SESUAI, ATAS, ATAS, SESUAI], SESUAI),
        ([BAWAH, ATAS, SESUAI], SESUAI),  # 1-1-1: the latest period
        ([ATAS, ATAS, BAWAH, SESUAI, BAWAH, SESUAI], SESUAI),  # three-way tie, June
    ],
)
def test_a_dominant_tie_goes_to_the_tied_rating_of_the_latest_period(ratings, expected):
    annual = roll_up(year(ratings), expected=MONTHS[: len(ratings)])
    assert annual.rating_hasil_kerja is expected
    assert f"mengikuti periode terakhir yang seri ({MONTHS[len(ratings) - 1]})" in annual.reason


def test_latest_takes_the_last_period():
    annual = roll_up(year([ATAS] * 11 + [BAWAH], perilaku=[BAWAH] * 11 + [ATAS]), AnnualMethod.LATEST)
    assert (annual.rating_hasil_kerja, annual.rating_perilaku) == (BAWAH, ATAS)
    assert annual.predikat is Predikat.BUTUH_PERBAIKAN
    assert "rating periode terakhir (2026-12)" in annual.reason


@pytest.mark.parametrize(
    ("ratings", "expected", "shown"),
    [
        ([ATAS, SESUAI], SESUAI, "rata-rata kode 1,5 dari 2 periode, dibulatkan ke 2"),  # half -> 2
        ([SESUAI, BAWAH], SESUAI, "rata-rata kode 2,5 dari 2 periode, dibulatkan ke 2"),  # half -> 2
        ([ATAS, ATAS, SESUAI], ATAS, "rata-rata kode 1,33"),
        ([BAWAH, BAWAH, SESUAI], BAWAH, "rata-rata kode 2,67"),
        ([ATAS, BAWAH], SESUAI, "rata-rata kode 2 "),
        ([ATAS, ATAS, ATAS, SESUAI, SESUAI, SESUAI, SESUAI, BAWAH], SESUAI, "rata-rata kode 1,75"),
    ],
)
def test_mean_of_the_siasn_codes_rounds_half_towards_sesuai(ratings, expected, shown):
    annual = roll_up(year(ratings), AnnualMethod.MEAN, expected=MONTHS[: len(ratings)])
    assert annual.rating_hasil_kerja is expected
    assert shown in annual.reason


def test_missing_periods_are_listed_in_order_without_the_annual_one():
    scores = [s for s in year([SESUAI] * 12) if s.period.start.month not in (3, 11)]
    annual = roll_up(scores, expected=list(reversed(MONTHS)))
    assert annual.periods_missing == ["2026-03", "2026-11"]
    assert "dari 10 periode" in annual.reason
    assert annual.reason.endswith("Periode tanpa nilai: 2026-03, 2026-11.")


def test_only_periodic_scores_of_the_year_count_once_per_period():
    later = NOW + timedelta(hours=1)
    scores = [
        # Two reports for January: the one computed later wins.
        periodic(1, BAWAH),
        periodic(1, ATAS, report_id=f"{AGENCY}/2026-01-b", computed_at=later),
        # Two for March: the one whose period ends later wins, even if computed earlier.
        periodic(3, SESUAI, report_id=f"{AGENCY}/2026-03-full", end_day=31, unit_kerja="bidang-yankes"),
        periodic(3, BAWAH, report_id=f"{AGENCY}/2026-03-half", end_day=15, computed_at=later),
        periodic(1, ATAS, type=PeriodType.TAHUNAN),  # the annual report itself
        periodic(12, ATAS, tahun=2025),  # another year
    ]
    annual = roll_up(scores, expected=MONTHS[:3])
    assert [(p.period_id, p.report_id, p.rating_hasil_kerja) for p in annual.periods] == [
        ("2026-01", f"{AGENCY}/2026-01-b", ATAS),
        ("2026-03", f"{AGENCY}/2026-03-full", SESUAI),
    ]
    assert annual.periods_missing == ["2026-02"]
    assert annual.unit_kerja == "bidang-yankes"  # the latest period's
    assert (annual.policy_version, annual.revision, annual.supersedes) == ("nasional@1", 1, None)


def test_no_periodic_score_is_an_error_for_the_caller_to_list_the_employee_as_missing():
    with pytest.raises(ValueError, match="tidak ada nilai periodik tahun 2026"):
        roll_up([periodic(1, ATAS, type=PeriodType.TAHUNAN), periodic(5, ATAS, tahun=2025)])


def test_a_score_of_another_employee_is_refused():
    other = periodic(1, ATAS).model_copy(update={"nip": "199001012015012001"})
    with pytest.raises(ValueError, match="bukan milik pegawai"):
        roll_up([periodic(2, ATAS), other])


# --- distribution and curve ------------------------------------------------

SB, B, BP, K, SK = (
    Predikat.SANGAT_BAIK,
    Predikat.BAIK,
    Predikat.BUTUH_PERBAIKAN,
    Predikat.KURANG,
    Predikat.SANGAT_KURANG,
)
UNITS = ["bidang-p2p", "bidang-yankes", None]


def staff(**counts: int) -> list[tuple[str | None, Predikat]]:
    """Employees by predikat (keys SB, B, BP, K, SK), spread over two units and no unit."""
    predikat = [p for key, count in counts.items() for p in [globals()[key]] * count]
    return [(UNITS[index % 3], p) for index, p in enumerate(predikat)]


def evaluate(members, organisation, evaluated_at=NOW):
    return evaluate_distribution(
        agency_id=AGENCY,
        scope="2026",
        members=members,
        organisation_predikat=organisation,
        policy=POLICY,
        evaluated_at=evaluated_at,
    )


@pytest.mark.parametrize(
    ("organisation", "members", "messages"),
    [
        (
            OrganisationPredikat.BAIK,
            staff(SB=150, B=350),
            [
                "70% Baik, paling banyak 70% diperbolehkan: sesuai",
                "0% Butuh Perbaikan, Kurang atau Sangat Kurang (0 pegawai); kurva Baik memerlukan sebagian: "
                "pelanggaran",
            ],
        ),
        (
            OrganisationPredikat.BAIK,
            staff(SB=100, B=375, BP=25),
            [
                "75% Baik, paling banyak 70% diperbolehkan: pelanggaran",
                "5% Butuh Perbaikan, Kurang atau Sangat Kurang (25 pegawai); kurva Baik memerlukan sebagian: sesuai",
            ],
        ),
        (
            OrganisationPredikat.BAIK,
            staff(SB=150, B=300, BP=40, K=9, SK=1),
            [
                "60% Baik, paling banyak 70% diperbolehkan: sesuai",
                "10% Butuh Perbaikan, Kurang atau Sangat Kurang (50 pegawai); kurva Baik memerlukan sebagian: sesuai",
            ],
        ),
        (
            OrganisationPredikat.ISTIMEWA,
            staff(SB=360, B=140),
            ["72% Sangat Baik, paling banyak 70% diperbolehkan: pelanggaran"],
        ),
        (
            OrganisationPredikat.ISTIMEWA,
            staff(SB=350, B=150),
            ["70% Sangat Baik, paling banyak 70% diperbolehkan: sesuai"],
        ),
        (
            OrganisationPredikat.BUTUH_PERBAIKAN,
            staff(SB=61, B=150, BP=289),
            [
                "57,8% Butuh Perbaikan, paling sedikit 60% diperlukan: pelanggaran",
                "12,2% Sangat Baik, paling banyak 10% diperbolehkan: pelanggaran",
            ],
        ),
        (
            OrganisationPredikat.BUTUH_PERBAIKAN,
            staff(SB=50, B=150, BP=300),
            [
                "60% Butuh Perbaikan, paling sedikit 60% diperlukan: sesuai",
                "10% Sangat Baik, paling banyak 10% diperbolehkan: sesuai",
            ],
        ),
        (
            OrganisationPredikat.KURANG,
            staff(B=201, K=299),
            ["59,8% Kurang, paling sedikit 60% diperlukan: pelanggaran"],
        ),
        (
            OrganisationPredikat.SANGAT_KURANG,
            staff(SB=1, B=199, SK=300),
            [
                "60% Sangat Kurang, paling sedikit 60% diperlukan: sesuai",
                "0,2% Sangat Baik (1 pegawai); kurva Sangat Kurang tidak memperbolehkan satu pun: pelanggaran",
            ],
        ),
        (
            OrganisationPredikat.SANGAT_KURANG,
            staff(B=150, BP=50, SK=300),
            [
                "60% Sangat Kurang, paling sedikit 60% diperlukan: sesuai",
                "0% Sangat Baik (0 pegawai); kurva Sangat Kurang tidak memperbolehkan satu pun: sesuai",
            ],
        ),
    ],
)
def test_500_employees_against_the_curve_of_the_organisation(organisation, members, messages):
    assert len(members) == 500
    evaluated = evaluate(members, organisation)
    assert [check.message for check in evaluated.checks] == messages
    assert evaluated.violations == sum(message.endswith("pelanggaran") for message in messages)
    assert all(check.ok is check.message.endswith(": sesuai") for check in evaluated.checks)


def test_counts_and_percent_overall_and_per_unit():
    evaluated = evaluate(staff(SB=1, B=2, BP=4)[::-1], OrganisationPredikat.BAIK)
    assert evaluated.overall.employees == 7
    assert evaluated.overall.counts == {SB: 1, B: 2, BP: 4, K: 0, SK: 0}
    assert evaluated.overall.percent == {SB: 14.3, B: 28.6, BP: 57.1, K: 0.0, SK: 0.0}
    assert [(unit.unit_kerja, unit.employees) for unit in evaluated.units] == [
        ("bidang-p2p", 3),
        ("bidang-yankes", 2),
        ("tanpa-unit", 2),
    ]
    assert [unit.counts for unit in evaluated.units] == [
        {SB: 1, B: 0, BP: 2, K: 0, SK: 0},
        {SB: 0, B: 1, BP: 1, K: 0, SK: 0},
        {SB: 0, B: 1, BP: 1, K: 0, SK: 0},
    ]
    assert evaluated.policy_version == "nasional@1"


def test_an_organisation_without_scored_employees_has_nothing_to_judge():
    evaluated = evaluate([], OrganisationPredikat.KURANG)
    assert (evaluated.checks, evaluated.violations, evaluated.units) == ([], 0, [])
    assert evaluated.overall.percent == dict.fromkeys(Predikat, 0.0)


def test_a_distribution_changes_only_when_something_but_the_time_changed():
    first = evaluate(staff(SB=150, B=350), OrganisationPredikat.BAIK)
    assert distribution_changed(None, first)
    assert not distribution_changed(
        first, evaluate(staff(SB=150, B=350), OrganisationPredikat.BAIK, NOW + timedelta(1))
    )
    assert distribution_changed(first, evaluate(staff(SB=150, B=349, K=1), OrganisationPredikat.BAIK))
    assert distribution_changed(first, evaluate(staff(SB=150, B=350), OrganisationPredikat.ISTIMEWA))
