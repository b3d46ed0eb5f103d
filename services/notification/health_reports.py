"""The delivery-health job (ServiceDefinition.background): kinerja.delivery.health.v1 for each scope (an agency,
or `*` for the administrator's cross-agency subscriptions) whose deliveries stand differently than last told.

A round (every KINERJA_DELIVERY_HEALTH_INTERVAL_S, default 30) reads the scopes' change markers: one small read,
and all a round costs when nothing happened. For the scopes whose marker moved since this process last looked
(every scope once, after a start), it groups their deliveries and inbox items by channel and status (two
aggregations), reads their endpoints' records, and publishes each snapshot that says something the last one
published did not (domain/health.py): the digest and the event in one unit of work. A replica that published the
same change first makes this one's commit fail on the digest, so nothing is told twice.
"""

import asyncio
import logging
from collections.abc import Collection, MutableMapping
from datetime import UTC, datetime
from typing import Any

from shared.contracts import DELIVERY_HEALTH
from shared.mongo import is_duplicate_key
from shared.service import Runtime

from .delivery_store import grouped_deliveries
from .domain.health import Endpoint, scopes_to_look_at, snapshot, subscription_scope, to_publish
from .health_store import change_marks, endpoint_records, keep_published, published_digests
from .repository import inbox_counts, subscription_targets
from .wiring import notification_settings

log = logging.getLogger(__name__)


async def report_delivery_health(runtime: Runtime) -> None:
    """The background job, for the life of the process."""
    interval = notification_settings().delivery_health_interval_s
    seen: dict[str, int] = {}  # each scope's marker when this process last looked
    while True:
        try:
            await publish_changes(runtime, seen)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is away: markers not seen stay unseen, the next round looks
            log.warning("delivery health failed, retrying", extra={"error": type(exc).__name__})
        await asyncio.sleep(interval)


async def publish_changes(runtime: Runtime, seen: MutableMapping[str, int]) -> None:
    """One round: `seen` holds each scope's marker as last looked at, and is brought up to date."""
    marks = await change_marks(runtime.db)
    scopes = scopes_to_look_at(marks, seen)
    if not scopes:
        return
    groups = await grouped_deliveries(runtime.db, scopes)
    groups += await inbox_counts(runtime.db, agency_ids=scopes)
    endpoints = await _endpoints(runtime, scopes)
    published = await published_digests(runtime.db, scopes)
    now = datetime.now(UTC)
    for health, digest in to_publish([snapshot(s, groups, endpoints, now) for s in scopes], published):
        uow = runtime.unit_of_work()
        keep_published(uow, health.agency_id, digest, published.get(health.agency_id), now)
        uow.emit(DELIVERY_HEALTH, health, subject=health.agency_id)
        try:
            await uow.commit()
        except Exception as exc:
            if not is_duplicate_key(exc):
                raise
            log.debug("delivery health of %s told by another replica", health.agency_id)
    seen.update({scope: marks[scope] for scope in scopes})


async def _endpoints(runtime: Runtime, scopes: Collection[str]) -> list[Endpoint]:
    subscriptions = [
        (s, scope)
        for s in await subscription_targets(runtime.db)
        if (scope := subscription_scope(s.get("owner_agency_id"), s.get("agency_ids"))) in scopes
    ]
    records = await endpoint_records(runtime.db, [s["_id"] for s, _ in subscriptions])
    return [
        _endpoint(subscription, scope, records.get(subscription["_id"], {})) for subscription, scope in subscriptions
    ]


def _endpoint(subscription: dict[str, Any], scope: str, record: dict[str, Any]) -> Endpoint:
    return Endpoint(
        subscription_id=subscription["_id"],
        scope=scope,
        url=subscription["url"],
        failures_in_a_row=int(record.get("failures_in_a_row", 0)),
        last_error=record.get("last_error"),
        last_success_at=record.get("last_success_at"),
        paused=bool(record.get("paused")),
    )
