"""The dashboard's rules without I/O: which copy of a state wins, what a score adds to its period, what the pages
show, and the session cookie."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from services.dashboard.domain.fold import StoredScore, newer, nilai_delta, path_key, score_replaces
from services.dashboard.domain.sessions import csrf_matches, new_session, safe_return_path, seal, unseal
from services.dashboard.domain.views import (
    PeriodRecord,
    PeriodTotals,
    RosterEntry,
    default_scope,
    distribution_view,
    jp_view,
    not_reported,
    rupiah,
    training_view,
    trend_view,
)
from shared.contracts.common import Predikat
from shared.contracts.scores import CurveCheck, CurveLimit, DistributionEvaluated, PredikatCounts
from shared.contracts.training import PlanUpdated

T0 = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)


class _Score:
    """The fields of ScoreComputed the fold reads."""

    def __init__(self, report_id: str, revision: int, computed_at: datetime, nilai: float | None) -> None:
        self.report_id, self.revision, self.computed_at, self.nilai_hasil_kerja = (
            report_id,
            revision,
            computed_at,
            nilai,
        )


def test_a_revision_replaces_its_report_and_a_redelivery_or_older_revision_does_not():
    stored = StoredScore("a/r1", 2, T0, 90.0)
    assert score_replaces(_Score("a/r1", 3, T0, 95.0), stored)
    assert not score_replaces(_Score("a/r1", 2, T0, 90.0), stored)
    assert not score_replaces(_Score("a/r1", 1, T0 + timedelta(hours=1), 80.0), stored)
    assert score_replaces(_Score("a/r1", 1, T0, 80.0), None)


def test_a_later_report_for_the_same_period_replaces_an_earlier_one():
    stored = StoredScore("a/r1", 1, T0, 90.0)
    assert score_replaces(_Score("b/r9", 1, T0 + timedelta(seconds=1), 70.0), stored)
    assert not score_replaces(_Score("b/r9", 1, T0 - timedelta(seconds=1), 70.0), stored)


@pytest.mark.parametrize(
    ("before", "after", "total", "count"),
    [(None, 90.0, 90.0, 1), (90.0, 100.0, 10.0, 0), (90.0, None, -90.0, -1), (None, None, 0.0, 0)],
)
def test_the_period_mean_counts_each_report_once_through_its_revisions(before, after, total, count):
    stored = None if before is None and after is not None else StoredScore("a/r1", 1, T0, before)
    delta = nilai_delta(_Score("a/r1", 2, T0, after), stored)
    assert (delta.total, delta.count) == (total, count)


def test_newer_orders_by_version_then_moment_and_a_tie_rewrites_the_same_state():
    assert newer((2, T0), (1, T0 + timedelta(days=1)))
    assert not newer((1, T0), (2, T0))
    assert newer((2, T0), (2, T0))
    assert newer((T0,), (T0.replace(tzinfo=None),))  # MongoDB may hand back naive UTC
    assert newer((T0,), None)


def test_path_keys_keep_plain_ids_and_hash_dotted_ones():
    assert path_key("2026-10") == "2026-10"
    dotted = path_key("kursus.v1$x")
    assert "." not in dotted and "$" not in dotted and dotted == path_key("kursus.v1$x")


def _evaluated(counts: dict[Predikat, int], checks: list[CurveCheck]) -> DistributionEvaluated:
    total = sum(counts.values())
    return DistributionEvaluated(
        agency_id="bungo-dinkes",
        scope="2026-10",
        organisation_predikat="baik",
        overall=PredikatCounts(employees=total, counts=counts, percent={p: 100 * n / total for p, n in counts.items()}),
        checks=checks,
        violations=sum(1 for c in checks if not c.ok),
        policy_version="test",
        evaluated_at=T0,
    )


def test_the_distribution_marks_the_bars_of_a_violated_check():
    too_many = CurveCheck(
        predikat=[Predikat.SANGAT_BAIK],
        limit=CurveLimit.AT_MOST,
        percent=10,
        actual_percent=60,
        actual_count=3,
        ok=False,
        message="60% Sangat Baik, paling banyak 10%: melanggar",
    )
    view = distribution_view(_evaluated({Predikat.SANGAT_BAIK: 3, Predikat.BAIK: 2}, [too_many]))
    assert view["chart"]["counts"] == [3, 2, 0, 0, 0]
    assert view["chart"]["violated"] == [True, False, False, False, False]
    assert view["violations"] == 1 and view["checks"][0]["ok"] is False
    assert distribution_view(None) is None


def _period(month: int, closed: bool = True) -> PeriodRecord:
    start = date(2026, month, 1)
    return PeriodRecord(
        f"2026-{month:02d}", start, start.replace(day=28), datetime(2026, month + 1, 5, tzinfo=UTC), closed, False
    )


def test_trends_count_reports_expected_late_and_the_mean_per_period():
    periods = [_period(9), _period(10)]
    roster = [
        RosterEntry("1", "Ani", "Analis", "u1"),
        RosterEntry("2", "Budi", "Analis", "u1"),
        RosterEntry("3", "Citra", "Analis", "u2", inactive_since=date(2026, 9, 15)),
    ]
    totals = {"2026-09": PeriodTotals(2, 180.0, 2), "2026-10": PeriodTotals(1, 100.0, 1)}
    view = trend_view(periods, totals, {}, roster, 2026, date(2026, 11, 23))
    rows = {r["period_id"]: r for r in view["rows"]}
    assert (rows["2026-09"]["expected"], rows["2026-09"]["late"], rows["2026-09"]["mean_nilai"]) == (3, 1, 90.0)
    assert (rows["2026-10"]["expected"], rows["2026-10"]["late"], rows["2026-10"]["mean_nilai"]) == (2, 1, 100.0)
    assert view["chart"]["labels"] == ["2026-09", "2026-10"]
    assert [e.nama for e in not_reported(roster, periods[1], {"1"})] == ["Budi"]  # Citra left in September
    assert [e.nama for e in not_reported(roster, periods[0], {"1", "2"})] == ["Citra"]


def test_the_default_scope_is_the_latest_scored_period_that_started():
    periods = [_period(9), _period(10), _period(11)]
    assert default_scope(periods, {"2026-09", "2026-10", "2026"}, date(2026, 11, 23)) == "2026-10"
    assert default_scope(periods, {"2026"}, date(2026, 11, 23)) == "2026"
    assert default_scope(periods, set(), date(2026, 11, 23)) is None


def test_jp_counts_against_20_for_pns_and_24_for_pppk():
    done = [
        {"jp": 8, "selesai_pada": "2026-03-01", "judul": "A"},
        {"jp": 6, "selesai_pada": "2026-02-01", "judul": "B"},
    ]
    assert (jp_view("pns", done)["total"], jp_view("pns", done)["target"], jp_view("pns", done)["percent"]) == (
        14,
        20,
        70,
    )
    assert jp_view("pppk", done)["target"] == 24
    assert [c["judul"] for c in jp_view("pns", done)["courses"]] == ["B", "A"]


def test_rupiah_groups_thousands_with_dots():
    assert rupiah(60_000_000) == "Rp 60.000.000"
    assert rupiah(0) == "Rp 0"


def test_a_session_cookie_survives_only_unchanged_with_its_secret_and_within_its_age():
    session = new_session("bungo-dinkes", "d" * 64)
    cookie = seal(session, "secret-one-long-enough")
    assert unseal(cookie, "secret-one-long-enough", 3600) == session
    assert unseal(cookie, "another-secret-entirely", 3600) is None
    assert unseal(cookie[:-2] + "xx", "secret-one-long-enough", 3600) is None
    assert unseal(cookie, "secret-one-long-enough", -1) is None  # expired
    assert unseal("", "secret-one-long-enough", 3600) is None
    admin = new_session(None, "a" * 64)
    assert unseal(seal(admin, "s" * 20), "s" * 20, 60).is_admin


def test_csrf_and_return_paths():
    assert csrf_matches("abc", "abc") and not csrf_matches("abc", "abd") and not csrf_matches(None, None)
    assert not csrf_matches("", "")
    assert safe_return_path("/dasbor/instansi/x?periode=2026-10") == "/dasbor/instansi/x?periode=2026-10"
    for hostile in ("//evil.example", "https://evil.example", "\\\\evil", "", None, "/\\evil"):
        assert safe_return_path(hostile) == "/"


def test_the_training_page_reads_the_plan_in_the_readers_language():
    plan = PlanUpdated(
        agency_id="bungo-dinkes",
        tahun=2026,
        version=3,
        status="draft",
        cause="anggaran_berubah",
        anggaran=80_000_000,
        total_biaya=40_000_000,
        committed=0,
        sisa=80_000_000,
        total_jp=100,
        allocations=4,
        employees=3,
        jp_shortfall_employees=1,
        unfunded_by_reason={"kursi_penuh": {"jumlah": 2, "bobot": 3.0}, "batas_jp": {"jumlah": 5, "bobot": 1.0}},
        unfunded=[{"nip": "198503122010011002", "kompetensi": "k", "reason": "kursi_penuh", "weight": 2.0}],
        updated_at=T0,
    )
    indonesian, english = training_view(plan, "id"), training_view(plan, "en")
    assert indonesian["cause"] == "anggaran pelatihan berubah" and english["cause"] == "the training budget changed"
    assert indonesian["used_percent"] == 50.0
    assert [r["jumlah"] for r in indonesian["by_reason"]] == [5, 2]  # the commonest reason first
    assert english["unfunded"][0]["reason"] == "course seats full"
    assert training_view(None, "id") is None


def test_every_word_of_the_pages_exists_in_both_languages_and_every_template_key_is_known():
    from pathlib import Path

    from services.dashboard.domain.i18n import PLAN_CAUSE, TEXT, UNFUNDED_REASON

    assert set(TEXT["id"]) == set(TEXT["en"])
    assert set(PLAN_CAUSE["id"]) == set(PLAN_CAUSE["en"]) and set(UNFUNDED_REASON["id"]) == set(UNFUNDED_REASON["en"])
    templates = (Path(__file__).resolve().parents[2] / "services" / "dashboard" / "templates").glob("*.html")
    used = {key for page in templates for key in re.findall(r"\bt\.([a-z_]+)", page.read_text())}
    assert used and used <= set(TEXT["id"]), used - set(TEXT["id"])
