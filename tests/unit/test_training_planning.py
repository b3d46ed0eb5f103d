"""Decisions around the plan: what a new version changed and why, whose recommendation is revised, when an
announced budget counts."""

from datetime import UTC, date, datetime, timedelta

from services.training.domain.model import Allocation, CompletedCourse, EmployeeGap
from services.training.domain.planning import (
    MAX_WAIT,
    SETTLE,
    PlanCause,
    budget_from_registration,
    employee_need,
    plan_changes,
    planning_due,
    recommendation_changes,
)
from shared.contracts.common import JenisAsn


def alloc(nip: str, course: str, value: float = 1.0, biaya: int = 5_000_000) -> Allocation:
    return Allocation(nip=nip, course_id=course, biaya=biaya, jp=24, value=value)


def test_a_budget_cut_lists_dropped_allocations_lowest_value_first_with_the_figures():
    before = [alloc("a", "k", 4.0), alloc("b", "k", 1.0), alloc("c", "k", 2.5)]
    after = [alloc("a", "k", 4.0)]

    changes = plan_changes(before, after, budget_before=15_000_000, budget_after=5_000_000)

    assert [(c.nip, c.added) for c in changes] == [("b", False), ("c", False)]
    assert all("anggaran dipotong dari Rp 15.000.000 menjadi Rp 5.000.000" in c.reason for c in changes)


def test_without_a_cut_a_drop_is_explained_as_replaced_and_additions_come_heaviest_first():
    changes = plan_changes(
        [alloc("a", "k", 1.0)], [alloc("b", "k", 1.0), alloc("c", "m", 3.0)], budget_before=10, budget_after=10
    )

    assert [(c.nip, c.added) for c in changes] == [("a", False), ("c", True), ("b", True)]
    assert "digantikan" in changes[0].reason


def test_only_employees_whose_courses_changed_hear_again_and_a_withdrawal_is_empty():
    approved = [alloc("a", "k"), alloc("a", "m"), alloc("b", "k"), alloc("d", "k")]
    emitted = {"a": ("k", "m"), "b": ("m",), "c": ("k",), "e": ()}

    assert recommendation_changes(approved, emitted) == {"b": ("k",), "c": (), "d": ("k",)}


def test_a_repeated_registration_does_not_undo_a_budget_set_since():
    assert budget_from_registration(100, None) == 100
    assert budget_from_registration(100, 100) is None  # the same figure again: HR's later budget stands
    assert budget_from_registration(80, 100) == 80


def test_an_employee_need_counts_this_years_jp_and_courses_done():
    gaps = [EmployeeGap("pelayanan-publik", 2.5, ())]
    done = [CompletedCourse("c1", ("x",), 8, date(2026, 3, 1)), CompletedCourse("c2", ("y",), 12, date(2026, 5, 1))]

    need = employee_need("199001012020121001", "pppk", gaps, done)

    assert need.jenis_asn is JenisAsn.PPPK and need.jp_selesai == 20
    assert need.gaps == {"pelayanan-publik": 2.5} and need.courses_done == {"c1", "c2"}


NOW = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_a_year_still_receiving_scores_waits_for_them_to_settle():
    just_now = NOW - timedelta(seconds=1)
    assert not planning_due(PlanCause.NEW_SCORE, just_now, NOW - timedelta(seconds=30), NOW)
    assert not planning_due(PlanCause.EMPLOYEE_CHANGED, just_now, NOW - timedelta(seconds=30), NOW)
    assert planning_due(PlanCause.NEW_SCORE, NOW - SETTLE, NOW - timedelta(seconds=30), NOW)  # quiet since


def test_a_burst_that_never_settles_is_still_planned_every_max_wait():
    just_now = NOW - timedelta(seconds=1)
    assert planning_due(PlanCause.NEW_SCORE, just_now, NOW - MAX_WAIT, NOW)
    assert planning_due(PlanCause.NEW_SCORE, just_now, None, NOW)  # never planned: at once


def test_what_hr_does_is_planned_at_once():
    just_now = NOW - timedelta(seconds=1)
    for cause in (PlanCause.BUDGET_CHANGED, PlanCause.TRAINING_COMPLETED, PlanCause.CATALOGUE_CHANGED):
        assert planning_due(cause, just_now, NOW - timedelta(seconds=5), NOW)
    assert planning_due(PlanCause.NEW_SCORE, None, NOW, NOW)  # marked by an older version: no time kept
