"""One envelope for every event, in the CloudEvents 1.0 style.

Kafka binding: CloudEvents *structured* content mode. The whole envelope is
the JSON record value (`content-type: application/cloudevents+json`), so a
record is self-describing for any client, Python or not. The record key is the
envelope's `subject` (the employee's NIP, or the agency code for agency
events), which keeps one employee's events in order on one partition.
"""

from datetime import UTC, datetime
from typing import Generic, TypeVar
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field

from .common import Int64

D = TypeVar("D", bound=BaseModel)

CONTENT_TYPE = "application/cloudevents+json"


def new_event_id() -> str:
    return str(uuid4())


class Envelope(BaseModel, Generic[D]):
    model_config = ConfigDict(extra="forbid", frozen=True)

    specversion: str = Field(default="1.0", description="CloudEvents spec version")
    id: str = Field(
        default_factory=new_event_id, min_length=1, description="Unique event id; consumers deduplicate on it"
    )
    type: str = Field(description="Event type without version", examples=["kinerja.report.submitted"])
    schemaversion: Int64 = Field(
        ge=1, description="Version of the `data` schema; matches the topic suffix", examples=[1]
    )
    source: str = Field(description="Producing service", examples=["kinerja/intake"])
    time: datetime = Field(default_factory=lambda: datetime.now(UTC), description="When the fact happened (UTC)")
    subject: str = Field(
        min_length=1,
        description="Employee NIP (or agency code); also the Kafka record key",
        examples=["198503122010011002"],
    )
    correlationid: str = Field(
        min_length=1,
        description="Ties together every event caused by one request",
        examples=["c0ffee00-0000-4000-8000-000000000001"],
    )
    datacontenttype: str = Field(default="application/json")
    data: D
