"""E-mail and webhook deliveries that gave up (dead), with their last error, and re-sending one."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from shared.agency_keys import CallerDep
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..delivery_store import dead_deliveries, find_delivery, resend
from ..domain.deliveries import Delivery
from ..wiring import wake_delivery_worker

router = APIRouter(tags=["deliveries"])

DeliveryId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The delivery's id")]


class Listed(StrEnum):
    DEAD = "dead"


def _view(delivery: Delivery) -> dict[str, Any]:
    """What went where and how it fared; never the message body or the webhook payload."""
    payload = delivery.payload
    where = {"to": payload.get("to")} if delivery.channel == "email" else {}
    if delivery.channel == "webhook":
        where = {"subscription_id": payload.get("subscription_id"), "url": payload.get("url")}
    return {
        "id": delivery.id,
        "channel": delivery.channel,
        "agency_id": delivery.agency_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "kind": delivery.kind,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "next_attempt_at": delivery.next_attempt_at,
        "sent_at": delivery.sent_at,
        **where,
    }


@router.get("/v1/deliveries")
async def list_deliveries(
    runtime: RuntimeDep,
    caller: CallerDep,
    status: Annotated[Listed, Query(description="dead: every attempt failed")] = Listed.DEAD,
    after: Annotated[
        str | None, Query(pattern=r"^[0-9a-f]{32}$", description="next_after of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Dead deliveries with their last error and attempts: the agency's own, or all for the administrator."""
    agency_id = None if caller.is_admin else caller.agency_id
    page = await dead_deliveries(runtime.db, agency_id, limit, after=after)
    return {"items": [_view(d) for d in page], "next_after": page[-1].id if len(page) == limit else None}


@router.get("/v1/deliveries/{delivery_id}")
async def get_delivery(delivery_id: DeliveryId, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    delivery = await find_delivery(runtime.db, delivery_id)
    if delivery is None or not caller.may_see(delivery.agency_id):
        raise ApiError(404, "delivery_not_found", f"pengiriman {delivery_id} tidak ada")
    return _view(delivery)


@router.post("/v1/deliveries/{delivery_id}/resend", status_code=202)
async def resend_delivery(delivery_id: DeliveryId, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    """Try a dead delivery again, now, with the same webhook-id or Message-ID (a receiver that got it after all
    drops the repeat)."""
    delivery = await find_delivery(runtime.db, delivery_id)
    if delivery is None or not caller.may_see(delivery.agency_id):
        raise ApiError(404, "delivery_not_found", f"pengiriman {delivery_id} tidak ada")
    if not await resend(runtime.db, delivery_id, datetime.now(UTC)):
        message = f"pengiriman {delivery_id} berstatus {delivery.status}; hanya yang gagal (dead) dapat dikirim ulang"
        raise ApiError(409, "delivery_not_dead", message)
    wake_delivery_worker()
    return _view(await find_delivery(runtime.db, delivery_id) or delivery)
