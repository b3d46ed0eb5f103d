"""Training's event handlers: keep what the plan needs, start coaching, flag careers, ask for a new plan.

A score never spends money by itself: it adds the evidence of the employee's gaps and marks the agency's
year for planning; the planner (planner.py) re-optimises the whole year's plan. Whatever arrives before its
agency's budget or its employee's record is kept, and counted once they arrive.
"""

from datetime import UTC, date, datetime

from shared.contracts import CAREER_FLAGGED, COACHING_REQUIRED
from shared.contracts.master_data import AgencyRegistered, EmployeeRegistered
from shared.contracts.periods import period_id_of
from shared.contracts.scores import AnnualScoreComputed, ScoreComputed
from shared.contracts.training import CareerFlag, CareerFlagged, CoachingRequired
from shared.messaging.consumer import HandlerContext
from shared.messaging.unit_of_work import UnitOfWork

from .documents import to_document
from .domain.careers import (
    AnnualOutcome,
    PeriodOutcome,
    coaching_reasons,
    load_career_rules,
    promotion_reasons,
    talent_reasons,
)
from .domain.gaps import evidence_from_score
from .domain.planning import PlanCause, budget_from_registration
from .repository import (
    AGENCIES,
    ANNUALS,
    BUDGETS,
    CAREER_FLAGS,
    COACHING,
    EMPLOYEES,
    EVIDENCE,
    OUTCOMES,
    mark_plan_dirty,
    outcomes_key,
    year_key,
)

CAREER_RULES = load_career_rules()


async def on_agency_registered(agency: AgencyRegistered, ctx: HandlerContext) -> None:
    key = year_key(agency.agency_id, agency.tahun_anggaran)
    stored = await ctx.uow.get(BUDGETS, key)
    ctx.uow.put(AGENCIES, {"_id": agency.agency_id, "nama": agency.nama, "tahun": agency.tahun_anggaran})
    anggaran = budget_from_registration(agency.anggaran_pelatihan, stored.get("anggaran_intake") if stored else None)
    if anggaran is None:
        return
    ctx.uow.update(
        BUDGETS,
        key,
        set_={"anggaran": anggaran, "anggaran_intake": anggaran, "source": "intake"},
        set_on_insert={"agency_id": agency.agency_id, "tahun": agency.tahun_anggaran, "committed": 0},
        upsert=True,
    )
    mark_plan_dirty(ctx.uow, agency.agency_id, agency.tahun_anggaran, PlanCause.BUDGET_CHANGED)


async def on_employee_registered(employee: EmployeeRegistered, ctx: HandlerContext) -> None:
    ctx.uow.put(
        EMPLOYEES,
        {
            "_id": employee.nip,
            "agency_id": employee.agency_id,
            "jenis_asn": employee.jenis_asn.value,
            "nama": employee.nama,
            "atasan_nip": employee.atasan_nip,
            "aktif": employee.nonaktif_sejak is None or employee.nonaktif_sejak > datetime.now(UTC).date(),
        },
    )
    agency = await ctx.uow.get(AGENCIES, employee.agency_id)
    if agency is not None:  # before its agency, there is no plan to redo; the agency's arrival makes one
        mark_plan_dirty(ctx.uow, employee.agency_id, agency["tahun"], PlanCause.EMPLOYEE_CHANGED)


async def prefetch_employees(employees: list[EmployeeRegistered], uow: UnitOfWork) -> None:
    await uow.get_many(AGENCIES, [e.agency_id for e in employees])


async def prefetch_annual_scores(annuals: list[AnnualScoreComputed], uow: UnitOfWork) -> None:
    """A year-end roll-up brings an agency's whole staff at once: one `$in` per collection per batch."""
    await uow.get_many(CAREER_FLAGS, [_flag_key(a.nip, CareerFlag.PROMOTION_ELIGIBLE, a.tahun) for a in annuals])
    await uow.get_many(ANNUALS, [outcomes_key(a.nip, t) for a in annuals for t in (a.tahun - 1, a.tahun)])


async def prefetch_scores(scores: list[ScoreComputed], uow: UnitOfWork) -> None:
    """One `$in` per collection per batch."""
    await uow.get_many(EVIDENCE, [s.report_id for s in scores])
    await uow.get_many(OUTCOMES, [outcomes_key(s.nip, s.period.end.year) for s in scores])
    await uow.get_many(COACHING, [f"{s.nip}:{_period_id(s)}" for s in scores])
    await uow.get_many(CAREER_FLAGS, [_flag_key(s.nip, CareerFlag.TALENT_POOL, s.period.end.year) for s in scores])


async def on_score_computed(score: ScoreComputed, ctx: HandlerContext) -> None:
    stored = await ctx.uow.get(EVIDENCE, score.report_id)
    if stored is not None and stored["revision"] >= score.revision:
        return  # this revision, or a later one, is already counted
    tahun, period_id = score.period.end.year, _period_id(score)
    gaps, met = evidence_from_score(score)
    ctx.uow.put(
        EVIDENCE,
        {
            "_id": score.report_id,
            "agency_id": score.agency_id,
            "nip": score.nip,
            "tahun": tahun,
            "period_id": period_id,
            "revision": score.revision,
            "predikat": score.predikat.value,
            "evidence": [to_document(g) for g in gaps],
            "met": [to_document(m) for m in met],
        },
    )
    outcome = {"predikat": score.predikat.value, "period_end": score.period.end.isoformat()}
    ctx.uow.update(
        OUTCOMES,
        outcomes_key(score.nip, tahun),
        set_={f"periods.{period_id}": outcome},
        set_on_insert={"nip": score.nip, "agency_id": score.agency_id, "tahun": tahun},
        upsert=True,
    )
    await _start_coaching(score, period_id, tahun, ctx)
    await _flag_talent(score, period_id, tahun, ctx)
    mark_plan_dirty(ctx.uow, score.agency_id, tahun, PlanCause.NEW_SCORE)


async def _start_coaching(score: ScoreComputed, period_id: str, tahun: int, ctx: HandlerContext) -> None:
    reasons = coaching_reasons(score, CAREER_RULES)
    key = f"{score.nip}:{period_id}"
    if not reasons or await ctx.uow.get(COACHING, key) is not None:
        return  # once per employee and period, whatever revisions follow
    coaching = CoachingRequired(
        agency_id=score.agency_id,
        nip=score.nip,
        atasan_nip=score.atasan_nip,
        report_id=score.report_id,
        period_id=period_id,
        predikat=score.predikat,
        reasons=reasons,
        required_at=datetime.now(UTC),
    )
    ctx.uow.insert(COACHING, {"_id": key, "tahun": tahun, **coaching.model_dump(mode="json")})
    ctx.emit(COACHING_REQUIRED, coaching, subject=score.nip)


async def _flag_talent(score: ScoreComputed, period_id: str, tahun: int, ctx: HandlerContext) -> None:
    key = _flag_key(score.nip, CareerFlag.TALENT_POOL, tahun)
    if await ctx.uow.get(CAREER_FLAGS, key) is not None:
        return
    outcomes = await ctx.uow.get(OUTCOMES, outcomes_key(score.nip, tahun)) or {}
    history = sorted(
        (
            PeriodOutcome(period_id=pid, period_end=date.fromisoformat(o["period_end"]), predikat=o["predikat"])
            for pid, o in outcomes.get("periods", {}).items()
        ),
        key=lambda o: o.period_end,
    )
    reasons = talent_reasons(history, CAREER_RULES)
    if reasons:
        _flag(ctx, score.agency_id, score.nip, CareerFlag.TALENT_POOL, tahun, period_id, reasons)


async def on_annual_score(annual: AnnualScoreComputed, ctx: HandlerContext) -> None:
    ctx.uow.put(
        ANNUALS,
        {
            "_id": outcomes_key(annual.nip, annual.tahun),
            "nip": annual.nip,
            "tahun": annual.tahun,
            "predikat": annual.predikat.value,
            "rating_hasil_kerja": annual.rating_hasil_kerja.value,
            "rating_perilaku": annual.rating_perilaku.value,
        },
    )
    key = _flag_key(annual.nip, CareerFlag.PROMOTION_ELIGIBLE, annual.tahun)
    if await ctx.uow.get(CAREER_FLAGS, key) is not None:
        return
    years = await ctx.uow.get_many(ANNUALS, [outcomes_key(annual.nip, t) for t in (annual.tahun - 1, annual.tahun)])
    history = sorted(
        (
            AnnualOutcome(
                tahun=d["tahun"],
                predikat=d["predikat"],
                rating_hasil_kerja=d["rating_hasil_kerja"],
                rating_perilaku=d["rating_perilaku"],
            )
            for d in years.values()
        ),
        key=lambda a: a.tahun,
    )
    reasons = promotion_reasons(history, CAREER_RULES)
    if reasons:
        _flag(ctx, annual.agency_id, annual.nip, CareerFlag.PROMOTION_ELIGIBLE, annual.tahun, None, reasons)


def _flag(
    ctx: HandlerContext,
    agency_id: str,
    nip: str,
    flag: CareerFlag,
    tahun: int,
    period_id: str | None,
    reasons: list[str],
) -> None:
    flagged = CareerFlagged(
        agency_id=agency_id,
        nip=nip,
        flag=flag,
        rule_id=(CAREER_RULES.talent_pool if flag is CareerFlag.TALENT_POOL else CAREER_RULES.promotion).rule_id,
        tahun=tahun,
        period_id=period_id,
        reasons=reasons,
        flagged_at=datetime.now(UTC),
    )
    ctx.uow.insert(CAREER_FLAGS, {"_id": _flag_key(nip, flag, tahun), **flagged.model_dump(mode="json")})
    ctx.emit(CAREER_FLAGGED, flagged, subject=nip)


def _period_id(score: ScoreComputed) -> str:
    return score.period_id or period_id_of(score.period)


def _flag_key(nip: str, flag: CareerFlag, tahun: int) -> str:
    return f"{nip}:{flag.value}:{tahun}"
