"""The rules of agency API keys and of the admin token: pure functions, no database, no clock but the one given."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

import shared.service
from services.intake.security import (
    DEV_KEY_PREFIX,
    KEY_PREFIX,
    MAX_OVERLAP_HOURS,
    Agency,
    LastUsedThrottle,
    expiry_after_overlap,
    is_key_id,
    key_document,
    new_api_key,
    random_api_key,
    revocation_refusal,
)
from shared.agency_keys import KEY_ID_LENGTH, KeyStatus, digest, key_id_of, key_is_usable, key_status
from shared.settings import DEV_ADMIN_TOKEN, ServiceSettings

NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def key(**fields) -> dict:
    return key_document("kin_example", agency_id="bungo-dinkes", label="SIMPEG", now=NOW - timedelta(days=1)) | fields


# --- issuing and storing ------------------------------------------------------------------------


def test_a_stored_key_is_its_digest_and_metadata_never_the_key():
    api_key = random_api_key()
    document = key_document(api_key, agency_id="bungo-dinkes", label="SIMPEG", now=NOW)
    assert document == {
        "_id": hashlib.sha256(api_key.encode()).hexdigest(),
        "agency_id": "bungo-dinkes",
        "label": "SIMPEG",
        "created_at": NOW,
        "expires_at": None,
        "revoked_at": None,
        "last_used_at": None,
    }
    assert api_key not in repr(document)


def test_keys_are_long_random_secrets_and_the_first_development_key_is_deterministic():
    first, second = random_api_key(), random_api_key()
    assert first != second and first.startswith(KEY_PREFIX) and not first.startswith(DEV_KEY_PREFIX)
    assert len(first) >= len(KEY_PREFIX) + 43  # 32 random bytes, url-safe base64
    dev = ServiceSettings(env="development", admin_token="x")
    assert new_api_key("bungo-dinkes", dev) == "kin_dev_bungo-dinkes"
    assert new_api_key("bungo-dinkes", ServiceSettings(env="production", admin_token="x")).startswith(KEY_PREFIX)


def test_a_key_is_named_by_the_start_of_its_digest():
    key_digest = digest("kin_example")
    assert key_id_of(key_digest) == key_digest[:KEY_ID_LENGTH] and is_key_id(key_id_of(key_digest))
    for not_an_id in ("", "0123456", "0123456789", "0123456G", "ABCDEF01", "../../x", "0123456\n"):
        assert not is_key_id(not_an_id), not_an_id


def test_the_agency_of_a_request_knows_the_key_it_was_made_with():
    agency = Agency("bungo-dinkes", "Dinas Kesehatan", "Kabupaten Bungo", digest("kin_example"))
    assert agency.key_id == digest("kin_example")[:8]
    assert agency.agency_id == "bungo-dinkes"


# --- expiry and revocation ----------------------------------------------------------------------


def test_a_key_without_expiry_or_revocation_is_active():
    assert key_status(key(), NOW) is KeyStatus.ACTIVE and key_is_usable(key(), NOW)


def test_a_key_expires_at_its_expiry_not_a_moment_later():
    expiring = key(expires_at=NOW)
    assert key_status(expiring, NOW - timedelta(microseconds=1)) is KeyStatus.ACTIVE
    assert key_status(expiring, NOW) is KeyStatus.EXPIRED
    assert not key_is_usable(expiring, NOW + timedelta(days=365))


def test_a_revoked_key_is_refused_at_once_whatever_its_expiry():
    for expires_at in (None, NOW + timedelta(hours=24), NOW - timedelta(hours=1)):
        revoked = key(revoked_at=NOW, expires_at=expires_at)
        assert key_status(revoked, NOW) is KeyStatus.REVOKED and not key_is_usable(revoked, NOW)


@pytest.mark.parametrize("hours", [0, 1, 24, MAX_OVERLAP_HOURS])
def test_a_replaced_key_works_for_the_overlap_then_stops(hours):
    expires_at = expiry_after_overlap(None, NOW, hours)
    assert expires_at == NOW + timedelta(hours=hours)
    replaced = key(expires_at=expires_at)
    assert key_is_usable(replaced, NOW) is (hours > 0)  # 0: refused at once
    assert not key_is_usable(replaced, expires_at)


def test_an_overlap_never_lengthens_a_key_life():
    soon = NOW + timedelta(hours=2)
    assert expiry_after_overlap(soon, NOW, 24) == soon
    assert expiry_after_overlap(NOW + timedelta(days=30), NOW, 24) == NOW + timedelta(hours=24)


@pytest.mark.parametrize("hours", [-1, MAX_OVERLAP_HOURS + 1])
def test_an_overlap_is_between_zero_and_a_week(hours):
    with pytest.raises(ValueError):
        expiry_after_overlap(None, NOW, hours)


def test_an_agency_revokes_the_key_it_calls_with_only_when_it_insists():
    mine, other = digest("kin_mine"), digest("kin_other")
    assert revocation_refusal(mine, mine, force=False) == "revoking_own_key"
    assert revocation_refusal(mine, mine, force=True) is None
    assert revocation_refusal(other, mine, force=False) is None


# --- last use, throttled --------------------------------------------------------------------------


def test_last_use_is_recorded_at_most_once_a_minute_per_key():
    throttle = LastUsedThrottle(interval_s=60)
    assert throttle.due("a", now=1000.0)
    assert not throttle.due("a", now=1000.5)
    assert not throttle.due("a", now=1059.9)
    assert throttle.due("b", now=1059.9)  # each key on its own
    assert throttle.due("a", now=1060.0)
    assert not throttle.due("a", now=1100.0)  # counted from the last recorded use, not the first


def test_a_use_that_could_not_be_recorded_is_recorded_next_time():
    throttle = LastUsedThrottle(interval_s=60)
    assert throttle.due("a", now=0.0)
    throttle.forget("a")
    assert throttle.due("a", now=1.0)


def test_the_throttle_forgets_old_keys_instead_of_growing_without_bound():
    throttle = LastUsedThrottle(interval_s=60, max_keys=3)
    for i, name in enumerate("abc"):
        assert throttle.due(name, now=float(i))
    assert throttle.due("d", now=100.0)  # a, b, c are over a minute old: dropped
    assert len(throttle) == 1
    for name in "efg":
        assert throttle.due(name, now=101.0)
    assert len(throttle) <= 3


# --- the admin token ------------------------------------------------------------------------------


def test_production_refuses_the_development_admin_token():
    reason = ServiceSettings(env="production", admin_token=DEV_ADMIN_TOKEN).unsafe_admin_token()
    assert reason and "KINERJA_ADMIN_TOKEN" in reason and "KINERJA_ENV=development" in reason
    assert "\n" not in reason


def test_production_refuses_an_empty_admin_token():
    for token in ("", "   "):
        reason = ServiceSettings(env="production", admin_token=token).unsafe_admin_token()
        assert reason and "KINERJA_ADMIN_TOKEN" in reason


def test_production_with_a_token_of_its_own_and_development_with_the_default_may_start():
    assert ServiceSettings(env="production", admin_token="s3cr3t-of-our-own").unsafe_admin_token() is None
    assert ServiceSettings(env="development", admin_token=DEV_ADMIN_TOKEN).unsafe_admin_token() is None


@pytest.mark.parametrize("service", ["intake", "scoring", "training", "notification"])
def test_every_service_exits_2_with_one_line_when_started_with_the_development_token(service, monkeypatch, capsys):
    definition = __import__(f"services.{service}.app", fromlist=["SERVICE"]).SERVICE
    for name in ("KINERJA_ENV", "KINERJA_HTTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KINERJA_ADMIN_TOKEN", DEV_ADMIN_TOKEN)
    monkeypatch.setattr(shared.service, "configure_logging", lambda *_: None)

    def must_not_serve(*_, **__):
        raise AssertionError("the service started with the development admin token")

    monkeypatch.setattr(shared.service.uvicorn, "run", must_not_serve)
    with pytest.raises(SystemExit) as exited:
        shared.service.serve(definition)
    assert exited.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and stderr.startswith(f"kinerja-{service}: ")
    assert "KINERJA_ADMIN_TOKEN" in stderr and "KINERJA_ENV=development" in stderr
