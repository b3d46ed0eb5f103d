"""Scores each submitted report and publishes the result."""

from datetime import UTC, datetime

from shared.contracts import SCORE_COMPUTED
from shared.contracts.reports import ReportSubmitted
from shared.messaging.consumer import HandlerContext

from .domain import score_report
from .repository import SCORES


async def on_report_submitted(report: ReportSubmitted, ctx: HandlerContext) -> None:
    score = score_report(report, computed_at=datetime.now(UTC))
    ctx.uow.put(SCORES, {"_id": report.report_id, **score.model_dump(mode="json")})
    ctx.emit(SCORE_COMPUTED, score, subject=report.nip)
