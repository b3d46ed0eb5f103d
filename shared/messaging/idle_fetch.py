"""Client-side fetch wait, for brokers that answer an empty fetch at once.

Kafka holds an empty fetch request up to `fetch.max.wait.ms`, so an idle
consumer costs nothing. The embedded development broker answers at once, so
an idle aiokafka consumer fetches about 1,400 times a second and keeps most
of a core busy: on a small machine running four services that starves the
work itself. When a consumer has had no records for `pause_s`, this pauses
its partitions for `pause_s`, resumes them until one fetch has come back and
shown every partition caught up (position at the high watermark), and pauses
again. An idle consumer sleeps, a busy one is never paused, and new records
wait at most `pause_s` after a short quiet spell, and at most five times that
after a long one (the pause grows with the quiet: half of it, up to 1 s at the
launcher's 200 ms).

Pausing only when caught up matters: aiokafka drops records it has fetched
but not yet handed over when their partition is paused (they are fetched
again after the resume), so a pause while records are on their way would
delay them, or, repeated, starve the consumer.

Off unless KINERJA_CONSUMER_IDLE_PAUSE_MS is set; the development launcher
sets it.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import IllegalStateError

# How often an idle consumer looks whether the fetch after a resume has come back.
STEP_S = 0.002
# The pause grows while the consumer stays idle, up to this many times the first one.
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
        """Around the handling of a batch: a consumer at work is not idle, however long the batch takes.

        While it works, a caught-up consumer stops fetching too: the records it would fetch could not be
        handled before this batch is done anyway, and are fetched in one round trip after it.
        """
        self._handling += 1
        self.saw_records()
        consumer = self._consumer()
        partitions = consumer.assignment() if consumer is not None else set()
        paused = consumer is not None and await caught_up(consumer, partitions, self._resumed_ms)
        if paused:
            consumer.pause(*partitions)
        try:
            yield
        finally:
            self._handling -= 1
            self.saw_records()
            if paused:
                consumer.resume(*(p for p in partitions if p in consumer.assignment()))
                self._resumed_ms = time.time() * 1000

    def _next_pause(self) -> float:
        """`pause_s` after records, then half the quiet so far, up to LONGEST_PAUSE_FACTOR x `pause_s`: the
        longer a consumer has been idle, the less likely a record is in the next moment, and a quiet night
        costs least."""
        quiet_s = time.monotonic() - self.last_records
        return min(max(self.pause_s, quiet_s / 2), self.pause_s * LONGEST_PAUSE_FACTOR)

    def idle(self, now: float) -> bool:
        return not self._handling and now - self.last_records >= self.pause_s

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="idle-fetch-pause")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            now = time.monotonic()
            if not self.idle(now):  # busy: look again when it could first be idle
                await asyncio.sleep(max(self.last_records + self.pause_s - now, STEP_S))
                continue
            consumer = self._consumer()
            partitions = consumer.assignment() if consumer is not None else set()
            if consumer is None or not await caught_up(consumer, partitions, self._resumed_ms):
                await asyncio.sleep(STEP_S)  # a fetch since the resume is still to come back, or records are
                continue
            consumer.pause(*partitions)
            try:
                await asyncio.sleep(self._next_pause())
            finally:
                # Only what is still assigned: a rebalance meanwhile may have moved partitions elsewhere.
                consumer.resume(*(p for p in partitions if p in consumer.assignment()))
                self._resumed_ms = time.time() * 1000


async def caught_up(consumer: AIOKafkaConsumer, partitions: set[TopicPartition], since_ms: float) -> bool:
    """Every partition fetched since `since_ms` and nothing left to fetch: pausing now loses no fetched record."""
    if not partitions:
        return False
    try:
        for tp in partitions:
            polled, highwater = consumer.last_poll_timestamp(tp), consumer.highwater(tp)
            if polled is None or polled < since_ms or highwater is None:
                return False
            if await consumer.position(tp) < highwater:
                return False
    except (AssertionError, IllegalStateError):  # unassigned meanwhile (a rebalance)
        return False
    return True
