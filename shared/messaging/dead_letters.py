"""Dead letters: the original record, unchanged, plus why it could not be processed."""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from shared.contracts.topics import DLQ_SUFFIX

from .records import OutgoingRecord

DLQ_HEADER_PREFIX = "kinerja_dlq_"


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
    return "; ".join(parts)[:2000]


def dead_letter_record(d: DeadLetter, source: str) -> OutgoingRecord:
    r = d.record
    headers = [(k, bytes(v or b"")) for k, v in (r.headers or [])]
    headers += [
        (DLQ_HEADER_PREFIX + "reason", d.reason.encode()),
        (DLQ_HEADER_PREFIX + "error", d.detail.encode()),
        (DLQ_HEADER_PREFIX + "topic", r.topic.encode()),
        (DLQ_HEADER_PREFIX + "partition", str(r.partition).encode()),
        (DLQ_HEADER_PREFIX + "offset", str(r.offset).encode()),
        (DLQ_HEADER_PREFIX + "consumer", source.encode()),
    ]
    digest = hashlib.sha256(d.id.encode()).hexdigest()[:32]
    return OutgoingRecord(
        id=f"dlq-{digest}",
        topic=r.topic + DLQ_SUFFIX,
        key=r.key,
        value=bytes(r.value or b""),
        headers=headers,
    )
