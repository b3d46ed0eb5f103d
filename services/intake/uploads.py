"""Spreadsheet uploads of reports: stored first, then read, validated and submitted through the one core.

An upload is durable before it is answered: the file itself is stored with
status `pending`. Small files are processed at once and answered with their
summary; larger ones are answered 202 and processed by the upload worker,
which also picks up whatever a restart interrupted. Every problem is a row
error: row number, column, stable code, message in Bahasa Indonesia.
"""

import asyncio
import logging
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.contracts.common import Period
from shared.contracts.reports import ReportSubmission
from shared.service import Runtime

from .files import (
    FileProblem,
    ReportItem,
    RowError,
    SheetResult,
    column_for_field,
    read_table,
    reports_from_table,
    validated,
)
from .report_intake import Outcome, submit_reports, with_retries
from .repository.uploads import claim_pending_upload, finish_upload

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_ROWS = 10_000
INLINE_BYTES = 1024 * 1024  # bigger files are answered at once (202) and processed in the background
CHUNK = 1_000  # reports per transaction when not all-or-nothing
STALE_AFTER = timedelta(minutes=10)  # a claim older than this was interrupted (a restart): take it again


@dataclass(frozen=True)
class UploadRequest:
    upload_id: str
    agency_id: str
    filename: str | None
    content_type: str | None
    period: Period
    all_or_nothing: bool


def new_upload(
    agency_id: str,
    data: bytes,
    filename: str | None,
    content_type: str | None,
    period: Period,
    all_or_nothing: bool,
    now: datetime,
) -> dict[str, Any]:
    """Small files are claimed by the request that brought them; big ones wait for the worker."""
    inline = len(data) <= INLINE_BYTES
    return {
        "_id": str(uuid.uuid4()),
        "agency_id": agency_id,
        "kind": "laporan",
        "status": "processing" if inline else "pending",
        "claimed_at": now if inline else None,
        "filename": filename,
        "content_type": content_type,
        "period": period.model_dump(mode="json"),
        "all_or_nothing": all_or_nothing,
        "data": data,
        "size": len(data),
        "received_at": now,
    }


def request_of(document: dict[str, Any]) -> UploadRequest:
    return UploadRequest(
        document["_id"],
        document["agency_id"],
        document.get("filename"),
        document.get("content_type"),
        Period.model_validate(document["period"]),
        document["all_or_nothing"],
    )


async def process_upload(runtime: Runtime, request: UploadRequest, data: bytes) -> dict[str, Any]:
    """Read, validate and submit one file; returns its summary (also stored with the upload)."""
    try:
        sheet = await asyncio.to_thread(_read_reports, data, request)
    except FileProblem as problem:
        summary = {"status": "failed", "code": problem.code, "message": problem.message, "http_status": problem.status}
        await finish_upload(runtime.db, upload_id=request.upload_id, summary=summary)
        return summary
    valid, errors = validated(sheet, ReportSubmission, lambda item, field: (item.row, column_for_field(field, item)))
    outcomes = await _submit(runtime, request, valid, refuse_all=bool(errors or sheet.errors))
    summary = _summary(request, sheet, valid, outcomes, errors)
    await finish_upload(runtime.db, upload_id=request.upload_id, summary=summary)
    return summary


def _read_reports(data: bytes, request: UploadRequest) -> SheetResult:
    """Pure work on the file: a file the readers cannot cope with fails once, it is never retried forever."""
    try:
        table = read_table(
            data,
            filename=request.filename,
            content_type=request.content_type,
            max_bytes=MAX_UPLOAD_BYTES,
            max_rows=MAX_UPLOAD_ROWS,
        )
        return reports_from_table(table, request.period)
    except FileProblem:
        raise
    except Exception as exc:
        log.exception("upload could not be read", extra={"upload_id": request.upload_id})
        message = "berkas tidak dapat dibaca; simpan ulang sebagai XLSX atau CSV lalu unggah lagi"
        raise FileProblem(422, "unreadable_file", message) from exc


async def _submit(
    runtime: Runtime, request: UploadRequest, valid: list[tuple[ReportItem, ReportSubmission]], refuse_all: bool
) -> list[Outcome]:
    submissions = [s for _, s in valid]
    now = datetime.now(UTC)
    if request.all_or_nothing:
        if refuse_all:
            return []
        # One transaction for the whole file, committed only if every report is accepted (or was before).
        uow = runtime.unit_of_work()
        outcomes = await submit_reports(uow, request.agency_id, submissions, now)
        if all(o.status in ("accepted", "duplicate") and o.answered_as != "rejected" for o in outcomes):
            await uow.commit()
            return outcomes
        # Nothing is kept: the reports that passed are reported as not submitted.
        return [Outcome("not_submitted", o.report_id) if o.status == "accepted" else o for o in outcomes]
    outcomes: list[Outcome] = []
    for start in range(0, len(submissions), CHUNK):
        chunk = submissions[start : start + CHUNK]
        outcomes += await with_retries(
            lambda uow, chunk=chunk: submit_reports(uow, request.agency_id, chunk, now),
            runtime.unit_of_work,
        )
    return outcomes


def _summary(
    request: UploadRequest,
    sheet: SheetResult,
    valid: list[tuple[ReportItem, ReportSubmission]],
    outcomes: list[Outcome],
    errors: list[RowError],
) -> dict[str, Any]:
    results, errors = [], list(errors)
    for (item, _), outcome in zip(valid, outcomes, strict=False):
        results.append(
            {"row": item.row, "status": outcome.status, "reference": outcome.reference, "version": outcome.version}
        )
        if outcome.code:
            errors.append(RowError(item.row, "report_id", outcome.code, outcome.message or ""))
        for reason in outcome.reasons:
            errors.append(RowError(item.row, column_for_field(reason.field, item), reason.code, reason.message))
    counts = Counter(r["status"] for r in results)
    bad_rows = {e.row for e in errors}
    status = "refused" if request.all_or_nothing and bad_rows else "done"
    return {
        "status": status,
        "all_or_nothing": request.all_or_nothing,
        "rows": len(sheet.items) + len({e.row for e in sheet.errors}),
        "skipped_rows": sheet.skipped,
        "accepted": counts.get("accepted", 0),
        "duplicate": counts.get("duplicate", 0),
        "rows_with_errors": len(bad_rows),
        "errors": [asdict(e) for e in sorted(errors, key=_order)],
        "results": results,
    }


def _order(error: RowError) -> tuple[int, str]:
    return (error.row, error.column)


async def run_upload_worker(runtime: Runtime, interval_s: float = 1.0) -> None:
    """Processes uploads answered 202, and any an interrupted process left pending or half-done."""
    while True:
        try:
            claimed = await claim_pending_upload(runtime.db, now=datetime.now(UTC), stale_before=STALE_AFTER)
            if claimed is None:
                await asyncio.sleep(interval_s)
                continue
            summary = await process_upload(runtime, request_of(claimed), bytes(claimed["data"]))
            log.info("upload processed", extra={"upload_id": claimed["_id"], "status": summary["status"]})
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is down, most likely: keep the upload pending, retry
            log.warning("upload worker failed, retrying", extra={"error": type(exc).__name__})
            await asyncio.sleep(max(interval_s, 5.0))
