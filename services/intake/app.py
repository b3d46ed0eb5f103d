"""Intake: agencies publish master data and work reports; accepted reports go to scoring.

Flow: four doors (routes/reports.py single and batch, routes/uploads.py spreadsheets, the
kinerja.report.inbound.v1 topic) -> one core (report_intake.py) deciding with the pure rules in
domain/ (submissions, report_checks, periods) -> reports + history + outbox in one transaction
(repository/) -> kinerja.report.submitted.v1 or kinerja.report.rejected.v1 out. Master data
(unit kerja, employees, versioned SKP plans, periods) is managed the same way.
"""

from shared.contracts import (
    AGENCY_REGISTERED,
    API_KEY_CHANGED,
    EMPLOYEE_REGISTERED,
    PERIOD_CLOSED,
    PERIOD_OPENED,
    PERIOD_REOPENED,
    REPORT_INBOUND,
    REPORT_REJECTED,
    REPORT_SUBMITTED,
    SKP_PUBLISHED,
    UNIT_KERJA_REGISTERED,
)
from shared.messaging.consumer import Route
from shared.service import ServiceDefinition, create_app

from .handlers import on_report_inbound, prefetch_inbound
from .key_announcements import announce_existing_keys
from .period_clock import run_period_clock
from .repository import setup_indexes
from .routes import admin, keys, master_data, periods, reports, transfers, uploads
from .uploads import run_upload_worker

SERVICE = ServiceDefinition(
    name="intake",
    title="Kinerja intake",
    description="Agencies register employees and SKP plans and submit work reports (laporan kinerja).",
    consumes=[Route(REPORT_INBOUND, on_report_inbound, prefetch=prefetch_inbound)],
    emits=[
        AGENCY_REGISTERED,
        EMPLOYEE_REGISTERED,
        UNIT_KERJA_REGISTERED,
        SKP_PUBLISHED,
        REPORT_SUBMITTED,
        REPORT_REJECTED,
        PERIOD_OPENED,
        PERIOD_CLOSED,
        PERIOD_REOPENED,
        API_KEY_CHANGED,
    ],
    routers=[
        admin.router,
        keys.router,
        transfers.router,
        master_data.router,
        reports.router,
        periods.router,
        periods.admin_router,
        uploads.router,
    ],
    http_door=True,
    larger_bodies=uploads.UPLOAD_BODY_LIMITS,
    setup_indexes=setup_indexes,
    background=[run_period_clock, run_upload_worker, announce_existing_keys],
)


def app():
    """Factory for `uvicorn --factory services.intake.app:app`."""
    return create_app(SERVICE)
