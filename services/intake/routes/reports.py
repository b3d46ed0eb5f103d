"""Work reports: accepted reports are stored and published in one transaction."""

import hashlib
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.contracts import REPORT_REJECTED, REPORT_SUBMITTED, new_event_id
from shared.contracts.reports import ReportRejected
from shared.http_errors import ApiError, error_body
from shared.logging import correlation_id
from shared.service import Runtime, RuntimeDep

from ..contracts_in import ReportSubmission
from ..domain.report_checks import build_report, check_report
from ..repository import EMPLOYEES, REPORTS, SKP_PLANS
from ..security import AgencyDep

router = APIRouter(prefix="/v1/reports", tags=["reports"])

SOURCE = "kinerja/intake"


def _fingerprint(body: ReportSubmission) -> str:
    return hashlib.sha256(body.model_dump_json(exclude={"report_id"}).encode()).hexdigest()


def _answer(stored: dict[str, Any]) -> JSONResponse:
    if stored["status"] == "rejected":
        body = error_body("report_rejected", "Laporan ditolak; perbaiki lalu kirim ulang", stored["reasons"])
        body["report_id"] = stored["_id"]
        return JSONResponse(body, status_code=422)
    return JSONResponse({"report_id": stored["_id"], "status": stored["status"]}, status_code=202)


async def _replay(runtime: Runtime, agency_id: str, report_id: str, fingerprint: str) -> JSONResponse | None:
    stored = await runtime.db[REPORTS].find_one({"_id": report_id}, {"report": 0})
    if stored is None:
        return None
    if stored["agency_id"] != agency_id or stored["fingerprint"] != fingerprint:
        raise ApiError(409, "report_id_conflict", f"report_id {report_id} sudah dipakai untuk laporan lain")
    return _answer(stored)


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def submit_report(body: ReportSubmission, agency: AgencyDep, runtime: RuntimeDep) -> JSONResponse:
    """Submit a work report. 202: accepted and queued for scoring; 422: rejected, with reasons.

    Sending the same report (same `report_id`, same content) again is safe and returns the first answer.
    """
    agency_id = agency["_id"]
    report_id = body.report_id or f"rpt-{uuid4().hex}"
    fingerprint = _fingerprint(body)
    if (replayed := await _replay(runtime, agency_id, report_id, fingerprint)) is not None:
        return replayed
    employee = await runtime.db[EMPLOYEES].find_one({"_id": body.nip})
    skp = await runtime.db[SKP_PLANS].find_one({"_id": body.skp_id, "agency_id": agency_id})
    reasons = check_report(body, agency_id, employee, skp)
    now = datetime.now(UTC)
    correlation = new_event_id()
    correlation_id.set(correlation)
    stored: dict[str, Any] = {"_id": report_id, "agency_id": agency_id, "nip": body.nip, "fingerprint": fingerprint}
    stored |= {"received_at": now, "correlation_id": correlation}
    uow = runtime.unit_of_work()
    if reasons:
        stored |= {"status": "rejected", "reasons": [r.model_dump() for r in reasons]}
        data = ReportRejected(report_id=report_id, agency_id=agency_id, nip=body.nip, reasons=reasons, rejected_at=now)
        spec = REPORT_REJECTED
    else:
        data = build_report(body, report_id, agency_id, skp, now)
        stored |= {"status": "accepted", "report": data.model_dump(mode="json")}
        spec = REPORT_SUBMITTED
    uow.insert(REPORTS, stored)
    uow.publish(spec, spec.envelope(data=data, subject=body.nip, source=SOURCE, correlationid=correlation))
    try:
        await uow.commit()
    except (DuplicateKeyError, BulkWriteError):
        # The same report_id arrived twice at once; the first one won.
        if (replayed := await _replay(runtime, agency_id, report_id, fingerprint)) is not None:
            return replayed
        raise
    return _answer(stored)


@router.get("/{report_id}")
async def get_report(report_id: str, agency: AgencyDep, runtime: RuntimeDep) -> dict[str, Any]:
    """A report of the calling agency, with its status."""
    stored = await runtime.db[REPORTS].find_one({"_id": report_id, "agency_id": agency["_id"]}, {"fingerprint": 0})
    if stored is None:
        raise ApiError(404, "report_not_found", f"laporan {report_id} tidak ditemukan")
    stored["report_id"] = stored.pop("_id")
    stored["received_at"] = stored["received_at"].isoformat()
    return stored
