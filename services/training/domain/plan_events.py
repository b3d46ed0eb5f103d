"""What the platform hears of a plan version (kinerja.training.plan.updated.v1): its totals, the budget as HR reads
it, and the heaviest needs it leaves unfunded. Pure functions over the stored summary, typed."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from shared.contracts.training import UNFUNDED_LISTED_MAX, PlanStatus, PlanUpdated, UnfundedTotal
from shared.contracts.training import UnfundedNeed as ListedNeed
from shared.contracts.training import UnfundedReason as ListedReason

from .model import UnfundedNeed


@dataclass(frozen=True)
class UnfundedSum:
    jumlah: int
    bobot: float


@dataclass(frozen=True)
class PlanVersionSummary:
    """A stored plan version's totals (planner.plan_summary), without the solver's figures."""

    agency_id: str
    tahun: int
    version: int
    status: str  # draft, approved, or superseded by a later approval
    cause: str
    total_biaya: int
    total_jp: int
    allocations: int
    employees: int
    jp_shortfall_employees: int
    waiting_for_employee_record: int
    unfunded_by_reason: Mapping[str, UnfundedSum]


@dataclass(frozen=True)
class BudgetState:
    """The year's budget as HR reads it beside the plan (approvals.budget_view)."""

    anggaran: int
    committed: int
    approved_version: int | None

    @property
    def sisa(self) -> int:
        return self.anggaran - self.committed


def heaviest_unfunded(needs: Iterable[UnfundedNeed], limit: int = UNFUNDED_LISTED_MAX) -> list[UnfundedNeed]:
    """The needs that mattered most, heaviest first (ties by NIP, then kompetensi, so a repeat lists the same)."""
    return sorted(needs, key=lambda n: (-n.weight, n.nip, n.kompetensi))[:limit]


def plan_update_from_summary(
    summary: PlanVersionSummary, budget: BudgetState, unfunded: Iterable[UnfundedNeed], updated_at: datetime
) -> PlanUpdated:
    """The event for a version: drafted, approved, or its budget changed under it (the same version again)."""
    approved = summary.status == PlanStatus.APPROVED.value
    return PlanUpdated(
        agency_id=summary.agency_id,
        tahun=summary.tahun,
        version=summary.version,
        status=PlanStatus.APPROVED if approved else PlanStatus.DRAFT,
        approved_version=summary.version if approved else budget.approved_version,
        cause=summary.cause,
        anggaran=budget.anggaran,
        total_biaya=summary.total_biaya,
        committed=budget.committed,
        sisa=budget.sisa,
        total_jp=summary.total_jp,
        allocations=summary.allocations,
        employees=summary.employees,
        jp_shortfall_employees=summary.jp_shortfall_employees,
        waiting_for_employee_record=summary.waiting_for_employee_record,
        unfunded_by_reason={
            ListedReason(reason): UnfundedTotal(jumlah=total.jumlah, bobot=round(total.bobot, 4))
            for reason, total in sorted(summary.unfunded_by_reason.items())
        },
        unfunded=[_listed(n) for n in heaviest_unfunded(unfunded)],
        updated_at=updated_at,
    )


def _listed(need: UnfundedNeed) -> ListedNeed:
    reason = ListedReason(need.reason.value)
    return ListedNeed(nip=need.nip, kompetensi=need.kompetensi, reason=reason, weight=round(need.weight, 4))


def budget_change_shows(before: BudgetState, after: BudgetState) -> bool:
    """Whether a budget set through the API changes what HR reads beside the latest version (anggaran, committed,
    sisa): only then is the version announced again, before the planner makes the next one."""
    return (before.anggaran, before.committed, before.sisa) != (after.anggaran, after.committed, after.sisa)
