"""Dead letters as an operator sees them, and what replaying one publishes. Pure: no I/O.

A dead letter is named by the id its consumer gave it (`dlq-` and 32 hex digits, the `_id` of the full
original in the consumer's `dead_letters` collection when the letter had to be cut): the consumer's rule
(`shared.messaging.dead_letters`) is applied to the letter's headers, so the CLI and the service agree.

A replay publishes the original event again to its original topic under a new event id, uuid5 of the dead
letter id: the consumer dedups on the event id (its inbox), and the original id is already there as
dead-lettered, so a new id is needed, and a deterministic one makes a second replay of the same dead letter
a duplicate the consumer drops. The Envelope forbids extra fields, so the pointer back to the original is in
Kafka headers (`kinerja_replay_*`), not in the event.
"""

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError

from shared.contracts.topics import BY_TOPIC
from shared.messaging.dead_letters import (
    DLQ_HEADER_PREFIX,
    REPLAY_FOR_HEADER,
    DeadLetter,
    dead_letter_id,
    describe_validation_error,
)

REPLAY_NAMESPACE = uuid.UUID("5b0f7a52-6c1e-4d8e-9a57-3f1d2c4b9e10")
REPLAY_HEADER_PREFIX = "kinerja_replay_"


@dataclass(frozen=True)
class DeadLetterView:
    id: str
    dlq_topic: str
    partition: int
    offset: int
    at: datetime
    key: bytes | None
    value: bytes
    original_headers: list[tuple[str, bytes]]
    dlq: dict[str, str]  # the kinerja_dlq_* headers, without the prefix

    @property
    def original_topic(self) -> str:
        return self.dlq.get("topic", self.dlq_topic.removesuffix(".dlq"))

    @property
    def reason(self) -> str:
        return self.dlq.get("reason", "?")

    @property
    def consumer(self) -> str:
        return self.dlq.get("consumer", "?")

    @property
    def truncated(self) -> bool:
        return self.dlq.get("truncated") == "true"

    @property
    def event_id(self) -> str | None:
        return _event_id(self.value)


def view_of(record: Any) -> DeadLetterView:
    """A record read from a `.dlq` topic."""
    original_headers, dlq = [], {}
    for name, value in record.headers or ():
        if name.startswith(DLQ_HEADER_PREFIX):
            dlq[name.removeprefix(DLQ_HEADER_PREFIX)] = bytes(value or b"").decode(errors="replace")
        else:
            original_headers.append((name, bytes(value or b"")))
    value = bytes(record.value or b"")
    return DeadLetterView(
        id=dead_letter_id_of(dlq, value, fallback=record),
        dlq_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        at=datetime.fromtimestamp(record.timestamp / 1000, UTC),
        key=None if record.key is None else bytes(record.key),
        value=value,
        original_headers=original_headers,
        dlq=dlq,
    )


def dead_letter_id_of(dlq: Mapping[str, str], value: bytes, fallback: Any) -> str:
    """The id the consumer gave the dead letter: from the original's event id when the event parsed and its
    processing failed, else from where the original was (topic, partition, offset)."""
    if original := dlq.get("original"):  # a cut letter names its full original, whose _id is the id
        return original.rsplit("/", 1)[-1]
    try:
        where = SimpleNamespace(topic=dlq["topic"], partition=int(dlq["partition"]), offset=int(dlq["offset"]))
    except (KeyError, ValueError):  # not written by a Kinerja consumer: named by where it lies itself
        where = SimpleNamespace(topic=fallback.topic, partition=fallback.partition, offset=fallback.offset)
    event_id = _event_id(value) if dlq.get("reason") == "processing_failed" else None
    return dead_letter_id(DeadLetter(where, dlq.get("reason", ""), "", event_id=event_id))


def _event_id(value: bytes) -> str | None:
    try:
        document = json.loads(value)
    except ValueError:
        return None
    event_id = document.get("id") if isinstance(document, dict) else None
    return event_id if isinstance(event_id, str) and event_id else None


def unique(letters: Iterable[DeadLetterView]) -> list[DeadLetterView]:
    """Each dead letter once: a relay that crashed after sending publishes a letter again, under the same id."""
    seen: dict[str, DeadLetterView] = {}
    for letter in letters:
        seen.setdefault(letter.id, letter)
    return list(seen.values())


def matching(letters: list[DeadLetterView], wanted: str) -> list[DeadLetterView]:
    """The dead letter with this id, else those whose id starts with it (an id may be shortened)."""
    return [d for d in letters if d.id == wanted] or [d for d in letters if d.id.startswith(wanted)]


# --- replaying ---------------------------------------------------------------------------------------


class NotReplayable(Exception):
    """Why this dead letter cannot be replayed from Kafka."""


@dataclass(frozen=True)
class OutgoingEvent:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]
    event_id: str


def replay_event_id(dead_letter: str) -> str:
    return str(uuid.uuid5(REPLAY_NAMESPACE, dead_letter))


def replay_of(letter: DeadLetterView) -> OutgoingEvent:
    """The original event under its replay id, to its original topic, keyed as before."""
    if letter.truncated:
        raise NotReplayable(
            f"its original ({letter.dlq.get('value_bytes', '?')} bytes) was too large for Kafka with the dead-letter "
            f"headers, so the letter keeps only the first {len(letter.value)} bytes; the full original is only in "
            f"{letter.dlq.get('original', 'the dead_letters collection')} of {letter.consumer}'s database, which the "
            f"CLI never reads: it cannot be replayed from Kafka"
        )
    spec = BY_TOPIC.get(letter.original_topic)
    if spec is None:
        raise NotReplayable(f"{letter.original_topic} is not a topic of the platform's catalogue")
    try:
        event = spec.envelope_model.model_validate_json(letter.value)
    except ValidationError as exc:
        raise NotReplayable(
            f"the original is not a valid {spec.type} v{spec.version} event ({describe_validation_error(exc)}); "
            f"replayed, it would be dead-lettered again"
        ) from None
    if (event.type, event.schemaversion) != (spec.type, spec.version):
        raise NotReplayable(
            f"the original is a {event.type} v{event.schemaversion}, which does not belong on {spec.topic}"
        )
    new_id = replay_event_id(letter.id)
    headers = [(k, v) for k, v in letter.original_headers if not k.startswith(REPLAY_HEADER_PREFIX)]
    headers += [
        (REPLAY_HEADER_PREFIX + "of", event.id.encode()),
        (REPLAY_HEADER_PREFIX + "dead_letter", letter.id.encode()),
        # The consumer that dead-lettered it; the topic's other consumers processed the original already.
        (REPLAY_FOR_HEADER, letter.consumer.encode()),
    ]
    value = event.model_copy(update={"id": new_id}).model_dump_json().encode()
    return OutgoingEvent(spec.topic, letter.key or event.subject.encode(), value, headers, new_id)


@dataclass(frozen=True)
class Replay:
    """What `kinerja.dlq.replays` keeps of a replay, keyed by the dead letter id."""

    dead_letter_id: str
    original_topic: str
    original_event_id: str | None
    event_id: str
    replayed_at: datetime
    by: str

    def to_json(self) -> bytes:
        return json.dumps({**asdict(self), "replayed_at": self.replayed_at.isoformat()}).encode()

    @classmethod
    def from_json(cls, value: bytes) -> "Replay | None":
        try:
            document = json.loads(value)
            return cls(**{**document, "replayed_at": datetime.fromisoformat(document["replayed_at"])})
        except (ValueError, TypeError, KeyError):
            return None  # not one of ours: ignored


def replays_by_dead_letter(values: Iterable[bytes]) -> dict[str, list[Replay]]:
    """Each dead letter's replays, oldest first."""
    replays: dict[str, list[Replay]] = {}
    for value in values:
        if (replay := Replay.from_json(value)) is not None:
            replays.setdefault(replay.dead_letter_id, []).append(replay)
    return replays
