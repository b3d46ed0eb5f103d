"""Administration: scoring policy versions, the organisation's predikat, rescores and annual roll-ups.

Only the administrator sets an organisation's predikat: it selects the curve an
agency is held to, so an agency must not pick its own.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from fastapi.exceptions import RequestValidationError
from pydantic import Field, ValidationError, model_validator

from shared.agency_keys import CallerDep
from shared.auth import AdminDep
from shared.contracts.common import AgencyId, Contract, StrictInt64
from shared.contracts.scores import OrganisationPredikat
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..domain import ScoringPolicy, national_policy
from ..jobs import wake_runner
from ..policies import parsed_policy, publish_policy
from ..repository import (
    JOBS,
    ORGANISATION_PREDIKAT,
    agency_known,
    current_policy_document,
    find_job,
    find_policy,
    latest_policy_number,
    mark_agency_dirty,
    period_known,
    scope_key,
    year_known,
)
from ..writes import ANNUAL_ROLLUP, RESCORE, new_job

router = APIRouter(tags=["admin"])


@router.get("/v1/policies/current")
async def current_policy(
    runtime: RuntimeDep, caller: CallerDep, agency_id: Annotated[AgencyId, Query()]
) -> ScoringPolicy:
    """The policy the agency's scores are computed under now: its own latest version, else the national one."""
    caller.require_agency(agency_id)
    document = await current_policy_document(runtime.db, agency_id=agency_id)
    return national_policy() if document is None else parsed_policy(document["policy"])


@router.get("/v1/policies/{version}")
async def get_policy(
    version: Annotated[str, Path(max_length=80)], runtime: RuntimeDep, caller: CallerDep
) -> ScoringPolicy:
    if version == national_policy().version:
        return national_policy()
    document = await find_policy(runtime.db, version=version)
    if document is None or not caller.may_see(document["agency_id"]):
        raise ApiError(404, "policy_not_found", f"kebijakan penilaian {version} tidak ada")
    return parsed_policy(document["policy"])


@router.post("/v1/agencies/{agency_id}/policies", status_code=201)
async def publish_agency_policy(
    agency_id: AgencyId, runtime: RuntimeDep, _: AdminDep, policy: Annotated[dict[str, Any], Body()]
) -> ScoringPolicy:
    """Publish a new version of the agency's scoring policy (validated whole: all nine cells, monotone bands,
    thresholds in order, every curve). New scores use it at once; `POST /v1/admin/rescores` applies it to scores
    already computed."""
    number = await latest_policy_number(runtime.db, agency_id=agency_id) + 1
    try:
        validated = ScoringPolicy.model_validate({**policy, "version": f"{agency_id}@{number}"})
    except ValidationError as exc:  # answered like any invalid body: 422 naming the broken cell or band
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    uow = runtime.unit_of_work()
    publish_policy(uow, agency_id, validated, number, datetime.now(UTC))
    await uow.commit()
    await mark_agency_dirty(runtime.db, agency_id=agency_id)  # the curves may have changed
    return validated


class OrganisationPredikatBody(Contract):
    predikat: OrganisationPredikat


@router.put("/v1/agencies/{agency_id}/organisation-predikat/{tahun}")
async def set_organisation_predikat(
    agency_id: AgencyId,
    tahun: Annotated[int, Path(ge=2000, le=2100)],
    body: OrganisationPredikatBody,
    runtime: RuntimeDep,
    _: AdminDep,
) -> dict[str, Any]:
    """The organisation's own predikat for the year (from its IKU and the leader's expectations); default Baik."""
    uow = runtime.unit_of_work()
    document = {
        "_id": scope_key(agency_id, str(tahun)),
        "agency_id": agency_id,
        "tahun": tahun,
        "predikat": body.predikat.value,
        "set_at": datetime.now(UTC),
    }
    uow.put(ORGANISATION_PREDIKAT, document)
    await uow.commit()
    await mark_agency_dirty(runtime.db, agency_id=agency_id, tahun=tahun)
    return {"agency_id": agency_id, "tahun": tahun, "predikat": body.predikat}


class RescoreRequest(Contract):
    agency_id: AgencyId
    period_id: str | None = Field(default=None, pattern=r"^[0-9]{4}-(0[1-9]|1[0-2]|q[1-4]|s[12])$")
    tahun: StrictInt64 | None = Field(default=None, ge=2000, le=2100)

    @model_validator(mode="after")
    def _one_scope(self) -> "RescoreRequest":
        if (self.period_id is None) == (self.tahun is None):
            raise ValueError("isi salah satu: period_id (satu periode) atau tahun (semua periode tahun itu)")
        return self


@router.post("/v1/admin/rescores", status_code=202)
async def request_rescore(body: RescoreRequest, runtime: RuntimeDep, _: AdminDep) -> dict[str, Any]:
    """Recompute an agency-period (or year) under the agency's current policy; scores whose outcome changes are
    published as revisions. Answers at once with a job to follow at `GET /v1/admin/jobs/{job_id}`."""
    await _require_agency_known(runtime, body.agency_id)
    if body.period_id and not await period_known(runtime.db, agency_id=body.agency_id, period_id=body.period_id):
        raise ApiError(404, "period_not_found", f"periode {body.period_id} tidak dikenal untuk {body.agency_id}")
    if body.tahun and not await year_known(runtime.db, agency_id=body.agency_id, tahun=body.tahun):
        raise ApiError(404, "period_not_found", f"tahun {body.tahun} tidak dikenal untuk {body.agency_id}")
    return await _accept(runtime, RESCORE, body.agency_id, period_id=body.period_id, tahun=body.tahun)


class AnnualRequest(Contract):
    agency_id: AgencyId
    tahun: StrictInt64 = Field(ge=2000, le=2100)


@router.post("/v1/admin/annual-rollups", status_code=202)
async def request_annual_rollup(body: AnnualRequest, runtime: RuntimeDep, _: AdminDep) -> dict[str, Any]:
    """Roll the agency's year up now (it also happens when the annual period closes)."""
    await _require_agency_known(runtime, body.agency_id)
    if not await year_known(runtime.db, agency_id=body.agency_id, tahun=body.tahun):
        raise ApiError(404, "period_not_found", f"tahun {body.tahun} tidak dikenal untuk {body.agency_id}")
    return await _accept(runtime, ANNUAL_ROLLUP, body.agency_id, tahun=body.tahun)


@router.get("/v1/admin/jobs/{job_id}")
async def get_job(job_id: Annotated[str, Path(max_length=200)], runtime: RuntimeDep, _: AdminDep) -> dict[str, Any]:
    job = await find_job(runtime.db, job_id=job_id)
    if job is None:
        raise ApiError(404, "job_not_found", f"pekerjaan {job_id} tidak ada")
    return _job_view(job)


async def _require_agency_known(runtime: Any, agency_id: str) -> None:
    if not await agency_known(runtime.db, agency_id=agency_id):
        raise ApiError(404, "agency_not_found", f"instansi {agency_id} tidak dikenal")


async def _accept(runtime: Any, kind: str, agency_id: str, **scope: Any) -> dict[str, Any]:
    uow = runtime.unit_of_work()
    job = {
        "_id": f"{kind}:{uow.correlation_id}",
        **new_job(kind, agency_id, requested_by="admin", correlation_id=uow.correlation_id, **scope),
    }
    uow.insert(JOBS, job)
    await uow.commit()
    wake_runner()
    return _job_view(job)


def _job_view(job: dict[str, Any]) -> dict[str, Any]:
    fields = (
        "kind",
        "agency_id",
        "period_id",
        "tahun",
        "status",
        "requested_at",
        "finished_at",
        "checked",
        "revised",
        "unchanged",
        "without_scores",
        "error",
    )
    return {"job_id": job["_id"], **{f: job.get(f) for f in fields}}
