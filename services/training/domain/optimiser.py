"""Choose training that closes the most important gaps within the budget.

Objective, compared lexicographically over subsets with total biaya <= budget:
1. total weight of the gaps covered (a gap counts once, however many chosen
   courses cover it);
2. min(total JP, jp_target), so the PNS right to 20 JP a year (PP 11/2017 as
   amended by PP 17/2020) is met where the budget allows;
3. lower total biaya;
4. fewer courses (no recommendation that adds nothing);
5. the smaller sorted tuple of course ids, so equal plans never flip between runs.

The search is exact (branch and bound) over a small candidate set; see
MAX_CANDIDATES for the cap that keeps it small.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.contracts.training import Gap, LearningMode

from .catalogue import Course

# Exact search costs up to 2^n subsets; 20 candidates keeps the worst case near
# a million nodes and the usual case (with pruning) to a few thousand. Courses
# that cover gaps get the slots first, best weight-per-rupiah first; cheap
# e-learning courses that only add JP take what is left.
MAX_CANDIDATES = 20


@dataclass(frozen=True)
class Plan:
    courses: list[Course]
    total_jp: int
    total_biaya: int
    uncovered: list[str]


def recommend(gaps: Sequence[Gap], catalogue: Iterable[Course], budget: int, jp_target: int) -> Plan:
    """The best plan for these gaps from the catalogue, never costing more than `budget` rupiah."""
    if budget < 0:
        raise ValueError(f"budget cannot be negative, got {budget}")
    if jp_target < 0:
        raise ValueError(f"jp_target cannot be negative, got {jp_target}")
    ordered_gaps = sorted(gaps, key=lambda gap: (-gap.weight, gap.kompetensi, gap.source.value))
    coverage = _Coverage(ordered_gaps)
    candidates = _candidates(list(catalogue), coverage, budget)
    chosen = _Search(candidates, coverage, budget, jp_target).run()
    covered = coverage.mask_of(chosen)
    return Plan(
        courses=sorted(chosen, key=lambda c: (-coverage.weight(coverage.mask(c)), c.id)),
        total_jp=sum(c.jp for c in chosen),
        total_biaya=sum(c.biaya for c in chosen),
        uncovered=coverage.uncovered(covered),
    )


class _Coverage:
    """Which gaps a course covers, as a bitmask over the ordered gaps."""

    def __init__(self, gaps: list[Gap]) -> None:
        self._gaps = gaps
        self._weights: dict[int, float] = {}

    def mask(self, course: Course) -> int:
        tags = set(course.kompetensi)
        return sum(1 << i for i, gap in enumerate(self._gaps) if gap.kompetensi in tags)

    def mask_of(self, courses: Iterable[Course]) -> int:
        covered = 0
        for course in courses:
            covered |= self.mask(course)
        return covered

    def weight(self, mask: int) -> float:
        # Summed in gap order, never incrementally, so one set of gaps always
        # yields the very same float and comparisons stay deterministic.
        if mask not in self._weights:
            self._weights[mask] = sum(gap.weight for i, gap in enumerate(self._gaps) if mask >> i & 1)
        return self._weights[mask]

    def uncovered(self, mask: int) -> list[str]:
        missing = [gap.kompetensi for i, gap in enumerate(self._gaps) if not mask >> i & 1]
        return list(dict.fromkeys(missing))


def _candidates(catalogue: list[Course], coverage: _Coverage, budget: int) -> list[Course]:
    """Affordable courses that cover a gap, then affordable e-learning for JP, cheapest first, capped."""
    affordable = sorted((c for c in catalogue if c.biaya <= budget), key=lambda c: c.id)
    coverers = [c for c in affordable if coverage.mask(c)]
    coverers.sort(key=lambda c: (-coverage.weight(coverage.mask(c)) / max(c.biaya, 1), c.biaya, c.id))
    # Every affordable e-learning course stays a candidate (not just a greedy
    # prefix reaching jp_target): one dearer long course can beat many cheap short ones.
    fillers = [c for c in affordable if c.mode is LearningMode.E_LEARNING and not coverage.mask(c)]
    fillers.sort(key=lambda c: (c.biaya, -c.jp, c.id))
    return (coverers + fillers)[:MAX_CANDIDATES]


class _Search:
    """Depth-first branch and bound; each subset is generated once, in candidate order."""

    def __init__(self, candidates: list[Course], coverage: _Coverage, budget: int, jp_target: int) -> None:
        self._candidates = candidates
        self._masks = [coverage.mask(c) for c in candidates]
        self._coverage = coverage
        self._budget = budget
        self._jp_target = jp_target
        self._best: list[Course] = []
        self._best_key = self._key(0, 0, 0, 0)

    def run(self) -> list[Course]:
        self._extend(0, [], 0, 0, 0)
        return self._best

    def _key(self, mask: int, jp: int, biaya: int, count: int) -> tuple[float, int, int, int]:
        # Larger is better on every component, hence the negated cost and count.
        return (self._coverage.weight(mask), min(jp, self._jp_target), -biaya, -count)

    def _extend(self, start: int, chosen: list[Course], mask: int, jp: int, biaya: int) -> None:
        """Try every plan that adds candidates from `start` on to `chosen`."""
        for j in range(start, len(self._candidates)):
            if not self._can_improve(j, chosen, mask, jp, biaya):
                # The bound only shrinks as j grows, so no later j can do better either.
                return
            course = self._candidates[j]
            if biaya + course.biaya > self._budget:
                continue
            chosen.append(course)
            state = (mask | self._masks[j], jp + course.jp, biaya + course.biaya)
            self._consider(chosen, *state)
            self._extend(j + 1, chosen, *state)
            chosen.pop()

    def _can_improve(self, start: int, chosen: list[Course], mask: int, jp: int, biaya: int) -> bool:
        """Whether adding candidates from `start` on could reach (or tie) the best plan so far."""
        room = self._budget - biaya
        reachable = [j for j in range(start, len(self._candidates)) if self._candidates[j].biaya <= room]
        if not reachable:
            return False
        reach_mask = mask
        for j in reachable:
            reach_mask |= self._masks[j]
        reach_jp = jp + sum(self._candidates[j].jp for j in reachable)
        cheapest = min(self._candidates[j].biaya for j in reachable)
        # Ties must be explored: the course-id tie-break may still prefer them.
        return self._key(reach_mask, reach_jp, biaya + cheapest, len(chosen) + 1) >= self._best_key

    def _consider(self, chosen: list[Course], mask: int, jp: int, biaya: int) -> None:
        key = self._key(mask, jp, biaya, len(chosen))
        if key < self._best_key:
            return
        ids = sorted(c.id for c in chosen)
        if key > self._best_key or ids < sorted(c.id for c in self._best):
            self._best_key = key
            self._best = list(chosen)
