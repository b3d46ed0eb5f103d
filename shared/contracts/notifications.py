"""Notifications sent to people about what happened."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from .common import AgencyId, Contract


class RecipientRole(StrEnum):
    PEGAWAI = "pegawai"
    ATASAN = "atasan"
    OPERATOR_INSTANSI = "operator_instansi"


class NotificationSent(Contract):
    notification_id: str
    agency_id: AgencyId
    recipient_role: RecipientRole
    recipient_nip: str | None = Field(default=None, description="NIP of the person, when the recipient is one")
    channel: str = Field(default="inbox", description="Delivery channel", examples=["inbox"])
    about_event_id: str = Field(description="Event this notification tells about")
    about_event_type: str
    judul: str = Field(description="Title in Bahasa Indonesia")
    pesan: str = Field(description="Message in Bahasa Indonesia")
    sent_at: datetime
