"""Event contracts: the only thing services share about each other."""

from .envelope import CONTENT_TYPE, Envelope, new_event_id
from .topics import (
    AGENCY_REGISTERED,
    ALL_EVENTS,
    BY_TOPIC,
    EMPLOYEE_REGISTERED,
    NOTIFICATION_SENT,
    REPORT_REJECTED,
    REPORT_SUBMITTED,
    SCORE_COMPUTED,
    SKP_PUBLISHED,
    TRAINING_RECOMMENDED,
    EventSpec,
    all_topics,
)

__all__ = [
    "AGENCY_REGISTERED",
    "ALL_EVENTS",
    "BY_TOPIC",
    "CONTENT_TYPE",
    "EMPLOYEE_REGISTERED",
    "NOTIFICATION_SENT",
    "REPORT_REJECTED",
    "REPORT_SUBMITTED",
    "SCORE_COMPUTED",
    "SKP_PUBLISHED",
    "TRAINING_RECOMMENDED",
    "Envelope",
    "EventSpec",
    "all_topics",
    "new_event_id",
]
