"""Events into the read model: load what the event touches, let domain/fold.py decide, store.

Each handler runs inside the consumer's unit of work (inbox, state, offsets after commit), so a redelivered
event changes nothing twice; the fold rules make a late or older state change nothing at all.
"""

from datetime import UTC, date, datetime, time
from typing import Any

from shared.contracts.master_data import AgencyRegistered, EmployeeRegistered, UnitKerjaRegistered
from shared.contracts.notifications import DeliveryHealth
from shared.contracts.periods import PeriodClosed, PeriodOpened, PeriodReopened, period_id_of
from shared.contracts.reports import ReportSubmitted
from shared.contracts.scores import AnnualScoreComputed, DistributionEvaluated, ScoreComputed
from shared.contracts.training import (
    CareerFlagged,
    CoachingRequired,
    PlanUpdated,
    TrainingCompleted,
    TrainingRecommended,
)
from shared.messaging.consumer import HandlerContext
from shared.messaging.unit_of_work import UnitOfWork

from .domain.fold import (
    StoredScore,
    annual_entry,
    annual_replaces,
    newer,
    nilai_delta,
    path_key,
    score_entry,
    score_replaces,
)
from .repository import (
    AGENCIES,
    DELIVERY_HEALTH,
    DISTRIBUTIONS,
    EMPLOYEES,
    HISTORIES,
    PERIOD_TOTALS,
    PERIODS,
    PLANS,
    REPORTED,
    ROSTERS,
    UNITS,
    event_document,
    pair,
)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def prefetch_histories(events: list[Any], uow: UnitOfWork) -> None:
    await uow.get_many(HISTORIES, [e.nip for e in events])


async def prefetch_employees(events: list[Any], uow: UnitOfWork) -> None:
    await uow.get_many(EMPLOYEES, [e.nip for e in events])


# --- Master data and periods ------------------------------------------------------------------------------


async def on_agency_registered(event: AgencyRegistered, ctx: HandlerContext) -> None:
    ctx.uow.update(AGENCIES, event.agency_id, set_={"nama": event.nama, "wilayah": event.wilayah}, upsert=True)


async def on_unit_kerja_registered(event: UnitKerjaRegistered, ctx: HandlerContext) -> None:
    fields = {"agency_id": event.agency_id, "unit_id": event.unit_id, "nama": event.nama}
    ctx.uow.update(UNITS, pair(event.agency_id, event.unit_id), set_=fields, upsert=True)


async def on_employee_registered(event: EmployeeRegistered, ctx: HandlerContext) -> None:
    inactive = _midnight(event.nonaktif_sejak) if event.nonaktif_sejak else None
    fields = {
        "agency_id": event.agency_id,
        "nama": event.nama,
        "jabatan": event.jabatan,
        "jenis_asn": event.jenis_asn.value,
        "atasan_nip": event.atasan_nip,
        "unit_kerja": event.unit_kerja,
        "nonaktif_sejak": inactive,
    }
    before = await ctx.uow.get(EMPLOYEES, event.nip)
    ctx.uow.update(EMPLOYEES, event.nip, set_=fields, upsert=True)
    member = {"nama": event.nama, "jabatan": event.jabatan, "unit_kerja": event.unit_kerja, "member": True}
    member["inactive_since"] = inactive
    ctx.uow.update(ROSTERS, event.agency_id, set_={f"members.{event.nip}": member}, upsert=True)
    moved_from = (before or {}).get("agency_id")
    if moved_from and moved_from != event.agency_id:  # mutasi: the old agency no longer counts them
        ctx.uow.update(ROSTERS, moved_from, set_={f"members.{event.nip}.member": False})


def _period_fields(event: PeriodOpened) -> dict[str, Any]:
    return {
        "agency_id": event.agency_id,
        "period_id": event.period_id,
        "start": _midnight(event.start),
        "end": _midnight(event.end),
        "deadline": event.deadline,
        "annual": event.type.value == "tahunan",
        "closed": False,
    }


async def on_period_opened(event: PeriodOpened, ctx: HandlerContext) -> None:
    ctx.uow.update(PERIODS, pair(event.agency_id, event.period_id), set_=_period_fields(event), upsert=True)


async def on_period_closed(event: PeriodClosed, ctx: HandlerContext) -> None:
    if await ctx.uow.get(PERIODS, pair(event.agency_id, event.period_id)) is not None:
        ctx.uow.update(PERIODS, pair(event.agency_id, event.period_id), set_={"closed": True})


async def on_period_reopened(event: PeriodReopened, ctx: HandlerContext) -> None:
    if await ctx.uow.get(PERIODS, pair(event.agency_id, event.period_id)) is not None:
        fields = {"closed": False, "deadline": event.reopened_until}
        ctx.uow.update(PERIODS, pair(event.agency_id, event.period_id), set_=fields)


# --- Reports and scores ------------------------------------------------------------------------------------


async def on_report_submitted(event: ReportSubmitted, ctx: HandlerContext) -> None:
    """The first report of an employee for a period counts once; resends and new versions do not."""
    period_id = period_id_of(event.period)
    employee = await ctx.uow.get(EMPLOYEES, event.nip)
    if employee is not None and (employee.get("reported") or {}).get(period_id) == event.agency_id:
        return
    ctx.uow.update(EMPLOYEES, event.nip, set_={f"reported.{path_key(period_id)}": event.agency_id}, upsert=True)
    totals = pair(event.agency_id, period_id)
    ctx.uow.update(REPORTED, totals, set_={f"nips.{event.nip}": True}, upsert=True)
    ctx.uow.update(
        PERIOD_TOTALS,
        totals,
        inc={"submitted": 1},
        set_on_insert={"agency_id": event.agency_id, "period_id": period_id},
        upsert=True,
    )


async def on_score_computed(event: ScoreComputed, ctx: HandlerContext) -> None:
    period_id = event.period_id or period_id_of(event.period)
    history = await ctx.uow.get(HISTORIES, event.nip) or {}
    stored = StoredScore.of((history.get("scores") or {}).get(period_id))
    if not score_replaces(event, stored):
        return
    delta = nilai_delta(event, stored)
    entry = score_entry(event) | {"period_id": period_id}
    ctx.uow.update(HISTORIES, event.nip, set_={f"scores.{path_key(period_id)}": entry}, upsert=True)
    if delta.count or delta.total:
        ctx.uow.update(
            PERIOD_TOTALS,
            pair(event.agency_id, period_id),
            inc={"nilai_total": delta.total, "nilai_count": delta.count},
            set_on_insert={"agency_id": event.agency_id, "period_id": period_id},
            upsert=True,
        )


async def on_score_annual(event: AnnualScoreComputed, ctx: HandlerContext) -> None:
    history = await ctx.uow.get(HISTORIES, event.nip) or {}
    if annual_replaces(event, (history.get("annual") or {}).get(str(event.tahun))):
        ctx.uow.update(HISTORIES, event.nip, set_={f"annual.{event.tahun}": annual_entry(event)}, upsert=True)


async def on_distribution_evaluated(event: DistributionEvaluated, ctx: HandlerContext) -> None:
    _id = pair(event.agency_id, event.scope)
    await _keep_newest(ctx.uow, DISTRIBUTIONS, _id, event.agency_id, event, [event.evaluated_at])


# --- Training, coaching, careers ---------------------------------------------------------------------------


async def on_training_recommended(event: TrainingRecommended, ctx: HandlerContext) -> None:
    if event.tahun is None:  # the deprecated per-report shape: no plan to show it under
        return
    history = await ctx.uow.get(HISTORIES, event.nip) or {}
    stored = (history.get("training") or {}).get(str(event.tahun))
    order = [event.plan_version or 0, event.revision]
    if stored is None or newer(tuple(order), tuple(stored["order"])):
        entry = {"order": order, "event": event.model_dump(mode="json")}
        ctx.uow.update(HISTORIES, event.nip, set_={f"training.{event.tahun}": entry}, upsert=True)


async def on_training_completed(event: TrainingCompleted, ctx: HandlerContext) -> None:
    line = {
        "judul": event.judul,
        "jp": event.jp,
        "mode": event.mode.value,
        "selesai_pada": event.selesai_pada.isoformat(),
    }
    path = f"jp.{event.tahun}.{path_key(event.completion_id)}"
    ctx.uow.update(HISTORIES, event.nip, set_={path: line, "jenis_asn": event.jenis_asn.value}, upsert=True)


async def on_coaching_required(event: CoachingRequired, ctx: HandlerContext) -> None:
    entry = {"period_id": event.period_id, "predikat": event.predikat.value, "reasons": event.reasons}
    ctx.uow.update(HISTORIES, event.nip, set_={f"coaching.{path_key(event.period_id)}": entry}, upsert=True)


async def on_career_flagged(event: CareerFlagged, ctx: HandlerContext) -> None:
    entry = {"flag": event.flag.value, "tahun": event.tahun, "reasons": event.reasons, "rule_id": event.rule_id}
    ctx.uow.update(HISTORIES, event.nip, set_={f"career.{event.flag.value}:{event.tahun}": entry}, upsert=True)


async def on_plan_updated(event: PlanUpdated, ctx: HandlerContext) -> None:
    _id = pair(event.agency_id, event.tahun)
    await _keep_newest(ctx.uow, PLANS, _id, event.agency_id, event, [event.version, event.updated_at])


async def on_delivery_health(event: DeliveryHealth, ctx: HandlerContext) -> None:
    await _keep_newest(ctx.uow, DELIVERY_HEALTH, event.agency_id, event.agency_id, event, [event.observed_at])


async def _keep_newest(
    uow: UnitOfWork, collection: str, _id: str, agency_id: str, event: Any, order: list[Any]
) -> None:
    stored = await uow.get(collection, _id)
    if stored is None or newer(tuple(order), tuple(stored["order"])):
        uow.put(collection, event_document(_id, agency_id, event, order))
