"""Training: an agency-year development plan that closes the most gaps within the budget, the JP ledger,
coaching and career flags.

Flow: kinerja.score.computed.v1 in -> the employee's gap evidence, coaching (kinerja.coaching.required.v1) and
talent (kinerja.career.flagged.v1) decided by pure rules, and the agency's year marked for planning, in one
transaction; a background planner re-optimises marked years (domain/plan_model.py, HiGHS) into plan versions.
HR approves a version through the API, which commits its budget and sends kinerja.training.recommended.v1 to
each employee whose courses changed. Each version stored, approved or given a new budget is announced as
kinerja.training.plan.updated.v1 (its totals, budget and heaviest unfunded needs). Annual scores flag promotion
eligibility; completed training recorded through the API is published as kinerja.training.completed.v1.
"""

from pymongo.asynchronous.database import AsyncDatabase

from shared.agency_keys import API_KEY_ROUTE
from shared.contracts import (
    AGENCY_REGISTERED,
    CAREER_FLAGGED,
    COACHING_REQUIRED,
    EMPLOYEE_REGISTERED,
    SCORE_ANNUAL,
    SCORE_COMPUTED,
    TRAINING_COMPLETED,
    TRAINING_PLAN_UPDATED,
    TRAINING_RECOMMENDED,
)
from shared.messaging.consumer import Route
from shared.service import ServiceDefinition

from .documents import course_document
from .domain.catalogue import load_seed_catalogue
from .handlers import (
    on_agency_registered,
    on_annual_score,
    on_employee_registered,
    on_score_computed,
    prefetch_annual_scores,
    prefetch_employees,
    prefetch_scores,
)
from .planner import plan_continuously
from .repository import prepare_database
from .routes import ROUTERS


async def _prepare(db: AsyncDatabase) -> None:
    await prepare_database(db, [course_document(c) for c in load_seed_catalogue()])


SERVICE = ServiceDefinition(
    name="training",
    title="Kinerja training",
    description="Plans each agency's training for the year to close the most gaps within its budget; keeps the "
    "JP ledger; starts coaching and flags talent and promotion eligibility.",
    consumes=[
        Route(AGENCY_REGISTERED, on_agency_registered),
        Route(EMPLOYEE_REGISTERED, on_employee_registered, prefetch=prefetch_employees),
        Route(SCORE_COMPUTED, on_score_computed, prefetch=prefetch_scores),
        Route(SCORE_ANNUAL, on_annual_score, prefetch=prefetch_annual_scores),
        API_KEY_ROUTE,
    ],
    emits=[TRAINING_RECOMMENDED, TRAINING_PLAN_UPDATED, TRAINING_COMPLETED, COACHING_REQUIRED, CAREER_FLAGGED],
    routers=list(ROUTERS),
    setup_indexes=_prepare,
    background=[plan_continuously],
)
