"""Sends what is due: claims deliveries, attempts them through their channel, writes down what happened.

Lanes: every target (a webhook endpoint, an e-mail domain) has its own lane: a queue, and at most
`per_target_concurrency` attempts in flight; all lanes share `delivery_concurrency`. A lane holds at most four times
its concurrency, and the worker claims for a lane only once it is half empty (the other lanes' deliveries stay
pending in the database, and a claim does not read them), so an endpoint that answers slowly or not at all fills
its own lane and nothing else: the other endpoints and e-mail keep their pace.

Leases: a claim holds a delivery for twice the longest attempt (its queue wait, then its attempt) plus a margin.
An attempt that could not end within its lease is not started: the delivery is due again when the lease ends,
so a delivery never has two attempts at once, not even across workers.

Outcomes are written in batches, one unit of work each: sent (and whatever `on_sent` emits, e.g.
`kinerja.notification.sent.v1` through the outbox, in the same transaction), pending again at the retry
policy's next time (backoff with jitter), or dead after the last attempt, with its last error. A write that
fails (the database away) is retried; the deliveries stay claimed meanwhile.

Circuit breakers (domain/circuit.py): a target whose attempts keep failing is paused for a cool-down, so a
dead endpoint's backlog is not attempted (and written back) as fast as it can be claimed. A webhook's outcome
also goes on its endpoint's record (failures in a row, last error, paused), for the delivery-health job.

Idle, the worker asks the database once per `max_idle_s` (one indexed query), or at once when `wake()` is called
(new deliveries committed in this process), or when the earliest retry falls due. Its indexes
(`delivery_store.ensure_delivery_indexes`) belong in the service's index setup, which runs before it starts.
"""

import asyncio
import contextlib
import inspect
import logging
import os
import random
import socket
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.messaging.unit_of_work import UnitOfWork
from shared.observability import DELIVERY_ATTEMPTS
from shared.service import Runtime

from .delivery_store import (
    Claimed,
    claim,
    delivery_targets,
    record_dead,
    record_retry,
    record_sent,
    release,
)
from .domain.circuit import CircuitBreakers
from .domain.deliveries import Channel, ChannelAdapter, Delivery, DeliveryFailed, DeliveryStatus
from .domain.retry import EMAIL_RETRY, WEBHOOK_RETRY, RetryPolicy, next_attempt_at
from .health_store import record_endpoint_outcome
from .settings import NotificationSettings

log = logging.getLogger(__name__)

OnSent = Callable[[UnitOfWork, Delivery], Awaitable[None] | None]

OUTCOMES_PER_COMMIT = 100
LEASE_MARGIN_S = 5.0
TARGETS_REFRESH_S = 1.0  # how stale the list of targets may be (another worker may have queued for a new one)


def _now() -> datetime:
    return datetime.now(UTC)


def retry_policies(settings: NotificationSettings) -> dict[Channel, RetryPolicy]:
    """The domain's policies, giving up when the settings say (KINERJA_WEBHOOK_GIVE_UP_AFTER_S, ...)."""
    return {
        Channel.WEBHOOK: WEBHOOK_RETRY.overridden(give_up_after_s=settings.webhook_give_up_after_s),
        Channel.EMAIL: EMAIL_RETRY.overridden(give_up_after_s=settings.email_give_up_after_s),
    }


@dataclass
class _Lane:
    queue: deque[Claimed] = field(default_factory=deque)
    in_flight: int = 0

    @property
    def load(self) -> int:
        return len(self.queue) + self.in_flight


@dataclass(frozen=True)
class _Outcome:
    claimed: Claimed
    status: DeliveryStatus
    at: datetime
    error: str | None = None
    next_at: datetime | None = None


class DeliveryWorker:
    def __init__(
        self,
        runtime: Runtime,
        adapters: Mapping[Channel, ChannelAdapter],
        policies: Mapping[Channel, RetryPolicy],
        settings: NotificationSettings,
        on_sent: OnSent | None = None,
        *,
        owner: str | None = None,
        rng: random.Random | None = None,
        max_idle_s: float = 2.0,
        close_adapters: bool = True,
    ) -> None:
        missing = [str(c) for c in adapters if c not in policies]
        if missing:
            raise ValueError(f"no retry policy for channel(s) {', '.join(missing)}")
        self._runtime = runtime
        self._adapters = dict(adapters)
        self._policies = dict(policies)
        self._on_sent = on_sent
        self._owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._rng = rng or random.Random()
        self._max_idle_s = max_idle_s
        self._close_adapters = close_adapters
        self._per_target = settings.per_target_concurrency
        # Four attempts' worth per slot: a fast lane takes a batch per claim, and each claim reads the whole
        # waiting queue on a database that cannot use its index for it.
        self._lane_capacity = 4 * settings.per_target_concurrency
        self._max_outstanding = 2 * settings.delivery_concurrency
        self._slots = asyncio.Semaphore(settings.delivery_concurrency)
        self._attempt_timeout_s = {
            Channel.WEBHOOK: settings.webhook_timeout_s + 1.0,  # the channel's own timeout, and its DNS lookup
            Channel.EMAIL: 2 * settings.smtp_timeout_s,  # per command: connect, greeting, MAIL, RCPT, DATA
        }
        longest = max((self._timeout_for(c) for c in self._adapters), default=30.0)
        self._lease = timedelta(seconds=2 * longest + LEASE_MARGIN_S)
        self._lanes: dict[str, _Lane] = {}
        self._breakers = CircuitBreakers()
        self._outstanding = 0  # claimed by this worker and not yet finished with
        self._backlog = False  # due work left for this worker's limit
        self._waiting: set[str] = set()  # targets with due work left for their lane's room
        self._wakeup = asyncio.Event()
        self._targets: list[str] = []
        self._targets_read_at: float | None = None  # loop time; None: read them at the next claim
        self._outcomes: list[_Outcome] = []
        self._outcomes_ready = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False

    # --- public ---------------------------------------------------------------------------------------------

    def wake(self) -> None:
        """New deliveries were committed: claim now rather than at the next poll."""
        self._targets_read_at = None  # they may be for a new target
        self._wakeup.set()

    @property
    def in_flight(self) -> dict[str, int]:
        """Deliveries held per target (queued and being attempted): for tests and metrics."""
        return {target: lane.load for target, lane in self._lanes.items()}

    @property
    def paused_targets(self) -> list[str]:
        """Targets whose circuit is open (failing in a row): for tests and metrics."""
        return self._breakers.open_targets(_now())

    async def run(self) -> None:
        """Runs until cancelled (a ServiceDefinition.background job); never ends on an error of its own."""
        writer = asyncio.create_task(self._write_outcomes(), name="notification:delivery-outcomes")
        failures = 0
        try:
            while True:
                self._wakeup.clear()
                try:
                    delay = await self._claim_round()
                    failures = 0
                except Exception as exc:
                    failures += 1
                    delay = min(0.5 * 2 ** min(failures, 6), self._max_idle_s * 5)
                    log.warning("claiming deliveries failed (%s); again in %.1fs", type(exc).__name__, delay)
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(delay):
                            await self._wakeup.wait()
                else:
                    await asyncio.sleep(0)
        finally:
            await self._shutdown(writer)

    # --- claiming -------------------------------------------------------------------------------------------

    def _timeout_for(self, channel: Channel) -> float:
        return self._attempt_timeout_s.get(channel, 30.0)

    def _room(self, target: str) -> int:
        lane = self._lanes.get(target)
        return self._lane_capacity - (lane.load if lane else 0)

    async def _claim_round(self) -> float:
        """Claims what there is room for; returns how long to wait before the next round (0: at once)."""
        room = self._max_outstanding - self._outstanding
        if room <= 0:
            self._backlog = True
            return self._max_idle_s  # a finished attempt wakes the loop
        now = _now()
        # A lane more than half full is left out: a claim reads every due delivery of the targets it names, and
        # a slow endpoint's lane, refilled one delivery at a time, made every claim read its whole backlog.
        full = [target for target, lane in self._lanes.items() if lane.load > self._lane_capacity // 2]
        full += [target for target in self._breakers.open_targets(now) if target not in full]
        targets = await self._known_targets()
        result = await claim(
            self._runtime.db,
            now=now,
            lease_until=now + self._lease,
            owner=self._owner,
            limit=room,
            targets=[target for target in targets if target not in full],
            room=self._room,
            horizon=timedelta(seconds=self._max_idle_s),
        )
        for claimed in result.claimed:
            self._dispatch(claimed)
        # Due work left behind: the worker's limit wakes the loop once half its room is back; a lane's room
        # (or a full lane, which may have some) once that lane is half empty. Not at every finished attempt:
        # each claim reads the waiting queue.
        self._backlog = result.backlog
        self._waiting = set(full) | result.limited_targets
        if result.backlog and result.claimed:
            return 0.0
        if result.next_due_at is not None:
            return min(self._max_idle_s, max(0.0, (result.next_due_at - _now()).total_seconds()))
        return self._max_idle_s

    async def _known_targets(self) -> list[str]:
        loop_time = asyncio.get_running_loop().time()
        if self._targets_read_at is None or loop_time - self._targets_read_at > TARGETS_REFRESH_S:
            self._targets = await delivery_targets(self._runtime.db, list(self._adapters))
            self._targets_read_at = loop_time
        return self._targets

    # --- lanes ----------------------------------------------------------------------------------------------

    def _dispatch(self, claimed: Claimed) -> None:
        target = claimed.delivery.target
        self._lanes.setdefault(target, _Lane()).queue.append(claimed)
        self._outstanding += 1
        self._pump(target)

    def _pump(self, target: str) -> None:
        lane = self._lanes.get(target)
        if lane is None or self._stopping:
            return
        while lane.queue and lane.in_flight < self._per_target:
            claimed = lane.queue.popleft()
            lane.in_flight += 1
            task = asyncio.create_task(self._attempt(target, claimed), name=f"delivery:{claimed.delivery.id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if not lane.load:
            del self._lanes[target]

    async def _attempt(self, target: str, claimed: Claimed) -> None:
        try:
            async with self._slots:
                outcome = await self._try(claimed)
            if outcome is not None:
                DELIVERY_ATTEMPTS.labels(channel=claimed.delivery.channel, outcome=outcome.status).inc()
                self._outcomes.append(outcome)
                self._outcomes_ready.set()
        finally:
            lane = self._lanes.get(target)
            if lane is not None:
                lane.in_flight -= 1
            self._outstanding -= 1
            self._pump(target)
            lane_load = lane.load if lane is not None else 0
            if self._backlog and self._outstanding <= self._max_outstanding // 2:
                self._wakeup.set()
            elif target in self._waiting and lane_load <= self._lane_capacity // 2:
                self._waiting.discard(target)
                self._wakeup.set()

    async def _try(self, claimed: Claimed) -> _Outcome | None:
        delivery = claimed.delivery
        timeout_s = self._timeout_for(delivery.channel)
        started = _now()
        if self._breakers.is_open(delivery.target, started):
            return None  # its target keeps failing: no attempt now, due again when the lease ends
        if started + timedelta(seconds=timeout_s) > claimed.lease_until:
            # It waited too long in its lane to finish within its lease: due again when the lease ends.
            log.debug("delivery %s left for its lease to end", delivery.id, extra={"delivery_id": delivery.id})
            return None
        attempt = delivery.attempts + 1
        try:
            async with asyncio.timeout(timeout_s):
                await self._adapters[delivery.channel].send(delivery)
        except DeliveryFailed as exc:
            failure = exc
        except TimeoutError:
            failure = DeliveryFailed(f"timeout after {timeout_s:g}s")
        except Exception as exc:
            failure = DeliveryFailed(f"unexpected {type(exc).__name__}")
            log.warning(
                "delivery %s: the %s channel raised %s",
                delivery.id,
                delivery.channel,
                type(exc).__name__,
                exc_info=True,
                extra={"delivery_id": delivery.id},
            )
        else:
            log.debug("delivery %s sent (attempt %d)", delivery.id, attempt, extra=self._log_fields(delivery, attempt))
            self._breakers.record_success(delivery.target)
            return _Outcome(claimed, DeliveryStatus.SENT, _now())
        at = _now()
        if failure.retryable and self._breakers.record_failure(delivery.target, at):
            # The host only: a URL's user part, if any, is a credential.
            host = delivery.target.rsplit("@", 1)[-1]
            log.warning("delivery target %s keeps failing: attempts paused", host, extra={"target": host})
        fields = {**self._log_fields(delivery, attempt), "error": failure.error}
        if failure.retryable:
            first = claimed.first_attempt_at or started
            next_at = next_attempt_at(self._policies[delivery.channel], attempt, first, at, self._rng)
            if next_at is not None:
                log.debug("delivery %s failed (attempt %d): %s", delivery.id, attempt, failure.error, extra=fields)
                return _Outcome(claimed, DeliveryStatus.PENDING, at, failure.error, next_at)
        log.warning("delivery %s is dead after %d attempt(s): %s", delivery.id, attempt, failure.error, extra=fields)
        return _Outcome(claimed, DeliveryStatus.DEAD, at, failure.error)

    @staticmethod
    def _log_fields(delivery: Delivery, attempt: int) -> dict[str, Any]:
        # Never the payload: it holds addresses, message bodies, URLs that may carry tokens.
        return {
            "delivery_id": delivery.id,
            "channel": str(delivery.channel),
            "agency_id": delivery.agency_id,
            "attempt": attempt,
        }

    # --- outcomes -------------------------------------------------------------------------------------------

    async def _write_outcomes(self) -> None:
        """Commits outcomes as they come, in batches; ends once stopping and nothing is left (or it cannot be)."""
        failures = 0
        while True:
            if not self._outcomes:
                if self._stopping:
                    return
                await self._outcomes_ready.wait()
                self._outcomes_ready.clear()
                continue
            batch = self._outcomes[:OUTCOMES_PER_COMMIT]
            try:
                await self._commit(batch)
            except Exception as exc:
                if self._stopping:
                    return
                failures += 1
                delay = min(0.5 * 2 ** min(failures, 5), 10.0)
                log.warning(
                    "writing %d delivery outcomes failed (%s); again in %.1fs", len(batch), type(exc).__name__, delay
                )
                await asyncio.sleep(delay)
                continue
            failures = 0
            del self._outcomes[: len(batch)]
            if any(o.status is DeliveryStatus.PENDING for o in batch):
                self._wakeup.set()  # a retry may be due before the loop's next look

    async def _commit(self, batch: list[_Outcome]) -> None:
        uow = self._runtime.unit_of_work()
        for outcome in batch:
            delivery = outcome.claimed.delivery
            if outcome.status is DeliveryStatus.SENT:
                record_sent(uow, delivery, outcome.at)
                if self._on_sent is not None:
                    await self._emit_sent(uow, delivery, outcome.at)
            elif outcome.status is DeliveryStatus.PENDING:
                first = None if outcome.claimed.first_attempt_at else outcome.at
                record_retry(uow, delivery, outcome.error or "", outcome.next_at or outcome.at, first_attempt_at=first)
            else:
                record_dead(uow, delivery, outcome.error or "", outcome.at)
            if delivery.channel is Channel.WEBHOOK:
                paused = self._breakers.tripped(delivery.target)
                sent = outcome.status is DeliveryStatus.SENT
                record_endpoint_outcome(uow, delivery, sent=sent, at=outcome.at, error=outcome.error, paused=paused)
        await uow.commit()

    async def _emit_sent(self, uow: UnitOfWork, delivery: Delivery, at: datetime) -> None:
        sent = delivery.model_copy(
            update={"status": DeliveryStatus.SENT, "sent_at": at, "attempts": delivery.attempts + 1}
        )
        try:
            result = self._on_sent(uow, sent)
            if inspect.isawaitable(result):
                await result
        except Exception:
            # A fault of the caller's must not hold every other outcome back: the delivery is still recorded.
            log.exception("on_sent failed for delivery %s", delivery.id, extra={"delivery_id": delivery.id})

    # --- stopping -------------------------------------------------------------------------------------------

    async def _shutdown(self, writer: asyncio.Task[None]) -> None:
        """Cancel the attempts in flight (theirs stay claimed until their lease ends: sent or not, unknown),
        hand back what never started, write what is known, close the channels."""
        self._stopping = True
        queued = [c.delivery.id for lane in self._lanes.values() for c in lane.queue]
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._outcomes_ready.set()
        try:  # the writer drains what is known, then ends; a batch it is committing is never cut short
            await asyncio.wait_for(asyncio.shield(writer), timeout=5)
        except Exception:  # TimeoutError too
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
        if self._outcomes:
            log.warning("%d delivery outcomes not written at stop: resent when their lease ends", len(self._outcomes))
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                await release(self._runtime.db, queued, self._owner, _now())
        if self._close_adapters:
            for adapter in self._adapters.values():
                if (close := getattr(adapter, "aclose", None)) is not None:
                    with contextlib.suppress(Exception):
                        await close()
        self._lanes.clear()
