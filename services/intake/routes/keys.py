"""An agency's own API keys, managed with one of them: list, add, rotate with an overlap, revoke.

A key is shown once, in the answer that issues it; listings name keys by
`key_id` (the first 8 hex digits of the key's SHA-256 digest). An agency only
ever sees and touches its own keys: another agency's key_id is not found.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from shared.agency_keys import KeyStatus, key_id_of, key_is_usable, key_status
from shared.contracts.common import Contract, StrictInt64
from shared.http_errors import ApiError
from shared.service import Runtime, RuntimeDep

from ..key_announcements import stage_key_change, stage_new_key
from ..repository.keys import agency_api_keys, find_agency_api_key
from ..security import (
    DEFAULT_OVERLAP_HOURS,
    FIRST_KEY_LABEL,
    MAX_OVERLAP_HOURS,
    AgencyDep,
    expiry_after_overlap,
    is_key_id,
    key_document,
    random_api_key,
    revocation_refusal,
)

router = APIRouter(prefix="/v1/keys", tags=["keys"])

Label = Annotated[
    str,
    Field(min_length=1, max_length=100, description="What the key is for", examples=["SIMPEG BKPSDM"]),
]
OverlapHours = Annotated[
    StrictInt64,
    Field(
        ge=0,
        le=MAX_OVERLAP_HOURS,
        description="Hours the replaced key(s) keep working, so callers can switch over (0: they stop at once)",
        examples=[DEFAULT_OVERLAP_HOURS],
    ),
]


class NewKey(Contract):
    label: Label


class KeyRotation(Contract):
    overlap_hours: OverlapHours = DEFAULT_OVERLAP_HOURS


class AdminKeyIssue(Contract):
    label: Label = FIRST_KEY_LABEL
    overlap_hours: OverlapHours | None = Field(
        default=None,
        description="If given, the agency's other keys stop working after this many hours (0: at once); "
        "if not, they are left as they are",
    )


class KeyInfo(BaseModel):
    key_id: str = Field(description="First 8 hex digits of the key's SHA-256 digest; never the key")
    label: str
    status: KeyStatus
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="Recorded at most once a minute per key")
    current: bool = Field(description="This request was made with this key")


class KeyList(BaseModel):
    keys: list[KeyInfo]


class IssuedKey(BaseModel):
    agency_id: str
    key_id: str
    label: str
    api_key: str = Field(description="The key itself: shown only here, once")
    created_at: datetime
    expires_at: datetime | None


class RotatedKey(IssuedKey):
    replaced_key_id: str
    replaced_key_expires_at: datetime


def key_info(key: dict[str, Any], now: datetime, request_digest: str) -> KeyInfo:
    return KeyInfo(
        key_id=key_id_of(key["_id"]),
        label=key["label"],
        status=key_status(key, now),
        created_at=key["created_at"],
        expires_at=key.get("expires_at"),
        revoked_at=key.get("revoked_at"),
        last_used_at=key.get("last_used_at"),
        current=key["_id"] == request_digest,
    )


def issued_key(api_key: str, key: dict[str, Any]) -> IssuedKey:
    return IssuedKey(
        agency_id=key["agency_id"],
        key_id=key_id_of(key["_id"]),
        label=key["label"],
        api_key=api_key,
        created_at=key["created_at"],
        expires_at=key.get("expires_at"),
    )


async def _own_key(runtime: Runtime, agency_id: str, key_id: str) -> dict[str, Any]:
    key = await find_agency_api_key(runtime.db, agency_id=agency_id, key_id=key_id) if is_key_id(key_id) else None
    if key is None:
        raise ApiError(404, "key_not_found", f"kunci API {key_id} tidak ditemukan")
    return key


@router.get("")
async def list_keys(agency: AgencyDep, runtime: RuntimeDep) -> KeyList:
    """The agency's keys, revoked and expired ones too, oldest first. Never the keys themselves."""
    now = datetime.now(UTC)
    keys = await agency_api_keys(runtime.db, agency_id=agency.agency_id)
    return KeyList(keys=[key_info(k, now, agency.key_digest) for k in keys])


@router.post("", status_code=status.HTTP_201_CREATED)
async def add_key(body: NewKey, agency: AgencyDep, runtime: RuntimeDep) -> IssuedKey:
    """Issue another key for the calling agency. The key is shown only here, once."""
    now = datetime.now(UTC)
    api_key = random_api_key()
    key = key_document(api_key, agency_id=agency.agency_id, label=body.label, now=now)
    uow = runtime.unit_of_work()  # the key and its announcement to the other services, both or neither
    stage_new_key(uow, key, now)
    await uow.commit()
    return issued_key(api_key, key)


@router.post("/{key_id}/rotate", status_code=status.HTTP_201_CREATED)
async def rotate_key(
    key_id: str, agency: AgencyDep, runtime: RuntimeDep, body: KeyRotation | None = None
) -> RotatedKey:
    """Replace a key: a new key with the same label (shown only here, once), and the old one stops working
    after `overlap_hours` (default 24, at most 168; 0: at once)."""
    body = body or KeyRotation()
    now = datetime.now(UTC)
    old = await _own_key(runtime, agency.agency_id, key_id)
    if not key_is_usable(old, now):
        raise ApiError(409, "key_not_active", f"kunci API {key_id} sudah dicabut atau kedaluwarsa")
    api_key = random_api_key()
    key = key_document(api_key, agency_id=agency.agency_id, label=old["label"], now=now)
    old_expires_at = expiry_after_overlap(old.get("expires_at"), now, body.overlap_hours)
    uow = runtime.unit_of_work()  # both or neither: a failed rotation never leaves the old key cut short
    stage_new_key(uow, key, now)
    stage_key_change(uow, old, now, {"expires_at": old_expires_at})
    await uow.commit()
    return RotatedKey(
        **issued_key(api_key, key).model_dump(),
        replaced_key_id=key_id_of(old["_id"]),
        replaced_key_expires_at=old_expires_at,
    )


@router.delete("/{key_id}")
async def revoke_key(
    key_id: str,
    agency: AgencyDep,
    runtime: RuntimeDep,
    force: Annotated[bool, Query(description="Also revoke the key this request is made with")] = False,
) -> KeyInfo:
    """Revoke a key at once. The key this request is made with is refused (409) unless `force=true`."""
    key = await _own_key(runtime, agency.agency_id, key_id)
    if (refusal := revocation_refusal(key["_id"], agency.key_digest, force)) is not None:
        message = f"kunci API {key_id} dipakai untuk permintaan ini; tambahkan ?force=true untuk tetap mencabutnya"
        raise ApiError(409, refusal, message)
    now = datetime.now(UTC)
    if key.get("revoked_at") is None:  # revoked already: the first revocation time stays
        uow = runtime.unit_of_work()
        stage_key_change(uow, key, now, {"revoked_at": now})
        await uow.commit()
    revoked = await _own_key(runtime, agency.agency_id, key_id)
    return key_info(revoked, now, agency.key_digest)
