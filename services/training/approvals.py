"""HR's decisions on the plan: approving a version (which commits its budget and sends the recommendations
that changed) and setting the year's budget."""

from datetime import UTC, datetime
from typing import Any

from shared.contracts import TRAINING_RECOMMENDED
from shared.contracts.training import Gap, GapSource, Recommendation, TrainingRecommended
from shared.http_errors import ApiError
from shared.messaging.unit_of_work import UnitOfWork
from shared.service import Runtime

from .documents import allocation_of, course_of
from .domain.budget import BudgetBelowCommitted, check_budget, rupiah
from .domain.plan_events import BudgetState, budget_change_shows
from .domain.planning import PlanCause, recommendation_changes
from .http import invalid
from .plan_updates import budget_state_of, emit_plan_updated, unfunded_on
from .repository import (
    BUDGETS,
    OUTCOMES,
    PLAN_HEADS,
    PLANS,
    RECOMMENDATIONS,
    courses_for,
    find_budget,
    find_head,
    find_plan,
    mark_plan_dirty,
    outcomes_key,
    plan_key,
    plan_lines,
    plan_unfunded,
    recommendations_of,
    year_key,
)


async def approve_plan(runtime: Runtime, *, agency_id: str, tahun: int, version: int) -> dict[str, Any]:
    head = await find_head(runtime.db, agency_id=agency_id, tahun=tahun)
    plan = await find_plan(runtime.db, agency_id=agency_id, tahun=tahun, version=version)
    if head is None or plan is None:
        raise ApiError(
            404, "rencana_tidak_ada", f"rencana pelatihan {agency_id} tahun {tahun} versi {version} tidak ada"
        )
    if plan["status"] == "approved":
        return plan  # approving twice is approving once
    if version != head["latest_version"]:
        raise ApiError(
            409,
            "rencana_bukan_terbaru",
            f"versi {version} sudah digantikan versi {head['latest_version']}; tinjau versi terbaru lalu setujui",
        )
    budget = await find_budget(runtime.db, agency_id=agency_id, tahun=tahun)
    if budget is None or plan["total_biaya"] > budget["anggaran"]:
        raise ApiError(
            409, "anggaran_tidak_cukup", "anggaran tahun ini lebih kecil dari biaya rencana; tunggu versi baru"
        )
    lines = await plan_lines(runtime.db, plan_id=plan["_id"])
    allocations = [allocation_of(a) for line in lines for a in line["allocations"]]
    emitted = await recommendations_of(runtime.db, agency_id=agency_id, tahun=tahun)
    changes = recommendation_changes(allocations, {nip: tuple(d["course_ids"]) for nip, d in emitted.items()})
    uow = runtime.unit_of_work()
    now = datetime.now(UTC)
    uow.update(PLANS, plan["_id"], set_={"status": "approved", "approved_at": now})
    if head.get("approved_version"):
        uow.update(PLANS, plan_key(agency_id, tahun, head["approved_version"]), set_={"status": "superseded"})
    uow.update(
        BUDGETS, year_key(agency_id, tahun), set_={"committed": plan["total_biaya"], "approved_version": version}
    )
    uow.update(PLAN_HEADS, year_key(agency_id, tahun), set_={"approved_version": version})
    courses = {d["_id"]: course_of(d) for d in await courses_for(runtime.db, agency_id=agency_id)}
    outcomes = await uow.get_many(OUTCOMES, [outcomes_key(nip, tahun) for nip in changes])
    by_nip = {line["nip"]: line for line in lines}
    for nip, course_ids in sorted(changes.items()):
        previous = emitted.get(nip)
        recommended = TrainingRecommended(
            agency_id=agency_id,
            nip=nip,
            tahun=tahun,
            plan_version=version,
            revision=previous["revision"] + 1 if previous else 1,
            predikat=_latest_predikat(outcomes.get(outcomes_key(nip, tahun))),
            gaps=_gaps(by_nip.get(nip)),
            recommendations=[_recommendation(courses[c]) for c in course_ids if c in courses],
            total_jp=sum(courses[c].jp for c in course_ids if c in courses),
            total_biaya=sum(courses[c].biaya for c in course_ids if c in courses),
            anggaran_tersedia=budget["anggaran"],
            gaps_tidak_tertutup=sorted({u["kompetensi"] for u in (by_nip.get(nip) or {}).get("unfunded", [])}),
            recommended_at=now,
        )
        uow.put(
            RECOMMENDATIONS,
            {
                "_id": outcomes_key(nip, tahun),
                "agency_id": agency_id,
                "nip": nip,
                "tahun": tahun,
                "course_ids": list(course_ids),
                "revision": recommended.revision,
                "recommendation": recommended.model_dump(mode="json"),
            },
        )
        uow.emit(TRAINING_RECOMMENDED, recommended, subject=nip)
    committed = BudgetState(anggaran=budget["anggaran"], committed=plan["total_biaya"], approved_version=version)
    emit_plan_updated(uow, plan, committed, unfunded_on(lines), now, status="approved")
    await uow.commit()
    return {**plan, "status": "approved", "approved_at": now, "recommendations_sent": len(changes)}


async def set_budget(runtime: Runtime, *, agency_id: str, tahun: int, anggaran: int) -> dict[str, Any]:
    current = await find_budget(runtime.db, agency_id=agency_id, tahun=tahun)
    committed = current["committed"] if current else 0
    try:
        check_budget(anggaran, committed)
    except BudgetBelowCommitted as exc:
        raise invalid("anggaran", exc.code, exc.message) from None
    uow = runtime.unit_of_work()
    uow.update(
        BUDGETS,
        year_key(agency_id, tahun),
        set_={"anggaran": anggaran, "source": "api", "updated_at": datetime.now(UTC)},
        set_on_insert={"agency_id": agency_id, "tahun": tahun, "committed": 0},
        upsert=True,
    )
    mark_plan_dirty(uow, agency_id, tahun, PlanCause.BUDGET_CHANGED)
    if current is not None:
        after = BudgetState(anggaran, committed, current.get("approved_version"))
        await _announce_budget(runtime, uow, agency_id, tahun, budget_state_of(current), after)
    await uow.commit()
    return budget_view(await find_budget(runtime.db, agency_id=agency_id, tahun=tahun))


async def _announce_budget(
    runtime: Runtime, uow: UnitOfWork, agency_id: str, tahun: int, before: BudgetState, after: BudgetState
) -> None:
    """The latest version again, with the new budget, when HR would read a different one beside it; the planner's
    next version follows once it has re-planned."""
    if not budget_change_shows(before, after):
        return
    head = await find_head(runtime.db, agency_id=agency_id, tahun=tahun)
    latest = (head or {}).get("latest_version")
    plan = await find_plan(runtime.db, agency_id=agency_id, tahun=tahun, version=latest) if latest else None
    if plan is not None:
        unfunded = unfunded_on(await plan_unfunded(runtime.db, plan_id=plan["_id"]))
        emit_plan_updated(uow, plan, after, unfunded, datetime.now(UTC))


def budget_view(budget: dict[str, Any] | None) -> dict[str, Any]:
    if budget is None:
        return {"anggaran": 0, "committed": 0, "sisa": 0, "teks": "anggaran tahun ini belum ditetapkan"}
    left = budget["anggaran"] - budget.get("committed", 0)
    return {
        "agency_id": budget["agency_id"],
        "tahun": budget["tahun"],
        "anggaran": budget["anggaran"],
        "committed": budget.get("committed", 0),
        "sisa": left,
        "approved_version": budget.get("approved_version"),
        "teks": f"anggaran {rupiah(budget['anggaran'])}, terikat rencana disetujui "
        f"{rupiah(budget.get('committed', 0))}, sisa {rupiah(left)}",
    }


def _latest_predikat(outcomes: dict[str, Any] | None) -> str | None:
    periods = (outcomes or {}).get("periods", {})
    if not periods:
        return None
    return max(periods.values(), key=lambda o: o["period_end"])["predikat"]


def _gaps(line: dict[str, Any] | None) -> list[Gap]:
    return [
        Gap(kompetensi=g["kompetensi"], source=GapSource(g["source"] or GapSource.HASIL_KERJA), weight=g["weight"])
        for g in (line or {}).get("gaps", [])
        if g["weight"] > 0
    ]


def _recommendation(course: Any) -> Recommendation:
    return Recommendation(
        course_id=course.id,
        judul=course.judul,
        mode=course.mode,
        jp=course.jp,
        biaya=course.biaya,
        kompetensi=list(course.kompetensi),
    )
