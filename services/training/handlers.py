"""Keeps agencies' training budgets and recommends training for each score."""

from datetime import UTC, datetime

from shared.contracts import TRAINING_RECOMMENDED
from shared.contracts.master_data import AgencyRegistered, EmployeeRegistered
from shared.contracts.scores import ScoreComputed
from shared.contracts.training import Recommendation, TrainingRecommended
from shared.messaging.consumer import HandlerContext

from .domain import find_gaps, load_catalogue, recommend
from .repository import BUDGETS, EMPLOYEES, RECOMMENDATIONS

JP_HAK_MINIMAL = 20  # every PNS's yearly right (PP 11/2017 as amended by PP 17/2020)

CATALOGUE = load_catalogue()


async def on_agency_registered(agency: AgencyRegistered, ctx: HandlerContext) -> None:
    ledger = await ctx.uow.get(BUDGETS, agency.agency_id) or {"terpakai": 0}
    ctx.uow.put(
        BUDGETS,
        {
            "_id": agency.agency_id,
            "anggaran": agency.anggaran_pelatihan,
            "tahun": agency.tahun_anggaran,
            "terpakai": ledger["terpakai"],
        },
    )


async def on_employee_registered(employee: EmployeeRegistered, ctx: HandlerContext) -> None:
    ctx.uow.put(EMPLOYEES, {"_id": employee.nip, "agency_id": employee.agency_id, "jenis_asn": employee.jenis_asn})


async def _budget_for_one(score: ScoreComputed, ctx: HandlerContext) -> tuple[dict | None, int]:
    """A fair share of what is left: the agency's budget over its employees."""
    ledger = await ctx.uow.get(BUDGETS, score.agency_id)
    if ledger is None:
        return None, 0
    employees = max(1, await ctx.uow.db[EMPLOYEES].count_documents({"agency_id": score.agency_id}))
    remaining = max(0, ledger["anggaran"] - ledger["terpakai"])
    return ledger, min(remaining, ledger["anggaran"] // employees)


async def on_score_computed(score: ScoreComputed, ctx: HandlerContext) -> None:
    gaps = find_gaps(score)
    ledger, budget = await _budget_for_one(score, ctx)
    plan = recommend(gaps, CATALOGUE, budget=budget, jp_target=JP_HAK_MINIMAL)
    result = TrainingRecommended(
        report_id=score.report_id,
        agency_id=score.agency_id,
        nip=score.nip,
        predikat=score.predikat,
        gaps=gaps,
        recommendations=[
            Recommendation(
                course_id=c.id, judul=c.judul, mode=c.mode, jp=c.jp, biaya=c.biaya, kompetensi=list(c.kompetensi)
            )
            for c in plan.courses
        ],
        total_jp=plan.total_jp,
        total_biaya=plan.total_biaya,
        anggaran_tersedia=budget,
        gaps_tidak_tertutup=list(plan.uncovered),
        recommended_at=datetime.now(UTC),
    )
    if ledger is not None and plan.total_biaya:
        ctx.uow.put(BUDGETS, {**ledger, "terpakai": ledger["terpakai"] + plan.total_biaya})
    ctx.uow.put(RECOMMENDATIONS, {"_id": score.report_id, **result.model_dump(mode="json")})
    ctx.emit(TRAINING_RECOMMENDED, result, subject=score.nip)
