"""The people notification can address: employees (from intake's master data) and an agency's HR contacts."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from .deliveries import Language


class Person(BaseModel):
    """An employee as notification knows them, from the `people` collection.

    Only what addressing a message needs; the documents carry more (jabatan, `_id`), which is ignored so a new
    field in EmployeeRegistered never breaks reading the collection.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    nip: str
    agency_id: str
    nama: str
    email: str | None = None
    atasan_nip: str | None = None
    unit_kerja: str | None = None
    jenis_asn: str | None = None
    nonaktif_sejak: date | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> "Person":
        """A `people` document: EmployeeRegistered.model_dump(mode="json") plus `_id` (the NIP)."""
        return cls.model_validate(doc)

    def is_active(self, today: date) -> bool:
        """Inactive from `nonaktif_sejak` on (mutasi, pensiun): from that day they hear nothing more."""
        return self.nonaktif_sejak is None or self.nonaktif_sejak > today


class HrContact(BaseModel):
    """Someone at the agency's BKPSDM / HR who hears about rejected reports, coaching, talent and deadlines.

    Often not an employee in notification's records: then there is no NIP and no inbox, only e-mail.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    agency_id: str
    nama: str
    email: str | None = None
    language: Language = Language.ID
    nip: str | None = None  # when the contact is also an employee: an inbox too
