"""Work reports: accepted reports are stored and published in one transaction."""

import hashlib
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.contracts import REPORT_REJECTED, REPORT_SUBMITTED, new_event_id
from shared.contracts.reports import ReportRejected
from shared.http_errors import ApiError, error_body, note_error_code
from shared.logging import correlation_id
from shared.service import Runtime, RuntimeDep

from ..contracts_in import ReportSubmission
from ..domain.report_checks import build_report, check_report, default_report_id
from ..repository import EMPLOYEES, REPORTS, SKP_PLANS
from ..security import AgencyDep

router = APIRouter(prefix="/v1/reports", tags=["reports"])


def reference(agency_id: str, report_id: str) -> str:
    """The id other services see: agencies name their reports freely, so it carries the agency."""
    return f"{agency_id}/{report_id}"


def _fingerprint(body: ReportSubmission) -> str:
    return hashlib.sha256(body.model_dump_json(exclude={"report_id"}).encode()).hexdigest()


def _answer(request: Request, stored: dict[str, Any]) -> JSONResponse:
    ids = {"report_id": stored["report_id"], "reference": stored["_id"]}
    if stored["status"] == "rejected":
        note_error_code(request, "report_rejected")
        body = error_body("report_rejected", "Laporan ditolak; perbaiki lalu kirim ulang", stored["reasons"])
        return JSONResponse({**body, **ids}, status_code=422)
    return JSONResponse({**ids, "status": stored["status"]}, status_code=202)


async def _earlier(runtime: Runtime, ref: str, fingerprint: str) -> dict[str, Any] | None:
    stored = await runtime.db[REPORTS].find_one({"_id": ref}, {"report": 0})
    # A rejected report may be corrected and resent under its id; an accepted one is final.
    if stored is not None and stored["status"] != "rejected" and stored["fingerprint"] != fingerprint:
        raise ApiError(409, "report_id_conflict", "report_id ini sudah dipakai untuk laporan lain; gunakan id baru")
    return stored


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def submit_report(
    body: ReportSubmission, agency: AgencyDep, runtime: RuntimeDep, request: Request
) -> JSONResponse:
    """Submit a work report. 202: accepted and queued for scoring; 422: rejected, with reasons.

    Sending the same report again is safe and returns the first answer. A rejected report can be
    corrected and resent under the same id; it is checked again.
    """
    agency_id = agency["_id"]
    report_id = body.report_id or default_report_id(body)
    ref, fingerprint = reference(agency_id, report_id), _fingerprint(body)
    earlier = await _earlier(runtime, ref, fingerprint)
    if earlier is not None and earlier["status"] != "rejected":
        return _answer(request, earlier)
    employee = await runtime.db[EMPLOYEES].find_one({"_id": body.nip})
    skp = await runtime.db[SKP_PLANS].find_one({"_id": body.skp_id, "agency_id": agency_id})
    reasons = check_report(body, agency_id, employee, skp)
    now, correlation = datetime.now(UTC), correlation_id.get() or new_event_id()
    stored: dict[str, Any] = {"_id": ref, "report_id": report_id, "agency_id": agency_id, "nip": body.nip}
    stored |= {"fingerprint": fingerprint, "received_at": now, "correlation_id": correlation}
    if reasons:
        stored |= {"status": "rejected", "reasons": [r.model_dump() for r in reasons]}
        data = ReportRejected(report_id=ref, agency_id=agency_id, nip=body.nip, reasons=reasons, rejected_at=now)
        spec = REPORT_REJECTED
    else:
        data = build_report(body, ref, agency_id, skp, now, atasan_nip=employee.get("atasan_nip"))
        stored |= {"status": "accepted", "report": data.model_dump(mode="json")}
        spec = REPORT_SUBMITTED
    uow = runtime.unit_of_work()
    if earlier is None:
        uow.insert(REPORTS, stored)
    else:  # replaces the rejected attempt, and only that
        uow.put(REPORTS, stored, match={"status": "rejected"})
    uow.emit(spec, data, subject=body.nip, correlationid=correlation)
    try:
        await uow.commit()
    except (DuplicateKeyError, BulkWriteError):
        # The same report arrived twice at once; the first one won.
        if (winner := await _earlier(runtime, ref, fingerprint)) is not None:
            return _answer(request, winner)
        raise
    return _answer(request, stored)


@router.get("/{report_id}")
async def get_report(report_id: str, agency: AgencyDep, runtime: RuntimeDep) -> dict[str, Any]:
    """A report of the calling agency, with its status."""
    ref = reference(agency["_id"], report_id)
    stored = await runtime.db[REPORTS].find_one({"_id": ref}, {"fingerprint": 0})
    if stored is None:
        raise ApiError(404, "report_not_found", f"laporan {report_id} tidak ditemukan")
    stored["reference"] = stored.pop("_id")
    stored["received_at"] = stored["received_at"].isoformat()
    return stored
