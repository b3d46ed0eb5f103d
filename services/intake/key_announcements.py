"""Announcing agency API keys: every state a key takes reaches the other services as kinerja.apikey.changed.v1.

Every write of a key's state goes through a `stage_` function here: the write, its `announced_at` and the event
in one unit of work, so the other services' copies (shared.agency_keys) never miss a change nor learn one that
did not commit. Keys from before the event existed lack `announced_at`: every intake replica announces them at
start-up (`announce_existing_keys`), a few hundred per transaction. Two replicas starting together may both
announce a key: the copies keep the latest state, so twice is harmless.
"""

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from shared.contracts import API_KEY_CHANGED
from shared.contracts.keys import ApiKeyChanged
from shared.messaging.unit_of_work import UnitOfWork
from shared.service import Runtime

from .repository.keys import API_KEYS, unannounced_api_keys

log = logging.getLogger(__name__)

ANNOUNCE_BATCH = 300
RETRY_AFTER_S = 5.0


def key_changed(key: Mapping[str, Any], changed_at: datetime) -> ApiKeyChanged:
    return ApiKeyChanged(
        key_digest=key["_id"],
        agency_id=key["agency_id"],
        created_at=key["created_at"],
        expires_at=key.get("expires_at"),
        revoked_at=key.get("revoked_at"),
        changed_at=changed_at,
    )


def _announce(uow: UnitOfWork, key: Mapping[str, Any], changed_at: datetime) -> None:
    uow.emit(API_KEY_CHANGED, key_changed(key, changed_at), subject=key["agency_id"])


def stage_new_key(uow: UnitOfWork, key: dict[str, Any], now: datetime) -> None:
    uow.insert(API_KEYS, {**key, "announced_at": now})
    _announce(uow, key, now)


def stage_key_change(uow: UnitOfWork, key: Mapping[str, Any], now: datetime, changes: dict[str, Any]) -> None:
    """Change a key as read (`changes` over `key`) and announce the state it is left in.

    The key is written whole, over the state that was read: if another request changed it meanwhile (a rotation,
    a revocation), this commit fails with a conflict instead of announcing a state that no longer holds. A use
    recorded meanwhile may be undone: `last_used_at` is a throttled hint, recorded again at a later use.
    """
    changed = {**key, **changes, "announced_at": now}
    uow.put(API_KEYS, changed, match={field: key.get(field) for field in ("expires_at", "revoked_at")})
    _announce(uow, changed, now)


def stage_key_reissue(uow: UnitOfWork, key: dict[str, Any], now: datetime) -> None:
    """Issue `key` (a new document) again over the stored one, if any: working again, its first issue kept."""
    first_issued = {"created_at": key["created_at"], "last_used_at": None}
    again = {k: v for k, v in key.items() if k not in first_issued and k != "_id"}
    uow.update(API_KEYS, key["_id"], set_={**again, "announced_at": now}, set_on_insert=first_issued, upsert=True)
    _announce(uow, key, now)


def known_since(key: Mapping[str, Any]) -> datetime:
    """The latest moment a stored key's state is known to date from: its creation or its revocation.

    Not the moment of announcing: a revocation or rotation committed while the announcement is on its way is
    announced with its own, later time, and must win in the copies whichever of the two arrives last.
    """
    revoked_at = key.get("revoked_at")
    return key["created_at"] if revoked_at is None else max(key["created_at"], revoked_at)


async def announce_batch(runtime: Runtime) -> int:
    """Announce up to `ANNOUNCE_BATCH` keys never announced, in one unit of work; how many."""
    keys = await unannounced_api_keys(runtime.db, limit=ANNOUNCE_BATCH)
    if not keys:
        return 0
    now = datetime.now(UTC)
    uow = runtime.unit_of_work()
    for key in keys:
        uow.update(API_KEYS, key["_id"], set_={"announced_at": now})
        _announce(uow, key, known_since(key))
    await uow.commit()
    return len(keys)


async def announce_existing_keys(runtime: Runtime) -> None:
    """The start-up job: announce every key never announced, then end; a failure is retried until it gets through."""
    announced = 0
    while True:
        try:
            if not (count := await announce_batch(runtime)):
                break
            announced += count
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is down, most likely: the keys stay unannounced, retry
            log.warning("announcing existing API keys failed, retrying", extra={"error": type(exc).__name__})
            await asyncio.sleep(RETRY_AFTER_S)
    if announced:
        log.info("existing API keys announced", extra={"announced_count": announced})
