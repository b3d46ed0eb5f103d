"""The vocabulary of delivery: what happened (event kinds), who hears it, through which channel, and the
delivery record every channel works from. Pure types; the rules live beside them in domain/.

A delivery is one message to one recipient through one channel about one event. It is stored before it is
attempted, and its id is derived from (event id, recipient, channel): a duplicated event finds the delivery
already there and adds nothing, and the webhook-id and e-mail Message-ID built from it stay the same across
retries, so a receiver can drop a repeat.
"""

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field


class EventKind(StrEnum):
    """What a person or a downstream system can hear about (one template per kind and language)."""

    SCORE = "score"  # a first score
    SCORE_REVISED = "score_revised"  # a revision of a score (correction or rescore)
    SCORE_ANNUAL = "score_annual"
    REPORT_REJECTED = "report_rejected"
    TRAINING_PLAN = "training_plan"
    COACHING = "coaching"
    TALENT = "talent"  # a talent-pool candidate (sustained Sangat Baik)
    PROMOTION = "promotion"  # meets the performance requirement for kenaikan pangkat / jabatan
    DISTRIBUTION_VIOLATION = "distribution_violation"
    DEADLINE_REMINDER = "deadline_reminder"  # before a period's deadline, to whoever has not reported
    DEADLINE_MISSED = "deadline_missed"  # after it, to HR: who did not report


class Role(StrEnum):
    PEGAWAI = "pegawai"
    ATASAN = "atasan"
    HR = "hr"  # the agency's BKPSDM / HR contacts
    OPERATOR = "operator_instansi"


class Channel(StrEnum):
    INBOX = "inbox"
    EMAIL = "email"
    WEBHOOK = "webhook"


class Language(StrEnum):
    ID = "id"  # Bahasa Indonesia, the default
    EN = "en"


class Preferences(BaseModel):
    """One person's choices; absent, the defaults hold (inbox and e-mail, Bahasa Indonesia, one message each)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channels: list[Channel] = Field(default_factory=lambda: [Channel.INBOX, Channel.EMAIL])
    language: Language = Language.ID
    digest: bool = Field(default=False, description="One quiet daily digest by e-mail instead of one mail each")


class Recipient(BaseModel):
    """A person to tell: who, in which role, where, and how they like it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    agency_id: str
    nip: str | None = None  # none for an HR contact who is not an employee
    name: str | None = None
    email: str | None = None
    preferences: Preferences = Preferences()

    @property
    def key(self) -> str:
        """Stable across redeliveries: the NIP, else the e-mail address (HR contacts), else the agency (its inbox)."""
        if self.role is Role.OPERATOR:
            return f"{self.role}:{self.agency_id}"
        return self.nip or f"{self.role}:{self.email}"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt (next_attempt_at)
    SENDING = "sending"  # claimed by a worker until lease_until; back to pending if the worker dies
    SENT = "sent"
    DEAD = "dead"  # every attempt failed; visible with its last error, can be re-sent


class Delivery(BaseModel):
    """One message through one channel; stored before the first attempt."""

    model_config = ConfigDict(extra="forbid")

    id: str
    channel: Channel
    target: str = Field(description="What a slow receiver holds up, and nothing else: an e-mail domain or a webhook")
    agency_id: str
    event_id: str
    event_type: str
    kind: EventKind | None = None
    recipient_key: str | None = None
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str | None = None
    created_at: datetime
    sent_at: datetime | None = None
    # email: to, subject, text, message_id; webhook: subscription_id, url, body (JSON text), webhook_id
    payload: dict[str, Any]


def delivery_id(event_id: str, recipient_key: str, channel: Channel) -> str:
    """The same event, recipient and channel always give the same id: a duplicated event delivers once."""
    return hashlib.sha256(f"{event_id}|{recipient_key}|{channel}".encode()).hexdigest()[:32]


class DeliveryFailed(Exception):
    """A channel could not deliver: `retryable` False when trying again cannot help (a 410, a bad address)."""

    def __init__(self, error: str, retryable: bool = True) -> None:
        super().__init__(error)
        self.error = error[:500]
        self.retryable = retryable


class ChannelAdapter(Protocol):
    """What the delivery worker needs of a channel: send one delivery, or raise DeliveryFailed."""

    channel: Channel

    async def send(self, delivery: Delivery) -> None: ...
