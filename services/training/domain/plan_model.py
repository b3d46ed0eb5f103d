"""The agency's development plan: who takes which course this budget year, as a mixed-integer programme.

Maximise  sum w[e,g] * y[e,g]                      weighted gaps closed (a gap counts once)
        - shortfall_penalty_per_jp * sum s[e]       JP a PNS stays below the 20 JP minimum
        - cost_weight_per_million * biaya / 1e6     cheaper of two equally good plans
        - allocation_penalty * allocations          nothing planned that adds nothing
        + stability_bonus * kept pairs of previous  re-planning does not churn
over x[e,c] binary (employee e takes course c), y[e,g] in [0, 1] and s[e] >= 0, subject to
the budget, each course's kursi, the PPPK JP limit (hard), prerequisites (x[e,c] <= x[e,p]),
y[e,g] <= sum of x[e,c] over the courses c closing g, s[e] >= minimum - jp_selesai - sum jp * x.

x exists only for pairs that can serve: c closes a gap of e, or e is a PNS below the minimum and c is
one of the few cheapest courses per JP, or c is a prerequisite (not yet done) of such a course.

Solved with HiGHS, single-threaded so the same input always gives the same plan, presolve off (see
_run). The model is passed as arrays (the bulk form of highspy's API): building 20,000 expressions
one by one in Python costs more than HiGHS needs to solve them.
"""

import time
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from shared.contracts.common import JenisAsn

from .model import Allocation, CourseOffer, EmployeeNeed, PlanResult, PlanRules, UnfundedNeed, UnfundedReason

FILLERS_PER_EMPLOYEE = 4  # cheapest-per-JP courses offered to a PNS below the minimum: enough to reach it, few columns
_TINY = 1e-9
# Statuses where HiGHS stopped early: the plan is its best so far, "feasible" rather than "optimal".
_STOPPED_EARLY = {
    highspy.HighsModelStatus.kTimeLimit,
    highspy.HighsModelStatus.kIterationLimit,
    highspy.HighsModelStatus.kSolutionLimit,
    highspy.HighsModelStatus.kInterrupt,
}


@dataclass(frozen=True)
class _Catalogue:
    """The sorted courses and the look-ups every step needs."""

    offers: tuple[CourseOffer, ...]
    index: dict[str, int]  # course id -> position in offers
    by_tag: dict[str, tuple[int, ...]]  # kompetensi -> courses closing it

    @classmethod
    def of(cls, courses: Sequence[CourseOffer]) -> "_Catalogue":
        offers = tuple(sorted(courses, key=lambda c: c.id))
        tags: dict[str, list[int]] = {}
        for i, course in enumerate(offers):
            for tag in dict.fromkeys(course.kompetensi):
                tags.setdefault(tag, []).append(i)
        return cls(offers, {c.id: i for i, c in enumerate(offers)}, {t: tuple(v) for t, v in tags.items()})


@dataclass
class _Outcome:
    chosen: list[list[int]]  # per employee, the course positions of the plan (ascending: sorted by id)
    objective: float
    bound: float
    status: str
    solve_seconds: float


@dataclass
class _Columns:
    """The programme in HiGHS's bulk form: columns, then rows in compressed row storage."""

    cost: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    offset: float = 0.0

    def column(self, cost: float, upper: float) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        return len(self.cost) - 1

    def row(self, terms: Iterable[tuple[int, float]], lower: float, upper: float) -> None:
        self.starts.append(len(self.indices))
        for col, value in terms:
            self.indices.append(col)
            self.values.append(value)
        self.row_lower.append(lower)
        self.row_upper.append(upper)


def optimise_plan(
    employees: Sequence[EmployeeNeed],
    courses: Sequence[CourseOffer],
    budget: int,
    rules: PlanRules = PlanRules(),
    previous: Collection[tuple[str, str]] = (),
) -> PlanResult:
    """The plan closing the most weighted gap within the budget; `previous` = (nip, course id) pairs to keep."""
    if budget < 0:
        raise ValueError(f"budget must be 0 or more rupiah, got {budget}")
    needs = tuple(sorted(employees, key=lambda e: e.nip))
    catalogue = _Catalogue.of(courses)
    for what, ids in (("NIP", [n.nip for n in needs]), ("course id", [c.id for c in catalogue.offers])):
        if duplicates := sorted(k for k, n in Counter(ids).items() if n > 1):
            raise ValueError(f"duplicate {what}: {', '.join(duplicates[:5])}")
    candidates = [_candidates(need, catalogue, budget, rules) for need in needs]
    if any(candidates):
        outcome = _solve(needs, catalogue, candidates, budget, rules, frozenset(previous))
    else:  # nothing to decide: HiGHS is not asked about an empty model
        constant = -rules.shortfall_penalty_per_jp * sum(_jp_need(n, rules) for n in needs)
        outcome = _Outcome([[] for _ in needs], constant, constant, "optimal", 0.0)
    return _result(needs, catalogue, outcome, rules)


def _gaps(need: EmployeeNeed) -> dict[str, float]:
    # A gap of weight 0 (fully faded) needs nothing; sorted so the model's order does not depend on the caller's.
    return {g: w for g, w in sorted(need.gaps.items()) if w > 0}


def _jp_need(need: EmployeeNeed, rules: PlanRules) -> int:
    """JP a PNS still lacks for the minimum; PPPK have a limit, no minimum."""
    return max(0, rules.jp_minimum_pns - need.jp_selesai) if need.jenis_asn == JenisAsn.PNS else 0


def _jp_room(need: EmployeeNeed, rules: PlanRules) -> int | None:
    """JP a PPPK may still take this year; None for a PNS (no limit)."""
    return max(0, rules.jp_maximum_pppk - need.jp_selesai) if need.jenis_asn == JenisAsn.PPPK else None


def _candidates(need: EmployeeNeed, catalogue: _Catalogue, budget: int, rules: PlanRules) -> list[int]:
    """Courses worth a binary for this employee: those closing a gap, a few JP fillers, and their prerequisites.

    Pairs that could never be chosen (done, dearer than the whole budget, no seats, over a PPPK's room on
    their own) are left out: exact pruning, it only makes the model smaller.
    """
    offers, room, done = catalogue.offers, _jp_room(need, rules), need.courses_done

    def takeable(i: int) -> bool:
        c = offers[i]
        return c.id not in done and c.biaya <= budget and c.kursi > 0 and (room is None or c.jp <= room)

    chosen = {i for g in _gaps(need) for i in catalogue.by_tag.get(g, ()) if takeable(i)}
    if _jp_need(need, rules) > 0:
        cheap = sorted(
            filter(takeable, range(len(offers))),
            key=lambda i: (offers[i].biaya / max(offers[i].jp, 1), -offers[i].jp, i),
        )
        chosen.update(cheap[:FILLERS_PER_EMPLOYEE])
    # A prerequisite not yet done becomes a candidate too: it opens the course that closes the gap.
    frontier = sorted(chosen)
    while frontier:
        for p in offers[frontier.pop()].prasyarat:
            i = catalogue.index.get(p)
            if p not in done and i is not None and i not in chosen and takeable(i):
                chosen.add(i)
                frontier.append(i)
    # A course whose prerequisite can be neither done nor taken cannot be taken either (to a fixed point).
    while blocked := {
        i for i in chosen if any(p not in done and catalogue.index.get(p) not in chosen for p in offers[i].prasyarat)
    }:
        chosen -= blocked
    return sorted(chosen)


def _solve(
    needs: Sequence[EmployeeNeed],
    catalogue: _Catalogue,
    candidates: list[list[int]],
    budget: int,
    rules: PlanRules,
    previous: frozenset[tuple[str, str]],
) -> _Outcome:
    m, x = _build(needs, catalogue, candidates, budget, rules, previous)
    start = _warm_start(needs, catalogue, candidates, x, budget, rules, previous)
    h, seconds = _run(m, len(x), rules, start, rules.time_limit_s)
    if start and _has_plan(h) and not _consistent(h, m):
        # With presolve on, HiGHS 1.16 misread a MIP start now and then (about 1 solve in 1,000 of the tests'
        # small instances): it reported the start as optimal with another point's objective. Presolve is off
        # (see _run) and that has not been seen since, but a wrong plan would be silent: check, and solve again.
        h, again = _run(m, len(x), rules, {}, max(rules.time_limit_s - seconds, 1.0))
        seconds += again
    status, info = h.getModelStatus(), h.getInfo()
    if status != highspy.HighsModelStatus.kOptimal and status not in _STOPPED_EARLY:
        raise RuntimeError(f"HiGHS could not plan: {h.modelStatusToString(status)}")
    state = "optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"
    if not _has_plan(h):  # stopped before its first plan (a time limit of a blink): the empty plan is feasible
        empty = -rules.shortfall_penalty_per_jp * sum(_jp_need(n, rules) for n in needs)
        return _Outcome([[] for _ in needs], empty, info.mip_dual_bound, state, seconds)
    value = h.getSolution().col_value
    chosen = [[c for c in courses if value[x[e, c]] > 0.5] for e, courses in enumerate(candidates)]
    return _Outcome(chosen, info.objective_function_value, info.mip_dual_bound, state, seconds)


def _build(
    needs: Sequence[EmployeeNeed],
    catalogue: _Catalogue,
    candidates: list[list[int]],
    budget: int,
    rules: PlanRules,
    previous: frozenset[tuple[str, str]],
) -> tuple[_Columns, dict[tuple[int, int], int]]:
    """The programme's arrays, and the column of each candidate pair (employee, course)."""
    offers, m = catalogue.offers, _Columns()
    x: dict[tuple[int, int], int] = {}
    for e, courses in enumerate(candidates):
        for c in courses:
            kept = rules.stability_bonus if (needs[e].nip, offers[c].id) in previous else 0.0
            cost = rules.allocation_penalty + rules.cost_weight_per_million * offers[c].biaya / 1e6
            x[e, c] = m.column(kept - cost, 1.0)
    if sum(offers[c].biaya for _, c in x) > budget:
        # In thousands of rupiah: rupiah (budgets of 1e10) upset HiGHS's scaling, millions would let its 1e-6
        # feasibility tolerance pass a plan 1 rupiah over the budget.
        m.row(((col, offers[c].biaya / 1e3) for (_, c), col in x.items()), -highspy.kHighsInf, budget / 1e3)
    takers: dict[int, list[int]] = {}
    for (_, c), col in x.items():
        takers.setdefault(c, []).append(col)
    for c, cols in sorted(takers.items()):
        if len(cols) > offers[c].kursi:  # a seat row only where seats can run out
            m.row(((col, 1.0) for col in cols), -highspy.kHighsInf, offers[c].kursi)
    for e, need in enumerate(needs):
        _employee_rows(m, need, catalogue, {c: x[e, c] for c in candidates[e]}, rules)
    return m, x


def _employee_rows(m: _Columns, need: EmployeeNeed, catalogue: _Catalogue, x: dict[int, int], rules: PlanRules) -> None:
    """One employee's coverage, prerequisite and JP rows; x maps its candidate courses to their columns."""
    offers, jp_need = catalogue.offers, _jp_need(need, rules)
    for gap, weight in _gaps(need).items():
        closing = [x[c] for c in catalogue.by_tag.get(gap, ()) if c in x]
        if closing:  # y <= sum x: a gap counts once however many courses close it
            y = m.column(weight, 1.0)
            m.row([(y, 1.0), *((col, -1.0) for col in closing)], -highspy.kHighsInf, 0.0)
    for c, col in x.items():
        for p in offers[c].prasyarat:
            if p not in need.courses_done:  # _candidates kept c only if p is a candidate too
                m.row([(col, 1.0), (x[catalogue.index[p]], -1.0)], -highspy.kHighsInf, 0.0)
    jp = [(col, float(offers[c].jp)) for c, col in x.items()]
    room = _jp_room(need, rules)
    if room is not None and sum(v for _, v in jp) > room:
        m.row(jp, -highspy.kHighsInf, room)
    if jp_need > 0 and x:  # s + sum jp * x >= need, s in [0, need]: the soft minimum
        s = m.column(-rules.shortfall_penalty_per_jp, jp_need)
        m.row([(s, 1.0), *jp], jp_need, highspy.kHighsInf)
    elif jp_need > 0:  # nothing to offer: the shortfall is a constant of the objective
        m.offset -= rules.shortfall_penalty_per_jp * jp_need


def _run(
    m: _Columns, binaries: int, rules: PlanRules, start: dict[int, float], limit: float
) -> tuple[highspy.Highs, float]:
    """Load the programme into a fresh HiGHS, hand it the start (binaries only: it completes y and s), solve."""
    h = highspy.Highs()
    for option, value in (
        ("output_flag", False),
        ("threads", 1),  # HiGHS's parallel MIP is not deterministic; one thread is
        ("time_limit", float(limit)),
        ("mip_rel_gap", float(rules.relative_gap)),
        # Presolve removes little here (a tenth of the rows) and costs more than it saves: off, the 2,000-employee
        # plan solves in ~60% of the time and a warm-started re-plan in a quarter. It also keeps the MIP start in
        # the original space, away from the misread start checked for in _solve.
        ("presolve", "off"),
    ):
        h.setOptionValue(option, value)
    n = len(m.cost)
    h.addVars(n, np.zeros(n), np.array(m.upper, dtype=np.float64))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(m.cost, dtype=np.float64))
    integer = np.full(binaries, highspy.HighsVarType.kInteger, dtype=np.uint8)
    h.changeColsIntegrality(binaries, np.arange(binaries, dtype=np.int32), integer)
    h.addRows(
        len(m.row_lower),
        np.array(m.row_lower, dtype=np.float64),
        np.array(m.row_upper, dtype=np.float64),
        len(m.indices),
        np.array(m.starts, dtype=np.int32),
        np.array(m.indices, dtype=np.int32),
        np.array(m.values, dtype=np.float64),
    )
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.changeObjectiveOffset(m.offset)
    if start:
        h.setSolution(len(start), np.array(list(start), dtype=np.int32), np.array(list(start.values())))
    started = time.perf_counter()
    h.run()
    return h, time.perf_counter() - started


def _has_plan(h: highspy.Highs) -> bool:
    return h.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible


def _consistent(h: highspy.Highs, m: _Columns) -> bool:
    """Whether HiGHS's solution meets every row and has the objective HiGHS reports for it."""
    value = np.asarray(h.getSolution().col_value)
    claimed = h.getInfo().objective_function_value
    tolerance = 1e-6 * max(1.0, abs(claimed))
    if abs(float(np.dot(m.cost, value)) + m.offset - claimed) > tolerance:
        return False
    rows = np.repeat(np.arange(len(m.starts)), np.diff([*m.starts, len(m.indices)]))
    activity = np.bincount(rows, weights=np.array(m.values) * value[m.indices], minlength=len(m.starts))
    return bool(np.all(activity >= np.array(m.row_lower) - 1e-6) and np.all(activity <= np.array(m.row_upper) + 1e-6))


def _warm_start(
    needs: Sequence[EmployeeNeed],
    catalogue: _Catalogue,
    candidates: list[list[int]],
    x: dict[tuple[int, int], int],
    budget: int,
    rules: PlanRules,
    previous: frozenset[tuple[str, str]],
) -> dict[int, float]:
    """The previous plan as a start for HiGHS (column -> value of every binary), trimmed until it is feasible.

    After one changed score most of the previous plan is still optimal, so the search starts near its end.
    Empty when nothing of the previous plan is kept: HiGHS finds the empty plan on its own.
    """
    offers, left, seats = catalogue.offers, budget, Counter[int]()
    start: list[list[int]] = []
    for e, courses in enumerate(candidates):
        room, kept = _jp_room(needs[e], rules), []
        for c in courses:  # greedy by course id: whatever still fits the budget, seats and JP room
            course = offers[c]
            if (needs[e].nip, course.id) not in previous or course.biaya > left or seats[c] >= course.kursi:
                continue
            if room is not None and course.jp > room:
                continue
            kept.append(c)
            left, seats[c] = left - course.biaya, seats[c] + 1
            room = None if room is None else room - course.jp
        start.append(kept)
    for e, kept in enumerate(start):  # dropping a course whose prerequisite was dropped only frees resources
        done = needs[e].courses_done
        while blocked := [
            c for c in kept if any(p not in done and catalogue.index[p] not in kept for p in offers[c].prasyarat)
        ]:
            kept[:] = [c for c in kept if c not in blocked]
    chosen = {x[e, c] for e, kept in enumerate(start) for c in kept}
    return {col: float(col in chosen) for col in x.values()} if chosen else {}


def _result(needs: Sequence[EmployeeNeed], catalogue: _Catalogue, outcome: _Outcome, rules: PlanRules) -> PlanResult:
    offers, seats = catalogue.offers, Counter(c for courses in outcome.chosen for c in courses)
    allocations: list[Allocation] = []
    unfunded: list[UnfundedNeed] = []
    shortfall: dict[str, int] = {}
    for need, courses in zip(needs, outcome.chosen, strict=True):
        gaps = _gaps(need)
        closers = Counter(g for c in courses for g in set(offers[c].kompetensi) if g in gaps)
        for c in courses:  # a gap closed by k of this employee's courses: 1/k of its weight to each
            value = sum((gaps[g] / closers[g] for g in set(offers[c].kompetensi) if g in gaps), 0.0)
            allocations.append(Allocation(need.nip, offers[c].id, offers[c].biaya, offers[c].jp, value))
        planned = sum(offers[c].jp for c in courses)
        for gap, weight in gaps.items():
            if not closers[gap]:
                reason = _reason(need, gap, catalogue, set(courses), planned, seats, rules)
                unfunded.append(UnfundedNeed(need.nip, gap, weight, reason))
        if (left := _jp_need(need, rules) - planned) > 0:
            shortfall[need.nip] = left
    gap = max(0.0, outcome.bound - outcome.objective) / max(abs(outcome.objective), _TINY)
    return PlanResult(
        allocations=tuple(allocations),
        unfunded=tuple(unfunded),
        total_biaya=sum(a.biaya for a in allocations),
        total_value=sum(a.value for a in allocations),
        objective=outcome.objective,
        bound=outcome.bound,
        relative_gap=gap,
        status=outcome.status,
        solve_seconds=outcome.solve_seconds,
        jp_shortfall=shortfall,
    )


def _reason(
    need: EmployeeNeed,
    gap: str,
    catalogue: _Catalogue,
    plan: set[int],
    planned_jp: int,
    seats: Counter[int],
    rules: PlanRules,
) -> UnfundedReason:
    """Why a gap stayed open, the first that applies: no course, JP limit, no seats, else money."""
    offers, done = catalogue.offers, need.courses_done
    open_to = [
        c
        for c in catalogue.by_tag.get(gap, ())
        if offers[c].id not in done and all(p in done or p in catalogue.index for p in offers[c].prasyarat)
    ]
    if not open_to:
        return UnfundedReason.NO_COURSE
    room = _jp_room(need, rules)
    if room is not None:
        open_to = [c for c in open_to if _jp_with_prerequisites(c, need, catalogue, plan) <= room - planned_jp]
        if not open_to:
            return UnfundedReason.JP_LIMIT
    if all(seats[c] >= offers[c].kursi for c in open_to):
        return UnfundedReason.NO_SEATS
    return UnfundedReason.NO_MONEY


def _jp_with_prerequisites(c: int, need: EmployeeNeed, catalogue: _Catalogue, plan: set[int]) -> int:
    """JP of a course plus those of its prerequisites neither done nor already in the plan."""
    total, seen, stack = 0, {c}, [c]
    while stack:
        course = catalogue.offers[stack.pop()]
        total += course.jp
        for p in course.prasyarat:
            i = catalogue.index.get(p)
            if p not in need.courses_done and i is not None and i not in plan and i not in seen:
                seen.add(i)
                stack.append(i)
    return total
