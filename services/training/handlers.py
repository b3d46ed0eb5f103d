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
    ctx.uow.update(
        BUDGETS,
        agency.agency_id,
        set_={"anggaran": agency.anggaran_pelatihan, "tahun": agency.tahun_anggaran},
        set_on_insert={"terpakai": 0, "pegawai": 0},
        upsert=True,
    )


async def on_employee_registered(employee: EmployeeRegistered, ctx: HandlerContext) -> None:
    is_new = await ctx.uow.get(EMPLOYEES, employee.nip) is None
    ctx.uow.put(EMPLOYEES, {"_id": employee.nip, "agency_id": employee.agency_id, "jenis_asn": employee.jenis_asn})
    if is_new:
        # Employees may be registered before their agency's budget arrives (another topic).
        ctx.uow.update(
            BUDGETS, employee.agency_id, inc={"pegawai": 1}, set_on_insert={"terpakai": 0, "anggaran": 0}, upsert=True
        )


async def _budget_for_one(score: ScoreComputed, ctx: HandlerContext) -> int:
    """A fair share of what is left: the agency's budget over its employees."""
    ledger = await ctx.uow.get(BUDGETS, score.agency_id)
    if ledger is None:
        return 0
    remaining = max(0, ledger.get("anggaran", 0) - ledger.get("terpakai", 0))
    return min(remaining, ledger.get("anggaran", 0) // max(1, ledger.get("pegawai", 0)))


async def on_score_computed(score: ScoreComputed, ctx: HandlerContext) -> None:
    gaps = find_gaps(score)
    budget = await _budget_for_one(score, ctx)
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
    if plan.total_biaya:
        ctx.uow.update(BUDGETS, score.agency_id, inc={"terpakai": plan.total_biaya})
    ctx.uow.put(RECOMMENDATIONS, {"_id": score.report_id, **result.model_dump(mode="json")})
    ctx.emit(TRAINING_RECOMMENDED, result, subject=score.nip)
