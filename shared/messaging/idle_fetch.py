"""Client-side fetch wait, for brokers that answer an empty fetch at once.

Kafka holds an empty fetch request up to `fetch.max.wait.ms`, so an idle
consumer costs nothing. The embedded development broker answers at once, so
an idle aiokafka consumer fetches about 1,400 times a second and keeps most
of a core busy: on a small machine running four services that starves the
work itself. When a consumer has had no records for a while, this pauses its
partitions for `pause_s` and then lets it fetch again: an idle consumer
sleeps, a busy one is never paused, and new records wait at most `pause_s`
(less than Kafka's own default wait of 500 ms). Off unless
KINERJA_CONSUMER_IDLE_PAUSE_MS is set; the development launcher sets it.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer


class IdleFetchPause:
    def __init__(self, consumer: Callable[[], AIOKafkaConsumer | None], pause_s: float, listen_s: float = 0.02):
        self._consumer = consumer
        self.pause_s, self.listen_s = pause_s, listen_s
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
            await asyncio.sleep(self.listen_s)  # fetching: records that arrived meanwhile come in now
            consumer = self._consumer()
            if consumer is None or not self.idle(time.monotonic()):
                continue
            partitions = consumer.assignment()
            consumer.pause(*partitions)
            try:
                await asyncio.sleep(self.pause_s)
            finally:
                # Only what is still assigned: a rebalance meanwhile may have moved partitions elsewhere.
                consumer.resume(*(p for p in partitions if p in consumer.assignment()))
