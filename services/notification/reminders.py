"""Deadline reminders, a background job: before a period's deadline the employees without a report (and their
atasan) are reminded; after it, HR hears who did not report. Once each.

Every `KINERJA_REMINDER_INTERVAL_S` (default 60) the job asks for periods whose deadline is within
`KINERJA_REMINDER_DAYS_BEFORE` days and whose reminders have not gone out, and for periods whose deadline has
passed and whose missed-deadline notice is not settled: two indexed reads when there is nothing to do. Who is
told is the domain's (domain/deadlines.py, domain/recipients.py). Each reminder and notice is recorded under its
stable key (`deadline_notices`, inserted in the same transaction as its messages), so a second replica, a
restart or a retry never tells anyone twice; the messages take the same path as the events' (inbox item and
`kinerja.notification.sent.v1`, e-mail deliveries, digest items).
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from pymongo.asynchronous.database import AsyncDatabase

from shared.messaging.unit_of_work import UnitOfWork
from shared.mongo import is_duplicate_key
from shared.service import Runtime

from .domain.clock import wib_date
from .domain.deadlines import MISSED_NOTICE_WITHIN, Period, missed_due, reminders_due
from .domain.deliveries import EventKind
from .domain.people import Person
from .domain.templates import deadline_context
from .fan_out import About, Audience, notify
from .repository import (
    DEADLINE_NOTICES,
    PEOPLE,
    agency_people,
    notices_sent,
    periods_past_deadline,
    periods_to_remind,
    reported_nips,
    settle_period,
)
from .wiring import notification_settings, wake_delivery_worker

log = logging.getLogger(__name__)

# The period event the messages are about (`about_event_type`); `about_event_id` is its opened event's id.
ABOUT_TYPE = "kinerja.period.opened"
CHUNK = 200  # reminders per transaction: 200 employees, their atasan, inbox and e-mail each


class JobSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KINERJA_", extra="ignore")

    reminder_interval_s: float = Field(default=60, gt=0, description="How often the deadline check runs")
    digest_interval_s: float = Field(default=60, gt=0, description="How often the daily digest job looks")


def _period(document: dict[str, Any]) -> Period | None:
    if "start" not in document or "end" not in document:
        return None  # reopened before notification saw it opened: nothing to count from
    return Period(
        agency_id=document["agency_id"],
        period_id=document["period_id"],
        start=date.fromisoformat(document["start"]),
        end=date.fromisoformat(document["end"]),
        deadline=_aware(document["deadline"]),
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _about(document: dict[str, Any], period: Period, seed: str, correlation_id: str) -> About:
    return About(
        event_id=document.get("opened_event_id") or seed,
        event_type=ABOUT_TYPE,
        agency_id=period.agency_id,
        correlation_id=correlation_id,
        seed=seed,
    )


async def _staff(db: AsyncDatabase, agency_id: str) -> list[Person]:
    return [Person.from_document(d) for d in await agency_people(db, agency_id=agency_id)]


async def _commit(uow: UnitOfWork) -> bool:
    """False when another replica recorded the same notice first (its messages stand, these are dropped)."""
    try:
        await uow.commit()
    except Exception as exc:
        if is_duplicate_key(exc):
            return False
        raise
    return True


async def remind(
    db: AsyncDatabase, document: dict[str, Any], now: datetime, days_before: int, new_uow: Callable[[], UnitOfWork]
) -> int:
    """The reminders of one period still due, CHUNK employees per transaction; how many went out."""
    period = _period(document)
    if period is None:
        return 0
    staff = await _staff(db, period.agency_id)
    reported = await reported_nips(db, agency_id=period.agency_id, period_id=period.period_id)
    candidates = reminders_due(period, now, staff, reported, set(), days_before)
    sent = 0
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        already = await notices_sent(db, ids=[r.key for r in chunk])
        due = [r for r in chunk if r.key not in already]
        if not due:
            continue
        uow = new_uow()
        await uow.get_many(PEOPLE, {r.employee.atasan_nip for r in due if r.employee.atasan_nip})
        for reminder in due:
            employee = reminder.employee
            atasan_document = await uow.get(PEOPLE, employee.atasan_nip) if employee.atasan_nip else None
            atasan = Person.from_document(atasan_document) if atasan_document else None
            about = _about(document, period, reminder.key, uow.correlation_id)
            await notify(
                uow,
                about,
                EventKind.DEADLINE_REMINDER,
                lambda r, e=employee: deadline_context(period.period_id, period.deadline, r, employee=e),
                audience=Audience(employee, atasan),
                now=now,
            )
            uow.insert(DEADLINE_NOTICES, {"_id": reminder.key, "kind": reminder.kind.value, "at": now})
        if await _commit(uow):
            sent += len(due)
    return sent


async def notice_missed(
    db: AsyncDatabase, document: dict[str, Any], now: datetime, new_uow: Callable[[], UnitOfWork]
) -> bool:
    """HR's one notice of who missed the period's deadline, if anyone did and it has not gone out."""
    period = _period(document)
    if period is None:
        return False
    staff = await _staff(db, period.agency_id)
    reported = await reported_nips(db, agency_id=period.agency_id, period_id=period.period_id)
    already = await notices_sent(db, ids=[f"missed:{period.ref}"])
    missed = missed_due(period, now, staff, reported, already)
    if missed is None:
        return False
    uow = new_uow()
    about = _about(document, period, missed.key, uow.correlation_id)
    await notify(
        uow,
        about,
        EventKind.DEADLINE_MISSED,
        lambda r: deadline_context(period.period_id, period.deadline, r, missing=missed.missing),
        audience=Audience(),
        now=now,
    )
    uow.insert(DEADLINE_NOTICES, {"_id": missed.key, "kind": missed.kind.value, "at": now})
    return await _commit(uow)


async def check_deadlines(db: AsyncDatabase, now: datetime, days_before: int, new_uow: Callable[[], UnitOfWork]) -> int:
    """One round: reminders due, then missed-deadline notices due; how many reminders and notices went out."""
    told = 0
    for document in await periods_to_remind(db, now=now, until=now + timedelta(days=days_before)):
        period = _period(document)
        if period is not None and wib_date(now) < period.start:
            continue  # not begun yet: reminded once it has
        told += await remind(db, document, now, days_before, new_uow)
        await settle_period(db, key=document["_id"], deadline=document["deadline"], field="reminded")
    for document in await periods_past_deadline(db, now=now, since=now - MISSED_NOTICE_WITHIN):
        told += await notice_missed(db, document, now, new_uow)
        await settle_period(db, key=document["_id"], deadline=document["deadline"], field="missed_checked")
    return told


async def run_reminders(runtime: Runtime) -> None:
    """The background job (ServiceDefinition.background)."""
    interval = JobSettings().reminder_interval_s
    days_before = notification_settings().reminder_days_before
    while True:
        try:
            if await check_deadlines(runtime.db, datetime.now(UTC), days_before, runtime.unit_of_work):
                wake_delivery_worker()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is away: the next round does what this one could not
            log.warning("deadline reminders failed, retrying", extra={"error": type(exc).__name__})
        await asyncio.sleep(interval)
