"""Agency API keys on every service: the rules of a key, the copy each service keeps, and who is calling.

Intake issues keys and keeps them (`api_keys`); it announces every state a key
takes as `kinerja.apikey.changed.v1`: its SHA-256 digest, never the key. A
service with routes for agencies adds `API_KEY_ROUTE` to its `consumes`, which
keeps a copy in its own `agency_keys` collection (`_id` the digest), and guards
its routes with `CallerDep`: the administrator's token, or an agency's key that
is usable now. No service reads intake's database.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from pymongo.asynchronous.database import AsyncDatabase

from shared.auth import bearer_token, is_admin_token
from shared.contracts import API_KEY_CHANGED
from shared.contracts.keys import ApiKeyChanged
from shared.http_errors import ApiError
from shared.messaging.consumer import HandlerContext, Route
from shared.messaging.unit_of_work import UnitOfWork
from shared.service import RuntimeDep

AGENCY_KEYS = "agency_keys"  # the consuming service's copy: agency_id, created_at, expires_at, revoked_at, changed_at
KEY_ID_LENGTH = 8
# The same for unknown, revoked and expired keys: no oracle.
INVALID_KEY_MESSAGE = "Kunci API tidak valid"


# --- The rules (pure) -------------------------------------------------------------------------------


class KeyStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_id_of(key_digest: str) -> str:
    """How agencies and logs name a key: the first hex digits of its digest (never the key)."""
    return key_digest[:KEY_ID_LENGTH]


def key_status(key: Mapping[str, Any], now: datetime) -> KeyStatus:
    """Revoked from the moment of revocation; expired from `expires_at` on (inclusive); otherwise active."""
    if key.get("revoked_at") is not None:
        return KeyStatus.REVOKED
    expires_at = key.get("expires_at")
    if expires_at is not None and expires_at <= now:
        return KeyStatus.EXPIRED
    return KeyStatus.ACTIVE


def key_is_usable(key: Mapping[str, Any], now: datetime) -> bool:
    return key_status(key, now) is KeyStatus.ACTIVE


def _to_millis(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def supersedes(changed_at: datetime, stored: Mapping[str, Any] | None) -> bool:
    """Whether a key state recorded at `changed_at` replaces the stored copy: never when the copy is newer.

    Compared to the millisecond: MongoDB keeps no finer, so the copy read back from the database would otherwise
    look older than the very event it came from. A tie goes to the state that arrives later.
    """
    return stored is None or _to_millis(changed_at) >= _to_millis(stored["changed_at"])


def agency_key_document(event: ApiKeyChanged) -> dict[str, Any]:
    return {
        "_id": event.key_digest,
        "agency_id": event.agency_id,
        "created_at": event.created_at,
        "expires_at": event.expires_at,
        "revoked_at": event.revoked_at,
        "changed_at": event.changed_at,
    }


# --- The copy, kept from intake's events --------------------------------------------------------------


async def prefetch_agency_keys(events: list[ApiKeyChanged], uow: UnitOfWork) -> None:
    # Intake announces its existing keys in batches of hundreds at start-up: one read per batch, not per key.
    await uow.get_many(AGENCY_KEYS, [event.key_digest for event in events])


async def on_api_key_changed(event: ApiKeyChanged, ctx: HandlerContext) -> None:
    """Keep the key's latest state: a late, older state (a redelivery, a start-up announcement) changes nothing."""
    if supersedes(event.changed_at, await ctx.uow.get(AGENCY_KEYS, event.key_digest)):
        ctx.uow.put(AGENCY_KEYS, agency_key_document(event))


API_KEY_ROUTE = Route(API_KEY_CHANGED, on_api_key_changed, prefetch=prefetch_agency_keys)


async def find_agency_key(db: AsyncDatabase, *, key_digest: str) -> dict[str, Any] | None:
    return await db[AGENCY_KEYS].find_one({"_id": key_digest})


# --- Who is calling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """The administrator (every agency), or the agency whose key the request was made with."""

    agency_id: str | None
    is_admin: bool

    def may_see(self, agency_id: str) -> bool:
        return self.is_admin or agency_id == self.agency_id

    def require_agency(self, agency_id: str) -> None:
        """Refuse an agency's key asking for another agency's data."""
        if not self.may_see(agency_id):
            raise ApiError(403, "forbidden_agency", f"Kunci API ini tidak berhak atas data instansi {agency_id}")


async def current_caller(
    request: Request, runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None
) -> Caller:
    token = bearer_token(authorization)
    if is_admin_token(token, runtime.settings):
        return Caller(agency_id=None, is_admin=True)
    key = await find_agency_key(runtime.db, key_digest=digest(token))
    if key is None or not key_is_usable(key, datetime.now(UTC)):
        raise ApiError(401, "unauthorized", INVALID_KEY_MESSAGE)
    request.state.agency_id = key["agency_id"]  # for the access log: who called, never the key
    return Caller(agency_id=key["agency_id"], is_admin=False)


CallerDep = Annotated[Caller, Depends(current_caller)]
