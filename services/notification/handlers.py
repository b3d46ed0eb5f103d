"""Event handlers: load who an event concerns, ask the domain who hears it and through which channels, store
what is to be sent, in the consumer's unit of work.

For each recipient and channel (domain/recipients.py):
- inbox: an item in `notifications`, and `kinerja.notification.sent.v1` through the outbox, in the same commit;
- email: a Delivery (pending, due now) for the delivery worker, or, for a digest recipient, a digest item;
and for each webhook subscription to the event's topic and agency: a Delivery whose body is the event's
CloudEvents envelope as received.

Every id is derived from (event id, recipient or subscription, channel) and every write is an upsert that only
inserts, so an event handled twice adds nothing. The consumer's inbox drops a redelivered event before that.
E-mails and webhooks are sent by the delivery worker (delivery_worker.py), which `kinerja.notification.sent.v1`
also records when they arrive (`on_delivery_sent`).

Notification keeps copies of its own of what it needs: people (employees), periods and who reported for which
(deadline reminders, reminders.py), the last curve violations it told HR about.
"""

from datetime import UTC, datetime

from shared.contracts import NOTIFICATION_SENT
from shared.contracts.master_data import EmployeeRegistered
from shared.contracts.notifications import NotificationChannel, NotificationSent, RecipientRole
from shared.contracts.periods import PeriodClosed, PeriodOpened, PeriodReopened, period_id_of
from shared.contracts.reports import ReportRejected, ReportSubmitted
from shared.contracts.scores import AnnualScoreComputed, DistributionEvaluated, ScoreComputed
from shared.contracts.training import CareerFlagged, CoachingRequired, TrainingCompleted, TrainingRecommended
from shared.messaging.consumer import HandlerContext
from shared.messaging.unit_of_work import UnitOfWork

from .domain.deliveries import Channel, Delivery, EventKind
from .domain.recipients import kind_of_flag, kind_of_score
from .domain.templates import (
    annual_context,
    career_context,
    coaching_required_context,
    distribution_context,
    rejection_context,
    score_context,
    training_context,
)
from .fan_out import Audience, audience_of, tell
from .repository import (
    DISTRIBUTION_STATES,
    PEOPLE,
    PERIODS,
    REPORTED,
    period_key,
    reported_key,
)

# --- Handlers -----------------------------------------------------------------------------------------------


async def on_employee_registered(employee: EmployeeRegistered, ctx: HandlerContext) -> None:
    ctx.uow.put(PEOPLE, {"_id": employee.nip, **employee.model_dump(mode="json")})


async def on_score_computed(score: ScoreComputed, ctx: HandlerContext) -> None:
    audience = await audience_of(ctx.uow, score.agency_id, score.nip, score.atasan_nip)
    await tell(
        ctx, score.agency_id, kind_of_score(score), lambda r: score_context(score, r, audience.employee), audience
    )


async def on_annual_score(annual: AnnualScoreComputed, ctx: HandlerContext) -> None:
    audience = await audience_of(ctx.uow, annual.agency_id, annual.nip)
    context_for = lambda r: annual_context(annual, r, audience.employee)  # noqa: E731
    await tell(ctx, annual.agency_id, EventKind.SCORE_ANNUAL, context_for, audience)


async def on_report_rejected(rejected: ReportRejected, ctx: HandlerContext) -> None:
    audience = await audience_of(ctx.uow, rejected.agency_id, rejected.nip)
    context_for = lambda r: rejection_context(rejected, r, audience.employee)  # noqa: E731
    await tell(ctx, rejected.agency_id, EventKind.REPORT_REJECTED, context_for, audience)


async def on_training_recommended(training: TrainingRecommended, ctx: HandlerContext) -> None:
    audience = await audience_of(ctx.uow, training.agency_id, training.nip)
    context_for = lambda r: training_context(training, r, audience.employee)  # noqa: E731
    await tell(ctx, training.agency_id, EventKind.TRAINING_PLAN, context_for, audience)


async def on_coaching_required(coaching: CoachingRequired, ctx: HandlerContext) -> None:
    audience = await audience_of(ctx.uow, coaching.agency_id, coaching.nip, coaching.atasan_nip)
    context_for = lambda r: coaching_required_context(coaching, r, audience.employee)  # noqa: E731
    await tell(ctx, coaching.agency_id, EventKind.COACHING, context_for, audience)


async def on_career_flagged(flagged: CareerFlagged, ctx: HandlerContext) -> None:
    audience = await audience_of(ctx.uow, flagged.agency_id, flagged.nip)
    context_for = lambda r: career_context(flagged, r, audience.employee)  # noqa: E731
    await tell(ctx, flagged.agency_id, kind_of_flag(flagged), context_for, audience)


async def on_training_completed(completed: TrainingCompleted, ctx: HandlerContext) -> None:
    """Nobody is told: a completed course goes to its webhook subscribers only (career systems, SIASN)."""
    await tell(ctx, completed.agency_id, None, dict, Audience())


def violated_checks(evaluation: DistributionEvaluated) -> list[str]:
    """Which curve limits are broken (not by how much: a new score moves the percentages, not the finding)."""
    return sorted({f"{check.limit}:{','.join(sorted(check.predikat))}" for check in evaluation.checks if not check.ok})


async def on_distribution_evaluated(evaluation: DistributionEvaluated, ctx: HandlerContext) -> None:
    """HR hears when the agency breaks its curve, and again only when what it breaks changes."""
    key = period_key(evaluation.agency_id, evaluation.scope)
    violated = violated_checks(evaluation)
    previous = await ctx.uow.get(DISTRIBUTION_STATES, key)
    changed = previous is None or previous.get("violated") != violated
    state = {
        "_id": key,
        "violated": violated,
        "employees": evaluation.overall.employees,
        "evaluated_at": evaluation.evaluated_at,
    }
    ctx.uow.put(DISTRIBUTION_STATES, state)
    kind = EventKind.DISTRIBUTION_VIOLATION if evaluation.violations > 0 and changed else None
    await tell(ctx, evaluation.agency_id, kind, lambda r: distribution_context(evaluation, r), Audience())


# --- Periods and reports: notification's own copy, for the deadline reminders ----------------------------------


async def on_period_opened(period: PeriodOpened, ctx: HandlerContext) -> None:
    """Kept for the deadline reminders (reminders.py): `reminded` and `missed_checked` settle once each."""
    ctx.uow.put(
        PERIODS,
        {
            "_id": period_key(period.agency_id, period.period_id),
            "agency_id": period.agency_id,
            "period_id": period.period_id,
            "type": period.type.value,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "deadline": period.deadline,
            "status": "open",
            "opened_event_id": ctx.cause.id,
            "reminded": False,
            "missed_checked": False,
        },
    )
    await tell(ctx, period.agency_id, None, dict, Audience())


async def on_period_reopened(period: PeriodReopened, ctx: HandlerContext) -> None:
    """Reports are accepted again until `reopened_until`: the deadline the reminders count to from now on (who
    was reminded or noticed already is not told again: their keys are recorded)."""
    fields = {"status": "reopened", "deadline": period.reopened_until, "reminded": False, "missed_checked": False}
    identity = {"agency_id": period.agency_id, "period_id": period.period_id}
    key = period_key(period.agency_id, period.period_id)
    ctx.uow.update(PERIODS, key, set_=fields, set_on_insert=identity, upsert=True)
    await tell(ctx, period.agency_id, None, dict, Audience())


async def on_period_closed(period: PeriodClosed, ctx: HandlerContext) -> None:
    fields = {"status": "closed", "closed_at": period.closed_at}
    identity = {"agency_id": period.agency_id, "period_id": period.period_id}
    ctx.uow.update(
        PERIODS, period_key(period.agency_id, period.period_id), set_=fields, set_on_insert=identity, upsert=True
    )
    await tell(ctx, period.agency_id, None, dict, Audience())


async def on_report_submitted(report: ReportSubmitted, ctx: HandlerContext) -> None:
    period_id = period_id_of(report.period)
    ctx.uow.put(
        REPORTED,
        {
            "_id": reported_key(report.agency_id, period_id, report.nip),
            "agency_id": report.agency_id,
            "period_id": period_id,
            "nip": report.nip,
            "submitted_at": report.submitted_at,
        },
    )
    await tell(ctx, report.agency_id, None, dict, Audience())


# --- Sent by the delivery worker --------------------------------------------------------------------------------


def sent_notification(delivery: Delivery, at: datetime) -> NotificationSent:
    """What `kinerja.notification.sent.v1` says of an e-mail or a webhook that arrived."""
    payload = delivery.payload
    if delivery.channel is Channel.WEBHOOK:
        return NotificationSent(
            notification_id=delivery.id,
            agency_id=delivery.agency_id,
            recipient_role=RecipientRole.SUBSCRIBER,
            channel=NotificationChannel.WEBHOOK,
            about_event_id=delivery.event_id,
            about_event_type=delivery.event_type,
            judul=str(payload.get("event_type") or delivery.event_type),
            pesan=f"webhook {payload.get('subscription_id')} ({delivery.target})",
            sent_at=at,
            delivery_id=delivery.id,
            subscription_id=payload.get("subscription_id"),
        )
    role = payload.get("role") or RecipientRole.HR.value
    return NotificationSent(
        notification_id=delivery.id,
        agency_id=delivery.agency_id,
        recipient_role=RecipientRole(role),
        recipient_nip=payload.get("nip"),
        channel=NotificationChannel.EMAIL,
        about_event_id=delivery.event_id,
        about_event_type=delivery.event_type,
        judul=str(payload.get("subject") or ""),
        pesan=str(payload.get("text") or "").strip(),
        sent_at=at,
        delivery_id=delivery.id,
        kind=str(delivery.kind) if delivery.kind else None,
    )


def on_delivery_sent(uow: UnitOfWork, delivery: Delivery) -> None:
    """The delivery worker's `on_sent`: recorded with the delivery's outcome, in the same commit."""
    subject = delivery.payload.get("nip") or delivery.agency_id
    correlation = delivery.payload.get("correlation_id")
    uow.emit(
        NOTIFICATION_SENT, sent_notification(delivery, delivery.sent_at or datetime.now(UTC)), subject, correlation
    )
