"""What a plan version announces (kinerja.training.plan.updated.v1): its totals, the budget beside it, the heaviest
unfunded needs; and when a budget set through the API is worth announcing again."""

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from services.training.domain.model import UnfundedNeed, UnfundedReason
from services.training.domain.plan_events import (
    BudgetState,
    PlanVersionSummary,
    UnfundedSum,
    budget_change_shows,
    heaviest_unfunded,
    plan_update_from_summary,
)
from shared.contracts.training import UNFUNDED_LISTED_MAX, PlanStatus, PlanUpdated

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def nip(sequence: int) -> str:
    return f"19850312201001{1 + sequence % 2}{sequence % 1000:03d}"


SUMMARY = PlanVersionSummary(
    agency_id="dinkes-kab-uji",
    tahun=2026,
    version=3,
    status="draft",
    cause="anggaran_berubah",
    total_biaya=10_000_000,
    total_jp=48,
    allocations=2,
    employees=2,
    jp_shortfall_employees=1,
    waiting_for_employee_record=0,
    unfunded_by_reason={
        "anggaran_tidak_cukup": UnfundedSum(jumlah=2, bobot=1.23456),
        "tidak_ada_kursus": UnfundedSum(jumlah=1, bobot=0.5),
    },
)
NEEDS = [
    UnfundedNeed(nip(1), "kesehatan-masyarakat", 0.4, UnfundedReason.NO_MONEY),
    UnfundedNeed(nip(2), "surveilans", 0.83456, UnfundedReason.NO_MONEY),
    UnfundedNeed(nip(3), "bahasa-isyarat", 0.5, UnfundedReason.NO_COURSE),
]


def test_a_draft_carries_its_totals_the_budget_beside_it_and_the_unfunded_needs_heaviest_first():
    budget = BudgetState(anggaran=12_000_000, committed=4_000_000, approved_version=2)

    event = plan_update_from_summary(SUMMARY, budget, NEEDS, AT)

    assert (event.status, event.version, event.approved_version) == (PlanStatus.DRAFT, 3, 2)
    assert (event.anggaran, event.committed, event.sisa) == (12_000_000, 4_000_000, 8_000_000)
    assert (event.total_biaya, event.total_jp, event.allocations, event.employees) == (10_000_000, 48, 2, 2)
    assert (event.jp_shortfall_employees, event.cause, event.updated_at) == (1, "anggaran_berubah", AT)
    assert {r.value: (t.jumlah, t.bobot) for r, t in event.unfunded_by_reason.items()} == {
        "anggaran_tidak_cukup": (2, 1.2346),
        "tidak_ada_kursus": (1, 0.5),
    }
    assert [(n.nip, n.weight, n.reason.value) for n in event.unfunded] == [
        (nip(2), 0.8346, "anggaran_tidak_cukup"),
        (nip(3), 0.5, "tidak_ada_kursus"),
        (nip(1), 0.4, "anggaran_tidak_cukup"),
    ]
    assert PlanUpdated.model_validate_json(event.model_dump_json()) == event  # valid on the wire


def test_an_approved_version_is_its_own_approved_version_and_commits_what_it_costs():
    committed = BudgetState(anggaran=12_000_000, committed=SUMMARY.total_biaya, approved_version=3)

    event = plan_update_from_summary(replace(SUMMARY, status="approved"), committed, [], AT)

    assert (event.status, event.approved_version) == (PlanStatus.APPROVED, 3)
    assert (event.committed, event.sisa) == (10_000_000, 2_000_000)
    assert event.unfunded == []


def test_a_draft_before_any_approval_has_no_approved_version_and_nothing_committed():
    event = plan_update_from_summary(SUMMARY, BudgetState(12_000_000, 0, None), NEEDS, AT)

    assert (event.approved_version, event.committed, event.sisa) == (None, 0, 12_000_000)


def test_at_most_the_listed_maximum_of_needs_go_out_and_the_totals_still_count_them_all():
    many = [UnfundedNeed(nip(i), f"k-{i}", i / 1000, UnfundedReason.NO_SEATS) for i in range(UNFUNDED_LISTED_MAX + 40)]
    summary = replace(SUMMARY, unfunded_by_reason={"kursi_penuh": UnfundedSum(len(many), 12.0)})

    event = plan_update_from_summary(summary, BudgetState(12_000_000, 0, None), many, AT)

    assert len(event.unfunded) == UNFUNDED_LISTED_MAX
    assert event.unfunded[0].kompetensi == f"k-{len(many) - 1}"
    assert event.unfunded_by_reason["kursi_penuh"].jumlah == len(many)


@given(st.lists(st.tuples(st.integers(0, 999), st.sampled_from("abc"), st.floats(0, 5)), max_size=40))
def test_the_heaviest_are_listed_in_an_order_that_does_not_depend_on_how_they_came(rows):
    needs = [UnfundedNeed(nip(s), k, w, UnfundedReason.NO_MONEY) for s, k, w in rows]

    listed = heaviest_unfunded(needs, limit=10)

    assert listed == heaviest_unfunded(list(reversed(needs)), limit=10)
    assert [n.weight for n in listed] == sorted((n.weight for n in needs), reverse=True)[:10]


def test_a_budget_is_announced_again_only_when_what_hr_reads_beside_the_plan_changes():
    before = BudgetState(anggaran=12_000_000, committed=4_000_000, approved_version=2)

    assert budget_change_shows(before, replace(before, anggaran=15_000_000))
    assert not budget_change_shows(before, replace(before))  # the same figure set again
