import asyncio
import os
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from devtools.devstack.platform import SERVICES, Platform
from devtools.devstack.processes import free_port
from shared.kafka_admin import ensure_topics

from .backends import Backend, select_backend
from .smtp_sink import SmtpSink

os.environ.setdefault("KINERJA_LOG_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    with select_backend(tmp_path_factory.mktemp("backend")) as selected:
        asyncio.run(ensure_topics(selected.kafka_bootstrap, partitions=6))
        yield selected


@pytest.fixture(scope="session")
async def mongo(backend: Backend) -> AsyncIterator[AsyncMongoClient]:
    client = AsyncMongoClient(backend.mongo_uri, tz_aware=True)
    yield client
    await client.close()


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    """The mail server the notification service sends to, in this process: tests read what it received."""
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture(scope="session")
def platform(backend: Backend, smtp_sink: SmtpSink, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The four services as real processes on the real broker and database.

    They run in production mode, which refuses the development admin token and notification's development
    secret key: each run has its own, the token in KINERJA_ADMIN_TOKEN while the platform runs
    (`tests.e2e.api.ADMIN` reads it from there). Notification mails to `smtp_sink` and checks deadlines every
    second.
    """
    ports = {name: free_port() for name in SERVICES}
    run_id = f"e2e{uuid.uuid4().hex[:8]}"  # own databases and consumer groups, even on a shared broker
    admin_token = f"e2e-{secrets.token_urlsafe(24)}"
    running = Platform(
        backend.kafka_bootstrap,
        backend.mongo_uri,
        tmp_path_factory.mktemp("logs"),
        ports=ports,
        database_prefix=run_id,
        # INFO, as in production: the tests read the services' logs (correlation ids, access lines).
        extra_env={
            "KINERJA_RELAY_POLL_INTERVAL_S": "0.2",
            "KINERJA_GROUP_PREFIX": run_id,
            "KINERJA_LOG_LEVEL": "INFO",
            "KINERJA_ADMIN_TOKEN": admin_token,
            "KINERJA_PERIOD_CLOCK_INTERVAL_S": "1",
            "KINERJA_SECRET_KEY": secrets.token_urlsafe(32),
            "KINERJA_REMINDER_INTERVAL_S": "1",
            "KINERJA_DELIVERY_HEALTH_INTERVAL_S": "2",
            **smtp_sink.env(),
        },
    )
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("KINERJA_ADMIN_TOKEN", admin_token)
            running.start()
            yield running
    finally:
        running.stop()


async def eventually(
    probe: Callable[[], Awaitable[object]], timeout_s: float = 60, what: str = "condition", interval_s: float = 0.25
) -> object:
    """Wait on a condition with a deadline: the only way these tests wait."""
    deadline = time.monotonic() + timeout_s
    last: object = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(interval_s)
    raise AssertionError(f"{what} not reached within {timeout_s}s (last: {last!r})")


@pytest.fixture
def unique() -> Callable[[str], str]:
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"


def data_path(name: str) -> Path:
    return Path(__file__).parent / "data" / name


async def outbox_records(db: Any, **match: Any) -> list[dict[str, Any]]:
    """The records in a service's outbox (each document holds one commit's), in publication order, each with
    its document's status; `match` filters on record fields (topic, key, id)."""
    records = []
    async for document in db.outbox.find({}).sort("seq", 1):
        for record in document["records"]:
            if all(record.get(k) == v for k, v in match.items()):
                records.append({**record, "status": document["status"]})
    return records
