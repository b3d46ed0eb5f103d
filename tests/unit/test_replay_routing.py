"""A replayed dead letter reaches only the consumer that dead-lettered it; the topic's other consumers, which
handled the original, skip it (their side effects, a webhook say, must not happen twice)."""

from dataclasses import dataclass, field

from shared.contracts import SCORE_COMPUTED
from shared.messaging.consumer import EventConsumer, Route
from shared.messaging.dead_letters import REPLAY_FOR_HEADER
from shared.settings import ServiceSettings


@dataclass
class _Record:
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    topic: str = SCORE_COMPUTED.topic
    partition: int = 0
    offset: int = 0
    key: bytes | None = None
    value: bytes | None = b"{}"


async def _nothing(event, ctx) -> None:
    return None


def _consumer(service: str) -> EventConsumer:
    return EventConsumer(None, [Route(SCORE_COMPUTED, _nothing)], ServiceSettings(service_name=service))


def test_a_replay_is_taken_only_by_the_consumer_it_names():
    replay = _Record(headers=[("content-type", b"application/json"), (REPLAY_FOR_HEADER, b"kinerja/training")])
    parsed, dead = _consumer("notification")._parse([replay])
    assert (parsed, dead) == ([], [])  # skipped: not even dead-lettered
    parsed, dead = _consumer("training")._parse([replay])
    assert len(dead) == 1 and dead[0].reason == "invalid_event"  # taken (and this empty value is invalid)


def test_a_record_without_a_replay_header_is_for_every_consumer():
    for service in ("training", "notification"):
        _, dead = _consumer(service)._parse([_Record()])
        assert len(dead) == 1
