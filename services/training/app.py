"""Training: finds each employee's gaps and recommends courses within the agency's budget.

Flow: kinerja.score.computed.v1 (+ agency and employee master data) in ->
domain.find_gaps and domain.recommend (pure optimiser) -> budget ledger +
recommendation + outbox in one transaction -> kinerja.training.recommended.v1 out.
"""

from shared.agency_keys import API_KEY_ROUTE
from shared.contracts import AGENCY_REGISTERED, EMPLOYEE_REGISTERED, SCORE_COMPUTED, TRAINING_RECOMMENDED
from shared.messaging.consumer import Route
from shared.service import ServiceDefinition

from .handlers import on_agency_registered, on_employee_registered, on_score_computed
from .repository import setup_indexes

SERVICE = ServiceDefinition(
    name="training",
    title="Kinerja training",
    description="Recommends training that closes each employee's gaps within the agency's budget.",
    consumes=[
        Route(AGENCY_REGISTERED, on_agency_registered),
        Route(EMPLOYEE_REGISTERED, on_employee_registered),
        Route(SCORE_COMPUTED, on_score_computed),
        API_KEY_ROUTE,
    ],
    emits=[TRAINING_RECOMMENDED],
    setup_indexes=setup_indexes,
)
