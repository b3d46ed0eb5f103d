"""A batch whose writes do not fit one transaction is committed in parts, never failed or dead-lettered.

The database here is a SecantusDB of its own with a small cache: it refuses a transaction of more than about
1 MB of writes with TransactionTooLargeForCache (388), as mongod does when a transaction outgrows its cache.
"""

import sys
from collections import Counter
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

from devtools.devstack.processes import ManagedProcess, free_port, port_open, wait_until
from shared.contracts import REPORT_SUBMITTED
from shared.messaging.consumer import EventConsumer, Route
from shared.mongo import is_too_large
from shared.settings import ServiceSettings
from tests.conftest import outbox_records

from .test_messaging import Record, _report

EVENTS = 60
PAYLOAD = "x" * 40_000  # 60 events x 40 KB: about 2.4 MB of writes, over the server's limit


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory):
    directory, port = tmp_path_factory.mktemp("small-cache"), free_port()
    argv = [sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--storage-path", str(directory / "data"), "--cache-size", "10M", "--log-level", "WARNING"]
    server = ManagedProcess("small-cache-mongodb", argv, Path(directory) / "mongodb.log")
    server.start()
    try:
        wait_until(lambda: port_open("127.0.0.1", port), 60, "small-cache MongoDB server", process=server)
        yield f"mongodb://127.0.0.1:{port}/"
    finally:
        server.stop()


@pytest.fixture
async def small_db(small_server):
    client = AsyncMongoClient(small_server, tz_aware=True)
    db = client["kinerja_it_transaction_limit"]
    await client.drop_database(db.name)
    yield db
    await client.close()


async def test_the_server_refuses_the_whole_batch_in_one_transaction(small_db):
    async with small_db.client.start_session() as session:
        with pytest.raises(OperationFailure) as refused:
            async with await session.start_transaction():
                docs = [{"_id": i, "payload": PAYLOAD} for i in range(EVENTS)]
                await small_db.things.insert_many(docs, session=session)
    assert is_too_large(refused.value), refused.value.details


async def test_a_batch_larger_than_the_transaction_limit_is_committed_in_parts(small_db):
    calls: Counter[str] = Counter()

    async def handler(report, ctx) -> None:
        calls[report.report_id] += 1
        ctx.uow.put("things", {"_id": report.report_id, "payload": PAYLOAD})
        ctx.emit(REPORT_SUBMITTED, report, subject=report.nip)

    settings = ServiceSettings(service_name="it", consumer_max_attempts=2, consumer_retry_backoff_s=0.01)
    consumer = EventConsumer(small_db, [Route(REPORT_SUBMITTED, handler)], settings)
    ids = [f"r{i:02d}" for i in range(EVENTS)]
    records = [Record(i, _report(rid).model_dump_json().encode()) for i, rid in enumerate(ids)]

    await consumer.process_batch(records)

    assert sorted(await small_db.things.distinct("_id")) == ids
    assert await small_db.inbox.count_documents({"outcome": "processed"}) == EVENTS
    published = await outbox_records(small_db)
    assert [r["topic"] for r in published] == [REPORT_SUBMITTED.topic] * EVENTS  # no dead letter among them
    assert await small_db.outbox.count_documents({}) > 1  # more than one transaction did it
    assert max(calls.values()) <= 3  # the refused whole, the refused half, the part that fit: no retry storm
