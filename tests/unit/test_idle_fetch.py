"""An idle consumer's fetching pauses and resumes; a busy one is never paused."""

import asyncio
import time

import pytest

from shared.messaging.idle_fetch import IdleFetchPause


class FakeConsumer:
    """What aiokafka tells about its partitions: each fetch that comes back stamps the partition's last poll."""

    def __init__(self, behind: int = 0, fetching: bool = True) -> None:
        self.partitions = {"p0", "p1"}
        self.paused_now: set[str] = set()
        self.pauses = self.resumes = 0
        self.behind, self.fetching = behind, fetching  # records known at the broker but not yet handed over

    def last_poll_timestamp(self, partition: str) -> float | None:
        return time.time() * 1000 if self.fetching and partition not in self.paused_now else None

    def highwater(self, partition: str) -> int:
        return 100 + self.behind

    async def position(self, partition: str) -> int:
        return 100

    def assignment(self) -> set[str]:
        return set(self.partitions)

    def pause(self, *partitions: str) -> None:
        self.paused_now |= set(partitions)
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


async def test_a_consumer_that_keeps_receiving_records_is_never_paused():
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
    assert consumer.pauses == 0


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


async def test_a_consumer_handling_a_batch_longer_than_the_pause_is_not_paused():
    consumer = FakeConsumer()
    idle = IdleFetchPause(lambda: consumer, pause_s=0.02)
    idle.start()
    try:
        async with idle.handling():
            await asyncio.sleep(0.2)  # ten pause lengths without new records, but at work all along
            assert consumer.pauses == 1 and consumer.paused_now == consumer.partitions  # caught up: no fetching
        assert consumer.resumes == 1 and not consumer.paused_now  # fetching again at once
        await wait_for(lambda: consumer.pauses >= 2)  # then idle, paused for a while
    finally:
        await idle.stop()


def test_idle_means_no_records_for_the_pause_length():
    idle = IdleFetchPause(lambda: None, pause_s=0.2)
    idle.last_records = 100.0
    assert not idle.idle(100.1) and idle.idle(100.2)


async def test_a_consumer_with_a_backlog_keeps_fetching_while_it_handles_a_batch():
    consumer = FakeConsumer(behind=50)
    idle = IdleFetchPause(lambda: consumer, pause_s=0.02)
    async with idle.handling():
        assert consumer.pauses == 0  # the next batch is being fetched meanwhile


def test_the_pause_grows_with_the_quiet_up_to_five_times_the_first(monkeypatch):
    idle = IdleFetchPause(lambda: None, pause_s=0.2)
    now = 1000.0
    monkeypatch.setattr(time, "monotonic", lambda: now)
    pauses = []
    for quiet in (0.2, 1.0, 1.6, 60.0):
        idle.last_records = now - quiet
        pauses.append(idle._next_pause())
    assert pauses == pytest.approx([0.2, 0.5, 0.8, 1.0])
