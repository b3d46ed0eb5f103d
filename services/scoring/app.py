"""Scoring: turns reports into capaian, ratings and predikat (PermenPANRB 6/2022).

Flow: kinerja.report.submitted.v1 in -> domain.score_report (pure rules) ->
scores + outbox in one transaction -> kinerja.score.computed.v1 out.
"""

from shared.contracts import REPORT_SUBMITTED, SCORE_COMPUTED
from shared.messaging.consumer import Route
from shared.service import ServiceDefinition

from .handlers import on_report_submitted
from .repository import setup_indexes
from .routes import router

SERVICE = ServiceDefinition(
    name="scoring",
    title="Kinerja scoring",
    description="Scores work reports: capaian per indicator, rating hasil kerja and perilaku, predikat kinerja.",
    consumes=[Route(REPORT_SUBMITTED, on_report_submitted)],
    emits=[SCORE_COMPUTED],
    routers=[router],
    setup_indexes=setup_indexes,
)
