"""Dashboard: HR's view of its agency and operators' view of deliveries, server-rendered from a read model.

Its own database, fed only by the platform's events (master data, periods, reports, scores, distributions,
training plans and recommendations, completions, coaching and career flags, delivery health); it never reads
another service's database. Pages under /dasbor, in Bahasa Indonesia with an English switch; every asset,
Chart.js included, is served by the service itself.
"""

from shared.agency_keys import API_KEY_ROUTE
from shared.contracts import (
    AGENCY_REGISTERED,
    CAREER_FLAGGED,
    COACHING_REQUIRED,
    DELIVERY_HEALTH,
    DISTRIBUTION_EVALUATED,
    EMPLOYEE_REGISTERED,
    PERIOD_CLOSED,
    PERIOD_OPENED,
    PERIOD_REOPENED,
    REPORT_SUBMITTED,
    SCORE_ANNUAL,
    SCORE_COMPUTED,
    TRAINING_COMPLETED,
    TRAINING_PLAN_UPDATED,
    TRAINING_RECOMMENDED,
    UNIT_KERJA_REGISTERED,
)
from shared.messaging.consumer import Route
from shared.service import ServiceDefinition

from . import handlers as h
from .pages import router
from .repository import setup_indexes

SERVICE = ServiceDefinition(
    name="dashboard",
    title="Kinerja dashboard",
    description="Pages for HR (BKPSDM) and operators: predikat distribution against the curve, trends, employees, "
    "the training plan and delivery health, from a read model fed by the platform's events.",
    consumes=[
        API_KEY_ROUTE,
        Route(AGENCY_REGISTERED, h.on_agency_registered),
        Route(UNIT_KERJA_REGISTERED, h.on_unit_kerja_registered),
        Route(EMPLOYEE_REGISTERED, h.on_employee_registered, prefetch=h.prefetch_employees),
        Route(PERIOD_OPENED, h.on_period_opened),
        Route(PERIOD_CLOSED, h.on_period_closed),
        Route(PERIOD_REOPENED, h.on_period_reopened),
        Route(REPORT_SUBMITTED, h.on_report_submitted, prefetch=h.prefetch_employees),
        Route(SCORE_COMPUTED, h.on_score_computed, prefetch=h.prefetch_histories),
        Route(SCORE_ANNUAL, h.on_score_annual, prefetch=h.prefetch_histories),
        Route(DISTRIBUTION_EVALUATED, h.on_distribution_evaluated),
        Route(TRAINING_RECOMMENDED, h.on_training_recommended, prefetch=h.prefetch_histories),
        Route(TRAINING_COMPLETED, h.on_training_completed),
        Route(COACHING_REQUIRED, h.on_coaching_required),
        Route(CAREER_FLAGGED, h.on_career_flagged),
        Route(TRAINING_PLAN_UPDATED, h.on_plan_updated),
        Route(DELIVERY_HEALTH, h.on_delivery_health),
    ],
    routers=[router],
    pages=(
        ("/dasbor", "Dasbor HR: masuk dengan kunci API instansi", "HR dashboard: sign in with the agency's API key"),
    ),
    setup_indexes=setup_indexes,
)
