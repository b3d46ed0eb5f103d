"""Decisions around the agency plan: whose recommendation changes, what a new version changed and why, when an
announced budget is a change. Pure functions over the domain's dataclasses."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.contracts.common import JenisAsn

from .budget import rupiah
from .model import Allocation, CompletedCourse, EmployeeGap, EmployeeNeed


class PlanCause(StrEnum):
    """Why the plan was made again; the words HR reads in the plan's history."""

    NEW_SCORE = "nilai_baru"
    BUDGET_CHANGED = "anggaran_berubah"
    TRAINING_COMPLETED = "pelatihan_selesai"
    EMPLOYEE_CHANGED = "data_pegawai_berubah"
    CATALOGUE_CHANGED = "katalog_berubah"


# While scores keep coming (a month-end burst), an agency's year is planned again at most every MAX_WAIT, and
# SETTLE after the last one: a plan per batch of scores is outdated by the next batch, and its solves take the
# CPU the scores themselves need. What HR does (budget, completed course, catalogue) is planned at once.
SETTLE = timedelta(seconds=10)
MAX_WAIT = timedelta(minutes=2)
DEBOUNCED_CAUSES = frozenset({PlanCause.NEW_SCORE, PlanCause.EMPLOYEE_CHANGED})


def planning_due(cause: str, changed_at: datetime | None, planned_at: datetime | None, now: datetime) -> bool:
    """Whether a marked year is planned now (see SETTLE and MAX_WAIT); `planned_at` None: never planned."""
    if cause not in DEBOUNCED_CAUSES or changed_at is None:
        return True
    if now - changed_at >= SETTLE:
        return True
    return planned_at is None or now - planned_at >= MAX_WAIT


CAUSE_TEXT = {
    PlanCause.NEW_SCORE: "ada nilai kinerja baru",
    PlanCause.BUDGET_CHANGED: "anggaran pelatihan berubah",
    PlanCause.TRAINING_COMPLETED: "ada pelatihan yang selesai",
    PlanCause.EMPLOYEE_CHANGED: "data pegawai berubah",
    PlanCause.CATALOGUE_CHANGED: "katalog pelatihan berubah",
}


@dataclass(frozen=True)
class PlanChange:
    nip: str
    course_id: str
    added: bool  # False: dropped from the plan
    value: float
    biaya: int
    reason: str  # in Bahasa Indonesia


def plan_changes(
    previous: Sequence[Allocation], current: Sequence[Allocation], *, budget_before: int | None, budget_after: int
) -> list[PlanChange]:
    """What a new plan version adds and drops; drops listed lowest value first, each with its reason."""
    before = {(a.nip, a.course_id): a for a in previous}
    after = {(a.nip, a.course_id): a for a in current}
    cut = budget_before is not None and budget_after < budget_before
    dropped_reason = (
        f"anggaran dipotong dari {rupiah(budget_before or 0)} menjadi {rupiah(budget_after)}; "
        "alokasi bernilai terendah dilepas lebih dulu"
        if cut
        else "digantikan alokasi yang menutup kesenjangan lebih besar"
    )
    dropped = [
        PlanChange(a.nip, a.course_id, False, a.value, a.biaya, dropped_reason)
        for key, a in before.items()
        if key not in after
    ]
    added = [
        PlanChange(a.nip, a.course_id, True, a.value, a.biaya, _why_added(a))
        for key, a in after.items()
        if key not in before
    ]
    dropped.sort(key=lambda c: (c.value, c.nip, c.course_id))
    added.sort(key=lambda c: (-c.value, c.nip, c.course_id))
    return dropped + added


def _why_added(allocation: Allocation) -> str:
    if allocation.value > 0:
        return "menutup kesenjangan kompetensi"
    return "menambah JP menuju hak pengembangan kompetensi 20 JP setahun"


def courses_by_employee(allocations: Iterable[Allocation]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for allocation in allocations:
        grouped[allocation.nip].append(allocation.course_id)
    return {nip: tuple(sorted(ids)) for nip, ids in grouped.items()}


def recommendation_changes(
    approved: Iterable[Allocation], emitted: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """Employees whose recommended courses differ from the last ones sent: their new courses (empty: withdrawn).

    An employee whose courses did not change hears nothing: recommendations are revised, never repeated.
    """
    wanted = courses_by_employee(approved)
    changed = {nip: ids for nip, ids in wanted.items() if emitted.get(nip) != ids}
    withdrawn = {nip: () for nip, ids in emitted.items() if ids and nip not in wanted}
    return changed | withdrawn


def budget_from_registration(announced: int, last_announced: int | None) -> int | None:
    """The budget intake's agency registration sets, if any.

    Intake repeats an agency's registration when any detail changes; its budget figure counts only when it
    differs from the one it announced before, so a renamed agency never undoes HR's budget set through the API.
    """
    return announced if announced != last_announced else None


def employee_need(
    nip: str, jenis_asn: str, gaps: Sequence[EmployeeGap], completed: Sequence[CompletedCourse]
) -> EmployeeNeed:
    """What the optimiser needs of one employee: this year's gaps, the JP done and the courses completed."""
    return EmployeeNeed(
        nip=nip,
        jenis_asn=JenisAsn(jenis_asn),
        jp_selesai=sum(c.jp for c in completed),
        gaps={g.kompetensi: g.weight for g in gaps},
        courses_done=frozenset(c.course_id for c in completed),
    )
