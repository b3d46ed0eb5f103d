"""The administrator's view of every notification (inbox items), for one person or one agency."""

from typing import Annotated

from fastapi import APIRouter, Query

from shared.auth import AdminDep
from shared.contracts.common import AgencyId
from shared.contracts.nip import Nip
from shared.contracts.notifications import NotificationSent
from shared.service import RuntimeDep

from ..repository import latest_notifications

router = APIRouter(prefix="/v1/notifications", tags=["notifications"])


@router.get("")
async def list_notifications(
    runtime: RuntimeDep,
    _: AdminDep,
    nip: Annotated[Nip | None, Query(description="Recipient's NIP")] = None,
    agency_id: Annotated[AgencyId | None, Query(description="Only this agency's notifications")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[NotificationSent]:
    """The newest notifications, for one person or one agency (people read theirs at `/v1/inbox/{nip}`)."""
    return await latest_notifications(runtime.db, nip=nip, agency_id=agency_id, limit=limit)
