from collections.abc import Iterator

import httpx
import pytest

from devtools.devstack.platform import Platform


@pytest.fixture(scope="module")
def intake(platform: Platform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.url("intake"), timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def dbs(platform: Platform, mongo):
    """Each service's own database, as the tests inspect them."""
    return {name: mongo[f"{platform.database_prefix}_{name}"] for name in platform.processes}


@pytest.fixture(scope="module")
def training(platform: Platform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.url("training"), timeout=30) as client:
        yield client
