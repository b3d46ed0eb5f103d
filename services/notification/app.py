"""Notification: tells employees, supervisors and agency operators what happened.

Flow: rejected reports, scores and training recommendations (+ employee
master data) in -> domain.messages (Bahasa Indonesia) -> notifications +
outbox in one transaction -> kinerja.notification.sent.v1 out.
"""

from shared.agency_keys import API_KEY_ROUTE
from shared.contracts import (
    EMPLOYEE_REGISTERED,
    NOTIFICATION_SENT,
    REPORT_REJECTED,
    SCORE_COMPUTED,
    TRAINING_RECOMMENDED,
)
from shared.messaging.consumer import Route
from shared.service import ServiceDefinition

from .handlers import (
    on_employee_registered,
    on_report_rejected,
    on_score_computed,
    on_training_recommended,
    prefetch_people,
)
from .repository import setup_indexes
from .routes import router

SERVICE = ServiceDefinition(
    name="notification",
    title="Kinerja notification",
    description="Notifies employees, supervisors and agency operators; downstream systems read the events.",
    consumes=[
        Route(EMPLOYEE_REGISTERED, on_employee_registered),
        Route(REPORT_REJECTED, on_report_rejected),
        Route(SCORE_COMPUTED, on_score_computed, prefetch=prefetch_people),
        Route(TRAINING_RECOMMENDED, on_training_recommended),
        API_KEY_ROUTE,
    ],
    emits=[NOTIFICATION_SENT],
    routers=[router],
    setup_indexes=setup_indexes,
)
