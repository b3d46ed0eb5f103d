"""kinerja.training.plan.updated.v1 from what training stores: a version's summary, the year's budget and the
unfunded needs on the version's lines. Emitted in the unit of work that stores the change (a version planned,
approved, or its budget set), so the event and the state never disagree."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from shared.contracts import TRAINING_PLAN_UPDATED
from shared.messaging.unit_of_work import UnitOfWork

from .documents import from_document
from .domain.model import UnfundedNeed
from .domain.plan_events import BudgetState, PlanVersionSummary, UnfundedSum, plan_update_from_summary


def summary_of(plan: dict[str, Any]) -> PlanVersionSummary:
    return PlanVersionSummary(
        agency_id=plan["agency_id"],
        tahun=plan["tahun"],
        version=plan["version"],
        status=plan["status"],
        cause=plan["cause"],
        total_biaya=plan["total_biaya"],
        total_jp=plan["total_jp"],
        allocations=plan["allocations"],
        employees=plan["employees"],
        jp_shortfall_employees=plan.get("jp_shortfall_employees", 0),
        waiting_for_employee_record=plan.get("waiting_for_employee_record", 0),
        unfunded_by_reason={
            reason: UnfundedSum(jumlah=int(total["jumlah"]), bobot=float(total["bobot"]))
            for reason, total in (plan.get("unfunded") or {}).items()
        },
    )


def budget_state_of(budget: dict[str, Any]) -> BudgetState:
    return BudgetState(
        anggaran=budget["anggaran"],
        committed=budget.get("committed", 0),
        approved_version=budget.get("approved_version"),
    )


def unfunded_on(lines: Iterable[dict[str, Any]]) -> list[UnfundedNeed]:
    """The unfunded needs stored on a version's lines (each line's `unfunded`)."""
    return [from_document(UnfundedNeed, need) for line in lines for need in line.get("unfunded", [])]


def emit_plan_updated(
    uow: UnitOfWork,
    plan: dict[str, Any],
    budget: BudgetState,
    unfunded: Iterable[UnfundedNeed],
    at: datetime,
    *,
    status: str | None = None,
) -> None:
    """Announce the version `plan` (with `status` when this write changes it), keyed by its agency."""
    summary = summary_of(plan if status is None else {**plan, "status": status})
    event = plan_update_from_summary(summary, budget, unfunded, at)
    uow.emit(TRAINING_PLAN_UPDATED, event, subject=plan["agency_id"])
