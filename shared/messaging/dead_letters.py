"""Dead letters: the original record, plus why it could not be processed.

A dead letter always reaches `<topic>.dlq`, whatever the size of the original.
When the original with the `kinerja_dlq_*` headers added would be larger than
the platform's record limit (`KINERJA_KAFKA_MAX_RECORD_BYTES`), the dead letter
keeps the longest prefix of the value that fits and says so in its headers
(`kinerja_dlq_truncated`, `_value_bytes`, `_value_sha256`, `_original`). The
full original is then kept in the consuming service's `dead_letters`
collection, written in the transaction that publishes the dead letter.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from shared.contracts.topics import DLQ_SUFFIX
from shared.settings import ServiceSettings

from .records import Headers, OutgoingRecord

DLQ_HEADER_PREFIX = "kinerja_dlq_"
# Set on a dead letter replayed to its original topic (`kinerja dlq replay`): the consumer it is meant for. The
# topic's other consumers handled the original already, so they skip it (a notification must not go out twice).
REPLAY_FOR_HEADER = "kinerja_replay_for"
DEAD_LETTERS = "dead_letters"
ERROR_MAX_CHARS = 2000
DEFAULT_MAX_RECORD_BYTES: int = ServiceSettings.model_fields["kafka_max_record_bytes"].default

# What a record costs beyond the bytes of its key, value and headers, rounded
# up. The producer (aiokafka) counts a one-record batch: a 61-byte batch
# header, at most 21 bytes of record framing, and a length varint (at most 5
# bytes) each for the key, the value and the header count: 97 bytes at most.
# The broker counts the batch it stores, which is smaller still.
RECORD_OVERHEAD_BYTES = 128
# Each header also costs the length varints of its key and its value.
HEADER_OVERHEAD_BYTES = 10


@dataclass
class DeadLetter:
    record: Any
    reason: str
    detail: str
    event_id: str | None = field(default=None)

    @property
    def id(self) -> str:
        """Stable across redeliveries, so a record is dead-lettered once."""
        if self.event_id:
            return self.event_id
        r = self.record
        return f"dlq:{r.topic}:{r.partition}:{r.offset}"


def describe_validation_error(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(x) for x in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors()[:10]]
    return "; ".join(parts)[:ERROR_MAX_CHARS]


# --- the size decision (pure) --------------------------------------------------------


def headers_size(headers: Sequence[tuple[str, bytes | None]]) -> int:
    """Upper bound of what these headers add to a serialized record."""
    return sum(len(k.encode()) + len(v or b"") + HEADER_OVERHEAD_BYTES for k, v in headers)


def record_size(key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, bytes | None]]) -> int:
    """Upper bound of a record's serialized size, as the producer and the broker count it."""
    return RECORD_OVERHEAD_BYTES + len(key or b"") + len(value or b"") + headers_size(headers)


@dataclass(frozen=True)
class Fit:
    """How much of the original a dead letter keeps so that it fits the record limit."""

    value_bytes: int
    key_bytes: int
    keep_headers: bool
    truncated: bool


def fit_dead_letter(
    *,
    key_len: int,
    value_len: int,
    original_headers_size: int,
    dlq_headers_size: int,
    truncation_headers_size: int,
    max_record_bytes: int,
) -> Fit:
    """Decide what of the original goes to Kafka: all of it if it fits, else as much as fits.

    Sizes are as `headers_size` counts them. `truncation_headers_size` is what
    a cut dead letter adds to say so. A cut one keeps, in this order, the key,
    the original headers, and the longest prefix of the value that fits.
    """
    whole = RECORD_OVERHEAD_BYTES + key_len + value_len + original_headers_size + dlq_headers_size
    if whole <= max_record_bytes:
        return Fit(value_len, key_len, keep_headers=True, truncated=False)
    room = max_record_bytes - RECORD_OVERHEAD_BYTES - dlq_headers_size - truncation_headers_size
    if room < 0:
        raise ValueError(f"a record of {max_record_bytes} bytes cannot hold even the dead-letter headers")
    if key_len + original_headers_size <= room:
        return Fit(min(value_len, room - key_len - original_headers_size), key_len, keep_headers=True, truncated=True)
    if key_len <= room:
        return Fit(min(value_len, room - key_len), key_len, keep_headers=False, truncated=True)
    return Fit(0, room, keep_headers=False, truncated=True)


# --- building the dead letter ----------------------------------------------------------


@dataclass(frozen=True)
class BuiltDeadLetter:
    record: OutgoingRecord
    # The full original, for the `dead_letters` collection, when the record had to be cut.
    original: dict[str, Any] | None = None


def dead_letter_id(d: DeadLetter) -> str:
    return "dlq-" + hashlib.sha256(d.id.encode()).hexdigest()[:32]


def build_dead_letter(
    d: DeadLetter,
    source: str,
    *,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    database: str = "",
    at: datetime | None = None,
) -> BuiltDeadLetter:
    """The dead letter for `<topic>.dlq`, and the full original when the letter had to be cut to fit."""
    r = d.record
    record_id = dead_letter_id(d)
    key = None if r.key is None else bytes(r.key)
    value = bytes(r.value or b"")
    original_headers: Headers = [(k, bytes(v or b"")) for k, v in (r.headers or [])]
    dlq_headers: Headers = [
        (DLQ_HEADER_PREFIX + "reason", d.reason.encode()),
        (DLQ_HEADER_PREFIX + "error", d.detail[:ERROR_MAX_CHARS].encode()),
        (DLQ_HEADER_PREFIX + "topic", r.topic.encode()),
        (DLQ_HEADER_PREFIX + "partition", str(r.partition).encode()),
        (DLQ_HEADER_PREFIX + "offset", str(r.offset).encode()),
        (DLQ_HEADER_PREFIX + "consumer", source.encode()),
    ]
    truncation_headers: Headers = [
        (DLQ_HEADER_PREFIX + "truncated", b"true"),
        (DLQ_HEADER_PREFIX + "value_bytes", str(len(value)).encode()),
        (DLQ_HEADER_PREFIX + "value_sha256", hashlib.sha256(value).hexdigest().encode()),
        (DLQ_HEADER_PREFIX + "original", f"{database}/{DEAD_LETTERS}/{record_id}".encode()),
    ]
    headers_dropped = (DLQ_HEADER_PREFIX + "headers_dropped", str(len(original_headers)).encode())
    key_bytes = (DLQ_HEADER_PREFIX + "key_bytes", str(len(key or b"")).encode())
    fit = fit_dead_letter(
        key_len=len(key or b""),
        value_len=len(value),
        original_headers_size=headers_size(original_headers),
        dlq_headers_size=headers_size(dlq_headers),
        truncation_headers_size=headers_size([*truncation_headers, headers_dropped, key_bytes]),
        max_record_bytes=max_record_bytes,
    )
    topic = r.topic + DLQ_SUFFIX
    if not fit.truncated:
        return BuiltDeadLetter(OutgoingRecord(record_id, topic, key, value, original_headers + dlq_headers))

    headers = (original_headers if fit.keep_headers else []) + dlq_headers + truncation_headers
    if not fit.keep_headers:
        headers.append(headers_dropped)
    if key is not None and fit.key_bytes < len(key):
        headers.append(key_bytes)
        key = key[: fit.key_bytes]
    record = OutgoingRecord(record_id, topic, key, value[: fit.value_bytes], headers)
    original = _original_document(d, record_id, value, source, at)
    return BuiltDeadLetter(record, original)


def _original_document(d: DeadLetter, record_id: str, value: bytes, source: str, at: datetime | None) -> dict:
    """The full record, kept in the consuming service's database when its dead letter had to be cut."""
    r = d.record
    return {
        "_id": record_id,
        "dead_letter_id": d.id,
        "topic": r.topic,
        "partition": r.partition,
        "offset": r.offset,
        "key": None if r.key is None else bytes(r.key),
        "value": value,
        "headers": [[k, None if v is None else bytes(v)] for k, v in (r.headers or [])],
        "reason": d.reason,
        "error": d.detail,
        "consumer": source,
        "at": at or datetime.now(UTC),
    }
