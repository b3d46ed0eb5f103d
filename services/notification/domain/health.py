"""How an agency's deliveries stand (kinerja.delivery.health.v1): where each delivery and endpoint is reported,
what a snapshot holds, when it is worth publishing. Pure functions over the counts the database groups and the
endpoints' recorded state; health_store.py reads them, health_reports.py publishes.

Scopes: an agency's own inbox items, e-mails and webhooks are reported under the agency; an administrator's
subscription hearing several agencies (payroll, SIASN connectors) under `*`, so one agency never sees another's
figures. An administrator's subscription limited to one agency is that agency's.
"""

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from shared.contracts.notifications import (
    ChannelHealth,
    DeliveryHealth,
    EndpointState,
    NotificationChannel,
    WebhookEndpointHealth,
)

from .deliveries import Channel, Delivery, DeliveryStatus

ALL_AGENCIES = "*"
ENDPOINTS_LISTED_MAX = 200  # the contract's limit; the channel totals count every endpoint's deliveries
ERROR_MAX = 500
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def subscription_scope(owner_agency_id: str | None, agency_ids: Sequence[str] | None) -> str:
    """Where a subscription's deliveries and endpoint are reported."""
    if owner_agency_id:
        return owner_agency_id
    if agency_ids is not None and len(agency_ids) == 1:
        return agency_ids[0]
    return ALL_AGENCIES


def scope_of(channel: Channel, agency_id: str, subscription_scope: str | None) -> str:
    """A webhook delivery is reported where its subscription is (carried in its payload since fan-out; one
    stored before has none and counts as its agency's); an e-mail or inbox item where its agency is."""
    return (subscription_scope if channel is Channel.WEBHOOK else None) or agency_id


def delivery_scope(delivery: Delivery) -> str:
    return scope_of(delivery.channel, delivery.agency_id, delivery.payload.get("scope"))


@dataclass(frozen=True)
class DeliveryGroup:
    """How many deliveries of one scope, channel, status (and webhook subscription) there are."""

    scope: str
    channel: Channel
    status: DeliveryStatus
    count: int
    subscription_id: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """A webhook subscription and what its attempts left on record (health_store.record_endpoint_outcome)."""

    subscription_id: str
    scope: str
    url: str
    failures_in_a_row: int = 0
    last_error: str | None = None
    last_success_at: datetime | None = None
    paused: bool = False  # the circuit breaker opened and no attempt has succeeded since


def scopes_to_look_at(marks: Mapping[str, int], seen: Mapping[str, int]) -> list[str]:
    """The scopes whose change marker moved since this process last looked (all of them at its start)."""
    return sorted(scope for scope, mark in marks.items() if seen.get(scope) != mark)


def url_host(url: str) -> str:
    """The host alone: a URL's user part, path and query may carry credentials or tokens."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def scrubbed_error(error: str | None) -> str | None:
    """The last error with any URL in it cut to its host, within the contract's length."""
    if error is None:
        return None
    return _URL.sub(lambda m: url_host(m.group(0)) or "<url>", error)[:ERROR_MAX]


def snapshot(
    scope: str, groups: Iterable[DeliveryGroup], endpoints: Iterable[Endpoint], observed_at: datetime
) -> DeliveryHealth:
    """The scope's deliveries per channel (a delivery being sent still counts as pending) and its endpoints,
    paused ones first, then those with the most dead and pending."""
    totals: dict[Channel, dict[str, int]] = {c: {"sent": 0, "pending": 0, "dead": 0} for c in Channel}
    per_endpoint: dict[str, dict[str, int]] = {}
    for group in groups:
        if group.scope != scope:
            continue
        column = _column(group.status)
        totals[group.channel][column] += group.count
        if group.channel is Channel.WEBHOOK and group.subscription_id:
            counts = per_endpoint.setdefault(group.subscription_id, {"sent": 0, "pending": 0, "dead": 0})
            counts[column] += group.count
    listed = [_endpoint_health(e, per_endpoint.get(e.subscription_id, {})) for e in endpoints if e.scope == scope]
    listed.sort(key=lambda e: (e.state is not EndpointState.PAUSED, -e.dead, -e.pending, e.subscription_id))
    return DeliveryHealth(
        agency_id=scope,
        channels=[ChannelHealth(channel=NotificationChannel(c.value), **totals[c]) for c in Channel],
        endpoints=listed[:ENDPOINTS_LISTED_MAX],
        observed_at=observed_at,
    )


def _column(status: DeliveryStatus) -> str:
    if status is DeliveryStatus.SENT:
        return "sent"
    return "dead" if status is DeliveryStatus.DEAD else "pending"


def _endpoint_health(endpoint: Endpoint, counts: Mapping[str, int]) -> WebhookEndpointHealth:
    return WebhookEndpointHealth(
        subscription_id=endpoint.subscription_id,
        url_host=url_host(endpoint.url),
        state=EndpointState.PAUSED if endpoint.paused else EndpointState.ACTIVE,
        pending=counts.get("pending", 0),
        dead=counts.get("dead", 0),
        failures_in_a_row=endpoint.failures_in_a_row,
        last_error=scrubbed_error(endpoint.last_error),
        last_success_at=endpoint.last_success_at,
    )


def health_digest(health: DeliveryHealth) -> str:
    """What the snapshot says, without when it was observed: equal digests, nothing new to tell."""
    content = health.model_dump(mode="json", exclude={"observed_at"})
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def to_publish(snapshots: Iterable[DeliveryHealth], published: Mapping[str, str]) -> list[tuple[DeliveryHealth, str]]:
    """The snapshots that say something the last one published for their scope did not, with their digests."""
    digests = [(health, health_digest(health)) for health in snapshots]
    return [(health, digest) for health, digest in digests if published.get(health.agency_id) != digest]
