"""Platform administration: registering agencies and issuing their API keys."""

from datetime import UTC, datetime

from fastapi import APIRouter, status

from shared.auth import AdminDep
from shared.contracts import AGENCY_REGISTERED
from shared.contracts.master_data import AgencyRegistered
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..contracts_in import AgencyRegistration
from ..repository import AGENCIES
from ..security import digest, new_api_key

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.post("/agencies", status_code=status.HTTP_201_CREATED)
async def register_agency(body: AgencyRegistration, runtime: RuntimeDep, _: AdminDep) -> dict[str, str]:
    """Register an agency and return its API key. The key is shown only here, once."""
    if await runtime.db[AGENCIES].find_one({"_id": body.agency_id}, {"_id": 1}):
        raise ApiError(409, "agency_exists", f"instansi {body.agency_id} sudah terdaftar")
    api_key = new_api_key(body.agency_id, runtime.settings)
    uow = runtime.unit_of_work()
    uow.insert(
        AGENCIES,
        {
            "_id": body.agency_id,
            **body.model_dump(),
            "api_key_sha256": digest(api_key),
            "registered_at": datetime.now(UTC),
        },
    )
    data = AgencyRegistered(**body.model_dump())
    uow.emit(AGENCY_REGISTERED, data, subject=body.agency_id)
    await uow.commit()
    return {"agency_id": body.agency_id, "api_key": api_key}


@router.post("/agencies/{agency_id}/keys", status_code=status.HTTP_201_CREATED)
async def rotate_agency_key(agency_id: str, runtime: RuntimeDep, _: AdminDep) -> dict[str, str]:
    """Issue a new API key for an agency; the old key stops working at once (in development: the same key)."""
    api_key = new_api_key(agency_id, runtime.settings)
    result = await runtime.db[AGENCIES].update_one({"_id": agency_id}, {"$set": {"api_key_sha256": digest(api_key)}})
    if result.matched_count == 0:
        raise ApiError(404, "agency_not_found", f"instansi {agency_id} tidak ditemukan")
    return {"agency_id": agency_id, "api_key": api_key}
