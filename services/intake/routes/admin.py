"""Platform administration: registering agencies and issuing their API keys."""

from datetime import UTC, datetime

from fastapi import APIRouter, status

from shared.agency_keys import key_is_usable
from shared.auth import AdminDep
from shared.contracts import AGENCY_REGISTERED
from shared.contracts.master_data import AgencyRegistered
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..contracts_in import AgencyRegistration
from ..key_announcements import stage_key_change, stage_key_reissue, stage_new_key
from ..repository.keys import agency_api_keys, find_api_key, find_key_owner
from ..repository.records import AGENCIES
from ..security import FIRST_KEY_LABEL, expiry_after_overlap, key_document, new_api_key, random_api_key
from .keys import AdminKeyIssue, IssuedKey, issued_key

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.post("/agencies", status_code=status.HTTP_201_CREATED)
async def register_agency(body: AgencyRegistration, runtime: RuntimeDep, _: AdminDep) -> dict[str, str]:
    """Register an agency and return its API key. The key is shown only here, once."""
    if await runtime.db[AGENCIES].find_one({"_id": body.agency_id}, {"_id": 1}):
        raise ApiError(409, "agency_exists", f"instansi {body.agency_id} sudah terdaftar")
    now = datetime.now(UTC)
    api_key = new_api_key(body.agency_id, runtime.settings)
    uow = runtime.unit_of_work()
    uow.insert(AGENCIES, {"_id": body.agency_id, **body.model_dump(), "registered_at": now})
    stage_new_key(uow, key_document(api_key, agency_id=body.agency_id, label=FIRST_KEY_LABEL, now=now), now)
    data = AgencyRegistered(**body.model_dump())
    uow.emit(AGENCY_REGISTERED, data, subject=body.agency_id)
    await uow.commit()
    return {"agency_id": body.agency_id, "api_key": api_key}


@router.post("/agencies/{agency_id}/keys", status_code=status.HTTP_201_CREATED)
async def issue_agency_key(
    agency_id: str, runtime: RuntimeDep, _: AdminDep, body: AdminKeyIssue | None = None
) -> IssuedKey:
    """Issue another API key for an agency, shown only here, once. With `overlap_hours`, the agency's other keys
    stop working after that many hours (0: at once); without, they stay as they are. In development mode: the
    agency's key `kin_dev_<agency_id>` again, working again (the demo loader relies on it)."""
    body = body or AdminKeyIssue()
    if await find_key_owner(runtime.db, agency_id=agency_id) is None:
        raise ApiError(404, "agency_not_found", f"instansi {agency_id} tidak ditemukan")
    now = datetime.now(UTC)
    uow = runtime.unit_of_work()
    if runtime.settings.development:
        api_key = new_api_key(agency_id, runtime.settings)
        key = key_document(api_key, agency_id=agency_id, label=body.label, now=now)
        if existing := await find_api_key(runtime.db, key_digest=key["_id"]):
            key["created_at"] = existing["created_at"]
        stage_key_reissue(uow, key, now)
    else:
        api_key = random_api_key()
        key = key_document(api_key, agency_id=agency_id, label=body.label, now=now)
        stage_new_key(uow, key, now)
    if body.overlap_hours is not None:
        for other in await agency_api_keys(runtime.db, agency_id=agency_id):
            if other["_id"] != key["_id"] and key_is_usable(other, now):
                expires_at = expiry_after_overlap(other.get("expires_at"), now, body.overlap_hours)
                stage_key_change(uow, other, now, {"expires_at": expires_at})
    await uow.commit()
    return issued_key(api_key, key)
