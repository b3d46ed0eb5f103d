"""How an envelope becomes a Kafka record (and back)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.contracts import CONTENT_TYPE, Envelope, EventSpec

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class OutgoingRecord:
    id: str
    topic: str
    key: bytes | None
    value: bytes
    headers: Headers = field(default_factory=list)

    def to_document(self, seq: int, created_at: datetime) -> dict[str, Any]:
        return {
            "_id": self.id,
            "topic": self.topic,
            "key": self.key,
            "value": self.value,
            "headers": [[k, v] for k, v in self.headers],
            "status": "pending",
            "seq": seq,
            "created_at": created_at,
        }


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
