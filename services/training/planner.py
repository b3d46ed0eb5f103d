"""Re-optimises agency plans in the background.

Every score, budget change, completed course or employee change marks its agency-year (one merged write
per batch); this loop plans the marked years a few at a time. A month-end burst of 2,000 scores for one
agency therefore costs a handful of solves, not 2,000: while scores keep coming a year is planned at most
every two minutes, and ten seconds after the last (`domain.planning.planning_due`). A new plan version is
stored only when its allocations or its budget changed. Planning waits for the year's budget: until it
arrives the evidence is kept and nothing is planned.

The solver runs in a worker thread of its own, so the consumers and the API keep going, at a lower CPU
priority (nice 10): on a small server the solves give way to the scoring of reports and the sending of
notices, which people wait for.
"""

import asyncio
import functools
import hashlib
import json
import logging
import math
import os
import sys
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import highspy

from shared.service import Runtime

from .documents import allocation_of, completed_course_of, course_of, evidence_of, to_document
from .domain.catalogue import course_offer
from .domain.gaps import employee_gaps
from .domain.model import Allocation, CourseOffer, EmployeeGap, EmployeeNeed, PlanResult, PlanRules
from .domain.plan_model import optimise_plan
from .domain.planning import PlanCause, employee_need, plan_changes, planning_due
from .plan_updates import budget_state_of, emit_plan_updated
from .repository import (
    PLAN_HEADS,
    PLAN_LINES,
    PLANS,
    agency_employees,
    claim_plan_version,
    courses_for,
    dirty_heads,
    find_budget,
    find_head,
    find_plan,
    mark_planned,
    plan_key,
    plan_lines,
    year_completions,
    year_evidence,
    year_key,
)

log = logging.getLogger(__name__)


def _swallow_solver_banner() -> None:
    """HiGHS prints a banner on stdout when a process makes its first solver; a service's stdout is JSON log
    lines, so the first solver is made here with stdout pointed at /dev/null (at import, before any thread)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_swallow_solver_banner()

INTERVAL_S = 2.0
HEADS_PER_ROUND = 10
SOLVER_NICENESS = 10
YEAR_TIMEOUT_S = 90.0  # two solves of at most 10 s each, and the reads and writes around them, with room to spare
# Re-plans start from the previous plan; at the default 1% gap HiGHS would stop at it at once and leave a new
# score's gap unfunded. 0.01% makes it move what the optimum moves (about 5 s for 2,000 employees).
RULES = PlanRules(relative_gap=1e-4)


def _lower_priority() -> None:
    try:  # on Linux a thread has its own nice value: this one only
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), SOLVER_NICENESS)
    except (AttributeError, OSError) as exc:
        log.info("the solver runs at normal priority", extra={"error": type(exc).__name__})


def _solver_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="plan-solver", initializer=_lower_priority)


async def plan_continuously(runtime: Runtime) -> None:
    solver = _solver_thread()
    try:
        while True:
            try:
                now = datetime.now(UTC)
                marked = await dirty_heads(runtime.db)
                heads = [
                    h for h in marked if planning_due(h.get("cause", ""), h.get("changed_at"), h.get("planned_at"), now)
                ]
            except Exception as exc:  # the database is away: the marks stay, the next round finds them
                log.warning("reading the years to plan failed, retrying", extra={"error": type(exc).__name__})
                heads = []
            for head in heads[:HEADS_PER_ROUND]:
                try:
                    # A year that hangs (a database call lost in an outage, a solver that never returns) is given
                    # up after this long and tried again later: it never stops the planner for every other agency.
                    await asyncio.wait_for(plan_year(runtime, head, solver), timeout=YEAR_TIMEOUT_S)
                except TimeoutError:
                    # A solve still running would hold the solver's one thread: the next years get a new one.
                    solver.shutdown(wait=False, cancel_futures=True)
                    solver = _solver_thread()
                    log.warning("planning an agency's year timed out, retrying", extra={"agency_id": head["agency_id"]})
                except Exception as exc:  # its mark stays; one agency's failure never holds up the others
                    fields = {"agency_id": head["agency_id"], "error": type(exc).__name__, "detail": str(exc)[:300]}
                    log.warning("planning an agency's year failed, retrying", extra=fields)
            if len(heads) <= HEADS_PER_ROUND:
                await asyncio.sleep(INTERVAL_S)
    finally:
        solver.shutdown(wait=False, cancel_futures=True)


async def plan_year(runtime: Runtime, head: dict[str, Any], solver: ThreadPoolExecutor) -> None:
    agency_id, tahun = head["agency_id"], head["tahun"]
    started = datetime.now(UTC)
    budget = await find_budget(runtime.db, agency_id=agency_id, tahun=tahun)
    if budget is not None:
        inputs = await load_inputs(runtime, agency_id, tahun)
        previous = await find_plan(runtime.db, agency_id=agency_id, tahun=tahun, version=head["latest_version"])
        previous_allocations = (
            None if previous is None else [allocation_of(a) for a in await _lines_allocations(runtime, previous)]
        )
        pairs = [(a.nip, a.course_id) for a in previous_allocations or []]
        solve = functools.partial(optimise_plan, inputs.needs, inputs.offers, budget["anggaran"], RULES, pairs)
        result = await asyncio.get_running_loop().run_in_executor(solver, solve)
        budget_before = None if previous is None else previous["anggaran"]
        lines = plan_lines_content(inputs, result)
        digest = content_digest(lines)
        # A new version when anything HR reads changed: allocations, gaps and their sources, unfunded needs, budget.
        if previous is None or previous.get("digest") != digest or budget_before != budget["anggaran"]:
            version = _Version(inputs, result, lines, digest, previous_allocations, budget_before)
            await _store_version(runtime, head, budget, version)
    await mark_planned(runtime.db, key=head["_id"], changes=head["changes"], at=started)


@dataclass(frozen=True)
class PlanInputs:
    needs: list[EmployeeNeed]
    offers: list[CourseOffer]
    gaps: dict[str, list[EmployeeGap]]
    waiting: int  # employees scored whose record has not arrived yet


async def load_inputs(runtime: Runtime, agency_id: str, tahun: int) -> PlanInputs:
    """Each employee's gaps over the year, JP and completed courses, and the courses the agency may use."""
    employees = {e["_id"]: e for e in await agency_employees(runtime.db, agency_id=agency_id)}
    evidence: dict[str, tuple[list[Any], list[Any]]] = defaultdict(lambda: ([], []))
    for document in await year_evidence(runtime.db, agency_id=agency_id, tahun=tahun):
        gaps, met = evidence_of(document)
        evidence[document["nip"]][0].extend(gaps)
        evidence[document["nip"]][1].extend(met)
    completed: dict[str, list[Any]] = defaultdict(list)
    for document in await year_completions(runtime.db, agency_id=agency_id, tahun=tahun):
        completed[document["nip"]].append(completed_course_of(document))
    as_of = min(datetime.now(UTC).date(), date(tahun, 12, 31))
    gaps_by_nip = {nip: employee_gaps(evidence[nip][0], evidence[nip][1], completed[nip], as_of) for nip in employees}
    needs = [
        employee_need(nip, employees[nip]["jenis_asn"], gaps_by_nip[nip], completed[nip]) for nip in sorted(employees)
    ]
    offers = [course_offer(course_of(d)) for d in await courses_for(runtime.db, agency_id=agency_id)]
    waiting = sum(1 for nip in evidence if nip not in employees)  # parked until their record arrives
    return PlanInputs(needs, offers, gaps_by_nip, waiting)


async def _lines_allocations(runtime: Runtime, plan: dict[str, Any]) -> list[dict[str, Any]]:
    lines = await plan_lines(runtime.db, plan_id=plan["_id"])
    return [a for line in lines for a in line["allocations"]]


@dataclass(frozen=True)
class _Version:
    """A plan worth storing as a new version, and what it is compared with."""

    inputs: "PlanInputs"
    result: PlanResult
    lines: list[dict[str, Any]]
    digest: str
    previous: list[Allocation] | None
    budget_before: int | None


async def _store_version(runtime: Runtime, head: dict[str, Any], budget: dict[str, Any], new: _Version) -> None:
    agency_id, tahun = head["agency_id"], head["tahun"]
    version = await claim_plan_version(runtime.db, agency_id=agency_id, tahun=tahun)
    plan_id = plan_key(agency_id, tahun, version)
    changes = plan_changes(
        new.previous or [], new.result.allocations, budget_before=new.budget_before, budget_after=budget["anggaran"]
    )
    # Why, as the year's mark says now: a change marked while the solve ran (its data already read) is this
    # version's cause, not the mark the round began with.
    now = await find_head(runtime.db, agency_id=agency_id, tahun=tahun) or head
    summary = plan_summary(
        plan_id, {**head, "cause": now.get("cause", head.get("cause"))}, budget, new.inputs, new.result, version
    )
    uow = runtime.unit_of_work()
    uow.insert(PLANS, summary | {"digest": new.digest, "changes": [to_document(c) for c in changes]})
    identity = {"plan_id": plan_id, "agency_id": agency_id, "tahun": tahun, "version": version}
    for line in new.lines:
        uow.insert(PLAN_LINES, {"_id": f"{plan_id}:{line['nip']}", **identity, **line})
    uow.update(PLAN_HEADS, year_key(agency_id, tahun), set_={"latest_version": version})
    # The budget as it is now, not as the solve began: HR may have approved the previous version meanwhile.
    current = await find_budget(runtime.db, agency_id=agency_id, tahun=tahun) or budget
    emit_plan_updated(uow, summary, budget_state_of(current), new.result.unfunded, summary["created_at"])
    await uow.commit()
    await _drop_old_lines(runtime, head, version)


async def _drop_old_lines(runtime: Runtime, head: dict[str, Any], version: int) -> None:
    """Lines are kept for the latest and the approved version only; summaries stay for the history."""
    keep = {plan_key(head["agency_id"], head["tahun"], v) for v in (version, head.get("approved_version")) if v}
    await runtime.db[PLAN_LINES].delete_many(
        {"agency_id": head["agency_id"], "tahun": head["tahun"], "plan_id": {"$nin": sorted(keep)}}
    )


def plan_summary(
    plan_id: str, head: dict[str, Any], budget: dict[str, Any], inputs: PlanInputs, result: PlanResult, version: int
) -> dict[str, Any]:
    unfunded_by_reason: dict[str, dict[str, float]] = defaultdict(lambda: {"jumlah": 0, "bobot": 0.0})
    for need in result.unfunded:
        unfunded_by_reason[need.reason.value]["jumlah"] += 1
        unfunded_by_reason[need.reason.value]["bobot"] += need.weight
    return {
        "_id": plan_id,
        "agency_id": head["agency_id"],
        "tahun": head["tahun"],
        "version": version,
        "status": "draft",
        "cause": head.get("cause", PlanCause.NEW_SCORE.value),
        "created_at": datetime.now(UTC),
        "anggaran": budget["anggaran"],
        "total_biaya": result.total_biaya,
        "total_jp": sum(a.jp for a in result.allocations),
        "total_value": round(result.total_value, 4),
        "allocations": len(result.allocations),
        "employees": len({a.nip for a in result.allocations}),
        "unfunded": dict(unfunded_by_reason),
        "jp_shortfall_employees": len(result.jp_shortfall),
        "waiting_for_employee_record": inputs.waiting,
        "solver": {
            "status": result.status,
            "objective": _finite(result.objective),
            "bound": _finite(result.bound),
            "relative_gap": _finite(result.relative_gap),
            "seconds": round(result.solve_seconds, 3),
        },
    }


def _finite(value: float) -> float | None:
    """None where HiGHS stopped before a bound (JSON has no infinity)."""
    return value if math.isfinite(value) else None


def plan_lines_content(inputs: PlanInputs, result: PlanResult) -> list[dict[str, Any]]:
    """A line per employee with courses, gaps or unfunded needs, in NIP order."""
    allocations: dict[str, list[Any]] = defaultdict(list)
    for a in result.allocations:
        allocations[a.nip].append(to_document(a))
    unfunded: dict[str, list[Any]] = defaultdict(list)
    for need in result.unfunded:
        unfunded[need.nip].append(to_document(need))
    nips = sorted(set(allocations) | set(unfunded) | {nip for nip, gaps in inputs.gaps.items() if gaps})
    return [
        {
            "nip": nip,
            "allocations": allocations.get(nip, []),
            "unfunded": unfunded.get(nip, []),
            "gaps": [gap_document(g) for g in inputs.gaps.get(nip, [])],
            "jp_shortfall": result.jp_shortfall.get(nip, 0),
        }
        for nip in nips
    ]


def content_digest(lines: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(lines, sort_keys=True, default=str).encode()).hexdigest()


def gap_document(gap: EmployeeGap) -> dict[str, Any]:
    return {
        "kompetensi": gap.kompetensi,
        "weight": round(gap.weight, 4),
        "faded": gap.faded,
        "source": gap.sources[0].source.value if gap.sources else None,
        "sources": [to_document(s) for s in gap.sources],
    }
