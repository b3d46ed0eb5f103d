"""Tells employees, supervisors and agency operators what happened."""

import hashlib
from datetime import UTC, datetime

from shared.contracts import NOTIFICATION_SENT
from shared.contracts.master_data import EmployeeRegistered
from shared.contracts.notifications import NotificationSent, RecipientRole
from shared.contracts.reports import ReportRejected
from shared.contracts.scores import ScoreComputed
from shared.contracts.training import TrainingRecommended
from shared.messaging.consumer import HandlerContext
from shared.messaging.unit_of_work import UnitOfWork

from .domain import messages
from .repository import NOTIFICATIONS, PEOPLE


def _notify(ctx: HandlerContext, agency_id: str, role: RecipientRole, nip: str | None, text: tuple[str, str]) -> None:
    # Derived from the cause, so a replayed event cannot notify anyone twice.
    key = f"{ctx.cause.id}:{role}:{nip or agency_id}"
    notification = NotificationSent(
        notification_id=hashlib.sha256(key.encode()).hexdigest()[:32],
        agency_id=agency_id,
        recipient_role=role,
        recipient_nip=nip,
        about_event_id=ctx.cause.id,
        about_event_type=ctx.cause.type,
        judul=text[0],
        pesan=text[1],
        sent_at=datetime.now(UTC),
    )
    # An insert, not an upsert: the inbox lets the cause through once, so the id is new (and cheaper to write).
    ctx.uow.insert(NOTIFICATIONS, {"_id": notification.notification_id, **notification.model_dump(mode="json")})
    ctx.emit(NOTIFICATION_SENT, notification, subject=nip or agency_id)


async def on_employee_registered(employee: EmployeeRegistered, ctx: HandlerContext) -> None:
    ctx.uow.put(PEOPLE, {"_id": employee.nip, **employee.model_dump(mode="json")})


async def on_report_rejected(rejected: ReportRejected, ctx: HandlerContext) -> None:
    _notify(ctx, rejected.agency_id, RecipientRole.OPERATOR_INSTANSI, None, messages.rejection_for_operator(rejected))


async def prefetch_people(scores: list[ScoreComputed], uow: UnitOfWork) -> None:
    """The employees a batch of scores is about, in one read."""
    await uow.get_many(PEOPLE, (score.nip for score in scores))


async def on_score_computed(score: ScoreComputed, ctx: HandlerContext) -> None:
    person = await ctx.uow.get(PEOPLE, score.nip) or {}
    nama = person.get("nama")
    _notify(ctx, score.agency_id, RecipientRole.PEGAWAI, score.nip, messages.score_for_employee(score, nama))
    if atasan := score.atasan_nip or person.get("atasan_nip"):
        _notify(ctx, score.agency_id, RecipientRole.ATASAN, atasan, messages.score_for_supervisor(score, nama))


async def on_training_recommended(training: TrainingRecommended, ctx: HandlerContext) -> None:
    _notify(ctx, training.agency_id, RecipientRole.PEGAWAI, training.nip, messages.training_for_employee(training))
