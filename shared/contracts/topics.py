"""The topic catalogue: every event type, its versioned topic and its data model.

Topic names carry the schema version (`.v1`); a breaking change to a contract
gets a new topic so old and new consumers can run side by side.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from .envelope import Envelope
from .master_data import AgencyRegistered, EmployeeRegistered, SkpPublished
from .notifications import NotificationSent
from .reports import ReportRejected, ReportSubmitted
from .scores import ScoreComputed
from .training import TrainingRecommended

D = TypeVar("D", bound=BaseModel)

DLQ_SUFFIX = ".dlq"


@dataclass(frozen=True)
class EventSpec(Generic[D]):
    type: str
    version: int
    data_model: type[D]
    description: str

    @property
    def topic(self) -> str:
        return f"{self.type}.v{self.version}"

    @property
    def dlq_topic(self) -> str:
        return self.topic + DLQ_SUFFIX

    @cached_property
    def envelope_model(self) -> type[Envelope[D]]:
        return Envelope[self.data_model]  # type: ignore[name-defined]

    def envelope(self, *, data: D, subject: str, source: str, correlationid: str, **extra: Any) -> Envelope[D]:
        return self.envelope_model(
            type=self.type,
            schemaversion=self.version,
            data=data,
            subject=subject,
            source=source,
            correlationid=correlationid,
            **extra,
        )


AGENCY_REGISTERED = EventSpec(
    "kinerja.agency.registered", 1, AgencyRegistered, "An agency joined or changed its details and training budget"
)
EMPLOYEE_REGISTERED = EventSpec(
    "kinerja.employee.registered", 1, EmployeeRegistered, "An employee (ASN) was registered or updated by their agency"
)
SKP_PUBLISHED = EventSpec("kinerja.skp.published", 1, SkpPublished, "An employee's SKP plan for a year was published")
REPORT_SUBMITTED = EventSpec(
    "kinerja.report.submitted", 1, ReportSubmitted, "A work report passed intake's checks and is to be scored"
)
REPORT_REJECTED = EventSpec(
    "kinerja.report.rejected", 1, ReportRejected, "A work report failed intake's checks against master data"
)
SCORE_COMPUTED = EventSpec(
    "kinerja.score.computed", 1, ScoreComputed, "A report was scored: capaian, ratings and predikat"
)
TRAINING_RECOMMENDED = EventSpec(
    "kinerja.training.recommended", 1, TrainingRecommended, "Training was recommended to close an employee's gaps"
)
NOTIFICATION_SENT = EventSpec("kinerja.notification.sent", 1, NotificationSent, "A person was notified")

ALL_EVENTS: tuple[EventSpec[Any], ...] = (
    AGENCY_REGISTERED,
    EMPLOYEE_REGISTERED,
    SKP_PUBLISHED,
    REPORT_SUBMITTED,
    REPORT_REJECTED,
    SCORE_COMPUTED,
    TRAINING_RECOMMENDED,
    NOTIFICATION_SENT,
)

BY_TOPIC: dict[str, EventSpec[Any]] = {spec.topic: spec for spec in ALL_EVENTS}


def all_topics() -> list[str]:
    """Every topic the platform uses, dead-letter topics included."""
    return [t for spec in ALL_EVENTS for t in (spec.topic, spec.dlq_topic)]
