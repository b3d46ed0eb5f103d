"""Who hears how: a person's preferences (channels, language, daily digest) and an agency's HR contacts."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import Field

from shared.agency_keys import Caller, CallerDep
from shared.contracts.common import AgencyId, Contract
from shared.contracts.nip import Nip
from shared.http_errors import ApiError
from shared.service import RuntimeDep

from ..domain.deliveries import Channel, Language, Preferences
from ..domain.people import HrContact
from ..repository import HR_CONTACTS, PREFERENCES, find_hr_contacts, find_person, find_preferences

router = APIRouter(tags=["recipients"])

EMAIL_PATTERN = r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$"
MAX_HR_CONTACTS = 50


class PreferencesRequest(Contract):
    channels: list[Channel] = Field(
        default_factory=lambda: [Channel.INBOX, Channel.EMAIL],
        max_length=2,
        description="inbox and/or email (webhooks are for systems, not people); empty: e-mail only if HR",
    )
    language: Language = Language.ID
    digest: bool = Field(default=False, description="One daily e-mail digest instead of one e-mail per message")


class HrContactRequest(Contract):
    nama: str = Field(min_length=1, max_length=200, examples=["Bidang Pengembangan SDM BKPSDM"])
    email: str = Field(max_length=254, pattern=EMAIL_PATTERN, examples=["bkpsdm@bungokab.go.id"])
    language: Language = Language.ID
    nip: Nip | None = Field(default=None, description="When the contact is an employee: an inbox too")


def _unknown_person(nip: str) -> ApiError:
    message = f"NIP {nip} tidak dikenal layanan notifikasi (daftarkan pegawai di intake terlebih dahulu)"
    return ApiError(422, "unknown_person", message, [{"field": "nip", "code": "unknown_person", "message": message}])


async def _known_person(runtime: Any, caller: Caller, nip: str) -> dict[str, Any]:
    """Another agency's employee answers like an unknown one: not this caller's to learn about."""
    person = await find_person(runtime.db, nip=nip)
    if person is None or not caller.may_see(person["agency_id"]):
        raise _unknown_person(nip)
    return person


def _preferences_view(nip: str, document: dict[str, Any] | None) -> dict[str, Any]:
    preferences = Preferences.model_validate(
        {k: document[k] for k in ("channels", "language", "digest")} if document else {}
    )
    return {"nip": nip, **preferences.model_dump(mode="json"), "updated_at": (document or {}).get("updated_at")}


@router.put("/v1/people/{nip}/preferences")
async def put_preferences(nip: Nip, body: PreferencesRequest, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    """How the employee is told: channels (`inbox`, `email`), language (`id`, `en`) and `digest` (one e-mail a
    day gathering the day's messages). Notification must know the NIP (registered at intake), else 422."""
    if invalid := [c for c in body.channels if c not in (Channel.INBOX, Channel.EMAIL)]:
        message = f"saluran {invalid[0]} bukan untuk orang; pilih inbox dan/atau email"
        raise ApiError(
            422, "invalid_channel", message, [{"field": "channels", "code": "invalid_channel", "message": message}]
        )
    person = await _known_person(runtime, caller, nip)
    document = {
        "_id": nip,
        "agency_id": person["agency_id"],
        "channels": [c.value for c in dict.fromkeys(body.channels)],
        "language": body.language.value,
        "digest": body.digest,
        "updated_at": datetime.now(UTC),
    }
    uow = runtime.unit_of_work()
    uow.put(PREFERENCES, document)
    await uow.commit()
    return _preferences_view(nip, document)


@router.get("/v1/people/{nip}/preferences")
async def get_preferences(nip: Nip, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    """The employee's preferences; the defaults (inbox and e-mail, Bahasa Indonesia, no digest) until set."""
    await _known_person(runtime, caller, nip)
    return _preferences_view(nip, await find_preferences(runtime.db, key=nip))


@router.put("/v1/agencies/{agency_id}/hr-contacts")
async def put_hr_contacts(
    agency_id: AgencyId,
    runtime: RuntimeDep,
    caller: CallerDep,
    contacts: Annotated[list[HrContactRequest], Body(max_length=MAX_HR_CONTACTS)],
) -> dict[str, Any]:
    """The agency's BKPSDM / HR contacts, replaced whole: they hear about rejected reports, curve violations and
    missed deadlines, by e-mail (and in their inbox when they have a NIP)."""
    caller.require_agency(agency_id)
    stored = [HrContact(agency_id=agency_id, **c.model_dump()).model_dump(mode="json") for c in contacts]
    document = {"_id": agency_id, "contacts": stored, "updated_at": datetime.now(UTC)}
    uow = runtime.unit_of_work()
    uow.put(HR_CONTACTS, document)
    await uow.commit()
    return _contacts_view(agency_id, document)


@router.get("/v1/agencies/{agency_id}/hr-contacts")
async def get_hr_contacts(agency_id: AgencyId, runtime: RuntimeDep, caller: CallerDep) -> dict[str, Any]:
    caller.require_agency(agency_id)
    return _contacts_view(agency_id, await find_hr_contacts(runtime.db, agency_id=agency_id))


def _contacts_view(agency_id: str, document: dict[str, Any] | None) -> dict[str, Any]:
    contacts = [{k: v for k, v in c.items() if k != "agency_id"} for c in (document or {}).get("contacts", [])]
    return {"agency_id": agency_id, "contacts": contacts, "updated_at": (document or {}).get("updated_at")}
