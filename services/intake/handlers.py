"""The bus door: reports agencies publish on `kinerja.report.inbound.v1`, through the same core as HTTP.

The answer travels back on the usual topics: `report.submitted` or `report.rejected`, whose reference
carries the agency's own report id. A report that cannot take its slot (a conflict) is answered with a
rejection too, since nobody waits on a connection for a 409. A record that is not a report at all goes to
the dead-letter topic (the consumer does that).
"""

from collections import defaultdict
from datetime import UTC, datetime

from shared.contracts import REPORT_REJECTED
from shared.contracts.reports import RejectionReason, ReportInbound, ReportRejected, ReportSubmission
from shared.messaging.consumer import HandlerContext
from shared.messaging.unit_of_work import UnitOfWork

from .report_intake import load_for, submit_reports


def _submission(report: ReportInbound) -> ReportSubmission:
    return ReportSubmission.model_validate(report.model_dump(exclude={"agency_id"}))


async def prefetch_inbound(reports: list[ReportInbound], uow: UnitOfWork) -> None:
    by_agency: dict[str, list[ReportSubmission]] = defaultdict(list)
    for report in reports:
        by_agency[report.agency_id].append(_submission(report))
    for agency_id, submissions in by_agency.items():
        await load_for(uow, agency_id, submissions)


async def on_report_inbound(report: ReportInbound, ctx: HandlerContext) -> None:
    now = datetime.now(UTC)
    [outcome] = await submit_reports(ctx.uow, report.agency_id, [_submission(report)], now)
    if outcome.status == "conflict":
        reason = RejectionReason(field="report_id", code=outcome.code or "conflict", message=outcome.message or "")
        rejected = ReportRejected(
            report_id=outcome.reference or "",
            agency_id=report.agency_id,
            nip=report.nip,
            reasons=[reason],
            rejected_at=now,
        )
        ctx.emit(REPORT_REJECTED, rejected, subject=report.nip)
