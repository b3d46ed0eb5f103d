"""Webhook subscriptions for downstream systems (payroll/TPP, SIASN connectors, dashboards).

An agency's key subscribes to its own agency's events; the administrator subscribes across agencies, optionally
filtered (`agency_ids`). The signing secret (`whsec_...`) is shown once, when the subscription is made and when it
is rotated; it is stored encrypted. Target URLs on loopback or private addresses are refused (SSRF) unless the
administrator allows them for the subscription (`allow_private`) or the whole service does
(`KINERJA_ALLOW_PRIVATE_WEBHOOKS`).
"""

import asyncio
import ipaddress
import secrets as random
import socket
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Body, Path
from pydantic import Field

from shared.agency_keys import Caller, CallerDep
from shared.contracts.common import AgencyId, Contract, StrictInt64
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..domain.health import subscription_scope
from ..domain.webhook_urls import webhook_url_refusal
from ..health_store import forget_endpoint, mark_changed, mark_changed_now
from ..repository import (
    SUBSCRIPTIONS,
    delete_subscription,
    find_subscription,
    list_subscriptions,
    replace_secrets,
)
from ..secrets import DEFAULT_ROTATION_OVERLAP, new_webhook_secret, rotated_secrets, sealed_secret
from ..subscriptions import WEBHOOK_TOPICS, unknown_event_types
from ..wiring import notification_settings, secret_box, webhook_secrets

router = APIRouter(tags=["webhooks"])

SubscriptionId = Annotated[str, Path(pattern=r"^wh_[0-9a-f]{24}$", description="The subscription's id")]
RESOLVE_TIMEOUT_S = 5.0


class SubscriptionRequest(Contract):
    url: str = Field(min_length=1, max_length=2000, examples=["https://tpp.example.go.id/kinerja/webhook"])
    event_types: list[str] = Field(
        min_length=1, max_length=len(WEBHOOK_TOPICS), examples=[["kinerja.score.computed.v1"]]
    )
    agency_ids: list[AgencyId] | None = Field(
        default=None,
        max_length=1000,
        description="Only these agencies' events (administrator); an agency's key always hears its own only",
    )
    allow_private: bool = Field(
        default=False, description="Administrator only: allow a URL on a loopback or private address"
    )


class RotateRequest(Contract):
    overlap_hours: StrictInt64 = Field(
        default=int(DEFAULT_ROTATION_OVERLAP.total_seconds() // 3600),
        ge=0,
        le=168,
        description="How long the old secret keeps signing beside the new one",
    )


def _view(subscription: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": subscription["_id"],
        "url": subscription["url"],
        "event_types": subscription["event_types"],
        "agency_ids": subscription.get("agency_ids"),
        "owner_agency_id": subscription.get("owner_agency_id"),
        "allow_private": subscription.get("allow_private", False),
        "created_at": subscription["created_at"],
        "secret_rotated_at": subscription.get("secret_rotated_at"),
    }


def _invalid(code: str, field: str, message: str) -> ApiError:
    return ApiError(422, code, message, [{"field": field, "code": code, "message": message}])


async def _resolve(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_S):
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, TimeoutError):
        return []
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos))


async def _check_url(url: str, allow_private: bool) -> None:
    """422 with the refusal's own code: not http(s), no host, unresolvable, or a private address."""
    parts = urlsplit(url)
    ips = await _resolve(parts.hostname) if parts.scheme in ("http", "https") and parts.hostname else []
    if refusal := webhook_url_refusal(url, ips, allow_private):
        raise _invalid(refusal.code, "url", refusal.message)


def _scope(caller: Caller, body: SubscriptionRequest) -> tuple[str | None, list[str] | None]:
    """(owner agency, agencies heard): an agency's key hears its own agency only; the administrator all, or some."""
    if caller.is_admin:
        return None, sorted(set(body.agency_ids)) if body.agency_ids is not None else None
    if body.allow_private:
        raise ApiError(403, "allow_private_admin_only", "Hanya administrator yang boleh mengizinkan alamat privat")
    for agency_id in body.agency_ids or []:
        caller.require_agency(agency_id)
    return caller.agency_id, [caller.agency_id]


def _visible(caller: Caller, subscription: dict[str, Any] | None, subscription_id: str) -> dict[str, Any]:
    # Another agency's subscription answers like a missing one.
    if subscription is None or not (caller.is_admin or subscription.get("owner_agency_id") == caller.agency_id):
        raise ApiError(404, "webhook_not_found", f"langganan webhook {subscription_id} tidak ada")
    return subscription


@router.post("/v1/webhooks", status_code=201)
async def create_webhook(body: SubscriptionRequest, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    """Subscribe a URL to event types. The answer holds the signing secret (Standard Webhooks, `whsec_...`):
    it is shown this once. Deliveries carry `webhook-id`, `webhook-timestamp` and `webhook-signature`."""
    if unknown := unknown_event_types(body.event_types):
        known = ", ".join(WEBHOOK_TOPICS)
        details = [
            {
                "field": f"event_types[{i}]",
                "code": "unknown_event_type",
                "message": f"{t} bukan jenis event yang dapat dilanggan; pilih dari: {known}",
            }
            for i, t in unknown
        ]
        raise ApiError(422, "unknown_event_type", details[0]["message"], details)
    owner, agencies = _scope(caller, body)
    allow_private = body.allow_private or notification_settings().allow_private_webhooks
    await _check_url(body.url, allow_private)
    now = datetime.now(UTC)
    secret = new_webhook_secret()
    subscription = {
        "_id": f"wh_{random.token_hex(12)}",
        "url": body.url,
        "event_types": list(dict.fromkeys(body.event_types)),
        "agency_ids": agencies,
        "owner_agency_id": owner,
        "allow_private": body.allow_private,
        "created_at": now,
        "secrets": [sealed_secret(secret_box(), secret, now)],
    }
    uow = runtime.unit_of_work()
    uow.insert(SUBSCRIPTIONS, subscription)
    mark_changed(uow, subscription_scope(owner, agencies))  # a new endpoint in its delivery health
    await uow.commit()
    return {**_view(subscription), "secret": secret}


@router.get("/v1/webhooks")
async def list_webhooks(runtime: RuntimeDep, caller: CallerDep) -> list[dict[str, Any]]:
    """The agency's own subscriptions; every subscription for the administrator. Never a secret."""
    subscriptions = await list_subscriptions(runtime.db, owner_agency_id=None if caller.is_admin else caller.agency_id)
    return [_view(s) for s in subscriptions]


@router.get("/v1/webhooks/{subscription_id}")
async def get_webhook(subscription_id: SubscriptionId, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    subscription = await find_subscription(runtime.db, subscription_id=subscription_id)
    return _view(_visible(caller, subscription, subscription_id))


@router.delete("/v1/webhooks/{subscription_id}", status_code=204)
async def remove_webhook(subscription_id: SubscriptionId, runtime: RuntimeDep, caller: CallerDep) -> None:
    """Stop delivering: deliveries still waiting for a retry fail as dead (no secret signs them any more)."""
    subscription = _visible(
        caller, await find_subscription(runtime.db, subscription_id=subscription_id), subscription_id
    )
    await delete_subscription(runtime.db, subscription_id=subscription_id)
    webhook_secrets(runtime.db).forget(subscription_id)
    await forget_endpoint(runtime.db, subscription_id)
    await mark_changed_now(
        runtime.db, subscription_scope(subscription.get("owner_agency_id"), subscription.get("agency_ids"))
    )


@router.post("/v1/webhooks/{subscription_id}/rotate-secret")
async def rotate_secret(
    subscription_id: SubscriptionId,
    runtime: RuntimeDep,
    caller: CallerDep,
    body: Annotated[RotateRequest | None, Body()] = None,
) -> dict[str, Any]:
    """A new signing secret, shown once. Deliveries are signed with both, new and old, for `overlap_hours`
    (default 24), so the receiver can switch without rejecting one; then with the new one only."""
    subscription = _visible(
        caller, await find_subscription(runtime.db, subscription_id=subscription_id), subscription_id
    )
    overlap = timedelta(hours=(body or RotateRequest()).overlap_hours)
    now = datetime.now(UTC)
    secret = new_webhook_secret()
    stored = rotated_secrets(subscription.get("secrets", []), sealed_secret(secret_box(), secret, now), now, overlap)
    if not await replace_secrets(runtime.db, subscription_id=subscription_id, secrets=stored, now=now):
        raise ApiError(404, "webhook_not_found", f"langganan webhook {subscription_id} tidak ada")
    webhook_secrets(runtime.db).forget(subscription_id)
    return {
        "id": subscription_id,
        "secret": secret,
        "previous_secrets_retire_at": now + overlap if len(stored) > 1 else None,
    }
