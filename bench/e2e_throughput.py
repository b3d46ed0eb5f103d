"""Throughput on the embedded stack: intake's acceptance rate, then the consumer pipeline's drain rate.

Runs twice, with consumer batches of KINERJA_CONSUMER_BATCH_SIZE=200 and =1 (one event per transaction),
and prints figures and the ratio. `make bench` runs it; figures depend on the machine (2 cores here,
shared by the broker, the Python MongoDB-protocol server and the services).
"""

import asyncio
import os
import secrets
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from pymongo import MongoClient

from devtools.devstack.embedded import EmbeddedStack
from devtools.devstack.platform import SERVICES, Platform
from devtools.devstack.processes import free_port
from shared.kafka_admin import ensure_topics
from tests.e2e.api import register_agency

REPORTS = int(sys.argv[1]) if len(sys.argv) > 1 else 400
MONTHS = 10  # one live report per employee and month: the reports spread over ten months
EMPLOYEES = max(1, REPORTS // MONTHS)


def run(batch_size: int) -> dict[str, float]:
    # Production mode refuses the development admin token; register_agency (tests.e2e.api.ADMIN) reads this one.
    os.environ["KINERJA_ADMIN_TOKEN"] = admin_token = f"bench-{secrets.token_urlsafe(24)}"
    with tempfile.TemporaryDirectory() as tmp:
        stack = EmbeddedStack(Path(tmp), free_port(), free_port())
        stack.start()
        platform = None
        try:
            asyncio.run(ensure_topics(stack.kafka_bootstrap, 6))
            platform = Platform(
                stack.kafka_bootstrap,
                stack.mongo_uri,
                Path(tmp) / "logs",
                ports={n: free_port() for n in SERVICES},
                extra_env={
                    "KINERJA_CONSUMER_BATCH_SIZE": str(batch_size),
                    "KINERJA_LOG_LEVEL": "WARNING",
                    "KINERJA_ADMIN_TOKEN": admin_token,
                },
            )
            return measure(platform, stack.mongo_uri)
        finally:
            if platform:
                platform.stop()
            stack.stop()


def _wait_for(predicate, what: str, timeout_s: float = 900) -> None:
    deadline = time.perf_counter() + timeout_s
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)


def measure(platform: Platform, mongo_uri: str) -> dict[str, float]:
    """Intake alone first (its rate), then the three consumers drain what it published (the pipeline's rate)."""
    platform.processes["intake"].start()
    platform.wait_ready("intake")
    with httpx.Client(base_url=platform.url("intake"), timeout=30) as client:
        agency = register_agency(client, budget=10_000_000_000)
        nips = [agency.employee() for _ in range(EMPLOYEES)]
        for nip in nips:
            agency.skp(nip)
    bodies = [
        agency.report_body(nip, cakupan=50 + (i + month) % 50, month=month)
        for month in range(1, MONTHS + 1)
        for i, nip in enumerate(nips)
    ]
    local = threading.local()

    def post(body: dict) -> int:
        if not hasattr(local, "client"):  # one keep-alive client per thread, as a real integration would
            local.client = httpx.Client(base_url=platform.url("intake"), timeout=30)
        return local.client.post("/v1/reports", json=body, headers=agency.auth).status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(post, bodies))
    intake_s = time.perf_counter() - started
    assert codes.count(202) == len(bodies), codes
    with MongoClient(mongo_uri) as mongo:
        outbox = mongo["kinerja_intake"]["outbox"]
        _wait_for(lambda: outbox.count_documents({"status": "pending"}) == 0, "intake outbox drained")
        started = time.perf_counter()
        for name in ("scoring", "training", "notification"):
            platform.processes[name].start()
        notifications = mongo["kinerja_notification"]["notifications"]
        expected = 2 * len(bodies)
        _wait_for(lambda: notifications.count_documents({"agency_id": agency.agency_id}) >= expected, "notified")
        pipeline_s = time.perf_counter() - started  # includes the three services' start-up (about 1 s)
    return {"reports": len(bodies), "intake_per_s": len(bodies) / intake_s, "pipeline_s": pipeline_s}


def main() -> None:
    results = {size: run(size) for size in (200, 1)}
    for size, r in results.items():
        print(
            f"consumer batch {size:>3}: {r['reports']} reports; intake accepted {r['intake_per_s']:.0f}/s; "
            f"scoring -> training -> notification drained them in {r['pipeline_s']:.1f} s "
            f"({r['reports'] / r['pipeline_s']:.0f} reports/s through three services)"
        )
    print(f"batching speed-up of the consumer pipeline: {results[1]['pipeline_s'] / results[200]['pipeline_s']:.1f}x")


if __name__ == "__main__":
    main()
