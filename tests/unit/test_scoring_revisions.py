"""When a score is (re)published: first score, correction, stale or repeated version, rescore, annual rescore."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.scoring.domain import (
    RatingThresholds,
    ReportOutcome,
    ScoreState,
    ScoringPolicy,
    annual_revision_needed,
    annual_score,
    decide_report,
    is_revision_needed,
    national_policy,
    score_report,
)
from shared.contracts.common import Period, PeriodType, Rating
from shared.contracts.reports import IndicatorRealisation, ReportSubmitted
from shared.contracts.scores import AnnualScoreComputed, RevisionCause, ScoreComputed

NOW = datetime(2026, 11, 5, 9, 30, tzinfo=UTC)
POLICY = national_policy()
STORED = ScoreState(report_id="bungo-dinkes/rpt-1", report_version=2, revision=3, policy_version="nasional@1")


def _decision(stored: ScoreState | None, version: int) -> tuple:
    decision = decide_report(stored, version)
    return decision.outcome, decision.scores, decision.revision, decision.supersedes, decision.cause


def test_first_score_of_a_report():
    assert _decision(None, 1) == (ReportOutcome.SCORE_FIRST, True, 1, None, None)


def test_a_corrected_report_supersedes_the_latest_revision():
    assert _decision(STORED, 3) == (ReportOutcome.SCORE_CORRECTION, True, 4, 3, RevisionCause.CORRECTION)


@pytest.mark.parametrize(("version", "outcome"), [(1, ReportOutcome.IGNORE_STALE), (2, ReportOutcome.IGNORE_SAME)])
def test_an_older_or_the_same_version_changes_nothing(version, outcome):
    assert _decision(STORED, version) == (outcome, False, None, None, None)


def _report() -> ReportSubmitted:
    # 97% of target: Di Bawah under the national policy, Sesuai once Sesuai starts at 95%.
    indicator = IndicatorRealisation(
        row_id="rhk-1",
        rhk="Cakupan imunisasi dasar lengkap",
        jenis="utama",
        aspek="kuantitas",
        indikator="Persentase bayi diimunisasi",
        polaritas="higher_is_better",
        target=100,
        realisasi=97,
    )
    return ReportSubmitted(
        report_id="bungo-dinkes/rpt-1",
        agency_id="bungo-dinkes",
        nip="198503122010011002",
        skp_id="skp-2026-1",
        period=Period(type=PeriodType.BULANAN, start=date(2026, 10, 1), end=date(2026, 10, 31)),
        indicators=[indicator],
        submitted_at=NOW,
    )


def test_a_rescore_that_only_changes_metadata_needs_no_revision():
    current = score_report(_report(), POLICY, NOW)
    rescored = score_report(_report(), POLICY.model_copy(update={"version": "bungo-dinkes@2"}), NOW + timedelta(1))
    rescored = rescored.model_copy(update={"revision": 2, "supersedes": 1, "revision_cause": RevisionCause.RESCORE})
    assert not is_revision_needed(current, rescored)


def test_a_rescore_that_changes_a_rating_needs_a_revision():
    current = score_report(_report(), POLICY, NOW)
    lenient = POLICY.model_copy(update={"rating_thresholds": RatingThresholds(sesuai_min_capaian=95.0)})
    assert is_revision_needed(current, score_report(_report(), lenient, NOW))


def test_a_rescore_that_changes_only_a_reason_is_not_a_revision():
    # The same ratings, but the explanation quotes a threshold the new policy moved: nothing for payroll.
    current = score_report(_report(), POLICY, NOW)
    stricter = POLICY.model_copy(update={"rating_thresholds": RatingThresholds(sesuai_min_capaian=99.0)})
    rescored = score_report(_report(), stricter, NOW)
    assert rescored.rating_hasil_kerja == current.rating_hasil_kerja
    assert rescored.indicators[0].reason != current.indicators[0].reason
    assert not is_revision_needed(current, rescored)


def _annual(score: ScoreComputed, policy: ScoringPolicy = POLICY, computed_at: datetime = NOW) -> AnnualScoreComputed:
    return annual_score(
        agency_id=score.agency_id,
        nip=score.nip,
        tahun=2026,
        scores=[score],
        expected_periods=["2026-10", "2026-11"],
        policy=policy,
        computed_at=computed_at,
    )


def test_an_annual_rescore_that_only_changes_metadata_needs_no_revision():
    current = _annual(score_report(_report(), POLICY, NOW))
    agency_policy = POLICY.model_copy(update={"version": "bungo-dinkes@2"})
    rescored = _annual(score_report(_report(), POLICY, NOW), agency_policy, NOW + timedelta(1))
    assert not annual_revision_needed(current, rescored.model_copy(update={"revision": 2, "supersedes": 1}))


@pytest.mark.parametrize(
    "change",
    [
        {"rating_hasil_kerja": Rating.SESUAI},  # the year's rating
        {"revision": 2},  # a new revision of a period it was built from
    ],
)
def test_an_annual_score_built_from_something_else_needs_a_revision(change):
    periodic = score_report(_report(), POLICY, NOW)
    assert annual_revision_needed(_annual(periodic), _annual(periodic.model_copy(update=change)))
