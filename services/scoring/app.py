"""Scoring: turns reports into capaian, ratings and predikat (PermenPANRB 6/2022), explains them, revises them,
rolls the year up and checks each organisation's distribution against its curve.

Flow: kinerja.report.submitted.v1 in -> domain.score_report under the agency's scoring policy (pure rules) ->
score + revision history + outbox in one transaction -> kinerja.score.computed.v1 out. Period events tell it
which periods an agency declared and when its year closes (-> kinerja.score.annual.v1); a background loop
publishes kinerja.distribution.evaluated.v1 when an agency's distribution changes.
"""

from shared.agency_keys import API_KEY_ROUTE
from shared.contracts import (
    AGENCY_REGISTERED,
    DISTRIBUTION_EVALUATED,
    PERIOD_CLOSED,
    PERIOD_OPENED,
    PERIOD_REOPENED,
    REPORT_SUBMITTED,
    SCORE_ANNUAL,
    SCORE_COMPUTED,
)
from shared.messaging.consumer import Route
from shared.service import ServiceDefinition

from .curve_watch import watch_distributions
from .handlers import (
    on_agency_registered,
    on_period_closed,
    on_period_opened,
    on_period_reopened,
    on_report_submitted,
    prefetch_reports,
)
from .jobs import run_jobs
from .repository import setup_indexes
from .routes import ROUTERS

SERVICE = ServiceDefinition(
    name="scoring",
    title="Kinerja scoring",
    description="Scores work reports: capaian per indicator, rating hasil kerja and perilaku, predikat kinerja, "
    "with their explanation; annual roll-up; each organisation's distribution against its curve.",
    consumes=[
        Route(REPORT_SUBMITTED, on_report_submitted, prefetch=prefetch_reports),
        Route(AGENCY_REGISTERED, on_agency_registered),
        Route(PERIOD_OPENED, on_period_opened),
        Route(PERIOD_REOPENED, on_period_reopened),
        Route(PERIOD_CLOSED, on_period_closed),
        API_KEY_ROUTE,
    ],
    emits=[SCORE_COMPUTED, SCORE_ANNUAL, DISTRIBUTION_EVALUATED],
    routers=list(ROUTERS),
    setup_indexes=setup_indexes,
    background=[run_jobs, watch_distributions],
)
