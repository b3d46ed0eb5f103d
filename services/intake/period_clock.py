"""The period clock: closes reporting periods whose deadline (or reopening) has passed.

Runs in every intake replica, every `KINERJA_PERIOD_CLOCK_INTERVAL_S` seconds.
Each tick closes every due period it finds in one unit of work: the periods'
new status, an audit entry and a `kinerja.period.closed.v1` event per period
(`by: deadline`). Each agency-year document is written only over the revision
the tick read, so when two replicas tick at once one commits and the other's
commit fails with a duplicate key: it logs nothing alarming and finds nothing
left to do at its next tick. A database outage costs one log line and a retry
at the next tick; it never stops the clock or the process.
"""

import asyncio
import logging
from datetime import UTC, datetime

from pymongo.errors import PyMongoError

from shared.contracts import PERIOD_CLOSED, new_event_id
from shared.contracts.periods import ClosedBy, PeriodClosed
from shared.logging import correlation_id
from shared.messaging.unit_of_work import UnitOfWork
from shared.mongo import is_duplicate_key
from shared.service import Runtime

from .domain.periods import DeclaredScheme, periods_due_to_close
from .repository.periods import period_schemes_due, stage_period_audit, stage_period_scheme

log = logging.getLogger(__name__)

# Agency-years closed per tick at most: one transaction stays small; the rest waits for the next tick.
MAX_SCHEMES_PER_TICK = 200


async def close_due_periods(runtime: Runtime, now: datetime) -> list[str]:
    """Close every period due at `now` (up to the per-tick bound); returns `<agency_id>/<period_id>` of each."""
    schemes = await period_schemes_due(runtime.db, now=now, limit=MAX_SCHEMES_PER_TICK)
    if not schemes:
        return []
    uow = runtime.unit_of_work()
    closed: list[str] = []
    for scheme in schemes:
        closed += _close(uow, scheme, now)
    await uow.commit()
    return closed


def _close(uow: UnitOfWork, scheme: DeclaredScheme, now: datetime) -> list[str]:
    changed, closed = scheme, []
    cause = uow.correlation_id  # the request's or the clock tick's: audit entries and events share it
    for period in periods_due_to_close(scheme.periods, now):
        changed = changed.with_period(period.closed(now, ClosedBy.DEADLINE))
        stage_period_audit(
            uow,
            agency_id=scheme.agency_id,
            period_id=period.period_id,
            action="close",
            who="period_clock",
            at=now,
            alasan=None,
            correlation_id=cause,
            previous_status=period.status.value,
        )
        data = PeriodClosed(agency_id=scheme.agency_id, period_id=period.period_id, closed_at=now, by=ClosedBy.DEADLINE)
        uow.emit(PERIOD_CLOSED, data, subject=scheme.agency_id, correlationid=cause)
        closed.append(f"{scheme.agency_id}/{period.period_id}")
    stage_period_scheme(uow, scheme=changed, previous=scheme)
    return closed


async def tick(runtime: Runtime) -> list[str]:
    """One round of the clock; never raises (except cancellation)."""
    token = correlation_id.set(f"period-clock-{new_event_id()}")
    try:
        closed = await close_due_periods(runtime, datetime.now(UTC))
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        if is_duplicate_key(exc):
            # Another replica closed (or an admin changed) these periods first; the next tick sees what is left.
            log.info("period clock: another replica closed these periods first")
        elif isinstance(exc, PyMongoError):  # outage, failover, timeout: the database, not the clock
            log.warning("period clock: database unavailable, retrying next tick", extra={"error": type(exc).__name__})
        else:
            log.exception("period clock: tick failed, retrying next tick")
        return []
    else:
        if closed:
            log.info(
                "period clock closed periods past their deadline",
                extra={"closed_count": len(closed), "closed": closed[:50]},
            )
        return closed
    finally:
        correlation_id.reset(token)


async def run_period_clock(runtime: Runtime) -> None:
    """The background coroutine intake starts: a tick now, then one every interval, until cancelled."""
    interval = runtime.settings.period_clock_interval_s
    while True:
        await tick(runtime)
        await asyncio.sleep(interval)
