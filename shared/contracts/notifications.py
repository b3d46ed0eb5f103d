"""Notifications sent to people (and, by webhook, to downstream systems) about what happened.

One `kinerja.notification.sent.v1` per message that reached its channel: an inbox item when it is written, an
e-mail when the SMTP server accepted it, a webhook when the receiver answered 2xx. Fields added since the first
version (`delivery_id`, `kind`, `subscription_id`, the `hr` and `subscriber` roles, channels other than `inbox`)
all have defaults, so an event of the first shape is still valid.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from .common import AgencyId, Contract


class RecipientRole(StrEnum):
    PEGAWAI = "pegawai"
    ATASAN = "atasan"
    OPERATOR_INSTANSI = "operator_instansi"
    HR = "hr"  # the agency's BKPSDM / HR contacts
    SUBSCRIBER = "subscriber"  # a downstream system subscribed by webhook (payroll, SIASN connectors)


class NotificationChannel(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"
    WEBHOOK = "webhook"


class NotificationSent(Contract):
    notification_id: str = Field(description="Stable per event, recipient and channel: a repeat is the same id")
    agency_id: AgencyId
    recipient_role: RecipientRole
    recipient_nip: str | None = Field(default=None, description="NIP of the person, when the recipient is one")
    channel: NotificationChannel = Field(default=NotificationChannel.INBOX, description="Delivery channel")
    about_event_id: str = Field(description="Event this notification tells about")
    about_event_type: str
    judul: str = Field(description="Title, in the recipient's language (Bahasa Indonesia unless they chose English)")
    pesan: str = Field(description="Message, in the recipient's language")
    sent_at: datetime
    delivery_id: str | None = Field(
        default=None,
        description="The delivery (e-mail, webhook) that carried it; also the webhook-id and the e-mail Message-ID "
        "seed, stable across retries. For an inbox item, its id",
    )
    kind: str | None = Field(
        default=None,
        description="What it was about: score, score_revised, score_annual, report_rejected, training_plan, "
        "coaching, talent, promotion, distribution_violation, deadline_reminder, deadline_missed, digest",
        examples=["score"],
    )
    subscription_id: str | None = Field(default=None, description="The webhook subscription, for channel webhook")
