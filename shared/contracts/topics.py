"""The topic catalogue: every event type, its versioned topic and its data model.

Topic names carry the schema version (`.v1`); a breaking change to a contract
gets a new topic so old and new consumers can run side by side.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from .envelope import Envelope
from .keys import ApiKeyChanged
from .master_data import AgencyRegistered, EmployeeRegistered, SkpPublished, UnitKerjaRegistered
from .notifications import DeliveryHealth, NotificationSent
from .periods import PeriodClosed, PeriodOpened, PeriodReopened
from .reports import ReportInbound, ReportRejected, ReportSubmitted
from .scores import AnnualScoreComputed, DistributionEvaluated, ScoreComputed
from .training import CareerFlagged, CoachingRequired, PlanUpdated, TrainingCompleted, TrainingRecommended

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
UNIT_KERJA_REGISTERED = EventSpec(
    "kinerja.unit_kerja.registered", 1, UnitKerjaRegistered, "An agency registered or renamed one of its units"
)
SKP_PUBLISHED = EventSpec(
    "kinerja.skp.published", 1, SkpPublished, "A version of an employee's SKP plan for a year was published"
)
REPORT_INBOUND = EventSpec(
    "kinerja.report.inbound",
    1,
    ReportInbound,
    "An agency submits a work report over Kafka (the bus door); the answer is a report.submitted or "
    "report.rejected event with the agency's own report id in its reference",
)
REPORT_SUBMITTED = EventSpec(
    "kinerja.report.submitted", 1, ReportSubmitted, "A work report passed intake's checks and is to be scored"
)
REPORT_REJECTED = EventSpec(
    "kinerja.report.rejected", 1, ReportRejected, "A work report failed intake's checks against master data"
)
SCORE_COMPUTED = EventSpec(
    "kinerja.score.computed", 1, ScoreComputed, "A report was scored: capaian, ratings and predikat"
)
SCORE_ANNUAL = EventSpec(
    "kinerja.score.annual",
    1,
    AnnualScoreComputed,
    "An employee's annual ratings and predikat, rolled up from the year's periodic scores",
)
DISTRIBUTION_EVALUATED = EventSpec(
    "kinerja.distribution.evaluated",
    1,
    DistributionEvaluated,
    "An agency's predikat distribution for a period or year changed; checked against its curve (a flag for HR)",
)
API_KEY_CHANGED = EventSpec(
    "kinerja.apikey.changed",
    1,
    ApiKeyChanged,
    "An agency API key was issued, rotated or revoked (its digest and state, never the key)",
)
TRAINING_RECOMMENDED = EventSpec(
    "kinerja.training.recommended", 1, TrainingRecommended, "Training was recommended to close an employee's gaps"
)
TRAINING_COMPLETED = EventSpec(
    "kinerja.training.completed", 1, TrainingCompleted, "An employee completed a course: a line of the JP ledger"
)
COACHING_REQUIRED = EventSpec(
    "kinerja.coaching.required",
    1,
    CoachingRequired,
    "An employee's predikat fell short: the supervisor starts bimbingan kinerja (once per employee and period)",
)
CAREER_FLAGGED = EventSpec(
    "kinerja.career.flagged",
    1,
    CareerFlagged,
    "An employee became a talent-pool candidate or promotion-eligible by their performance, with the reasons",
)
NOTIFICATION_SENT = EventSpec("kinerja.notification.sent", 1, NotificationSent, "A person was notified")
TRAINING_PLAN_UPDATED = EventSpec(
    "kinerja.training.plan.updated",
    1,
    PlanUpdated,
    "A version of an agency's development plan for a year was made or approved: totals, budget, unfunded needs",
)
DELIVERY_HEALTH = EventSpec(
    "kinerja.delivery.health",
    1,
    DeliveryHealth,
    "How an agency's notifications stand (sent, pending, dead per channel) and its webhook endpoints' state",
)
PERIOD_OPENED = EventSpec(
    "kinerja.period.opened", 1, PeriodOpened, "An agency's reporting period was declared and accepts reports"
)
PERIOD_CLOSED = EventSpec(
    "kinerja.period.closed", 1, PeriodClosed, "A reporting period closed: its deadline passed or an admin closed it"
)
PERIOD_REOPENED = EventSpec(
    "kinerja.period.reopened", 1, PeriodReopened, "An admin reopened a closed reporting period until a given time"
)

ALL_EVENTS: tuple[EventSpec[Any], ...] = (
    AGENCY_REGISTERED,
    EMPLOYEE_REGISTERED,
    UNIT_KERJA_REGISTERED,
    SKP_PUBLISHED,
    REPORT_INBOUND,
    REPORT_SUBMITTED,
    REPORT_REJECTED,
    SCORE_COMPUTED,
    SCORE_ANNUAL,
    DISTRIBUTION_EVALUATED,
    API_KEY_CHANGED,
    TRAINING_RECOMMENDED,
    TRAINING_COMPLETED,
    COACHING_REQUIRED,
    CAREER_FLAGGED,
    NOTIFICATION_SENT,
    TRAINING_PLAN_UPDATED,
    DELIVERY_HEALTH,
    PERIOD_OPENED,
    PERIOD_CLOSED,
    PERIOD_REOPENED,
)

BY_TOPIC: dict[str, EventSpec[Any]] = {spec.topic: spec for spec in ALL_EVENTS}


def all_topics() -> list[str]:
    """Every topic the platform uses, dead-letter topics included."""
    return [t for spec in ALL_EVENTS for t in (spec.topic, spec.dlq_topic)]
