"""Client-side fetch wait, for brokers that answer an empty fetch at once.

Kafka holds an empty fetch request up to `fetch.max.wait.ms`, so an idle
consumer costs nothing. The embedded development broker answers at once, so
an idle aiokafka consumer fetches about 1,400 times a second and keeps most
of a core busy: on a small machine running four services that starves the
work itself. When a consumer has had no records for `pause_s`, this pauses
its partitions for `pause_s`, resumes them until one fetch has come back and
shown every partition caught up (position at the high watermark), and pauses
again. An idle consumer sleeps, a busy one is never paused, and new records
wait at most `pause_s`.

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
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import IllegalStateError

# How often to look whether the fetch after a resume has come back, and how long to wait for it at most.
STEP_S = 0.002
MAX_LISTEN_S = 0.2


class IdleFetchPause:
    def __init__(self, consumer: Callable[[], AIOKafkaConsumer | None], pause_s: float):
        self._consumer = consumer
        self.pause_s = pause_s
        self.last_records = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def saw_records(self) -> None:
        self.last_records = time.monotonic()

    def idle(self, now: float) -> bool:
        return now - self.last_records >= self.pause_s

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="idle-fetch-pause")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            resumed_ms = time.time() * 1000
            await self._listen(resumed_ms)
            consumer = self._consumer()
            if consumer is None or not self.idle(time.monotonic()):
                continue
            partitions = consumer.assignment()
            if not await caught_up(consumer, partitions, resumed_ms):
                continue
            consumer.pause(*partitions)
            try:
                await asyncio.sleep(self.pause_s)
            finally:
                # Only what is still assigned: a rebalance meanwhile may have moved partitions elsewhere.
                consumer.resume(*(p for p in partitions if p in consumer.assignment()))

    async def _listen(self, resumed_ms: float) -> None:
        """Let the consumer fetch until a fetch sent after the resume has come back (or records arrive)."""
        deadline = time.monotonic() + MAX_LISTEN_S
        while time.monotonic() < deadline:
            await asyncio.sleep(STEP_S)
            consumer = self._consumer()
            if consumer is None or not self.idle(time.monotonic()):
                return
            if await caught_up(consumer, consumer.assignment(), resumed_ms):
                return


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
