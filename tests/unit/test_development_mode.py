"""Development mode: predictable demo keys, and only where nobody else can reach them."""

import pytest

from services.intake.security import new_api_key
from shared.settings import ServiceSettings


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_development_mode_is_allowed_on_loopback(host):
    assert ServiceSettings(env="development", http_host=host).unsafe_for_development() is None


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "kinerja.bungokab.go.id", "::"])
def test_development_mode_refuses_to_listen_beyond_loopback(host):
    reason = ServiceSettings(env="development", http_host=host).unsafe_for_development()
    assert reason and "KINERJA_ENV=development" in reason and host in reason


def test_production_may_listen_anywhere():
    assert ServiceSettings(http_host="0.0.0.0").unsafe_for_development() is None


def test_development_keys_are_the_same_at_every_start_and_production_keys_never_are():
    dev, prod = ServiceSettings(env="development"), ServiceSettings()
    assert new_api_key("bungo-dinkes", dev) == new_api_key("bungo-dinkes", dev) == "kin_dev_bungo-dinkes"
    first, second = new_api_key("bungo-dinkes", prod), new_api_key("bungo-dinkes", prod)
    assert first != second and first.startswith("kin_") and not first.startswith("kin_dev_")
    assert len(first) > 40
