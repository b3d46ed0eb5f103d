"""Agency keys beyond intake, on the real stack: every key intake issues, rotates or revokes reaches the other
services' own copies (kinerja.apikey.changed.v1), keys from before the event are announced when intake starts,
and a service authenticates agencies against its copy (shared.agency_keys.CallerDep)."""

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from pymongo.errors import PyMongoError

from services.intake.key_announcements import ANNOUNCE_BATCH, announce_existing_keys, stage_key_change
from services.intake.repository.keys import API_KEYS
from services.intake.security import key_document
from shared.agency_keys import AGENCY_KEYS, CallerDep, digest, key_is_usable
from shared.contracts import API_KEY_CHANGED
from shared.contracts.keys import ApiKeyChanged
from shared.http_errors import install_error_handlers
from shared.messaging.unit_of_work import UnitOfWork
from shared.mongo import is_duplicate_key
from shared.settings import ServiceSettings
from tests.conftest import eventually, outbox_records

from .api import ADMIN, register_agency

pytestmark = pytest.mark.e2e

CONSUMERS = ("scoring", "training", "notification")
TINY_ADMIN_TOKEN = "tiny-app-admin-token"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def key_id(key: str) -> str:
    return digest(key)[:8]


def millis(moment: datetime | str) -> datetime:
    """As MongoDB keeps a moment: to the millisecond."""
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


async def copy_of(db, key_digest: str, what: str, holds: Callable[[dict], bool] = lambda _: True) -> dict:
    """The service's copy of the key once it satisfies `holds`."""

    async def probe() -> dict | None:
        copy = await db[AGENCY_KEYS].find_one({"_id": key_digest})
        return copy if copy is not None and holds(copy) else None

    return await eventually(probe, timeout_s=60, what=what)


def revoked(copy: dict) -> bool:
    return copy["revoked_at"] is not None


def add_key(intake: httpx.Client, key: str, label: str) -> str:
    response = intake.post("/v1/keys", json={"label": label}, headers=bearer(key))
    assert response.status_code == 201, response.text
    return response.json()["api_key"]


async def test_keys_issued_rotated_and_revoked_by_intake_reach_the_other_services(intake, dbs):
    agency = register_agency(intake)
    for service in CONSUMERS:  # the first key, issued with the agency
        copy = await copy_of(dbs[service], digest(agency.key), f"the first key in {service}")
        assert copy["agency_id"] == agency.agency_id and copy["revoked_at"] is None and copy["expires_at"] is None
    second = add_key(intake, agency.key, "SIMPEG")
    await copy_of(dbs["scoring"], digest(second), "the added key in scoring")

    response = intake.post(f"/v1/keys/{key_id(second)}/rotate", json={"overlap_hours": 24}, headers=agency.auth)
    assert response.status_code == 201, response.text
    rotated = response.json()
    replaced_until = millis(rotated["replaced_key_expires_at"])
    old = await copy_of(
        dbs["scoring"], digest(second), "the old key's end", lambda c: c["expires_at"] == replaced_until
    )
    new = await copy_of(dbs["scoring"], digest(rotated["api_key"]), "the rotated key in scoring")
    assert key_is_usable(old, datetime.now(UTC)) and key_is_usable(new, datetime.now(UTC))  # the overlap

    response = intake.delete(f"/v1/keys/{key_id(rotated['api_key'])}", headers=agency.auth)
    assert response.status_code == 200, response.text
    revoked_at = millis(response.json()["revoked_at"])
    new = await copy_of(dbs["scoring"], digest(rotated["api_key"]), "the revocation", revoked)
    assert new["revoked_at"] == revoked_at and not key_is_usable(new, datetime.now(UTC))
    stored = await dbs["intake"][API_KEYS].find({"agency_id": agency.agency_id}).to_list()
    assert len(stored) == 3 and all(k.get("announced_at") for k in stored)


def tiny_service(db) -> httpx.AsyncClient:
    """A read API as another service would write one, over the scoring database's copy of the keys."""
    app = FastAPI()
    install_error_handlers(app)
    app.state.runtime = SimpleNamespace(settings=ServiceSettings(admin_token=TINY_ADMIN_TOKEN), db=db)

    @app.get("/v1/agencies/{agency_id}/caller")
    async def who_is_calling(agency_id: str, caller: CallerDep) -> dict:
        caller.require_agency(agency_id)
        return {"agency_id": caller.agency_id, "is_admin": caller.is_admin}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tiny")


async def test_another_service_authenticates_agencies_with_its_copy_of_their_keys(intake, dbs):
    mine, theirs = register_agency(intake), register_agency(intake)
    spare = add_key(intake, mine.key, "SIMPEG")
    for key in (mine.key, spare, theirs.key):
        await copy_of(dbs["scoring"], digest(key), "the agencies' keys in scoring")
    async with tiny_service(dbs["scoring"]) as service:
        own = await service.get(f"/v1/agencies/{mine.agency_id}/caller", headers=bearer(spare))
        assert own.status_code == 200 and own.json() == {"agency_id": mine.agency_id, "is_admin": False}
        other = await service.get(f"/v1/agencies/{theirs.agency_id}/caller", headers=bearer(mine.key))
        assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden_agency"
        admin = await service.get(f"/v1/agencies/{theirs.agency_id}/caller", headers=bearer(TINY_ADMIN_TOKEN))
        assert admin.json() == {"agency_id": None, "is_admin": True}
        unknown = await service.get(f"/v1/agencies/{mine.agency_id}/caller", headers=bearer("kin_" + "x" * 43))
        assert unknown.status_code == 401

        assert intake.delete(f"/v1/keys/{key_id(spare)}", headers=mine.auth).status_code == 200
        await copy_of(dbs["scoring"], digest(spare), "the revocation", revoked)
        body = {"label": "pengganti", "overlap_hours": 0}  # every other key of the agency ends at once
        response = intake.post(f"/v1/admin/agencies/{mine.agency_id}/keys", json=body, headers=ADMIN)
        assert response.status_code == 201, response.text
        replacement = response.json()["api_key"]
        await copy_of(
            dbs["scoring"], digest(mine.key), "the end of the first key", lambda c: c["expires_at"] is not None
        )
        await copy_of(dbs["scoring"], digest(replacement), "the replacement key")

        for refused in (spare, mine.key):  # revoked, expired: the answer an unknown key gets
            answer = await service.get(f"/v1/agencies/{mine.agency_id}/caller", headers=bearer(refused))
            assert (answer.status_code, answer.json()) == (401, unknown.json())
        works = await service.get(f"/v1/agencies/{mine.agency_id}/caller", headers=bearer(replacement))
        assert works.status_code == 200


async def announced(db) -> list[ApiKeyChanged]:
    """What intake's outbox holds for the other services' copies."""
    records = await outbox_records(db, topic=API_KEY_CHANGED.topic)
    return [API_KEY_CHANGED.envelope_model.model_validate_json(r["value"]).data for r in records]


def legacy_key(agency_id: str, created_at: datetime, **state) -> dict:
    """A key as intake stored it before announcing existed: no `announced_at`."""
    return key_document(f"kin_{uuid.uuid4().hex}", agency_id=agency_id, label="lama", now=created_at) | state


async def test_keys_from_before_the_event_reach_the_other_services_when_intake_starts(intake, dbs, platform):
    agency = register_agency(intake)
    created = millis(datetime.now(UTC) - timedelta(days=30))
    legacy = [
        legacy_key(agency.agency_id, created),
        legacy_key(agency.agency_id, created, revoked_at=created + timedelta(days=1)),
    ]
    await dbs["intake"][API_KEYS].insert_many(legacy)

    platform.restart("intake")  # a deploy: the new intake announces what was never announced

    for key in legacy:  # as of its last known change, so a change made since always wins
        copy = await copy_of(dbs["scoring"], key["_id"], "a legacy key in scoring")
        assert (copy["agency_id"], copy["created_at"], copy["revoked_at"]) == (
            agency.agency_id,
            created,
            key["revoked_at"],
        )
        assert copy["changed_at"] == (key["revoked_at"] or created)
    stored = await dbs["intake"][API_KEYS].find({"_id": {"$in": [k["_id"] for k in legacy]}}).to_list()
    assert len(stored) == 2 and all(k.get("announced_at") for k in stored)


@pytest.fixture
async def scratch(mongo):
    """A database of this test's own, as intake's, without the platform."""
    db = mongo[f"keys{uuid.uuid4().hex[:10]}"]
    yield db
    await mongo.drop_database(db.name)


async def test_two_replicas_announcing_at_once_announce_every_key(scratch):
    now = millis(datetime.now(UTC))
    keys = [
        key_document(f"kin_{i}", agency_id="bungo-dinkes", label="lama", now=now) for i in range(2 * ANNOUNCE_BATCH + 7)
    ]
    await scratch[API_KEYS].insert_many(keys)
    replicas = [SimpleNamespace(db=scratch, unit_of_work=lambda: UnitOfWork(scratch)) for _ in range(2)]
    await asyncio.wait_for(asyncio.gather(*(announce_existing_keys(r) for r in replicas)), timeout=120)

    assert await scratch[API_KEYS].count_documents({"announced_at": {"$exists": False}}) == 0
    events = await announced(scratch)
    assert {e.key_digest for e in events} == {k["_id"] for k in keys}  # at worst twice, never missing
    assert all(e.changed_at == now and e.revoked_at is None for e in events)
    await announce_existing_keys(replicas[0])  # nothing left: nothing more published
    assert len(await announced(scratch)) == len(events)


async def test_a_key_changed_meanwhile_is_never_announced_in_a_state_it_no_longer_has(scratch):
    now = millis(datetime.now(UTC))
    await scratch[API_KEYS].insert_one(key_document("kin_x", agency_id="bungo-dinkes", label="x", now=now))
    read = await scratch[API_KEYS].find_one({"_id": digest("kin_x")})
    revocation, rotation = UnitOfWork(scratch), UnitOfWork(scratch)
    stage_key_change(revocation, read, now, {"revoked_at": now})
    stage_key_change(rotation, read, now, {"expires_at": now + timedelta(hours=24)})  # over the same read
    await revocation.commit()

    with pytest.raises(PyMongoError) as refused:
        await rotation.commit()
    assert is_duplicate_key(refused.value)  # answered 409 conflict: the caller reads again and retries
    stored = await scratch[API_KEYS].find_one({"_id": digest("kin_x")})
    assert (stored["revoked_at"], stored["expires_at"]) == (now, None)
    [event] = await announced(scratch)
    assert (event.revoked_at, event.expires_at) == (now, None)
