"""The daily digest, a background job: who chose a quiet digest gets one e-mail a day (16:00 WIB) gathering
the messages held for them since the one before (domain/digest.py).

Each round (every `KINERJA_DIGEST_INTERVAL_S`, default 60) looks for items held from before the latest digest
moment: one indexed read when there are none. Per recipient it renders one e-mail (render_digest), stores it as
a delivery whose id comes from the recipient and the digest moment, and marks the items with it, in one
transaction: a second replica or a retry makes the same delivery, never a second one.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.messaging.unit_of_work import UnitOfWork
from shared.service import Runtime

from .delivery_store import enqueue
from .domain.deliveries import Channel, Language, Preferences, Recipient, Role
from .domain.digest import latest_digest_time
from .domain.templates import RenderedMessage, render_digest
from .fan_out import About, email_delivery
from .reminders import JobSettings
from .repository import DIGEST_ITEMS
from .wiring import wake_delivery_worker

log = logging.getLogger(__name__)

ABOUT_TYPE = "kinerja.notification.digest"
ITEMS_PER_ROUND = 5000


async def _items_before(db: AsyncDatabase, moment: datetime, limit: int) -> list[dict[str, Any]]:
    query = {"digest_id": None, "created_at": {"$lt": moment}}
    return await db[DIGEST_ITEMS].find(query).sort([("recipient_key", 1), ("created_at", 1)]).limit(limit).to_list()


def _recipient(item: dict[str, Any]) -> Recipient:
    return Recipient(
        role=Role(item["role"]),
        agency_id=item["agency_id"],
        nip=item.get("nip"),
        name=item.get("name"),
        email=item["email"],
        preferences=Preferences(channels=[Channel.EMAIL], language=Language(item["language"]), digest=True),
    )


async def send_digests(db: AsyncDatabase, moment: datetime, now: datetime, new_uow: Callable[[], UnitOfWork]) -> int:
    """One round: a digest per recipient with items held from before the digest `moment` (the latest one passed),
    due `now`; how many."""
    sent = 0
    items = await _items_before(db, moment, ITEMS_PER_ROUND)
    for _, group in groupby(items, key=lambda i: i["recipient_key"]):
        held = list(group)
        recipient = _recipient(held[-1])
        message = render_digest(
            recipient.preferences.language,
            [RenderedMessage(subject=i["subject"], text=i["text"]) for i in held],
            recipient.name,
        )
        uow = new_uow()
        about = About(
            event_id=f"digest:{moment.isoformat()}",
            event_type=ABOUT_TYPE,
            agency_id=recipient.agency_id,
            correlation_id=uow.correlation_id,
            seed=f"digest:{moment.isoformat()}",
        )
        delivery = email_delivery(about, None, recipient, message, now)
        enqueue(uow, delivery)
        for item in held:
            uow.update(DIGEST_ITEMS, item["_id"], set_={"digest_id": delivery.id, "digested_at": now})
        await uow.commit()
        sent += 1
    return sent


async def run_digests(runtime: Runtime) -> None:
    """The background job (ServiceDefinition.background)."""
    interval = JobSettings().digest_interval_s
    while True:
        try:
            now = datetime.now(UTC)
            if await send_digests(runtime.db, latest_digest_time(now), now, runtime.unit_of_work):
                wake_delivery_worker()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("daily digests failed, retrying", extra={"error": type(exc).__name__})
        await asyncio.sleep(interval)
