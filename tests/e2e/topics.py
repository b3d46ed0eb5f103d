"""Reading a topic as any downstream Kafka client would: from its beginning, in no consumer group."""

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer

from tests.conftest import eventually

Envelopes = list[dict[str, Any]]


async def agency_events(
    bootstrap: str,
    topic: str,
    agency_id: str,
    enough: Callable[[Envelopes], bool | Awaitable[bool]],
    what: str,
    timeout_s: float = 60,
) -> Envelopes:
    """The agency's events on `topic` (keyed by its id), read until `enough(events so far)` holds; on timeout the
    failure shows the latest event read."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: Envelopes = []
    try:

        async def done() -> bool:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found.extend(json.loads(r.value) for r in records if r.key == agency_id.encode())
            verdict = enough(found)
            return await verdict if inspect.isawaitable(verdict) else verdict

        await eventually(done, timeout_s=timeout_s, what=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the latest of {len(found)} read: {found[-1:]}") from None
    finally:
        await consumer.stop()
    return found
