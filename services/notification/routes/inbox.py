"""A person's inbox: list (newest first, in pages), unread count, mark read.

Read with the agency's key (its own employees; items from that agency) or the administrator's token, or by the
person themself through a signed link (`POST /v1/inbox/{nip}/links`): `?token=` is an HMAC over the NIP and an
expiry, never a secret, and stops working when it expires.
"""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from pydantic import Field

from shared.agency_keys import CallerDep, current_caller
from shared.contracts.common import Contract, StrictInt64
from shared.contracts.nip import Nip
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..repository import find_person, inbox_page, mark_read, unread_count
from ..secrets import LINK_DEFAULT_TTL, LINK_MAX_TTL, LinkRefused
from ..wiring import inbox_links

router = APIRouter(tags=["inbox"])

ItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The item's id")]
ITEM_FIELDS = (
    "agency_id",
    "recipient_role",
    "kind",
    "judul",
    "pesan",
    "about_event_id",
    "about_event_type",
    "sent_at",
    "read_at",
)


@dataclass(frozen=True)
class InboxReader:
    nip: str
    agency_id: str | None  # items of this agency only (an agency's key); None: all of the person's


def _person_not_found(nip: str) -> ApiError:
    return ApiError(404, "person_not_found", f"NIP {nip} tidak dikenal layanan notifikasi")


async def inbox_reader(
    nip: Nip,
    request: Request,
    runtime: RuntimeDep,
    token: Annotated[str | None, Query(max_length=200, description="The signed link's token")] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> InboxReader:
    if token is not None:
        try:
            inbox_links().verify(nip, token, datetime.now(UTC))
        except LinkRefused as refused:
            raise ApiError(401, refused.code, refused.message) from None
        return InboxReader(nip, None)
    caller = await current_caller(request, runtime, authorization)
    person = await find_person(runtime.db, nip=nip)
    if caller.is_admin:
        return InboxReader(nip, None)
    if person is None or person["agency_id"] != caller.agency_id:
        raise _person_not_found(nip)
    return InboxReader(nip, caller.agency_id)


ReaderDep = Annotated[InboxReader, Depends(inbox_reader)]


def _item_view(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["_id"], **{f: item.get(f) for f in ITEM_FIELDS}}


def _cursor_of(item: dict[str, Any]) -> str:
    at: datetime = item["at"]
    raw = f"{at.astimezone(UTC).isoformat()}|{item['_id']}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, item_id = raw.partition("|")
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None or not item_id:
            raise ValueError("incomplete cursor")
        return at, item_id
    except (ValueError, UnicodeDecodeError):
        message = "cursor tidak valid; gunakan next_cursor dari halaman sebelumnya"
        raise ApiError(
            422, "invalid_cursor", message, [{"field": "cursor", "code": "invalid_cursor", "message": message}]
        ) from None


@router.get("/v1/inbox/{nip}")
async def list_inbox(
    reader: ReaderDep,
    runtime: RuntimeDep,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The person's messages, newest first: follow `next_cursor` until it is null."""
    items = await inbox_page(runtime.db, nip=reader.nip, agency_id=reader.agency_id, after=_after(cursor), limit=limit)
    next_cursor = _cursor_of(items[-1]) if len(items) == limit else None
    return {"nip": reader.nip, "items": [_item_view(i) for i in items], "next_cursor": next_cursor}


@router.get("/v1/inbox/{nip}/unread-count")
async def inbox_unread_count(reader: ReaderDep, runtime: RuntimeDep) -> dict[str, Any]:
    return {"nip": reader.nip, "unread": await unread_count(runtime.db, nip=reader.nip, agency_id=reader.agency_id)}


@router.post("/v1/inbox/{nip}/items/{item_id}/read")
async def mark_item_read(item_id: ItemId, reader: ReaderDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Mark one message read (again: it keeps the time it was first read)."""
    now = datetime.now(UTC)
    item = await mark_read(runtime.db, nip=reader.nip, agency_id=reader.agency_id, item_id=item_id, now=now)
    if item is None:
        raise ApiError(404, "inbox_item_not_found", f"pesan {item_id} tidak ada di kotak masuk NIP {reader.nip}")
    return _item_view(item)


class LinkRequest(Contract):
    expires_in_s: StrictInt64 = Field(
        default=int(LINK_DEFAULT_TTL.total_seconds()),
        ge=1,
        le=int(LINK_MAX_TTL.total_seconds()),
        description="How long the link works: default 7 days, at most 30",
    )


@router.post("/v1/inbox/{nip}/links", status_code=201)
async def create_inbox_link(
    nip: Nip, request: Request, runtime: RuntimeDep, caller: CallerDep, body: LinkRequest | None = None
) -> dict[str, Any]:
    """A link the employee opens to read their own inbox without an API key; it expires."""
    person = await find_person(runtime.db, nip=nip)
    if person is None or not caller.may_see(person["agency_id"]):
        raise _person_not_found(nip)
    expires_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=(body or LinkRequest()).expires_in_s)
    token = inbox_links().token(nip, expires_at)
    url = str(request.url_for("list_inbox", nip=nip).include_query_params(token=token))
    return {"nip": nip, "url": url, "token": token, "expires_at": expires_at}
