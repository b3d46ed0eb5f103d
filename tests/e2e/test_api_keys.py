"""Agency API keys on the real stack: several per agency, rotation with an overlap, revocation, isolation,
last use recorded in the background, and never a key in the log."""

import hashlib
import json
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from devtools.devstack.platform import is_ready
from devtools.devstack.processes import ManagedProcess, free_port, wait_until
from services.intake.repository.keys import API_KEYS, setup_api_key_indexes, touch_api_key
from services.intake.repository.records import AGENCIES
from services.intake.security import digest, key_document
from tests.conftest import eventually

from .api import ADMIN, Agency, register_agency

pytestmark = pytest.mark.e2e

# What a caller with a key that does not exist is told: revoked and expired keys must be told exactly this.
NO_SUCH_KEY = "kin_" + "x" * 43


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def unauthorized_answer(client: httpx.Client, key: str) -> dict | None:
    """The error body when `key` is refused, None when it works."""
    response = client.get("/v1/keys", headers=bearer(key))
    if response.status_code == 200:
        return None
    assert response.status_code == 401, response.text
    return response.json()


def works(client: httpx.Client, key: str) -> bool:
    return unauthorized_answer(client, key) is None


def add_key(client: httpx.Client, key: str, label: str) -> dict:
    response = client.post("/v1/keys", json={"label": label}, headers=bearer(key))
    assert response.status_code == 201, response.text
    return response.json()


def listed(client: httpx.Client, key: str) -> dict[str, dict]:
    response = client.get("/v1/keys", headers=bearer(key))
    assert response.status_code == 200, response.text
    return {k["key_id"]: k for k in response.json()["keys"]}


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def test_an_agency_holds_several_labelled_keys_that_all_work(intake):
    agency = register_agency(intake)
    second = add_key(intake, agency.key, "SIMPEG BKPSDM")
    assert second["api_key"].startswith("kin_") and second["api_key"] != agency.key
    assert second["key_id"] == key_id(second["api_key"]) and second["label"] == "SIMPEG BKPSDM"
    assert second["agency_id"] == agency.agency_id and second["expires_at"] is None

    for key in (agency.key, second["api_key"]):  # both are the agency's, for every route
        Agency(intake, agency.agency_id, key).employee()
    response = intake.get("/v1/keys", headers=bearer(second["api_key"]))
    keys = {k["key_id"]: k for k in response.json()["keys"]}
    assert {k["label"] for k in keys.values()} == {"utama", "SIMPEG BKPSDM"}
    assert keys[second["key_id"]]["current"] and not keys[key_id(agency.key)]["current"]
    assert all(k["status"] == "active" and k["revoked_at"] is None for k in keys.values())
    assert agency.key not in response.text and second["api_key"] not in response.text  # never a key


def test_a_rotated_key_works_through_the_overlap_and_is_refused_once_it_ends(intake):
    agency = register_agency(intake)
    old = add_key(intake, agency.key, "e-Kinerja daerah")["api_key"]

    before = datetime.now(UTC)
    response = intake.post(f"/v1/keys/{key_id(old)}/rotate", json={"overlap_hours": 24}, headers=bearer(agency.key))
    assert response.status_code == 201, response.text
    rotated = response.json()
    new = rotated["api_key"]
    assert rotated["label"] == "e-Kinerja daerah" and rotated["replaced_key_id"] == key_id(old)
    expires_at = datetime.fromisoformat(rotated["replaced_key_expires_at"])
    assert before + timedelta(hours=24) <= expires_at <= datetime.now(UTC) + timedelta(hours=24)
    assert works(intake, old) and works(intake, new)  # the overlap: callers switch over meanwhile
    assert listed(intake, new)[key_id(old)]["status"] == "active"

    # An overlap of 0 ends it at once: the replaced key's expires_at is already past.
    response = intake.post(f"/v1/keys/{key_id(old)}/rotate", json={"overlap_hours": 0}, headers=bearer(new))
    assert response.status_code == 201, response.text
    assert unauthorized_answer(intake, old) == unauthorized_answer(intake, NO_SUCH_KEY)  # no oracle
    assert unauthorized_answer(intake, old)["error"]["code"] == "unauthorized"
    assert listed(intake, new)[key_id(old)]["status"] == "expired"
    assert works(intake, new) and works(intake, agency.key)

    refused = intake.post(f"/v1/keys/{key_id(old)}/rotate", json={}, headers=bearer(new))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "key_not_active"
    out_of_range = intake.post(f"/v1/keys/{key_id(new)}/rotate", json={"overlap_hours": 169}, headers=bearer(new))
    assert out_of_range.status_code == 422


def test_an_administrator_issues_a_key_and_ends_the_others_after_the_overlap(intake):
    agency = register_agency(intake)
    other = add_key(intake, agency.key, "SIMPEG")["api_key"]

    response = intake.post(f"/v1/admin/agencies/{agency.agency_id}/keys", json={"label": "cadangan"}, headers=ADMIN)
    assert response.status_code == 201, response.text
    spare = response.json()["api_key"]
    assert all(works(intake, k) for k in (agency.key, other, spare))  # without overlap_hours: one key more

    body = {"label": "pengganti", "overlap_hours": 0}
    response = intake.post(f"/v1/admin/agencies/{agency.agency_id}/keys", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    replacement = response.json()["api_key"]
    assert works(intake, replacement)
    assert not any(works(intake, k) for k in (agency.key, other, spare))

    missing = intake.post("/v1/admin/agencies/no-such-agency/keys", json={}, headers=ADMIN)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "agency_not_found"
    assert intake.post(f"/v1/admin/agencies/{agency.agency_id}/keys", headers=bearer(replacement)).status_code == 401


def test_a_revoked_key_is_refused_at_once_and_the_own_key_only_with_force(intake):
    agency = register_agency(intake)
    second = add_key(intake, agency.key, "SIMPEG")["api_key"]

    response = intake.delete(f"/v1/keys/{key_id(second)}", headers=bearer(agency.key))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "revoked" and response.json()["revoked_at"]
    assert unauthorized_answer(intake, second) == unauthorized_answer(intake, NO_SUCH_KEY)
    assert intake.delete(f"/v1/keys/{key_id(second)}", headers=bearer(agency.key)).status_code == 200  # again: same

    own = intake.delete(f"/v1/keys/{key_id(agency.key)}", headers=bearer(agency.key))
    assert own.status_code == 409 and own.json()["error"]["code"] == "revoking_own_key"
    assert works(intake, agency.key)
    forced = intake.delete(f"/v1/keys/{key_id(agency.key)}", params={"force": "true"}, headers=bearer(agency.key))
    assert forced.status_code == 200, forced.text
    assert not works(intake, agency.key)


def test_an_agency_never_sees_or_touches_another_agencys_keys(intake):
    mine, theirs = register_agency(intake), register_agency(intake)
    my_second = add_key(intake, mine.key, "SIMPEG")["api_key"]

    assert set(listed(intake, theirs.key)) == {key_id(theirs.key)}
    for target in (mine.key, my_second):
        path = f"/v1/keys/{key_id(target)}"
        for response in (
            intake.delete(path, params={"force": "true"}, headers=theirs.auth),
            intake.post(f"{path}/rotate", json={"overlap_hours": 0}, headers=theirs.auth),
        ):
            assert response.status_code == 404 and response.json()["error"]["code"] == "key_not_found"
    assert works(intake, mine.key) and works(intake, my_second)
    assert set(listed(intake, mine.key)) == {key_id(mine.key), key_id(my_second)}
    assert intake.delete("/v1/keys/not-a-key-id", headers=mine.auth).status_code == 404


async def test_last_use_is_recorded_without_the_request_waiting_for_it(intake, dbs):
    agency = register_agency(intake)
    spare = add_key(intake, agency.key, "belum dipakai")["api_key"]
    stored = dbs["intake"].api_keys
    started = datetime.now(UTC) - timedelta(seconds=1)
    agency.employee()

    async def last_used() -> datetime | None:
        document = await stored.find_one({"_id": hashlib.sha256(agency.key.encode()).hexdigest()})
        return document["last_used_at"]

    recorded = await eventually(last_used, timeout_s=30, what="last_used_at of the key in use")
    assert started <= recorded <= datetime.now(UTC)

    async def listed_last_used() -> str | None:
        return listed(intake, agency.key)[key_id(agency.key)]["last_used_at"]

    await eventually(listed_last_used, timeout_s=30, what="last_used_at in the listing")
    assert listed(intake, agency.key)[key_id(spare)]["last_used_at"] is None


async def test_keys_never_reach_the_intake_log(intake, platform):
    agency = register_agency(intake)
    second = add_key(intake, agency.key, "SIMPEG")["api_key"]
    rotated = intake.post(f"/v1/keys/{key_id(second)}/rotate", json={"overlap_hours": 0}, headers=agency.auth)
    third = rotated.json()["api_key"]
    intake.delete(f"/v1/keys/{key_id(third)}", headers=agency.auth)
    admin = intake.post(f"/v1/admin/agencies/{agency.agency_id}/keys", json={"label": "x"}, headers=ADMIN)
    keys = [agency.key, second, third, admin.json()["api_key"]]
    for key in keys:  # refused ones too: their access lines and error answers
        intake.get("/v1/keys", headers=bearer(key))
    log = platform.processes["intake"].log_path

    async def all_logged() -> bool:  # the access lines of this agency's requests, written after each answer
        lines = [json.loads(line) for line in log.read_text(errors="replace").splitlines() if line.startswith("{")]
        return sum(1 for line in lines if line.get("agency_id") == agency.agency_id and "route" in line) >= 5

    await eventually(all_logged, timeout_s=30, what="the access lines of the agency's requests")
    text = log.read_text(errors="replace")
    for key in keys:
        assert key not in text and key.removeprefix("kin_") not in text


async def test_index_setup_drops_the_one_key_per_agency_index_and_last_use_never_moves_back(mongo):
    db = mongo[f"keys{uuid.uuid4().hex[:10]}"]
    try:
        await db[AGENCIES].create_index("api_key_sha256", unique=True)  # as databases from before api_keys have it
        await db[AGENCIES].insert_one({"_id": "lama", "api_key_sha256": "0" * 64})
        for _ in range(2):  # every start
            await setup_api_key_indexes(db)
        await db[AGENCIES].insert_many([{"_id": "baru-1"}, {"_id": "baru-2"}])  # no key field: no conflict

        await db[API_KEYS].insert_one(key_document("kin_x", agency_id="baru-1", label="x", now=datetime.now(UTC)))
        latest = datetime.now(UTC).replace(microsecond=0)
        await touch_api_key(db, key_digest=digest("kin_x"), at=latest)
        await touch_api_key(db, key_digest=digest("kin_x"), at=latest - timedelta(minutes=5))  # a slower replica
        assert (await db[API_KEYS].find_one({"_id": digest("kin_x")}))["last_used_at"] == latest
    finally:
        await mongo.drop_database(db.name)


# --- development mode, as `make run` starts intake ---------------------------------------------------


@pytest.fixture(scope="module")
def dev_intake(backend, platform, tmp_path_factory) -> Iterator[httpx.Client]:
    """A second intake in development mode on a database of its own."""
    port = free_port()
    process = ManagedProcess(
        "intake-dev",
        [sys.executable, "-m", "services.intake"],
        tmp_path_factory.mktemp("dev-intake") / "intake.log",
        {
            "KINERJA_ENV": "development",
            "KINERJA_KAFKA_BOOTSTRAP": backend.kafka_bootstrap,
            "KINERJA_MONGO_URI": backend.mongo_uri,
            "KINERJA_MONGO_DB": f"{platform.database_prefix}_intake_dev",
            "KINERJA_HTTP_HOST": "127.0.0.1",
            "KINERJA_HTTP_PORT": str(port),
            "KINERJA_INSTANCE_ID": "dev",
        },
    )
    url = f"http://127.0.0.1:{port}"
    process.start()
    try:
        wait_until(lambda: is_ready(url), 90, "development intake", process=process)
        with httpx.Client(base_url=url, timeout=30) as client:
            yield client
    finally:
        process.stop()


def test_in_development_the_administrator_gets_the_deterministic_key_back_working(dev_intake):
    agency = register_agency(dev_intake)
    assert agency.key == f"kin_dev_{agency.agency_id}"
    created = listed(dev_intake, agency.key)[key_id(agency.key)]["created_at"]
    another = add_key(dev_intake, agency.key, "SIMPEG")["api_key"]
    assert not another.startswith("kin_dev_")  # only the first key is deterministic

    forced = dev_intake.delete(f"/v1/keys/{key_id(agency.key)}", params={"force": "true"}, headers=agency.auth)
    assert forced.status_code == 200 and not works(dev_intake, agency.key)
    for _ in range(2):  # the demo loader, loaded twice
        response = dev_intake.post(f"/v1/admin/agencies/{agency.agency_id}/keys", headers=ADMIN)
        assert response.status_code == 201, response.text
        assert response.json()["api_key"] == agency.key
    assert works(dev_intake, agency.key) and works(dev_intake, another)
    keys = listed(dev_intake, agency.key)
    assert len(keys) == 2 and keys[key_id(agency.key)]["created_at"] == created
    assert keys[key_id(agency.key)]["status"] == "active" and keys[key_id(agency.key)]["revoked_at"] is None
