"""Agency keys on every service (shared.agency_keys) and intake announcing them: pure rules, the copy that keeps
the latest state, who a caller is, and what intake stages for each change. No database: the units of work here
read from a dictionary and are never committed."""

import hashlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from starlette.requests import Request

from services.intake.key_announcements import known_since, stage_key_change, stage_key_reissue, stage_new_key
from services.intake.repository.keys import API_KEYS
from services.intake.security import key_document
from shared.agency_keys import (
    AGENCY_KEYS,
    API_KEY_ROUTE,
    INVALID_KEY_MESSAGE,
    Caller,
    KeyStatus,
    agency_key_document,
    current_caller,
    digest,
    key_id_of,
    key_is_usable,
    key_status,
    on_api_key_changed,
    supersedes,
)
from shared.contracts import API_KEY_CHANGED
from shared.contracts.keys import ApiKeyChanged
from shared.http_errors import ApiError
from shared.messaging.consumer import HandlerContext
from shared.messaging.unit_of_work import UnitOfWork
from shared.settings import ServiceSettings

NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
AGENCY = "bungo-dinkes"
ADMIN_TOKEN = "admin-token-of-this-test"


class DictDb:
    """Collections of documents by `_id`, read the way the code under test reads them (find_one by `_id`)."""

    def __init__(self, collections: dict[str, dict[str, dict]] | None = None) -> None:
        self.collections = collections or {}

    def __getitem__(self, name: str):
        documents = self.collections.get(name, {})

        class Collection:
            async def find_one(self, filter_):
                return documents.get(filter_["_id"])

        return Collection()


def changed(key: str = "kin_example", at: datetime = NOW, **state) -> ApiKeyChanged:
    return ApiKeyChanged(
        key_digest=digest(key), agency_id=AGENCY, created_at=NOW - timedelta(days=1), changed_at=at, **state
    )


def context(db: DictDb) -> HandlerContext:
    cause = API_KEY_CHANGED.envelope(data=changed(), subject=AGENCY, source="test", correlationid="c-1")
    return HandlerContext(uow=UnitOfWork(db), cause=cause)


# --- the rules ------------------------------------------------------------------------------------


def test_a_key_is_known_by_its_sha256_digest_and_named_by_its_start():
    assert digest("kin_example") == hashlib.sha256(b"kin_example").hexdigest()
    assert key_id_of(digest("kin_example")) == digest("kin_example")[:8]


def test_revoked_wins_over_expired_and_expiry_is_inclusive():
    assert key_status({}, NOW) is KeyStatus.ACTIVE and key_is_usable({}, NOW)
    assert key_status({"expires_at": NOW}, NOW) is KeyStatus.EXPIRED
    assert key_status({"expires_at": NOW}, NOW - timedelta(microseconds=1)) is KeyStatus.ACTIVE
    assert key_status({"expires_at": NOW - timedelta(days=1), "revoked_at": NOW}, NOW) is KeyStatus.REVOKED
    assert not key_is_usable({"revoked_at": NOW, "expires_at": None}, NOW - timedelta(days=1))


def test_a_later_state_replaces_the_copy_and_an_earlier_one_never_does():
    stored = {"changed_at": NOW}
    assert supersedes(NOW, None)  # the first state of a key
    assert supersedes(NOW + timedelta(milliseconds=1), stored)
    assert not supersedes(NOW - timedelta(milliseconds=1), stored)
    assert supersedes(NOW, stored)  # a tie (a redelivery): the later arrival, the same state


def test_states_are_compared_to_the_millisecond_as_the_database_keeps_them():
    event_time = NOW + timedelta(microseconds=1500)
    read_back = {"changed_at": NOW + timedelta(milliseconds=1)}  # MongoDB drops the microseconds
    assert supersedes(event_time, read_back)
    assert not supersedes(event_time, {"changed_at": NOW + timedelta(milliseconds=2)})


# --- the copy ------------------------------------------------------------------------------------


async def test_the_first_state_of_a_key_is_kept_as_its_digest_and_state():
    ctx = context(DictDb())
    event = changed(expires_at=NOW + timedelta(hours=24))
    await on_api_key_changed(event, ctx)
    assert await ctx.uow.get(AGENCY_KEYS, event.key_digest) == {
        "_id": event.key_digest,
        "agency_id": AGENCY,
        "created_at": NOW - timedelta(days=1),
        "expires_at": NOW + timedelta(hours=24),
        "revoked_at": None,
        "changed_at": NOW,
    }


async def test_a_late_older_state_never_overwrites_a_newer_one():
    revoked = changed(at=NOW, revoked_at=NOW)
    ctx = context(DictDb({AGENCY_KEYS: {revoked.key_digest: agency_key_document(revoked)}}))
    await on_api_key_changed(changed(at=NOW - timedelta(minutes=5)), ctx)  # the active state, delivered late
    assert ctx.uow.is_empty
    assert (await ctx.uow.get(AGENCY_KEYS, revoked.key_digest))["revoked_at"] == NOW


async def test_in_one_batch_the_newest_state_stays_whatever_the_order():
    ctx = context(DictDb())
    newest, older = changed(at=NOW, revoked_at=NOW), changed(at=NOW - timedelta(seconds=1))
    for event in (newest, older):
        await on_api_key_changed(event, ctx)
    stored = await ctx.uow.get(AGENCY_KEYS, newest.key_digest)
    assert stored["revoked_at"] == NOW and stored["changed_at"] == NOW


def test_the_route_consumes_the_key_topic_and_reads_a_batch_at_once():
    assert API_KEY_ROUTE.spec is API_KEY_CHANGED and API_KEY_ROUTE.handler is on_api_key_changed
    assert API_KEY_ROUTE.prefetch is not None


# --- who is calling ---------------------------------------------------------------------------------


def caller_runtime(*keys: dict) -> SimpleNamespace:
    settings = ServiceSettings(env="production", admin_token=ADMIN_TOKEN)
    return SimpleNamespace(settings=settings, db=DictDb({AGENCY_KEYS: {k["_id"]: k for k in keys}}))


def request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": []})


def copy_of(key: str, **state) -> dict:
    return agency_key_document(changed(key, **state))


async def test_the_admin_token_is_every_agency_and_a_usable_key_its_own_agency():
    runtime = caller_runtime(copy_of("kin_mine", expires_at=NOW + timedelta(days=3650)))
    admin = await current_caller(request(), runtime, f"Bearer {ADMIN_TOKEN}")
    assert admin == Caller(agency_id=None, is_admin=True)
    admin.require_agency("any-agency")

    incoming = request()
    agency = await current_caller(incoming, runtime, "Bearer kin_mine")
    assert agency == Caller(agency_id=AGENCY, is_admin=False)
    assert incoming.state.agency_id == AGENCY  # the access log names who called
    agency.require_agency(AGENCY)
    with pytest.raises(ApiError) as refused:
        agency.require_agency("another-agency")
    assert refused.value.status == 403 and refused.value.code == "forbidden_agency"
    assert "another-agency" in refused.value.message


@pytest.mark.parametrize("authorization", ["Bearer kin_unknown", "Bearer kin_revoked", "Bearer kin_expired"])
async def test_unknown_revoked_and_expired_keys_get_one_answer(authorization):
    runtime = caller_runtime(copy_of("kin_revoked", revoked_at=NOW), copy_of("kin_expired", expires_at=NOW))
    with pytest.raises(ApiError) as refused:
        await current_caller(request(), runtime, authorization)
    assert (refused.value.status, refused.value.code, refused.value.message) == (
        401,
        "unauthorized",
        INVALID_KEY_MESSAGE,
    )


async def test_a_request_without_a_bearer_token_is_refused():
    with pytest.raises(ApiError) as refused:
        await current_caller(request(), caller_runtime(), None)
    assert refused.value.status == 401


# --- intake announcing its keys ------------------------------------------------------------------------


def announced(uow: UnitOfWork) -> list[ApiKeyChanged]:
    envelopes = [API_KEY_CHANGED.envelope_model.model_validate_json(r.value) for r in uow.outgoing]
    assert all(e.subject == AGENCY for e in envelopes)
    return [e.data for e in envelopes]


async def test_a_new_key_is_stored_announced_and_its_state_published():
    uow = UnitOfWork(DictDb())
    key = key_document("kin_new", agency_id=AGENCY, label="SIMPEG", now=NOW)
    stage_new_key(uow, key, NOW)
    assert (await uow.get(API_KEYS, key["_id"]))["announced_at"] == NOW
    [event] = announced(uow)
    assert event == ApiKeyChanged(key_digest=key["_id"], agency_id=AGENCY, created_at=NOW, changed_at=NOW)


async def test_a_change_publishes_the_state_the_key_is_left_in_over_the_state_read():
    old = key_document("kin_old", agency_id=AGENCY, label="SIMPEG", now=NOW - timedelta(days=30))
    uow = UnitOfWork(DictDb())
    stage_key_change(uow, old, NOW, {"expires_at": NOW + timedelta(hours=24)})
    stored = await uow.get(API_KEYS, old["_id"])
    assert stored == {**old, "expires_at": NOW + timedelta(hours=24), "announced_at": NOW}
    [event] = announced(uow)
    assert (event.expires_at, event.revoked_at, event.changed_at) == (NOW + timedelta(hours=24), None, NOW)
    assert event.created_at == old["created_at"]


async def test_a_development_key_issued_again_is_published_working_with_its_first_issue_time():
    key = key_document("kin_dev_x", agency_id=AGENCY, label="utama", now=NOW)
    key["created_at"] = NOW - timedelta(days=2)  # as the route finds it stored
    uow = UnitOfWork(DictDb())
    stage_key_reissue(uow, key, NOW)
    [event] = announced(uow)
    assert (event.created_at, event.revoked_at, event.expires_at) == (NOW - timedelta(days=2), None, None)


def test_an_existing_key_is_announced_as_of_its_last_known_change_never_later():
    created = NOW - timedelta(days=10)
    assert known_since({"created_at": created, "revoked_at": None}) == created
    assert known_since({"created_at": created, "revoked_at": NOW}) == NOW
