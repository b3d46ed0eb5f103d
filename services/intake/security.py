"""Agency API keys: issuing them, checking them on every request, and when each was last used.

An agency holds several keys, each with a label (say, one per system that calls
intake). A key is shown once, when it is issued, and stored only as its SHA-256
digest, the `_id` of its `api_keys` document: keys are long random secrets, so a
fast hash is enough and the lookup is an indexed read. A key stops working when
it is revoked (at once) or when its `expires_at` passes (a rotation gives the
old key an overlap). Unknown, revoked and expired keys get the same answer, so
the answer tells a caller nothing about which. The rules a key obeys are the
same on every service (shared.agency_keys); every change of a key is announced
to the others (key_announcements.py).

In development mode (`make run`, loopback only) an agency's first key is derived
from its id, so the demo's keys are the same at every start and the README's
examples work as written. Every further key is random there too.
"""

import asyncio
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from pymongo.asynchronous.database import AsyncDatabase

from shared.agency_keys import INVALID_KEY_MESSAGE, KEY_ID_LENGTH, digest, key_id_of, key_is_usable
from shared.auth import bearer_token
from shared.http_errors import ApiError
from shared.service import RuntimeDep
from shared.settings import ServiceSettings

from .repository.keys import find_api_key, find_key_owner, touch_api_key

log = logging.getLogger(__name__)

KEY_PREFIX = "kin_"
DEV_KEY_PREFIX = KEY_PREFIX + "dev_"
FIRST_KEY_LABEL = "utama"
MAX_OVERLAP_HOURS = 168
DEFAULT_OVERLAP_HOURS = 24
LAST_USED_INTERVAL_S = 60.0

_KEY_ID = re.compile(rf"^[0-9a-f]{{{KEY_ID_LENGTH}}}$")


def new_api_key(agency_id: str, settings: ServiceSettings) -> str:
    """An agency's first key: in development mode `kin_dev_<agency_id>`, otherwise random."""
    if settings.development:
        return DEV_KEY_PREFIX + agency_id
    return random_api_key()


def random_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def is_key_id(value: str) -> bool:
    return bool(_KEY_ID.fullmatch(value))


def key_document(
    key: str, *, agency_id: str, label: str, now: datetime, expires_at: datetime | None = None
) -> dict[str, Any]:
    """The stored form of a new key: its digest and metadata, never the key."""
    return {
        "_id": digest(key),
        "agency_id": agency_id,
        "label": label,
        "created_at": now,
        "expires_at": expires_at,
        "revoked_at": None,
        "last_used_at": None,
    }


# --- The rules (pure) -------------------------------------------------------------------------------


def expiry_after_overlap(current: datetime | None, now: datetime, overlap_hours: float) -> datetime:
    """When a replaced key stops working: `overlap_hours` from now (0: at once), never later than it already would."""
    if not 0 <= overlap_hours <= MAX_OVERLAP_HOURS:
        raise ValueError(f"overlap_hours must be between 0 and {MAX_OVERLAP_HOURS}, got {overlap_hours}")
    candidate = now + timedelta(hours=overlap_hours)
    return candidate if current is None else min(current, candidate)


def revocation_refusal(target_digest: str, request_digest: str, force: bool) -> str | None:
    """Why this revocation must not happen, if it must not: an agency cutting off the very key it calls with."""
    if target_digest == request_digest and not force:
        return "revoking_own_key"
    return None


class LastUsedThrottle:
    """Which uses of a key to record: at most one per key per `interval_s` in this process.

    `due` answers True for the first use of a key and then again once
    `interval_s` passed since the last True; the timestamps live in memory
    only (a restart records the next use at once). `forget` makes the next use
    due again, for when recording failed.
    """

    def __init__(self, interval_s: float = LAST_USED_INTERVAL_S, max_keys: int = 100_000) -> None:
        self.interval_s, self.max_keys = interval_s, max_keys
        self._recorded: dict[str, float] = {}

    def due(self, key_digest: str, now: float) -> bool:
        last = self._recorded.get(key_digest)
        if last is not None and now - last < self.interval_s:
            return False
        if last is None and len(self._recorded) >= self.max_keys:
            self._prune(now)
        self._recorded[key_digest] = now
        return True

    def forget(self, key_digest: str) -> None:
        self._recorded.pop(key_digest, None)

    def __len__(self) -> int:
        return len(self._recorded)

    def _prune(self, now: float) -> None:
        self._recorded = {k: t for k, t in self._recorded.items() if now - t < self.interval_s}
        if len(self._recorded) >= self.max_keys:  # all recent: forgetting only costs an early write
            self._recorded.clear()


# --- Recording use in the background ----------------------------------------------------------------

_throttle = LastUsedThrottle()
_recording: set[asyncio.Task[None]] = set()  # referenced until done, so none is garbage-collected mid-write


def record_use(db: AsyncDatabase, key_digest: str, at: datetime) -> None:
    """Set the key's `last_used_at` at most once a minute, without making the request wait for the write."""
    if not _throttle.due(key_digest, time.monotonic()):
        return
    task = asyncio.create_task(_touch(db, key_digest, at))
    _recording.add(task)
    task.add_done_callback(_recording.discard)


async def _touch(db: AsyncDatabase, key_digest: str, at: datetime) -> None:
    try:
        await touch_api_key(db, key_digest=key_digest, at=at)
    except Exception as exc:
        _throttle.forget(key_digest)  # the next use tries again
        log.warning("last_used_at not recorded", extra={"key_id": key_id_of(key_digest), "error": type(exc).__name__})


# --- Authentication -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agency:
    """The agency a request was made for, and which of its keys it was made with."""

    agency_id: str
    nama: str
    wilayah: str | None
    key_digest: str

    @property
    def key_id(self) -> str:
        return key_id_of(self.key_digest)


async def current_agency(
    request: Request, runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None
) -> Agency:
    key_digest = digest(bearer_token(authorization))
    now = datetime.now(UTC)
    key = await find_api_key(runtime.db, key_digest=key_digest)
    if key is None or not key_is_usable(key, now):
        raise ApiError(401, "unauthorized", INVALID_KEY_MESSAGE)
    owner = await find_key_owner(runtime.db, agency_id=key["agency_id"])
    if owner is None:
        raise ApiError(401, "unauthorized", INVALID_KEY_MESSAGE)
    request.state.agency_id = owner["_id"]  # for the access log: who called, never the key
    record_use(runtime.db, key_digest, now)
    return Agency(owner["_id"], owner.get("nama", ""), owner.get("wilayah"), key_digest)


AgencyDep = Annotated[Agency, Depends(current_agency)]
