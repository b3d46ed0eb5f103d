"""Client-side fetch wait, for brokers that answer an empty fetch at once.

Kafka holds an empty fetch request up to `fetch.max.wait.ms`, so a caught-up
consumer costs nothing. The embedded development broker answers at once, so
an aiokafka consumer fetches its caught-up partitions about 1,400 times a
second and keeps most of a core busy. That happens not only when the consumer
is idle but whenever it works through a backlog on some partitions: aiokafka
goes on fetching all the others meanwhile (a third of the notification
service's CPU while it delivered a burst, measured with py-spy). On a small
machine running four services that starves the work itself.

So the partitions that are caught up (position at the high watermark, fetched
since they were last resumed) are paused, each round, while the others go on
fetching: for a tenth of `pause_s` while the consumer is busy (records in the
last `pause_s`, or a batch being handled), then for half the quiet so far, up
to five times `pause_s` (1 s at the launcher's 200 ms), so a quiet night
costs least. New records on a caught-up partition wait at most that long.

Pausing only what is caught up matters: aiokafka drops records it has fetched
but not yet handed over when their partition is paused (they are fetched
again after the resume), so pausing a partition with records on their way
would delay them, or, repeated, starve it.

Off unless KINERJA_CONSUMER_IDLE_PAUSE_MS is set; the development launcher
sets it.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import IllegalStateError

# How often the caught-up partitions are looked for, while none are paused.
STEP_S = 0.005
# A busy consumer's caught-up partitions are paused for this share of `pause_s`.
BUSY_PAUSE_FACTOR = 0.1
# The pause grows while the consumer stays idle, up to this many times `pause_s`.
LONGEST_PAUSE_FACTOR = 5


class IdleFetchPause:
    def __init__(self, consumer: Callable[[], AIOKafkaConsumer | None], pause_s: float):
        self._consumer = consumer
        self.pause_s = pause_s
        self.last_records = time.monotonic()
        self._handling = 0
        self._resumed_ms = 0.0
        self._task: asyncio.Task[None] | None = None

    def saw_records(self) -> None:
        self.last_records = time.monotonic()

    @contextlib.asynccontextmanager
    async def handling(self) -> AsyncIterator[None]:
        """Around the handling of a batch: a consumer at work is busy, however long the batch takes, so its
        caught-up partitions are paused only briefly and the records that come meanwhile are taken soon after."""
        self._handling += 1
        self.saw_records()
        try:
            yield
        finally:
            self._handling -= 1
            self.saw_records()

    def _next_pause(self) -> float:
        quiet_s = time.monotonic() - self.last_records
        if self._handling or quiet_s < self.pause_s:
            return self.pause_s * BUSY_PAUSE_FACTOR
        return min(max(self.pause_s, quiet_s / 2), self.pause_s * LONGEST_PAUSE_FACTOR)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="idle-fetch-pause")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            consumer = self._consumer()
            partitions = consumer.assignment() if consumer is not None else set()
            quiet = await caught_up(consumer, partitions, self._resumed_ms) if consumer is not None else set()
            if not quiet:  # all have records coming, or a fetch since the resume is still to come back
                await asyncio.sleep(STEP_S)
                continue
            consumer.pause(*quiet)
            try:
                await asyncio.sleep(self._next_pause())
            finally:
                # Only what is still assigned: a rebalance meanwhile may have moved partitions elsewhere.
                consumer.resume(*(p for p in quiet if p in consumer.assignment()))
                self._resumed_ms = time.time() * 1000


async def caught_up(
    consumer: AIOKafkaConsumer, partitions: set[TopicPartition], since_ms: float
) -> set[TopicPartition]:
    """The partitions fetched since `since_ms` with nothing left to fetch: pausing them loses no fetched record."""
    quiet = set()
    try:
        for tp in partitions:
            polled, highwater = consumer.last_poll_timestamp(tp), consumer.highwater(tp)
            if polled is None or polled < since_ms or highwater is None:
                continue
            if await consumer.position(tp) >= highwater:
                quiet.add(tp)
    except (AssertionError, IllegalStateError):  # unassigned meanwhile (a rebalance)
        return set()
    return quiet
