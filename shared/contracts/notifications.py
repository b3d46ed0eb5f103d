"""Notifications sent to people (and, by webhook, to downstream systems) about what happened.

One `kinerja.notification.sent.v1` per message that reached its channel: an inbox item when it is written, an
e-mail when the SMTP server accepted it, a webhook when the receiver answered 2xx. Fields added since the first
version (`delivery_id`, `kind`, `subscription_id`, the `hr` and `subscriber` roles, channels other than `inbox`)
all have defaults, so an event of the first shape is still valid.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from .common import AgencyId, Contract, Int64


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


class ChannelHealth(Contract):
    channel: NotificationChannel
    sent: Int64 = Field(ge=0, description="Delivered so far")
    pending: Int64 = Field(ge=0, description="Persisted, not yet delivered (waiting for an attempt or a retry)")
    dead: Int64 = Field(ge=0, description="Gave up after the last attempt; can be re-sent")


class EndpointState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # the circuit breaker paused it after failures in a row


class WebhookEndpointHealth(Contract):
    subscription_id: str
    url_host: str = Field(description="The target's host only: paths and queries may carry tokens")
    state: EndpointState
    pending: Int64 = Field(ge=0)
    dead: Int64 = Field(ge=0)
    failures_in_a_row: Int64 = Field(ge=0)
    last_error: str | None = Field(default=None, max_length=500)
    last_success_at: datetime | None = None


class DeliveryHealth(Contract):
    """How an agency's deliveries stand, published when it changed (at most every few seconds). Cross-agency
    subscriptions (payroll, SIASN) are reported under the agency `*`."""

    agency_id: str = Field(description="The agency, or * for the administrator's cross-agency subscriptions")
    channels: list[ChannelHealth]
    endpoints: list[WebhookEndpointHealth] = Field(default_factory=list, max_length=200)
    observed_at: datetime
