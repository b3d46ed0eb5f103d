"""Work reports over HTTP: one at a time, or up to 1,000 in one request; and reading them back.

Routes only translate HTTP: `report_intake` decides and stores, in one
transaction per request.
"""

from collections import Counter
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from shared.contracts.nip import Nip
from shared.contracts.reports import RejectionReason, ReportSubmission
from shared.http_errors import ApiError, error_body, note_error_code
from shared.mongo import is_too_large
from shared.pagination import agency_cursor, next_cursor
from shared.service import Runtime, RuntimeDep
from shared.validation_messages import describe

from ..contracts_in import ReportBatch
from ..domain.models import ReportStatus
from ..report_intake import Outcome, reference, submit_reports, with_retries
from ..repository.records import find_report, report_page
from ..security import AgencyDep

router = APIRouter(prefix="/v1/reports", tags=["reports"])


async def _run(runtime: Runtime, agency_id: str, submissions: list[ReportSubmission]) -> list[Outcome]:
    now = datetime.now(UTC)
    try:
        return await with_retries(lambda uow: submit_reports(uow, agency_id, submissions, now), runtime.unit_of_work)
    except Exception as exc:
        if not is_too_large(exc) or len(submissions) < 2:
            raise
    # More than one transaction can hold (large reports, a small database cache): in halves, in order.
    half = len(submissions) // 2
    return await _run(runtime, agency_id, submissions[:half]) + await _run(runtime, agency_id, submissions[half:])


def _single_answer(request: Request, outcome: Outcome) -> JSONResponse:
    ids = {"report_id": outcome.report_id, "reference": outcome.reference}
    answered = outcome.answered_as or outcome.status
    if answered == "accepted":
        return JSONResponse({**ids, "status": "accepted", "version": outcome.version}, status_code=202)
    if answered == "rejected":
        note_error_code(request, "report_rejected")
        reasons = [r.model_dump() for r in outcome.reasons]
        body = error_body("report_rejected", "Laporan ditolak; perbaiki lalu kirim ulang", reasons)
        return JSONResponse({**body, **ids}, status_code=422)
    raise ApiError(409, outcome.code or "conflict", outcome.message or "")


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def submit_report(
    body: ReportSubmission, agency: AgencyDep, runtime: RuntimeDep, request: Request
) -> JSONResponse:
    """Submit a work report. 202: accepted and queued for scoring; 422: rejected, with reasons; 409: conflict.

    Sending the same report again is safe and returns the first answer. A rejected report can be fixed and
    resent under the same id. An accepted one is corrected by resending it with `correction: true` while
    its period is open; that makes a new version.
    """
    [outcome] = await _run(runtime, agency.agency_id, [body])
    return _single_answer(request, outcome)


def _result(index: int, outcome: Outcome) -> dict[str, Any]:
    result: dict[str, Any] = {"index": index, "status": outcome.status}
    for key in ("report_id", "reference", "version", "code", "message", "answered_as"):
        if (value := getattr(outcome, key)) is not None:
            result[key] = value
    if outcome.reasons:
        result["reasons"] = [r.model_dump() for r in outcome.reasons]
    return result


def validate_items(items: list[dict[str, Any]]) -> tuple[list[ReportSubmission], dict[int, Outcome]]:
    """Each report is validated alone, so one malformed report does not sink the others."""
    valid: list[ReportSubmission] = []
    invalid: dict[int, Outcome] = {}
    for index, item in enumerate(items):
        try:
            valid.append(ReportSubmission.model_validate(item))
        except ValidationError as exc:
            details = [RejectionReason(**describe(e)) for e in exc.errors()]
            invalid[index] = Outcome(
                "invalid",
                item.get("report_id") if isinstance(item, dict) else None,
                code="validation_failed",
                message="Data laporan tidak valid",
                reasons=details,
            )
    return valid, invalid


def batch_answer(outcomes_by_index: dict[int, Outcome]) -> dict[str, Any]:
    ordered = [outcomes_by_index[i] for i in sorted(outcomes_by_index)]
    summary = Counter(o.status for o in ordered)
    return {
        "summary": {k: summary.get(k, 0) for k in ("accepted", "rejected", "duplicate", "conflict", "invalid")},
        "results": [_result(i, o) for i, o in enumerate(ordered)],
    }


@router.post("/batch")
async def submit_batch(body: ReportBatch, agency: AgencyDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Up to 1,000 reports in one request and one transaction, each with its own result.

    Statuses: `accepted`, `rejected` (with reasons, as a single report would be), `duplicate` (sent before:
    the first answer stands), `conflict` (another report holds its id or its slot), `invalid` (did not
    validate). Resending the whole batch creates nothing new.
    """
    valid, outcomes = validate_items(body.reports)
    decided = iter(await _run(runtime, agency.agency_id, valid)) if valid else iter(())
    for index in range(len(body.reports)):
        if index not in outcomes:
            outcomes[index] = next(decided)
    return batch_answer(outcomes)


@router.get("")
async def list_reports(
    agency: AgencyDep,
    runtime: RuntimeDep,
    period_start: Annotated[date | None, Query(description="Start date of the period (YYYY-MM-DD)")] = None,
    unit_kerja: Annotated[str | None, Query(max_length=64)] = None,
    status_: Annotated[ReportStatus | None, Query(alias="status")] = None,
    nip: Annotated[Nip | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=400, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The agency's reports, filtered, in pages: follow `next_cursor` until it is null."""
    page = await report_page(
        runtime.db,
        agency_id=agency.agency_id,
        after=agency_cursor(cursor, agency.agency_id),
        limit=limit,
        period_start=period_start,
        unit_kerja=unit_kerja,
        status=status_.value if status_ else None,
        nip=nip,
    )
    items = [
        r.model_dump(
            mode="json",
            include={
                "reference",
                "report_id",
                "nip",
                "skp_id",
                "period",
                "unit_kerja",
                "status",
                "accepted_version",
                "received_at",
            },
        )
        for r in page
    ]
    last = page[-1].reference if len(page) == limit else None
    return {"items": items, "next_cursor": next_cursor(last)}


@router.get("/{report_id}")
async def get_report(report_id: str, agency: AgencyDep, runtime: RuntimeDep) -> dict[str, Any]:
    """A report of the calling agency: its latest answer, the live version and every attempt."""
    ref = reference(agency.agency_id, report_id)
    stored = await find_report(runtime.db, reference=ref)
    if stored is None:
        raise ApiError(404, "report_not_found", f"laporan {report_id} tidak ditemukan")
    answer = stored.model_dump(mode="json", exclude={"fingerprint"})
    return answer
