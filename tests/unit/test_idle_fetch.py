"""Caught-up partitions stop fetching for a while (briefly while the consumer is busy); the others go on."""

import asyncio
import time

import pytest

from shared.messaging.idle_fetch import IdleFetchPause


class FakeConsumer:
    """What aiokafka tells about its partitions: each fetch that comes back stamps the partition's last poll."""

    def __init__(self, behind: int = 0, fetching: bool = True, behind_on: set[str] | None = None) -> None:
        self.partitions = {"p0", "p1"}
        self.paused_now: set[str] = set()
        self.paused_ever: set[str] = set()
        self.pauses = self.resumes = 0
        self.behind, self.fetching = behind, fetching  # records known at the broker but not yet handed over
        self.behind_on = self.partitions if behind_on is None else behind_on

    def last_poll_timestamp(self, partition: str) -> float | None:
        return time.time() * 1000 if self.fetching and partition not in self.paused_now else None

    def highwater(self, partition: str) -> int:
        return 100 + (self.behind if partition in self.behind_on else 0)

    async def position(self, partition: str) -> int:
        return 100

    def assignment(self) -> set[str]:
        return set(self.partitions)

    def pause(self, *partitions: str) -> None:
        self.paused_now |= set(partitions)
        self.paused_ever |= set(partitions)
        self.pauses += 1

    def resume(self, *partitions: str) -> None:
        self.paused_now -= set(partitions)
        self.resumes += 1


async def wait_for(condition, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.005)


async def test_an_idle_consumer_is_paused_then_resumed_to_fetch_again():
    consumer = FakeConsumer()
    idle = IdleFetchPause(lambda: consumer, pause_s=0.05)
    idle.last_records = time.monotonic() - 1
    idle.start()
    try:
        await wait_for(lambda: consumer.pauses >= 2 and consumer.resumes >= 2)
    finally:
        await idle.stop()
    assert consumer.paused_now == set()  # stopping never leaves partitions paused


async def test_a_busy_consumer_pauses_its_caught_up_partitions_only_briefly():
    consumer = FakeConsumer()
    idle = IdleFetchPause(lambda: consumer, pause_s=0.2)
    idle.start()
    try:
        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            idle.saw_records()
            await asyncio.sleep(0.01)
    finally:
        await idle.stop()
    # A pause of 200 ms would allow one or two in 300 ms; a tenth of it, many.
    assert consumer.pauses >= 4 and consumer.resumes >= 4


async def test_an_idle_consumer_with_records_on_their_way_is_not_paused():
    # Pausing would make aiokafka drop records it fetched but has not handed over yet.
    for consumer in (FakeConsumer(behind=5), FakeConsumer(fetching=False)):
        idle = IdleFetchPause(lambda consumer=consumer: consumer, pause_s=0.02)
        idle.last_records = time.monotonic() - 1
        idle.start()
        try:
            await asyncio.sleep(0.3)  # long enough for several pauses, were it allowed one
        finally:
            await idle.stop()
        assert consumer.pauses == 0


async def test_while_a_batch_is_handled_the_pauses_stay_short_however_long_it_takes():
    consumer = FakeConsumer()
    idle = IdleFetchPause(lambda: consumer, pause_s=0.1)
    idle.last_records = time.monotonic() - 10  # quiet for long: an idle consumer's pause would be 0.5 s
    idle.start()
    try:
        async with idle.handling():
            await asyncio.sleep(0.3)
            assert consumer.pauses >= 5  # 10 ms each, not 500 ms: records coming meanwhile are taken soon
    finally:
        await idle.stop()
    assert consumer.paused_now == set()


async def test_a_partition_with_a_backlog_keeps_fetching_while_the_caught_up_ones_pause():
    consumer = FakeConsumer(behind=50, behind_on={"p1"})
    idle = IdleFetchPause(lambda: consumer, pause_s=0.02)
    idle.start()
    try:
        await wait_for(lambda: consumer.pauses >= 3)
    finally:
        await idle.stop()
    assert consumer.paused_ever == {"p0"}


def test_the_pause_is_short_while_busy_and_grows_with_the_quiet_up_to_five_times_the_first(monkeypatch):
    idle = IdleFetchPause(lambda: None, pause_s=0.2)
    now = 1000.0
    monkeypatch.setattr(time, "monotonic", lambda: now)
    pauses = []
    for quiet in (0.05, 0.2, 1.0, 1.6, 60.0):
        idle.last_records = now - quiet
        pauses.append(idle._next_pause())
    assert pauses == pytest.approx([0.02, 0.2, 0.5, 0.8, 1.0])
