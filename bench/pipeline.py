"""The whole pipeline against its bare-I/O baseline, on one embedded stack, in one run.

1. The platform (the four services as processes) with a population (bench/population.py; by default 50
   agencies and 20,000 employees, one in ten a supervisor, the rest with an atasan) and one SKP plan per
   employee of 5 to 8 rows drawn from a pool: higher- and lower-is-better targets, range targets and
   qualitative rows. Employees go in by POST /v1/employees/batch, plans by the SKP upload (a CSV file per
   agency, POST /v1/uploads/skp; --skp-door put for one PUT /v1/skp per plan, several times slower); the
   runs start once training and notification have taken in every employee.
   - idle CPU of every process over 10 s with no traffic;
   - saturated: reports posted in batches of up to 1,000 (POST /v1/reports/batch, per agency) from the first
     POST until every report's notifications exist (score notice to the employee and to the atasan if any;
     training plans for the year are made in the background and reach people when HR approves one), with
     CPU seconds per 1,000 reports and peak RSS (VmHWM) of each service, the broker and
     the database server;
   - latency: reports offered at a fixed rate through the single door (POST /v1/reports, open loop); a
     report's latency is its employee's score notice `sent_at` minus the time the report was sent.
   Each report carries a realisasi for every utama row of its plan (a number near the target, or the atasan's
   rating for a qualitative row) and for most tambahan rows.
2. The bare baseline (bench/bare_pipeline.py) on the same stack, after the platform has stopped, with record
   values the size of the platform's own events (copied from its outboxes): the same saturated run and the
   same offered rate.
3. A table with the ratios platform / bare, in bench/results/: latest.json (with each latency run's
   distribution, percentiles 0..100), latest.md, and latest.png (saturated throughput and the latency CDFs,
   platform beside bare; `--redraw` draws it again from latest.json), written by bench/pipeline_report.py.

`python -m bench.pipeline --help` for the population, the doors and the rates. Figures depend on the machine
(2 cores here, shared by the broker, the Python MongoDB-protocol server, the services and this client).
"""

import argparse
import asyncio
import json
import math
import os
import random
import secrets
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient

from bench.bare_pipeline import BarePipeline, latency_summary
from bench.harness import embedded_stack, run_header
from bench.pipeline_report import chart, json_text, markdown
from bench.population import SKP_DOORS, Population, build_population
from bench.proc_stats import cpu_all, cpu_delta, peak_rss_mb
from bench.profiling import profiled
from devtools.devstack.embedded import EmbeddedStack
from devtools.devstack.platform import PIPELINE, Platform
from devtools.devstack.processes import free_port
from shared.contracts import SCORE_COMPUTED
from tests.e2e.api import Agency

RESULTS = Path(__file__).parent / "results"
MONTHS = 10  # one live report per employee and month; months 1..10 of 2026


# --- the platform ---------------------------------------------------------------------------------------------


def wait_for(predicate, what: str, timeout_s: float = 900, interval_s: float = 0.1) -> None:
    deadline = time.perf_counter() + timeout_s
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(what)
        time.sleep(interval_s)


def expected_notifications(population: Population, nips: list[str]) -> int:
    """Score notice to the employee and to the atasan if any."""
    return sum(1 + population.has_atasan[nip] for nip in nips)


def drained(mongo: MongoClient) -> bool:
    return not any(mongo[f"kinerja_{name}"].outbox.find_one({"status": "pending"}, {"_id": 1}) for name in PIPELINE)


def settled(mongo: MongoClient) -> bool:
    """Nothing left to publish and no training plan waiting to be made: the idle and paced runs measure a
    quiet platform, not the previous step's background work (the bare pipeline has none)."""
    return drained(mongo) and mongo["kinerja_training"].plan_heads.find_one({"dirty": True}, {"_id": 1}) is None


class ScoreNotices:
    """Waits for each report's notice to its employee, and keeps their times.

    Polls the notifications of at most 200 NIPs still waiting (indexed by recipient NIP) rather than count
    all notifications: on this database server a count scans, and polling it would load the database whose
    work the run measures.
    """

    def __init__(self, mongo: MongoClient, since: str, expected: dict[str, int]) -> None:
        self.notifications = mongo["kinerja_notification"].notifications
        self.since, self.waiting = since, dict(expected)
        self.times: dict[str, list[float]] = {}

    def arrived(self) -> bool:
        chunk = list(self.waiting)[:200]
        query = {
            "recipient_nip": {"$in": chunk},
            "sent_at": {"$gte": self.since},
            "recipient_role": "pegawai",
            "about_event_type": SCORE_COMPUTED.type,
        }
        found: dict[str, list[float]] = defaultdict(list)
        for doc in self.notifications.find(query, {"recipient_nip": 1, "sent_at": 1}):
            found[doc["recipient_nip"]].append(datetime.fromisoformat(doc["sent_at"]).timestamp())
        for nip in chunk:
            if len(found[nip]) >= self.waiting[nip]:
                self.times[nip] = sorted(found[nip])
                del self.waiting[nip]
        return not self.waiting


def platform_saturated(
    url: str, mongo: MongoClient, population: Population, months: list[int], reports: int, pids: dict[str, int]
) -> dict[str, Any]:
    """`reports` reports (month by month) in batches of up to 1,000 per agency; from the first POST until all
    their notifications exist."""
    rng = random.Random(1)
    chosen = [(a, nip, m) for m in months for a, nip in population.employees()][:reports]
    batches, nips = [], []
    for agency in population.agencies:
        bodies = [population.report_body(nip, m, rng) for a, nip, m in chosen if a is agency]
        nips += [b["nip"] for b in bodies]
        batches += [(agency, bodies[i : i + 1000]) for i in range(0, len(bodies), 1000)]
    notifications = mongo["kinerja_notification"].notifications
    query = {"agency_id": {"$in": population.agency_ids}}
    baseline = notifications.count_documents(query)
    expected = baseline + expected_notifications(population, nips)
    notices = ScoreNotices(mongo, datetime.now(UTC).isoformat(), Counter(nips))
    cpu_before = cpu_all(pids)
    with httpx.Client(base_url=url, timeout=600) as client:
        client.get("/readyz")
        started = time.perf_counter()
        for agency, bodies in batches:
            answer = client.post("/v1/reports/batch", json={"reports": bodies}, headers=agency.auth)
            assert answer.status_code == 200, answer.text[:2000]
            summary = answer.json()["summary"]
            assert summary["accepted"] == len(bodies), summary
        intake_s = time.perf_counter() - started
    wait_for(notices.arrived, "a score notice for every report", 1800, 0.25)
    seconds = time.perf_counter() - started
    cpu = cpu_delta(cpu_before, cpu_all(pids))
    # Once, not polled: the atasan's notices are there too.
    wait_for(lambda: notifications.count_documents(query) >= expected, "notifications for every report", 600, 2)
    per_1000 = {n: c * 1000 / len(nips) for n, c in cpu.items()}
    return {
        "reports": len(nips),
        "batches": len(batches),
        "notifications": expected - baseline,
        "seconds": seconds,
        "per_s": len(nips) / seconds,
        "intake_accept_s": intake_s,
        "cpu_s": cpu,
        "cpu_s_per_1000": per_1000,
        "peak_rss_mb": {n: peak_rss_mb(pid) for n, pid in pids.items()},
    }


def platform_paced(
    url: str, mongo: MongoClient, population: Population, months: list[int], rate: float, seconds: float
) -> dict[str, Any]:
    """POST /v1/reports at `rate`/s, open loop; latency = the employee's score notice `sent_at` - send time."""
    rng = random.Random(2)
    count = int(rate * seconds)
    employees = population.employees()
    pairs = [(a, nip, m) for m in months for a, nip in rng.sample(employees, len(employees))]
    if len(pairs) < count:
        raise SystemExit(f"not enough employee-months for {count} paced reports: raise --employees")
    pairs = pairs[:count]
    sent: dict[str, list[float]] = defaultdict(list)  # NIP -> send times, in order
    codes: list[int] = []

    async def send_all() -> None:
        # Idle connections are dropped before uvicorn's 5 s keep-alive closes them, or a send could meet a closing one.
        limits = httpx.Limits(max_connections=64, keepalive_expiry=2)
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
            await client.get("/readyz")
            loop = asyncio.get_running_loop()
            start = loop.time() + 0.1

            async def one(agency: Agency, body: dict) -> None:
                sent[body["nip"]].append(time.time())
                codes.append((await client.post("/v1/reports", json=body, headers=agency.auth)).status_code)

            tasks = []
            for i, (agency, nip, month) in enumerate(pairs):
                await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
                tasks.append(asyncio.create_task(one(agency, population.report_body(nip, month, rng))))
            await asyncio.gather(*tasks)

    notices = ScoreNotices(mongo, datetime.now(UTC).isoformat(), Counter(nip for _, nip, _ in pairs))
    asyncio.run(send_all())
    assert codes.count(202) == count, sorted(set(codes))
    wait_for(notices.arrived, "score notices for the paced reports", 600, 0.25)
    latencies = []
    for nip, times in sent.items():  # one employee's events stay in order (keyed by NIP): match them in order
        latencies += [(begin, end - begin) for begin, end in zip(sorted(times), notices.times[nip], strict=True)]
    return {"reports": count, "rate": rate, **latency_summary(latencies)}


def idle_cpu(pids: dict[str, int], seconds: float = 10) -> dict[str, float]:
    before = cpu_all(pids)
    time.sleep(seconds)
    return {n: 100 * c / seconds for n, c in cpu_delta(before, cpu_all(pids)).items()}  # % of one core


def event_templates(mongo: MongoClient) -> list[dict] | None:
    """A real envelope of each kind the bare stages stand in for, from the platform's outboxes."""
    wanted = [
        ("kinerja_intake", "kinerja.report.submitted.v1"),
        ("kinerja_scoring", "kinerja.score.computed.v1"),
        # Training takes every score in but publishes per year, not per report: its stand-in stage sends a
        # score-sized record, so the bare pipeline keeps its four stages.
        ("kinerja_scoring", "kinerja.score.computed.v1"),
        ("kinerja_notification", "kinerja.notification.sent.v1"),
    ]
    templates = []
    for db, topic in wanted:
        doc = mongo[db].outbox.find_one({"records.topic": topic}, {"records": 1})
        if doc is None:
            return None
        templates.append(json.loads(bytes(next(r["value"] for r in doc["records"] if r["topic"] == topic))))
    return templates


# --- the run --------------------------------------------------------------------------------------------------


def months_for(args: argparse.Namespace) -> tuple[list[int], list[int]]:
    """One live report per employee and month: the saturated run takes the first months, the latency run the
    months after it, so no report of one run collides with one of the other."""
    sat_count = math.ceil(args.reports / args.employees)
    if sat_count + math.ceil(args.rate * args.seconds / args.employees) > MONTHS:
        raise SystemExit(f"{args.employees} employees give {MONTHS} reports each at most: raise --employees")
    return list(range(1, sat_count + 1)), list(range(sat_count + 1, MONTHS + 1))


def master_data_taken_in(mongo: MongoClient, employees: int) -> bool:
    """Training and notification keep their own copy of every employee (on this fresh stack all of them are the
    bench's). The idle and saturated runs must not also measure their catch-up on the employee events."""
    copies = (mongo["kinerja_training"].employees, mongo["kinerja_notification"].people)
    return all(copy.estimated_document_count() >= employees for copy in copies)


def set_up_population(args: argparse.Namespace, url: str, mongo: MongoClient) -> tuple[Population, dict[str, Any]]:
    log(
        f"population: {args.agencies} agencies, {args.employees:,} employees, SKP plans of 5-8 rows "
        f"through the {args.skp_door} door, {args.setup_workers} clients"
    )
    started = time.perf_counter()
    population = build_population(url, args.agencies, args.employees, args.skp_door, args.setup_workers)
    setup_s = time.perf_counter() - started
    wait_for(lambda: drained(mongo), "master data published", 600, 0.5)
    wait_for(lambda: master_data_taken_in(mongo, args.employees), "employees taken in", 900, 0.5)
    ready_s = time.perf_counter() - started
    log(f"  set up in {setup_s:.1f} s; published and taken in by the consumers after {ready_s:.1f} s")
    summary = population.summary() | {"skp_door": args.skp_door, "setup_workers": args.setup_workers}
    return population, summary | {"setup_s": setup_s, "ready_s": ready_s}


def run_platform(
    args: argparse.Namespace, stack: EmbeddedStack, mongo: MongoClient, tmp: Path, result: dict[str, Any]
) -> tuple[Population, list[dict] | None]:
    """Population, idle CPU, saturated and paced runs into `result`; the platform's own events for the bare run."""
    sat_months, lat_months = months_for(args)
    platform = Platform(
        stack.kafka_bootstrap,
        stack.mongo_uri,
        tmp / "logs",
        services=PIPELINE,
        ports={n: free_port() for n in PIPELINE},
        extra_env={
            "KINERJA_LOG_LEVEL": "WARNING",
            "KINERJA_ADMIN_TOKEN": os.environ["KINERJA_ADMIN_TOKEN"],
            "KINERJA_SECRET_KEY": secrets.token_urlsafe(32),
        },
    )
    try:
        platform.start()
        pids = {n: platform.processes[n].process.pid for n in PIPELINE}
        pids |= {"broker": stack.broker.process.pid, "database": stack.database.process.pid}
        url = platform.url("intake")
        population, result["population"] = set_up_population(args, url, mongo)
        wait_for(lambda: settled(mongo), "platform settled after the set-up", 900, 0.5)
        time.sleep(2)  # the consumers commit their last offsets and go idle
        log("idle CPU over 10 s")
        result["idle_cpu_pct"] = idle_cpu(pids)

        log(f"platform saturated: {args.reports} reports in batches of up to 1,000, months {sat_months}")
        with profiled({n: pids[n] for n in (*PIPELINE, "database")}, args.profile) as spy:
            sat = platform_saturated(url, mongo, population, sat_months, args.reports, pids)
        if spy.top:
            result["profile_pct_of_busy_samples"] = spy.top
            sat["profiled"] = True  # py-spy's sampling costs CPU: these figures are not comparable
        log(f"  {sat['reports']} reports in {sat['seconds']:.1f} s ({sat['per_s']:.0f}/s)")
        wait_for(lambda: settled(mongo), "platform settled after the saturated run", 900, 0.5)

        log(f"platform latency: {args.rate:.0f} reports/s for {args.seconds:.0f} s via POST /v1/reports")
        lat = platform_paced(url, mongo, population, lat_months, args.rate, args.seconds)
        log(f"  p50 {lat['p50_s'] * 1000:.0f} ms, p95 {lat['p95_s'] * 1000:.0f} ms, p99 {lat['p99_s'] * 1000:.0f} ms")
        result["platform"] = {"saturated": sat, "latency": lat}
        templates = event_templates(mongo)
        result["bare_payload_bytes"] = [len(json.dumps(t)) for t in templates] if templates else "synthetic"
    finally:
        platform.stop()
    return population, templates


def run_bare(args: argparse.Namespace, stack: EmbeddedStack, templates: list[dict] | None, nips: list[str]) -> dict:
    rest = f"then {args.rate:.0f}/s for {args.seconds:.0f} s"
    log(f"bare: {args.reports} reports in batches of {args.bare_batch}, {rest}")
    bare = BarePipeline(stack.kafka_bootstrap, stack.mongo_uri, templates)
    bare.start()
    try:
        bare_pids = bare.pids | {"bench (stage 0)": os.getpid()}
        bare_pids |= {"broker": stack.broker.process.pid, "database": stack.database.process.pid}
        before = cpu_all(bare_pids)
        bsat = asyncio.run(bare.saturated(args.reports, args.bare_batch, nips))
        cpu = cpu_delta(before, cpu_all(bare_pids))
        bsat["cpu_s_per_1000"] = {n: c * 1000 / args.reports for n, c in cpu.items()}
        bsat["peak_rss_mb"] = {n: peak_rss_mb(pid) for n, pid in bare.pids.items()}
        log(f"  {bsat['reports']} reports in {bsat['seconds']:.1f} s ({bsat['per_s']:.0f}/s)")
        blat = asyncio.run(bare.paced(args.rate, args.seconds, nips))
        log(f"  p50 {blat['p50_s'] * 1000:.0f} ms, p95 {blat['p95_s'] * 1000:.0f} ms")
    finally:
        bare.stop()
    return {"saturated": bsat, "latency": blat}


def run(args: argparse.Namespace) -> dict[str, Any]:
    months_for(args)  # refuse a population too small before starting anything
    result = run_header()
    with embedded_stack() as (stack, mongo, tmp):
        population, templates = run_platform(args, stack, mongo, tmp, result)
        result["bare"] = run_bare(args, stack, templates, [nip for _, nip in population.employees()])
    p, b = result["platform"], result["bare"]
    result["ratio_platform_over_bare"] = {
        "throughput": p["saturated"]["per_s"] / b["saturated"]["per_s"],
        **{k: p["latency"][k] / b["latency"][k] for k in ("p50_s", "p95_s", "p99_s")},
    }
    return result


def log(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Writes latest.json, latest.md and latest.png in --out.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--agencies", type=int, default=50, help="agencies in the population")
    parser.add_argument("--employees", type=int, default=20_000, help="in all, spread over the agencies")
    parser.add_argument(
        "--skp-door", choices=SKP_DOORS, default="upload", help="how the SKP plans go in: CSV upload per agency or PUT"
    )
    # 8 agencies x 2,000 employees took 5.7 s with 4 clients, 6.8 s with 2 and 12.2 s with 1 (a shared machine).
    parser.add_argument("--setup-workers", type=int, default=4, help="agencies set up at a time")
    parser.add_argument("--reports", type=int, default=2000, help="reports in the saturated runs")
    parser.add_argument("--rate", type=float, default=50, help="offered reports/s in the latency runs")
    parser.add_argument("--seconds", type=float, default=20, help="length of the latency runs")
    parser.add_argument("--bare-batch", type=int, default=1000, help="reports per bare stage-0 transaction")
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for the results")
    parser.add_argument(
        "--profile", type=Path, help="py-spy the services and the database during the saturated run (directory)"
    )
    parser.add_argument(
        "--redraw", action="store_true", help="run nothing: rewrite latest.md and latest.png from --out/latest.json"
    )
    args = parser.parse_args()
    if args.redraw:
        result = json.loads((args.out / "latest.json").read_text())
    else:
        result = run(args)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "latest.json").write_text(json_text(result))
    text = markdown(result)
    (args.out / "latest.md").write_text(text)
    print()
    print(text)
    png = chart(result, args.out / "latest.png")
    print(f"written: {args.out / 'latest.json'}, {args.out / 'latest.md'}, {png}")


if __name__ == "__main__":
    main()
