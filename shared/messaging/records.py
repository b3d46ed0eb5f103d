"""How an envelope becomes a Kafka record, and how records are kept in the outbox.

The outbox holds one document per committed unit of work (split only when it
would grow past OUTBOX_DOCUMENT_BYTES), carrying its records in order. A
consumer batch of 200 events thus writes one outbox document and the relay
marks one document sent, instead of 200 of each: on the embedded database an
update costs far more than the Kafka send it records (bench/results).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.contracts import CONTENT_TYPE, Envelope, EventSpec

Headers = list[tuple[str, bytes]]

# Well under MongoDB's 16 MiB document limit, with room for a record at the largest Kafka record size.
OUTBOX_DOCUMENT_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class OutgoingRecord:
    id: str
    topic: str
    key: bytes | None
    value: bytes
    headers: Headers = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.value) + len(self.key or b"") + sum(len(k) + len(v) for k, v in self.headers)

    def to_entry(self) -> dict[str, Any]:
        return {"id": self.id, "topic": self.topic, "key": self.key, "value": self.value, "headers": self.headers}

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> "OutgoingRecord":
        key = entry.get("key")
        headers = [(k, bytes(v)) for k, v in entry.get("headers", [])]
        return cls(entry["id"], entry["topic"], bytes(key) if key is not None else None, bytes(entry["value"]), headers)


def outbox_documents(
    records: Sequence[OutgoingRecord], next_seq: Any, created_at: datetime, max_bytes: int = OUTBOX_DOCUMENT_BYTES
) -> list[dict[str, Any]]:
    """The outbox documents for one commit's records, in publication order (`seq`)."""
    return [
        {
            "_id": chunk[0].id,  # a record id is unique, so the first one names the document
            "status": "pending",
            "seq": next_seq(),
            "created_at": created_at,
            "count": len(chunk),
            "records": [record.to_entry() for record in chunk],
        }
        for chunk in _chunks(records, max_bytes)
    ]


def _chunks(records: Sequence[OutgoingRecord], max_bytes: int) -> Iterator[list[OutgoingRecord]]:
    chunk: list[OutgoingRecord] = []
    size = 0
    for record in records:
        if chunk and size + record.size > max_bytes:
            yield chunk
            chunk, size = [], 0
        chunk.append(record)
        size += record.size
    if chunk:
        yield chunk


def record_for(spec: EventSpec[Any], envelope: Envelope[Any]) -> OutgoingRecord:
    return OutgoingRecord(
        id=envelope.id,
        topic=spec.topic,
        key=envelope.subject.encode(),
        value=envelope.model_dump_json().encode(),
        headers=[
            ("content-type", CONTENT_TYPE.encode()),
            ("ce_type", envelope.type.encode()),
            ("correlation_id", envelope.correlationid.encode()),
        ],
    )
