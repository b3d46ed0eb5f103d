"""Scale-out check: a second replica of the slowest service, throughput, and order per NIP.

Method, on one embedded stack (topics with 6 partitions) and the four services as processes, started as
bench/pipeline.py does:

1. A population of agencies, employees (one in ten a supervisor) and SKP plans (bench.pipeline helpers).
2. Run 1, one replica of everything: the saturated workload of bench.pipeline (reports posted in batches
   of up to 1,000 through POST /v1/reports/batch, month by month, timed from the first POST until every
   report's notifications exist), with CPU seconds per 1,000 reports of every process. The slowest
   service is the consumer service (scoring, training or notification) with the most CPU per 1,000
   reports in this run, unless `--service` names one. Intake is not a candidate: this workload reaches it
   over HTTP on one port, not through its consumer group, so a second intake replica would get no share.
3. A second replica of that service: another `python -m services.<name>` with the first one's environment
   (same database, broker and consumer group) but its own HTTP port and KINERJA_INSTANCE_ID, hence its own
   group_instance_id (static membership). It counts once it answers /readyz and the broker describes the
   group with two members that both hold partitions of every topic the service reads.
4. Run 2, two replicas: the same workload on the next months. Each replica's /metrics
   (kinerja_events_consumed_total) before and after shows that both took part.
5. After each run, an audit from the outboxes (bench/scale_out_checks.py), whose `seq` (wall-clock
   nanoseconds, strictly increasing within a process) is the order in which a service committed its results:
   - order: for every NIP, its score events (scoring) and each kind of notice about it (notification: score
     to the employee, score to the atasan), taken
     in `seq` order, must follow its months, which is the order the reports were sent (months ascending).
     A NIP's events share a partition, so one replica handles them at a time; across a rebalance the
     handover comes after a commit, so wall-clock `seq` still orders them;
   - loss and duplicates: every report gives exactly one score event and its
     expected notices (bench.pipeline.expected_notifications), and the notifications collection holds
     each notice once.

Figures depend on the machine: with 2 cores shared by the broker, the Python MongoDB-protocol server,
four or five services and the load generator, a second replica adds a process, not a core.
`python -m bench.scale_out --help` for the sizes; results in bench/results/scale-out/latest.{json,md} (the
Markdown from bench/scale_out_report.py).
"""

import argparse
import asyncio
import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.group import MemberAssignment
from prometheus_client.parser import text_string_to_metric_families
from pymongo import MongoClient

from bench.pipeline import (
    MONTHS,
    RESULTS,
    Population,
    build_population,
    drained,
    log,
    platform_saturated,
    wait_for,
)
from bench.proc_stats import machine_jiffies
from bench.scale_out_checks import audit
from bench.scale_out_report import markdown
from devtools.devstack.embedded import EmbeddedStack
from devtools.devstack.platform import PIPELINE, Platform, is_ready
from devtools.devstack.processes import ManagedProcess, free_port, wait_until
from shared.contracts import SCORE_COMPUTED
from shared.kafka_admin import ensure_topics

OUT = RESULTS / "scale-out"
SCALABLE = ("scoring", "training", "notification")  # the services whose report work arrives over Kafka
CONSUMES = {  # the report-carrying topics each candidate reads
    "scoring": ["kinerja.report.submitted.v1"],
    "training": [SCORE_COMPUTED.topic],
    "notification": [SCORE_COMPUTED.topic],
}


# --- the second replica ---------------------------------------------------------------------------------------


def start_second_replica(platform: Platform, name: str, log_dir: Path) -> tuple[ManagedProcess, str]:
    """Another process of `name` with the first one's environment, its own port and instance id."""
    first = platform.processes[name]
    port = free_port()
    env = {**first.env, "KINERJA_HTTP_PORT": str(port), "KINERJA_INSTANCE_ID": "replica-2"}
    replica = ManagedProcess(f"{name}-2", [sys.executable, "-m", f"services.{name}"], log_dir / f"{name}-2.log", env)
    replica.start()
    url = f"http://{platform.host}:{port}"
    wait_until(lambda: is_ready(url), 90, f"service {name} replica 2", process=replica)
    return replica, url


async def describe_group(bootstrap: str, group: str) -> list[dict[str, Any]]:
    """The group's members as the broker's coordinator describes them, with their assigned partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="kinerja-scale-out")
    await admin.start()
    try:
        responses = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    members = []
    for response in responses:
        for described in response.groups:
            for member in described[5]:  # error_code, group, state, protocol_type, protocol, members
                member_id, client_id, _host, _metadata, raw = member[:5]
                assignment = MemberAssignment.decode(raw) if raw else None
                topics = {t: sorted(p) for t, p in assignment.assignment} if assignment else {}
                members.append({"member_id": member_id, "client_id": client_id, "partitions": topics})
    return members


def wait_for_two_members(bootstrap: str, name: str, topics: list[str], timeout_s: float = 120) -> list[dict]:
    """Until the group has two members and each holds partitions of every report-carrying topic."""
    group = f"kinerja-{name}"
    seen: list[dict] = []

    def settled() -> bool:
        seen[:] = asyncio.run(describe_group(bootstrap, group))
        return len(seen) == 2 and all(m["partitions"].get(t) for m in seen for t in topics)

    wait_for(settled, f"two members of {group} with partitions of {topics}", timeout_s, 1.0)
    return seen


def events_consumed(url: str) -> float:
    """kinerja_events_consumed_total of one replica, all topics and outcomes."""
    text = httpx.get(f"{url}/metrics", timeout=30).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "kinerja_events_consumed_total"
    )


# --- one measured run -----------------------------------------------------------------------------------------


def measured_run(
    url: str,
    mongo: MongoClient,
    population: Population,
    months: list[int],
    reports: int,
    pids: dict[str, int],
    replica_urls: dict[str, str],
) -> dict[str, Any]:
    """bench.pipeline's saturated run, plus whole-machine CPU, cores per process and events per replica."""
    consumed = {n: events_consumed(u) for n, u in replica_urls.items()}
    busy0, total0 = machine_jiffies()
    since = datetime.now(UTC)
    sat = platform_saturated(url, mongo, population, months, reports, pids)
    busy1, total1 = machine_jiffies()
    sat["months"] = months
    sat["since"] = since.isoformat()
    sat["machine_busy_pct"] = 100 * (busy1 - busy0) / max(1, total1 - total0)
    sat["cores_used"] = {n: c / sat["seconds"] for n, c in sat["cpu_s"].items()}
    sat["events_consumed"] = {n: events_consumed(u) - consumed[n] for n, u in replica_urls.items()}
    wait_for(lambda: drained(mongo), "platform drained", 600, 0.5)
    time.sleep(1)  # the last commits' outbox entries
    sat["audit"] = audit(mongo, population, months, reports, since)
    sat["records_per_commit"] = records_per_commit(mongo, since)
    return sat


def records_per_commit(mongo: MongoClient, since: datetime) -> dict[str, float]:
    """Per service, records per outbox document since `since`: per commit, where a commit's records share one."""
    query = {"created_at": {"$gte": since.replace(tzinfo=None)}}
    found = {}
    for name in PIPELINE:
        counts = [doc.get("count", 1) for doc in mongo[f"kinerja_{name}"].outbox.find(query, {"count": 1})]
        found[name] = sum(counts) / len(counts) if counts else 0.0
    return found


# --- the run --------------------------------------------------------------------------------------------------


def code_version() -> dict[str, Any]:
    """The checkout the services ran from: its commit and the tracked files changed since (others edit too)."""
    root = Path(__file__).resolve().parent.parent

    def git(*argv: str) -> str:
        return subprocess.run(["git", "-C", str(root), *argv], capture_output=True, text=True, check=True).stdout

    try:
        commit = git("rev-parse", "--short", "HEAD").strip()
        changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]
    except (OSError, subprocess.CalledProcessError):
        return {"root": str(root)}
    return {"root": str(root), "commit": commit, "uncommitted": changed}


def start_platform(stack: EmbeddedStack, tmp: Path, admin_token: str) -> Platform:
    asyncio.run(ensure_topics(stack.kafka_bootstrap, 6))
    platform = Platform(
        stack.kafka_bootstrap,
        stack.mongo_uri,
        tmp / "logs",
        services=PIPELINE,
        ports={n: free_port() for n in PIPELINE},
        extra_env={
            "KINERJA_LOG_LEVEL": "WARNING",
            "KINERJA_ADMIN_TOKEN": admin_token,
            "KINERJA_SECRET_KEY": secrets.token_urlsafe(32),
        },
    )
    platform.start()
    return platform


def slowest(run1: dict[str, Any]) -> str:
    return max(SCALABLE, key=lambda n: run1["cpu_s_per_1000"][n])


def log_run(label: str, r: dict[str, Any]) -> None:
    a = r["audit"]
    log(
        f"  {label}: {r['reports']} reports in {r['seconds']:.1f} s ({r['per_s']:.1f}/s), machine busy "
        f"{r['machine_busy_pct']:.0f}%; order violations {a['order_violations']} over {a['nips_checked']} NIPs, "
        f"missing {a['missing']}, duplicate {a['duplicate']}"
    )


def scale_out(
    args: argparse.Namespace, stack: EmbeddedStack, platform: Platform, mongo: MongoClient, log_dir: Path
) -> dict[str, Any]:
    """Population, run 1, the second replica, run 2."""
    pids = {n: platform.processes[n].process.pid for n in PIPELINE}
    pids |= {"broker": stack.broker.process.pid, "database": stack.database.process.pid, "load generator": os.getpid()}
    url = platform.url("intake")
    log(f"population: {args.agencies} agencies, {args.employees} employees")
    population = build_population(url, args.agencies, args.employees)
    wait_for(lambda: drained(mongo), "master data published", 600, 0.5)
    time.sleep(2)  # the consumers take in the employee events
    per_run = math.ceil(args.reports / args.employees)
    months1, months2 = list(range(1, per_run + 1)), list(range(per_run + 1, 2 * per_run + 1))

    log(f"run 1, one replica of each service: {args.reports} reports, months {months1}")
    run1 = measured_run(url, mongo, population, months1, args.reports, pids, {})
    log_run("1 replica", run1)
    name = args.service or slowest(run1)
    chosen_by = "--service" if args.service else "most CPU s per 1,000 reports in run 1 among " + ", ".join(SCALABLE)
    log(f"replicating {name} ({chosen_by}: {run1['cpu_s_per_1000'][name]:.2f})")
    replica, replica_url = start_second_replica(platform, name, log_dir)
    try:
        members = wait_for_two_members(stack.kafka_bootstrap, name, CONSUMES[name])
        log("  group members: " + "; ".join(f"{m['member_id']} {m['partitions']}" for m in members))
        pids[f"{name} #2"] = replica.process.pid
        replicas = {name: platform.url(name), f"{name} #2": replica_url}
        log(f"run 2, two replicas of {name}: {args.reports} reports, months {months2}")
        run2 = measured_run(url, mongo, population, months2, args.reports, pids, replicas)
        log_run("2 replicas", run2)
    finally:
        replica.stop()
    instances = [f"kinerja-{name}-{proc.env['KINERJA_INSTANCE_ID']}" for proc in (platform.processes[name], replica)]
    return {
        "service": name,
        "chosen_by": chosen_by,
        "group_instance_ids": instances,
        "group_members": members,
        "runs": [run1, run2],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    if 2 * math.ceil(args.reports / args.employees) > MONTHS:
        raise SystemExit(f"two runs of {args.reports} reports need more employees than {args.employees}")
    os.environ["KINERJA_ADMIN_TOKEN"] = admin_token = f"bench-{secrets.token_urlsafe(24)}"
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "loadavg_before": os.getloadavg()},
        "population": {"agencies": args.agencies, "employees": args.employees},
        "code": code_version(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        stack = EmbeddedStack(Path(tmp), free_port(), free_port())
        stack.start()
        platform = None
        mongo = MongoClient(stack.mongo_uri)
        try:
            platform = start_platform(stack, Path(tmp), admin_token)
            result |= scale_out(args, stack, platform, mongo, Path(tmp) / "logs")
        finally:
            mongo.close()
            if platform:
                platform.stop()
            stack.stop()
    one, two = result["runs"]
    result["ratio_2_over_1"] = two["per_s"] / one["per_s"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=5)
    parser.add_argument("--employees", type=int, default=600, help="in all, spread over the agencies")
    parser.add_argument("--reports", type=int, default=1800, help="reports in each of the two runs")
    parser.add_argument("--service", choices=SCALABLE, help="replicate this one (default: the measured slowest)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    result = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    text = markdown(result)
    (args.out / "latest.md").write_text(text)
    print()
    print(text)
    print(f"written: {args.out / 'latest.json'}, {args.out / 'latest.md'}")


if __name__ == "__main__":
    main()
