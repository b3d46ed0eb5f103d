"""The bare-I/O baseline of the pipeline: the same writes and records as the platform, no framework, no domain.

Four stages, like intake -> scoring -> training -> notification, each doing only the I/O the reliability
pattern needs (README "Reliability"), with plain aiokafka and pymongo's async client:

- stage 0 ("intake", in the calling process): writes a batch of reports and their outbox documents in one
  MongoDB transaction, publishes the records (idempotent producer, acks=all, keyed by NIP), then marks the
  outbox documents sent, as the relay does;
- stages 1-3 (one process each, own consumer group, topics of 6 partitions): `getmany` up to 200 records, write
  the inbox ids, one state document per report and the outbox documents in one transaction, publish to the
  next topic, mark the outbox sent, then commit the offsets. An idle stage pauses its fetching for 200 ms, as
  the platform's consumers do on the embedded broker (KINERJA_CONSUMER_IDLE_PAUSE_MS=200).

Record values are JSON of the real events' size: each carries a copy of a real envelope (taken from the
platform's outboxes by bench.pipeline; synthetic padding when run alone) plus the report id, the NIP and the
time it was sent. The last stage stores `now - sent` in its state document, one collection per run.

`python -m bench.pipeline` runs this beside the platform on one stack; `python -m bench.bare_pipeline [reports]`
runs it alone on a stack of its own. Databases and topics are prefixed `bare_`.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import ASCENDING, AsyncMongoClient

STAGES = 4  # stage 0 produces; stages 1..3 consume and produce
PARTITIONS = 6
CONSUMER_BATCH = 200  # KINERJA_CONSUMER_BATCH_SIZE
IDLE_PAUSE_S = 0.2  # KINERJA_CONSUMER_IDLE_PAUSE_MS=200
LISTEN_S = 0.02  # how long an idle stage fetches between pauses (shared/messaging/idle_fetch.py)
STAGE_NAMES = ("intake", "scoring", "training", "notification")
# Sizes of the platform's events (bytes of the envelope JSON), for a run without templates from the platform.
SYNTHETIC_SIZES = (1900, 2300, 1500, 800)
HEADERS = [("content-type", b"application/cloudevents+json"), ("ce_type", b"bare")]


def topic(prefix: str, stage: int) -> str:
    """The topic stage `stage` publishes to."""
    return f"{prefix}.stage{stage}.v1"


def database(prefix: str, stage: int) -> str:
    return f"{prefix}_{STAGE_NAMES[stage]}"


def synthetic_templates() -> list[dict]:
    return [
        {"type": f"bare.{n}", "data": {"pad": "x" * size}} for n, size in zip(STAGE_NAMES, SYNTHETIC_SIZES, strict=True)
    ]


def message(template: dict, run: str, report: str, nip: str, sent: float) -> str:
    return json.dumps(
        {"id": uuid.uuid4().hex, "run": run, "report": report, "nip": nip, "sent": sent, "event": template}
    )


def outbox_doc(topic_name: str, value: str, nip: str, seq: int, now: datetime) -> dict:
    return {
        "_id": uuid.uuid4().hex,
        "topic": topic_name,
        "key": nip.encode(),
        "value": value.encode(),
        "headers": [[k, v] for k, v in HEADERS],
        "status": "pending",
        "seq": seq,
        "created_at": now,
    }


async def ensure_indexes(db) -> None:
    """What the platform's outbox and inbox need: pending by sequence, expiry of sent entries and of the inbox."""
    await db.outbox.create_index([("status", ASCENDING), ("seq", ASCENDING)])
    await db.outbox.create_index("sent_at", expireAfterSeconds=7 * 86400)
    await db.inbox.create_index("at", expireAfterSeconds=30 * 86400)


def producer(bootstrap: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5)


async def publish_and_mark(kafka: AIOKafkaProducer, db, docs: list[dict]) -> None:
    futures = [await kafka.send(d["topic"], d["value"], key=d["key"], headers=HEADERS) for d in docs]
    await asyncio.gather(*futures)
    await db.outbox.update_many(
        {"_id": {"$in": [d["_id"] for d in docs]}}, {"$set": {"status": "sent", "sent_at": datetime.now(UTC)}}
    )


async def create_topics(bootstrap: str, prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="bare-admin")
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic(prefix, s), PARTITIONS, 1) for s in range(STAGES)])
    finally:
        await admin.close()


# --- stages 1..3: one process each --------------------------------------------------------------------------


async def run_stage(stage: int, bootstrap: str, mongo_uri: str, prefix: str, templates: list[dict]) -> None:
    mongo = AsyncMongoClient(mongo_uri)
    db = mongo[database(prefix, stage)]
    await ensure_indexes(db)
    consumer = AIOKafkaConsumer(
        topic(prefix, stage - 1),
        bootstrap_servers=bootstrap,
        group_id=f"{prefix}-{STAGE_NAMES[stage]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    kafka = producer(bootstrap)
    await consumer.start()
    await kafka.start()
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=100)
    print("READY", flush=True)
    out_topic, template, last = topic(prefix, stage), templates[stage], time.monotonic()
    seq = 0
    while True:
        batches = await consumer.getmany(timeout_ms=int(LISTEN_S * 1000), max_records=CONSUMER_BATCH)
        records = [r for rs in batches.values() for r in rs]
        if not records:
            if time.monotonic() - last >= IDLE_PAUSE_S:
                partitions = consumer.assignment()
                consumer.pause(*partitions)
                await asyncio.sleep(IDLE_PAUSE_S)
                consumer.resume(*(p for p in partitions if p in consumer.assignment()))
            continue
        last = time.monotonic()
        events = [json.loads(r.value) for r in records]
        now, at = time.time(), datetime.now(UTC)
        inbox = [{"_id": e["id"], "topic": out_topic, "outcome": "processed", "at": at} for e in events]
        states: dict[str, list[dict]] = {}
        outbox = []
        for e in events:
            state = {"_id": e["report"], "nip": e["nip"], "sent": e["sent"], "latency_s": now - e["sent"], "at": at}
            states.setdefault(f"state_{e['run']}", []).append(state)
            seq += 1
            value = message(template, e["run"], e["report"], e["nip"], e["sent"])
            outbox.append(outbox_doc(out_topic, value, e["nip"], time.time_ns() + seq, at))

        async def write(session, inbox=inbox, states=states, outbox=outbox) -> None:
            await db.inbox.insert_many(inbox, ordered=False, session=session)
            for collection, docs in states.items():
                await db[collection].insert_many(docs, ordered=False, session=session)
            await db.outbox.insert_many(outbox, ordered=True, session=session)

        async with mongo.start_session() as session:
            await session.with_transaction(write)
        await publish_and_mark(kafka, db, outbox)
        await consumer.commit()


# --- stage 0 and the measurements, in the calling process ----------------------------------------------------


class BarePipeline:
    """Stages 1..3 as child processes on a running stack; stage 0 and the measurements here."""

    def __init__(self, bootstrap: str, mongo_uri: str, templates: list[dict] | None = None, prefix: str = "bare"):
        self.bootstrap, self.mongo_uri, self.prefix = bootstrap, mongo_uri, prefix
        self.templates = templates or synthetic_templates()
        self.children: list[subprocess.Popen] = []
        handle, self._templates_path = tempfile.mkstemp(suffix=".json")
        with os.fdopen(handle, "w") as out:
            json.dump(self.templates, out)

    @property
    def pids(self) -> dict[str, int]:
        return {f"bare_{STAGE_NAMES[i + 1]}": p.pid for i, p in enumerate(self.children)}

    def start(self) -> None:
        asyncio.run(create_topics(self.bootstrap, self.prefix))
        for stage in range(1, STAGES):
            args = [sys.executable, "-m", "bench.bare_pipeline", "--stage", str(stage), "--bootstrap", self.bootstrap]
            args += ["--mongo", self.mongo_uri, "--prefix", self.prefix, "--templates", self._templates_path]
            self.children.append(subprocess.Popen(args, stdout=subprocess.PIPE, text=True))
        for child in self.children:
            line = child.stdout.readline()  # READY once it has its partitions
            if line.strip() != "READY":
                raise RuntimeError(f"bare stage did not start (exit {child.poll()})")

    def stop(self) -> None:
        for child in self.children:
            child.terminate()
        for child in self.children:
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.children = []
        os.unlink(self._templates_path)

    async def _done(self, db, run: str, count: int, timeout_s: float) -> None:
        # Point lookups of the oldest reports not yet seen: a count would scan the whole collection on this
        # server at every poll and load the database the run is measuring.
        deadline = time.perf_counter() + timeout_s
        pending = [f"{run}-{i}" for i in range(count)]
        while pending:
            found = {d["_id"] async for d in db[f"state_{run}"].find({"_id": {"$in": pending[:200]}}, {"_id": 1})}
            pending = [p for p in pending if p not in found]
            if not pending:
                break
            if time.perf_counter() > deadline:
                raise TimeoutError(f"bare pipeline: run {run} not processed in {timeout_s} s")
            for child in self.children:
                if child.poll() is not None:
                    raise RuntimeError(f"bare stage exited with {child.returncode}")
            await asyncio.sleep(0.05)

    async def saturated(self, reports: int, batch: int, nips: list[str]) -> dict[str, Any]:
        """Stage 0 writes and publishes `reports` in batches of `batch`; time until the last stage has them all."""
        run = f"sat{uuid.uuid4().hex[:8]}"
        mongo = AsyncMongoClient(self.mongo_uri)
        db, last_db = mongo[database(self.prefix, 0)], mongo[database(self.prefix, STAGES - 1)]
        await ensure_indexes(db)
        kafka = producer(self.bootstrap)
        await kafka.start()
        try:
            started = time.perf_counter()
            done = asyncio.create_task(self._done(last_db, run, reports, timeout_s=900))
            for first in range(0, reports, batch):
                await self._intake(db, kafka, run, range(first, min(first + batch, reports)), nips)
            intake_s = time.perf_counter() - started
            await done
            seconds = time.perf_counter() - started
        finally:
            await kafka.stop()
            await mongo.close()
        return {"reports": reports, "seconds": seconds, "per_s": reports / seconds, "stage0_s": intake_s}

    async def _intake(self, db, kafka, run: str, indexes: range, nips: list[str]) -> None:
        sent, at = time.time(), datetime.now(UTC)
        reports, outbox = [], []
        for i in indexes:
            nip = nips[i % len(nips)]
            report = f"{run}-{i}"
            value = message(self.templates[0], run, report, nip, sent)
            reports.append({"_id": report, "nip": nip, "status": "accepted", "event": self.templates[0], "at": at})
            outbox.append(outbox_doc(topic(self.prefix, 0), value, nip, time.time_ns() + i, at))

        async def write(session) -> None:
            await db.reports.insert_many(reports, ordered=False, session=session)
            await db.outbox.insert_many(outbox, ordered=True, session=session)

        async with db.client.start_session() as session:
            await session.with_transaction(write)
        await publish_and_mark(kafka, db, outbox)

    async def paced(self, rate: float, seconds: float, nips: list[str]) -> dict[str, Any]:
        """One report per transaction at `rate` reports/s (open loop); latency = last stage's time - send time."""
        run = f"lat{uuid.uuid4().hex[:8]}"
        count = int(rate * seconds)
        mongo = AsyncMongoClient(self.mongo_uri)
        db, last_db = mongo[database(self.prefix, 0)], mongo[database(self.prefix, STAGES - 1)]
        kafka = producer(self.bootstrap)
        await kafka.start()
        try:
            loop = asyncio.get_running_loop()
            start = loop.time() + 0.1
            tasks = []
            for i in range(count):
                await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
                tasks.append(asyncio.create_task(self._intake(db, kafka, run, range(i, i + 1), nips)))
            await asyncio.gather(*tasks)
            await self._done(last_db, run, count, timeout_s=300)
            docs = last_db[f"state_{run}"].find({}, {"sent": 1, "latency_s": 1})
            latencies = [(d["sent"], d["latency_s"]) async for d in docs]
        finally:
            await kafka.stop()
            await mongo.close()
        return {"reports": count, "rate": rate, **latency_summary(latencies)}


def latency_summary(pairs: list[tuple[float, float]]) -> dict[str, Any]:
    """Percentiles of (send time, latency) pairs, and the median of the first and last quarter of the sends:
    a last quarter much slower than the first means the offered rate was above what the pipeline sustains.
    `distribution_ms` keeps the whole distribution in little space, for charts drawn later from the JSON."""
    pairs = sorted(pairs)
    quarter = max(1, len(pairs) // 4)
    return {
        **percentiles([lat for _, lat in pairs]),
        "first_quarter_p50_s": statistics.median(lat for _, lat in pairs[:quarter]),
        "last_quarter_p50_s": statistics.median(lat for _, lat in pairs[-quarter:]),
        "offered_per_s": (len(pairs) - 1) / max(pairs[-1][0] - pairs[0][0], 1e-9),
        "distribution_ms": distribution_ms([lat for _, lat in pairs]),
    }


def distribution_ms(values: list[float]) -> list[float]:
    """Latency at percentiles 0, 1, ..., 100 (0 the fastest report, 100 the slowest), in ms: a CDF in 101 points."""
    if len(values) < 2:
        return [round(v * 1000, 1) for v in values]
    inner = statistics.quantiles(values, n=100, method="inclusive")
    return [round(v * 1000, 1) for v in (min(values), *inner, max(values))]


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"p50_s": values[0] if values else float("nan"), "p95_s": float("nan"), "p99_s": float("nan")}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50_s": statistics.median(values), "p95_s": q[94], "p99_s": q[98], "max_s": max(values)}


def random_nips(count: int) -> list[str]:
    return [
        f"19{random.randint(70, 95)}0101{random.randint(2000, 2020)}01{random.randint(1, 2)}{i:03d}"
        for i in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="?", type=int, default=2000, help="reports in the saturated run")
    parser.add_argument("--batch", type=int, default=1000, help="reports per stage-0 transaction")
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--stage", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--bootstrap", help=argparse.SUPPRESS)
    parser.add_argument("--mongo", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default="bare", help=argparse.SUPPRESS)
    parser.add_argument("--templates", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage is not None:  # a child: one consumer stage
        templates = json.loads(Path(args.templates).read_text())
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_stage(args.stage, args.bootstrap, args.mongo, args.prefix, templates))
        return

    from devtools.devstack.embedded import EmbeddedStack
    from devtools.devstack.processes import free_port

    with tempfile.TemporaryDirectory() as tmp:
        stack = EmbeddedStack(Path(tmp), free_port(), free_port())
        stack.start()
        bare = BarePipeline(stack.kafka_bootstrap, stack.mongo_uri)
        try:
            bare.start()
            nips = random_nips(500)
            sat = asyncio.run(bare.saturated(args.reports, args.batch, nips))
            lat = asyncio.run(bare.paced(args.rate, args.seconds, nips))
        finally:
            bare.stop()
            stack.stop()
    print(
        f"bare saturated: {sat['reports']} reports in {sat['seconds']:.2f} s = {sat['per_s']:.0f} reports/s "
        f"(stage 0 done after {sat['stage0_s']:.2f} s)"
    )
    print(
        f"bare at {lat['rate']:.0f}/s: p50 {lat['p50_s'] * 1000:.0f} ms, p95 {lat['p95_s'] * 1000:.0f} ms, "
        f"p99 {lat['p99_s'] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
