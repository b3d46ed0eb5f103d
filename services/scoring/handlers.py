"""Event handlers: load what the rules need, call the domain, store, emit."""

from datetime import UTC, datetime

from shared.contracts import SCORE_COMPUTED
from shared.contracts.common import PeriodType
from shared.contracts.master_data import AgencyRegistered
from shared.contracts.periods import PeriodClosed, PeriodOpened, PeriodReopened
from shared.contracts.reports import ReportSubmitted
from shared.contracts.scores import ScoreComputed
from shared.messaging.consumer import HandlerContext
from shared.messaging.unit_of_work import UnitOfWork

from .domain import ScoreState, decide_report, score_report
from .policies import policy_for
from .repository import (
    AGENCIES,
    CURRENT_POLICIES,
    JOBS,
    PERIODS,
    SCORES,
    scope_key,
    stored_score,
)
from .writes import ANNUAL_ROLLUP, new_job, store_score


async def prefetch_reports(reports: list[ReportSubmitted], uow: UnitOfWork) -> None:
    """One `$in` per batch for the current scores and one for the agencies' policies."""
    await uow.get_many(SCORES, [r.report_id for r in reports])
    await uow.get_many(CURRENT_POLICIES, [r.agency_id for r in reports])


async def on_report_submitted(report: ReportSubmitted, ctx: HandlerContext) -> None:
    current = await ctx.uow.get(SCORES, report.report_id)
    state = None if current is None else score_state(stored_score(current))
    decision = decide_report(state, report.version)
    if not decision.scores:
        return  # an older or the same version: the score of the newest one stands
    policy = await policy_for(ctx.uow, report.agency_id)
    score = score_report(report, policy, computed_at=datetime.now(UTC)).model_copy(
        update={"revision": decision.revision, "supersedes": decision.supersedes, "revision_cause": decision.cause}
    )
    store_score(ctx.uow, score, report, current)
    ctx.emit(SCORE_COMPUTED, score, subject=report.nip)


def score_state(score: ScoreComputed) -> ScoreState:
    return ScoreState(score.report_id, score.report_version, score.revision, score.policy_version)


async def on_agency_registered(agency: AgencyRegistered, ctx: HandlerContext) -> None:
    ctx.uow.put(AGENCIES, {"_id": agency.agency_id, "nama": agency.nama, "wilayah": agency.wilayah})


async def on_period_opened(period: PeriodOpened, ctx: HandlerContext) -> None:
    ctx.uow.put(
        PERIODS,
        {
            "_id": scope_key(period.agency_id, period.period_id),
            "agency_id": period.agency_id,
            "period_id": period.period_id,
            "tahun": period.start.year,
            "type": period.type.value,
            "status": "open",
        },
    )


async def on_period_reopened(period: PeriodReopened, ctx: HandlerContext) -> None:
    ctx.uow.update(PERIODS, scope_key(period.agency_id, period.period_id), set_={"status": "reopened"})


async def on_period_closed(period: PeriodClosed, ctx: HandlerContext) -> None:
    """A closed annual period (tahunan) rolls the year up: a job, so 20,000 employees never hold the consumer."""
    key = scope_key(period.agency_id, period.period_id)
    known = await ctx.uow.get(PERIODS, key)
    ctx.uow.update(PERIODS, key, set_={"status": "closed"}, upsert=True)
    is_annual = (known or {}).get("type") == PeriodType.TAHUNAN.value or period.period_id.isdigit()
    if is_annual:
        tahun = int(period.period_id[:4])
        job = new_job(
            ANNUAL_ROLLUP,
            period.agency_id,
            tahun=tahun,
            requested_by="period.closed",
            correlation_id=ctx.cause.correlationid,
        )
        ctx.uow.put(JOBS, {**job, "_id": f"annual:{key}:{ctx.cause.id}"})
