"""Spreadsheets: templates to download, and uploads of reports and master data (CSV or XLSX)."""

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from shared.contracts.common import Period, PeriodType
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..files import FileProblem, TemplateEmployee, employee_template, report_template, skp_template, unit_template
from ..master_uploads import MasterKind, import_master_data
from ..repository.records import active_employees_with_plans
from ..repository.uploads import find_upload, store_upload
from ..security import AgencyDep
from ..uploads import MAX_UPLOAD_BYTES, new_upload, process_upload, request_of

router = APIRouter(prefix="/v1", tags=["spreadsheets"])

Format = Literal["xlsx", "csv"]
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}
# Uploads are the only bodies bigger than the API's usual limit.
UPLOAD_BODY_LIMITS = {"/v1/uploads/": MAX_UPLOAD_BYTES + 64 * 1024}


def _period(type_: PeriodType, start: date, end: date) -> Period:
    try:
        return Period(type=type_, start=start, end=end)
    except ValueError as exc:
        raise ApiError(422, "invalid_period", "periode tidak valid: akhir sebelum awal atau beda tahun") from exc


def _file(content: bytes, name: str, fmt: Format) -> Response:
    disposition = f'attachment; filename="{name}.{fmt}"'
    return Response(content, media_type=MEDIA[fmt], headers={"Content-Disposition": disposition})


def _file_problem(problem: FileProblem) -> ApiError:
    return ApiError(problem.status, problem.code, problem.message)


@router.get("/templates/laporan")
async def report_sheet_template(
    agency: AgencyDep,
    runtime: RuntimeDep,
    type_: Annotated[PeriodType, Query(alias="type")],
    start: date,
    end: date,
    format_: Annotated[Format, Query(alias="format")] = "xlsx",
) -> Response:
    """The report sheet for one period, pre-filled with the agency's active employees and their SKP rows."""
    period = _period(type_, start, end)
    pairs = await active_employees_with_plans(runtime.db, agency_id=agency.agency_id, tahun=start.year)
    employees = [
        TemplateEmployee(e.nip, e.nama, e.jabatan, e.unit_kerja, plan.skp_id, plan.in_force_for(period).rows)
        for e, plan in pairs
        if plan is not None and not e.inactive_for(period)
    ]
    content = report_template(agency_nama=agency.nama, period=period, employees=employees, fmt=format_)
    return _file(content, f"laporan-{agency.agency_id}-{start:%Y%m%d}-{end:%Y%m%d}", format_)


@router.get("/templates/{kind}")
async def master_sheet_template(
    kind: MasterKind, agency: AgencyDep, format_: Annotated[Format, Query(alias="format")] = "xlsx"
) -> Response:
    """An empty sheet for unit kerja, employees (pegawai) or SKP plans, with instructions."""
    make = {"unit-kerja": unit_template, "pegawai": employee_template, "skp": skp_template}[kind]
    return _file(make(format_), f"{kind}-{agency.agency_id}", format_)


@router.post("/uploads/laporan")
async def upload_reports(
    agency: AgencyDep,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description="CSV or XLSX in the layout of /v1/templates/laporan")],
    type_: Annotated[PeriodType, Query(alias="type")],
    start: date,
    end: date,
    all_or_nothing: Annotated[bool, Query(description="Accept nothing if any row has an error")] = False,
) -> JSONResponse:
    """Reports from a spreadsheet, one row per employee. The file is stored before the answer. Small files are
    answered with their summary (200); larger ones with 202 and an upload id to poll at /v1/uploads/{id}."""
    data = await file.read()
    document = new_upload(
        agency.agency_id,
        data,
        file.filename,
        file.content_type,
        _period(type_, start, end),
        all_or_nothing,
        datetime.now(UTC),
    )
    await store_upload(runtime.db, document=document)
    if document["status"] == "pending":
        return JSONResponse({"upload_id": document["_id"], "status": "pending"}, status_code=202)
    summary = await process_upload(runtime, request_of(document), data)
    if summary["status"] == "failed":
        raise ApiError(summary["http_status"], summary["code"], summary["message"])
    return JSONResponse({"upload_id": document["_id"], **summary})


@router.get("/uploads/{upload_id}")
async def get_upload(upload_id: str, agency: AgencyDep, runtime: RuntimeDep) -> dict[str, Any]:
    """An upload's status (`pending`, `processing`, `done`, `refused`, `failed`) and, once processed, its summary."""
    upload = await find_upload(runtime.db, upload_id=upload_id, agency_id=agency.agency_id)
    if upload is None:
        raise ApiError(404, "upload_not_found", f"unggahan {upload_id} tidak ditemukan")
    return {"upload_id": upload_id, "status": upload["status"], **upload.get("summary", {})}


@router.post("/uploads/{kind}")
async def upload_master_data(
    kind: MasterKind,
    agency: AgencyDep,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description="CSV or XLSX in the layout of /v1/templates/{kind}")],
) -> dict[str, Any]:
    """Unit kerja, employees or SKP plans from a spreadsheet, in any row order; each bad row is named."""
    try:
        return await import_master_data(
            runtime, agency.agency_id, kind, await file.read(), file.filename, file.content_type
        )
    except FileProblem as problem:
        raise _file_problem(problem) from None
