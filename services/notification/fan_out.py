"""How one event becomes messages: who hears it (the domain decides), and what is stored for each recipient
and channel in the consumer's unit of work (inbox items, e-mail deliveries, digest items, webhook deliveries).

Every id is derived from (event id or reminder key, recipient or subscription, channel) and every write is an
upsert that only inserts, so an event handled twice adds nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from shared.contracts import NOTIFICATION_SENT
from shared.contracts.notifications import NotificationChannel, NotificationSent, RecipientRole
from shared.messaging.consumer import HandlerContext
from shared.messaging.unit_of_work import UnitOfWork

from .delivery_store import enqueue
from .domain.clock import wib_date
from .domain.deliveries import Channel, Delivery, EventKind, Preferences, Recipient, delivery_id
from .domain.health import subscription_scope
from .domain.people import HrContact, Person
from .domain.recipients import channels_for, recipients_for
from .domain.templates import (
    RenderedMessage,
    render,
)
from .health_store import mark_changed
from .repository import (
    DIGEST_ITEMS,
    HR_CONTACTS,
    NOTIFICATIONS,
    PEOPLE,
    PREFERENCES,
)
from .subscriptions import subscriptions_matching

# --- What a message is about ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class About:
    """What a message tells about: an event, or for a deadline reminder the period it is about.

    `seed` (the event id, or the reminder's own stable key) makes every delivery id: the same seed, recipient and
    channel always give the same one.
    """

    event_id: str
    event_type: str
    agency_id: str
    correlation_id: str
    seed: str

    @classmethod
    def cause(cls, ctx: HandlerContext, agency_id: str) -> "About":
        return cls(ctx.cause.id, ctx.cause.type, agency_id, ctx.cause.correlationid, ctx.cause.id)


ContextFor = Callable[[Recipient], dict[str, Any]]


@dataclass
class Audience:
    employee: Person | None = None
    atasan: Person | None = None


# --- Loading people, their preferences and the agency's HR contacts -------------------------------------------


def _stand_in(nip: str, agency_id: str) -> Person:
    """An employee intake has not announced (yet): told by NIP in their inbox, without a name or an address."""
    return Person(nip=nip, agency_id=agency_id, nama="")


async def _person(uow: UnitOfWork, nip: str | None) -> Person | None:
    if nip is None:
        return None
    document = await uow.get(PEOPLE, nip)
    return Person.from_document(document) if document else None


async def audience_of(uow: UnitOfWork, agency_id: str, nip: str, atasan_nip: str | None = None) -> Audience:
    employee = await _person(uow, nip) or _stand_in(nip, agency_id)
    atasan_nip = atasan_nip or employee.atasan_nip
    atasan = (await _person(uow, atasan_nip) or _stand_in(atasan_nip, agency_id)) if atasan_nip else None
    return Audience(employee, atasan)


async def hr_contacts_of(uow: UnitOfWork, agency_id: str) -> list[HrContact]:
    document = await uow.get(HR_CONTACTS, agency_id)
    return [HrContact.model_validate(c) for c in (document or {}).get("contacts", [])]


async def _preferences(uow: UnitOfWork, keys: Iterable[str]) -> dict[str, Preferences]:
    documents = await uow.get_many(PREFERENCES, [k for k in keys if k])
    return {
        key: Preferences.model_validate({f: d[f] for f in ("channels", "language", "digest") if f in d})
        for key, d in documents.items()
    }


async def prefetch_audience(events: list[Any], uow: UnitOfWork) -> None:
    """What a batch's messages need, in a few `$in` reads: the employees, then their atasan, their preferences
    and their agencies' HR contacts."""
    nips = {e.nip for e in events if getattr(e, "nip", None)}
    nips |= {e.atasan_nip for e in events if getattr(e, "atasan_nip", None)}
    people = await uow.get_many(PEOPLE, nips)
    atasan = {p["atasan_nip"] for p in people.values() if p.get("atasan_nip")} - nips
    people |= await uow.get_many(PEOPLE, atasan)
    agencies = {e.agency_id for e in events}
    contacts = await uow.get_many(HR_CONTACTS, agencies)
    hr_keys = {_contact_key(HrContact.model_validate(c)) for d in contacts.values() for c in d.get("contacts", [])}
    await uow.get_many(PREFERENCES, nips | atasan | hr_keys)


def _contact_key(contact: HrContact) -> str:
    return Recipient(role="hr", agency_id=contact.agency_id, nip=contact.nip, email=contact.email).key


# --- Telling people: inbox items, e-mails, digest items ---------------------------------------------------------


async def notify(
    uow: UnitOfWork,
    about: About,
    kind: EventKind,
    context_for: ContextFor,
    *,
    audience: Audience,
    hr_contacts: list[HrContact] | None = None,
    now: datetime,
) -> int:
    """Tell everyone the domain says hears `kind`, through each of their channels. The messages stored."""
    if hr_contacts is None:
        hr_contacts = await hr_contacts_of(uow, about.agency_id)
    keys = [p.nip for p in (audience.employee, audience.atasan) if p] + [_contact_key(c) for c in hr_contacts]
    recipients = recipients_for(
        kind,
        agency_id=about.agency_id,
        employee=audience.employee,
        atasan=audience.atasan,
        hr_contacts=hr_contacts,
        preferences=await _preferences(uow, keys),
        today=wib_date(now),
    )
    stored = 0
    for recipient in recipients:
        channels = channels_for(recipient)
        if not channels:
            continue
        message = render(kind, recipient.preferences.language, context_for(recipient))
        for channel in channels:
            if channel is Channel.INBOX:
                _inbox_item(uow, about, kind, recipient, message, now)
            elif recipient.preferences.digest:
                _digest_item(uow, about, kind, recipient, message, now)
            else:
                enqueue(uow, email_delivery(about, kind, recipient, message, now))
            stored += 1
    return stored


def _inbox_item(
    uow: UnitOfWork, about: About, kind: EventKind, recipient: Recipient, message: RenderedMessage, now: datetime
) -> None:
    item_id = delivery_id(about.seed, recipient.key, Channel.INBOX)
    notification = NotificationSent(
        notification_id=item_id,
        agency_id=about.agency_id,
        recipient_role=RecipientRole(recipient.role.value),
        recipient_nip=recipient.nip,
        channel=NotificationChannel.INBOX,
        about_event_id=about.event_id,
        about_event_type=about.event_type,
        judul=message.subject,
        pesan=message.text.strip(),
        sent_at=now,
        delivery_id=item_id,
        kind=kind.value,
    )
    item = {**notification.model_dump(mode="json"), "at": _millis(now), "read_at": None}
    # Only ever inserted: an event handled twice leaves the item (and whether it was read) as it is.
    uow.update(NOTIFICATIONS, item_id, set_on_insert=item, upsert=True)
    mark_changed(uow, about.agency_id)
    uow.emit(NOTIFICATION_SENT, notification, recipient.nip or about.agency_id, correlationid=about.correlation_id)


def email_delivery(
    about: About, kind: EventKind | None, recipient: Recipient, message: RenderedMessage, now: datetime
) -> Delivery:
    assert recipient.email is not None
    the_id = delivery_id(about.seed, recipient.key, Channel.EMAIL)
    return Delivery(
        id=the_id,
        channel=Channel.EMAIL,
        target=recipient.email.rsplit("@", 1)[-1].lower(),
        agency_id=about.agency_id,
        event_id=about.event_id,
        event_type=about.event_type,
        kind=kind,
        recipient_key=recipient.key,
        next_attempt_at=now,
        created_at=now,
        payload={
            "to": recipient.email,
            "subject": message.subject,
            "text": message.text,
            "message_id": f"<{the_id}@kinerja>",
            "role": recipient.role.value,
            "nip": recipient.nip,
            "correlation_id": about.correlation_id,
        },
    )


def _digest_item(
    uow: UnitOfWork, about: About, kind: EventKind, recipient: Recipient, message: RenderedMessage, now: datetime
) -> None:
    """Held for the recipient's daily digest (digests.py) instead of a mail of its own."""
    item_id = delivery_id(about.seed, recipient.key, Channel.EMAIL)
    item = {
        "recipient_key": recipient.key,
        "agency_id": about.agency_id,
        "role": recipient.role.value,
        "nip": recipient.nip,
        "name": recipient.name,
        "email": recipient.email,
        "language": recipient.preferences.language.value,
        "kind": kind.value,
        "event_id": about.event_id,
        "event_type": about.event_type,
        "subject": message.subject,
        "text": message.text,
        "created_at": now,
        "digest_id": None,
        "correlation_id": about.correlation_id,
    }
    uow.update(DIGEST_ITEMS, item_id, set_on_insert=item, upsert=True)


def _millis(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


# --- Webhooks ---------------------------------------------------------------------------------------------------


async def fan_out_webhooks(ctx: HandlerContext, agency_id: str, now: datetime) -> int:
    """One delivery per subscription to the event's topic and agency; the body is the envelope as received."""
    topic = f"{ctx.cause.type}.v{ctx.cause.schemaversion}"
    subscriptions = await subscriptions_matching(ctx.uow, topic, agency_id)
    if not subscriptions:
        return 0
    body = ctx.cause.model_dump_json()
    for subscription in subscriptions:
        the_id = delivery_id(ctx.cause.id, subscription["_id"], Channel.WEBHOOK)
        url = subscription["url"]
        parts = urlsplit(url)
        delivery = Delivery(
            id=the_id,
            channel=Channel.WEBHOOK,
            target=f"{parts.scheme}://{parts.netloc}".lower(),
            agency_id=agency_id,
            event_id=ctx.cause.id,
            event_type=ctx.cause.type,
            recipient_key=subscription["_id"],
            next_attempt_at=now,
            created_at=now,
            payload={
                "subscription_id": subscription["_id"],
                "url": url,
                "body": body,
                "webhook_id": the_id,
                "event_type": topic,
                "allow_private": bool(subscription.get("allow_private")),
                "scope": subscription_scope(subscription.get("owner_agency_id"), subscription.get("agency_ids")),
                "correlation_id": ctx.cause.correlationid,
            },
        )
        enqueue(ctx.uow, delivery)
    return len(subscriptions)


async def tell(
    ctx: HandlerContext, agency_id: str, kind: EventKind | None, context_for: ContextFor, audience: Audience
) -> None:
    """People hear `kind` (if any), and the event goes to its webhook subscribers. The delivery worker finds
    what was stored within its idle poll (`DELIVERY_POLL_S`): a consumer's commit has no hook to wake it."""
    now = datetime.now(UTC)
    if kind is not None:
        await notify(ctx.uow, About.cause(ctx, agency_id), kind, context_for, audience=audience, now=now)
    await fan_out_webhooks(ctx, agency_id, now)
