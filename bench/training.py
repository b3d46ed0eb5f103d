"""The agency development plan optimiser at an agency's size: build and solve, then re-plan after one new score.

Pure domain code, no stack: services.training.domain.plan_model.optimise_plan on a synthetic agency (seeded):
  - 2,000 employees, ~85% PNS and ~15% PPPK; 0-4 gaps each (weights 0.5-6) over 25 kompetensi tags, some tags
    far commoner than others; JP already completed this year for some (PNS 0-40, PPPK 0-20); a few courses done;
  - 60 courses in five modes with their usual JP and cost per participant (klasikal 24-60 JP, Rp 2-8 million;
    in-house 8-24 JP; coaching and mentoring 8-16 JP; e-learning 8-20 JP, mostly free), 20-200 seats over the
    year, 1-3 tags each; a few advanced klasikal courses require a basic course of the same tag;
  - a budget of 40% of the need, the need being each gap priced at the mean cost of the courses closing it.
Measured, three repetitions (medians reported): the wall time of optimise_plan (building the model and solving
it) and HiGHS's own time, the objective, the proven bound and the relative gap (the goal: within 1% in under
10 s), the allocations and the spend; then a re-plan after one new score (one employee's gaps change, a
different employee each repetition) with `previous` = the plan: its time, how many allocations changed and
whether the employee's new gap was funded; the same re-plan again at a relative gap of 0.01% (--tight-gap), as
at 1% the previous plan is already within the tolerance and HiGHS returns it nearly as it was.
Results: bench/results/training/latest.{json,md}.
"""

import argparse
import random
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import run_header, save_results
from services.training.domain.model import CourseOffer, EmployeeNeed, PlanResult, PlanRules
from services.training.domain.plan_model import optimise_plan
from shared.contracts.common import JenisAsn
from shared.contracts.training import LearningMode

RESULTS = Path(__file__).parent / "results" / "training"
GOAL_GAP, GOAL_SECONDS = 0.01, 10.0
TAGS = (
    "pelayanan-publik", "analisis-data", "kesehatan-masyarakat", "teknologi-informasi", "manajemen-keuangan",
    "pengadaan-barang-jasa", "perencanaan-pembangunan", "kepemimpinan", "komunikasi-publik", "hukum-administrasi",
    "kearsipan", "kepegawaian", "pengawasan-internal", "statistik", "lingkungan-hidup", "pendidikan",
    "pertanian", "infrastruktur", "kebencanaan", "koordinasi-masyarakat", "berorientasi_pelayanan", "akuntabel",
    "kompeten", "kolaboratif", "adaptif",
)  # fmt: skip
# (mode, JP range, cost range in rupiah, share of courses)
MODES = (
    (LearningMode.KLASIKAL, (24, 60), (2_000_000, 8_000_000), 18),
    (LearningMode.E_LEARNING, (8, 20), (0, 500_000), 14),
    (LearningMode.IN_HOUSE, (8, 24), (500_000, 2_500_000), 12),
    (LearningMode.COACHING, (8, 16), (500_000, 1_500_000), 8),
    (LearningMode.MENTORING, (8, 16), (0, 1_000_000), 8),
)


def log(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


def catalogue(rng: random.Random) -> list[CourseOffer]:
    courses: list[CourseOffer] = []
    for mode, (jp_lo, jp_hi), (cost_lo, cost_hi), count in MODES:
        for i in range(count):
            free = mode == LearningMode.E_LEARNING and rng.random() < 0.6
            courses.append(
                CourseOffer(
                    id=f"{mode.value.replace('_', '-')}-{i:02d}",
                    mode=mode,
                    jp=rng.randrange(jp_lo, jp_hi + 1, 4),
                    biaya=0 if free else int(round(rng.uniform(cost_lo, cost_hi), -5)),
                    kursi=rng.randrange(20, 201, 10),
                    kompetensi=tuple(rng.sample(TAGS, rng.randint(1, 3))),
                )
            )
    basics = {tag: c.id for c in courses if c.mode != LearningMode.KLASIKAL for tag in c.kompetensi}
    for i, c in enumerate(courses[:6]):  # the first klasikal courses are advanced: a basic course first
        if (basic := basics.get(c.kompetensi[0])) is not None:
            courses[i] = replace(c, prasyarat=(basic,))
    return courses


def gaps(rng: random.Random) -> dict[str, float]:
    popularity = [1 / (rank + 1) ** 0.7 for rank in range(len(TAGS))]  # some needs are far commoner
    tags: set[str] = set()
    wanted = rng.choices((0, 1, 2, 3, 4), (10, 25, 30, 22, 13))[0]
    while len(tags) < wanted:
        tags.add(rng.choices(TAGS, popularity)[0])
    return {tag: round(rng.uniform(0.5, 6.0), 2) for tag in sorted(tags)}


def agency(employees: int, seed: int) -> tuple[list[EmployeeNeed], list[CourseOffer], int]:
    rng = random.Random(seed)
    courses = catalogue(rng)
    needs = []
    for i in range(employees):
        pns = rng.random() < 0.85
        selesai = rng.choice((0, 0, 0, 4, 8, 12, 16, 20, 24, 40)) if pns else rng.choice((0, 0, 8, 12, 16, 20))
        done = frozenset(rng.sample([c.id for c in courses], 1)) if rng.random() < 0.1 else frozenset()
        nip = f"19{rng.randint(65, 98)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}20{i:08d}"
        needs.append(EmployeeNeed(nip, JenisAsn.PNS if pns else JenisAsn.PPPK, selesai, gaps(rng), done))
    return needs, courses, int(round(0.4 * need_in_rupiah(needs, courses), -6))


def need_in_rupiah(needs: list[EmployeeNeed], courses: list[CourseOffer]) -> float:
    """Every gap priced at the mean cost of the courses closing it."""
    price = {
        tag: statistics.fmean(c.biaya for c in courses if tag in c.kompetensi)
        for tag in TAGS
        if any(tag in c.kompetensi for c in courses)
    }
    return sum(price.get(tag, 0.0) for n in needs for tag in n.gaps)


def new_score(need: EmployeeNeed, rng: random.Random) -> EmployeeNeed:
    """A new score: one gap closes, another opens (or the only one changes weight)."""
    changed = dict(need.gaps)
    if changed:
        changed.pop(rng.choice(sorted(changed)))
    changed[rng.choice([t for t in TAGS if t not in need.gaps])] = round(rng.uniform(3.0, 6.0), 2)
    return replace(need, gaps=changed)


def timed(*args: Any, **kwargs: Any) -> tuple[PlanResult, float]:
    started = time.perf_counter()
    result = optimise_plan(*args, **kwargs)
    return result, time.perf_counter() - started


def summary(result: PlanResult, wall: float) -> dict[str, Any]:
    return {
        "wall_s": wall,
        "solve_s": result.solve_seconds,
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "relative_gap": result.relative_gap,
        "allocations": len(result.allocations),
        "spend": result.total_biaya,
        "value": result.total_value,
        "unfunded": len(result.unfunded),
        "pns_below_minimum": len(result.jp_shortfall),
    }


def replan(
    needs: list[EmployeeNeed], courses: list[CourseOffer], budget: int, rules: PlanRules, plan: PlanResult, who: int,
    changed: EmployeeNeed,
) -> dict[str, Any]:  # fmt: skip
    """Re-plan after `changed` replaced needs[who], with `previous` = the plan: time, churn, the new gap's fate."""
    after_score = [changed if i == who else n for i, n in enumerate(needs)]
    previous = {(a.nip, a.course_id) for a in plan.allocations}
    again, wall = timed(after_score, courses, budget, rules, previous)
    moved = sorted(previous ^ {(a.nip, a.course_id) for a in again.allocations})
    new_gaps = sorted(set(changed.gaps) - set(needs[who].gaps))
    open_gaps = {u.kompetensi: u.reason.value for u in again.unfunded if u.nip == changed.nip}
    return summary(again, wall) | {
        "changed_nip": changed.nip,
        "new_gaps": {g: open_gaps.get(g, "funded") for g in new_gaps},
        "allocations_changed": len(moved),
        "changed": moved[:20],
    }


def run(employees: int, repetitions: int, seed: int, tight_gap: float) -> dict[str, Any]:
    needs, courses, budget = agency(employees, seed)
    log(f"{len(needs):,} employees, {sum(len(n.gaps) for n in needs):,} gaps, {len(courses)} courses, "
        f"budget Rp {budget:,}")  # fmt: skip
    rules, rng, runs = PlanRules(), random.Random(seed + 1), []
    for rep in range(repetitions):
        plan, wall = timed(needs, courses, budget, rules)
        log(f"plan {rep + 1}: {wall:.2f} s, gap {plan.relative_gap:.4%}, {len(plan.allocations):,} allocations")
        who = rng.randrange(len(needs))
        changed = new_score(needs[who], rng)
        default = replan(needs, courses, budget, rules, plan, who, changed)
        tight = replan(needs, courses, budget, replace(rules, relative_gap=tight_gap), plan, who, changed)
        for name, r in (("re-plan", default), (f"re-plan at {tight_gap:.2%}", tight)):
            log(f"{name} {rep + 1}: {r['wall_s']:.2f} s, {r['allocations_changed']} allocations changed, "
                f"new gap: {r['new_gaps']}")  # fmt: skip
        runs.append({"plan": summary(plan, wall), "replan": default, "replan_tight": tight})
    median = lambda part, key: statistics.median(r[part][key] for r in runs)  # noqa: E731
    keys = ("wall_s", "solve_s", "relative_gap", "objective", "bound")
    medians = {part: {k: median(part, k) for k in keys} for part in ("plan", "replan", "replan_tight")}
    for part in ("replan", "replan_tight"):
        medians[part]["allocations_changed"] = median(part, "allocations_changed")
    return {
        "agency": {
            "employees": len(needs),
            "pns": sum(n.jenis_asn == JenisAsn.PNS for n in needs),
            "pppk": sum(n.jenis_asn == JenisAsn.PPPK for n in needs),
            "gaps": sum(len(n.gaps) for n in needs),
            "gap_weight": sum(sum(n.gaps.values()) for n in needs),
            "courses": len(courses),
            "courses_with_prerequisites": sum(bool(c.prasyarat) for c in courses),
            "need_rupiah": need_in_rupiah(needs, courses),
            "budget_rupiah": budget,
            "seed": seed,
        },
        "rules": {"time_limit_s": rules.time_limit_s, "relative_gap": rules.relative_gap, "tight_gap": tight_gap},
        "runs": runs,
        "medians": medians,
        "goal": {"relative_gap": GOAL_GAP, "seconds": GOAL_SECONDS},
        "meets_goal": all(r["plan"]["relative_gap"] <= GOAL_GAP and r["plan"]["wall_s"] < GOAL_SECONDS for r in runs),
    }


def markdown(result: dict[str, Any]) -> str:
    a, med, runs = result["agency"], result["medians"], result["runs"]
    first, tight = runs[0]["plan"], result["rules"]["tight_gap"]
    verdict = "meets" if result["meets_goal"] else "**misses**"
    rows = (
        ("plan", "plan"),
        ("replan", "re-plan after one new score, `previous` = the plan"),
        ("replan_tight", f"the same re-plan at relative gap {tight:.2%} (what the service's planner runs)"),
    )
    fates = "; ".join(
        f"{name}: " + ", ".join(f"{g} {fate}" for r in runs for g, fate in r[part]["new_gaps"].items())
        for part, name in (("replan", "default"), ("replan_tight", f"at {tight:.2%}"))
    )
    lines = [
        f"# Development plan optimiser ({result['when']}, {result['machine']['cpus']} CPUs, HiGHS single-threaded)",
        "",
        f"Synthetic agency: {a['employees']:,} employees ({a['pns']:,} PNS, {a['pppk']:,} PPPK), {a['gaps']:,} gaps "
        f"(total weight {a['gap_weight']:,.0f}), {a['courses']} courses ({a['courses_with_prerequisites']} with a "
        f"prerequisite); budget Rp {a['budget_rupiah']:,} = 40% of a need of Rp {a['need_rupiah']:,.0f}.",
        "",
        f"Medians of {len(runs)} repetitions (each re-plan changes a different employee's gaps).",
        "",
        "| | build + solve (s) | HiGHS (s) | objective | bound | relative gap | allocations changed |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *(
            f"| {label} | {med[k]['wall_s']:.2f} | {med[k]['solve_s']:.2f} | {med[k]['objective']:.2f} | "
            f"{med[k]['bound']:.2f} | {med[k]['relative_gap']:.3%} | {med[k].get('allocations_changed', '')} |"
            for k, label in rows
        ),
        "",
        f"Plan: {first['allocations']:,} allocations, spend Rp {first['spend']:,} of Rp {a['budget_rupiah']:,}, "
        f"gap weight closed {first['value']:,.1f}; {first['unfunded']:,} gaps unfunded; "
        f"{first['pns_below_minimum']:,} PNS still below 20 JP; status {first['status']}.",
        "",
        f"The changed employee's new gap after the re-plan ({fates}).",
        "",
        f"Goal: relative gap within {result['goal']['relative_gap']:.0%} in under {result['goal']['seconds']:g} s: "
        f"{verdict} it.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--tight-gap", type=float, default=1e-4, help="relative gap of the second re-plan")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = run_header()
    result |= run(args.employees, args.repetitions, args.seed, args.tight_gap)
    save_results(args.out, result, markdown(result))


if __name__ == "__main__":
    main()
