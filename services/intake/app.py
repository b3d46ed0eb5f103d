"""Intake: agencies publish master data and work reports; accepted reports go to scoring.

Flow: HTTP in (contracts_in) -> checks (domain.report_checks) -> reports +
outbox in one transaction (routes, repository) -> kinerja.report.submitted.v1
or kinerja.report.rejected.v1 out.
"""

from shared.contracts import (
    AGENCY_REGISTERED,
    EMPLOYEE_REGISTERED,
    REPORT_REJECTED,
    REPORT_SUBMITTED,
    SKP_PUBLISHED,
)
from shared.service import ServiceDefinition, create_app

from .repository import setup_indexes
from .routes import admin, master_data, reports

SERVICE = ServiceDefinition(
    name="intake",
    title="Kinerja intake",
    description="Agencies register employees and SKP plans and submit work reports (laporan kinerja).",
    emits=[AGENCY_REGISTERED, EMPLOYEE_REGISTERED, SKP_PUBLISHED, REPORT_SUBMITTED, REPORT_REJECTED],
    routers=[admin.router, master_data.router, reports.router],
    setup_indexes=setup_indexes,
)


def app():
    """Factory for `uvicorn --factory services.intake.app:app`."""
    return create_app(SERVICE)
