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
5. After each run, an audit from the outboxes, whose `seq` (wall-clock nanoseconds, strictly increasing
   within a process) is the order in which a service committed its results:
   - order: for every NIP, its score events (scoring), training events (training) and each kind of notice
     about it (notification: score to the employee, score to the atasan, training to the employee), taken
     in `seq` order, must follow its months, which is the order the reports were sent (months ascending).
     A NIP's events share a partition, so one replica handles them at a time; across a rebalance the
     handover comes after a commit, so wall-clock `seq` still orders them;
   - loss and duplicates: every report gives exactly one score event, one training event and its
     expected notices (bench.pipeline.expected_notifications), and the notifications collection holds
     each notice once.

Figures depend on the machine: with 2 cores shared by the broker, the Python MongoDB-protocol server,
four or five services and the load generator, a second replica adds a process, not a core.
`python -m bench.scale_out --help` for the sizes; results in bench/results/scale-out/latest.{json,md}.
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
from collections import Counter, defaultdict
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
from devtools.devstack.embedded import EmbeddedStack
from devtools.devstack.platform import SERVICES, Platform, is_ready
from devtools.devstack.processes import ManagedProcess, free_port, wait_until
from shared.contracts import NOTIFICATION_SENT, SCORE_COMPUTED, TRAINING_RECOMMENDED
from shared.kafka_admin import ensure_topics

OUT = RESULTS / "scale-out"
SCALABLE = ("scoring", "training", "notification")  # the services whose report work arrives over Kafka
CONSUMES = {  # the report-carrying topics each candidate reads
    "scoring": ["kinerja.report.submitted.v1"],
    "training": [SCORE_COMPUTED.topic],
    "notification": [SCORE_COMPUTED.topic, TRAINING_RECOMMENDED.topic],
}
IN_CHUNK = 200
SERVICE_SATURATED = 0.8  # cores: a service process this busy is near its ceiling
MACHINE_FULL = 95  # % of all cores
OTHERS_NOTICEABLE = 0.2  # cores used by processes outside the benchmark that make a run suspect


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


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all cores, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


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
    for name in SERVICES:
        counts = [doc.get("count", 1) for doc in mongo[f"kinerja_{name}"].outbox.find(query, {"count": 1})]
        found[name] = sum(counts) / len(counts) if counts else 0.0
    return found


# --- the audit: order per NIP, loss and duplicates ------------------------------------------------------------


def envelopes(mongo: MongoClient, service: str, topic: str, since: datetime) -> list[tuple[tuple[int, int], dict]]:
    """((seq, position), envelope) of the `topic` events `service` committed to its outbox since `since`.

    An outbox document is either one record (topic, value) or one commit's records in order (records: [...]).
    """
    query = {"created_at": {"$gte": since.replace(tzinfo=None)}}
    found = []
    for doc in mongo[f"kinerja_{service}"].outbox.find(query, {"seq": 1, "topic": 1, "value": 1, "records": 1}):
        records = doc.get("records") or [doc]
        found += [
            ((doc["seq"], i), json.loads(bytes(r["value"]))) for i, r in enumerate(records) if r["topic"] == topic
        ]
    return found


def collect(mongo: MongoClient, wanted: set[tuple[str, int]], since: datetime) -> tuple[dict, Counter, list[str]]:
    """Per (NIP, stream) the months in commit order; per (NIP, month, stream) a count; the notice ids."""
    streams: dict[tuple[str, str], list[tuple[tuple[int, int], int]]] = defaultdict(list)
    counts: Counter = Counter()
    cause: dict[str, tuple[str, int, str]] = {}  # event id -> (NIP, month, kind)
    month_of: dict[str, int] = {}  # report id -> month

    def record(seq: tuple[int, int], nip: str, month: int, stream: str) -> None:
        streams[(nip, stream)].append((seq, month))
        counts[(nip, month, stream)] += 1

    for seq, env in envelopes(mongo, "scoring", SCORE_COMPUTED.topic, since):
        data = env["data"]
        key = (data["nip"], int(data["period"]["start"][5:7]))
        if key in wanted:
            month_of[data["report_id"]] = key[1]
            cause[env["id"]] = (*key, "score")
            record(seq, *key, "score event")
    for seq, env in envelopes(mongo, "training", TRAINING_RECOMMENDED.topic, since):
        data = env["data"]
        if (month := month_of.get(data["report_id"])) is not None:
            cause[env["id"]] = (data["nip"], month, "training")
            record(seq, data["nip"], month, "training event")
    notice_ids = []
    for seq, env in envelopes(mongo, "notification", NOTIFICATION_SENT.topic, since):
        data = env["data"]
        if (about := cause.get(data["about_event_id"])) is not None:
            nip, month, kind = about
            notice_ids.append(data["notification_id"])
            record(seq, nip, month, f"{kind} notice to {data['recipient_role']}")
    return streams, counts, notice_ids


def audit(
    mongo: MongoClient, population: Population, months: list[int], reports: int, since: datetime
) -> dict[str, Any]:
    """Order violations per NIP and stream; missing and duplicate events and notices against expectations."""
    chosen = [(nip, m) for m in months for _, nip in population.employees()][:reports]  # as platform_saturated
    streams, counts, notice_ids = collect(mongo, set(chosen), since)
    expected: Counter = Counter()
    for nip, month in chosen:
        expected.update({(nip, month, s): 1 for s in ("score event", "training event")})
        expected.update({(nip, month, "score notice to pegawai"): 1, (nip, month, "training notice to pegawai"): 1})
        if population.has_atasan[nip]:
            expected[(nip, month, "score notice to atasan")] += 1
    keys = set(expected) | set(counts)
    missing = sum(max(0, expected[k] - counts[k]) for k in keys)
    duplicate = sum(max(0, counts[k] - expected[k]) for k in keys)
    out_of_order = sorted(
        f"{nip} {stream}: months {[m for _, m in sorted(seq_months)]}"
        for (nip, stream), seq_months in streams.items()
        if [m for _, m in sorted(seq_months)] != sorted(m for _, m in seq_months)
    )
    notifications = mongo["kinerja_notification"].notifications
    stored = sum(
        notifications.count_documents({"_id": {"$in": notice_ids[i : i + IN_CHUNK]}})
        for i in range(0, len(notice_ids), IN_CHUNK)
    )
    expected_notices = sum(v for (_, _, s), v in expected.items() if "notice" in s)
    return {
        "nips_checked": len({nip for nip, _ in streams}),
        "streams_checked": len(streams),
        "multi_month_streams": sum(len(v) > 1 for v in streams.values()),
        "order_violations": len(out_of_order),
        "order_violation_examples": out_of_order[:10],
        "expected_events_and_notices": sum(expected.values()),
        "missing": missing,
        "duplicate": duplicate,
        "notices_expected": expected_notices,
        "notices_stored": stored,
        "notices_stored_distinct": len(set(notice_ids)),
    }


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
        ports={n: free_port() for n in SERVICES},
        extra_env={"KINERJA_LOG_LEVEL": "WARNING", "KINERJA_ADMIN_TOKEN": admin_token},
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
    pids = {n: platform.processes[n].process.pid for n in SERVICES}
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


# --- the report -----------------------------------------------------------------------------------------------


def cpu_of_replicas(r: dict[str, Any], name: str) -> str:
    per = r["cpu_s_per_1000"]
    return " + ".join(f"{per[n]:.2f}" for n in (name, f"{name} #2") if n in per)


def run_table(r: dict[str, Any]) -> list[str]:
    name, (one, two) = r["service"], r["runs"]
    lines = [
        f"| replicas of {name} | reports | seconds | reports/s end to end | 2 replicas / 1 | order violations "
        f"(NIPs checked) | missing / duplicate events and notices | {name}: CPU s per 1,000 reports per replica |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for replicas, run_, ratio in ((1, one, ""), (2, two, f"**{r['ratio_2_over_1']:.2f}**")):
        a = run_["audit"]
        lines.append(
            f"| {replicas} | {run_['reports']:,} | {run_['seconds']:.1f} | {run_['per_s']:.1f} | {ratio} | "
            f"{a['order_violations']} ({a['nips_checked']:,}) | {a['missing']} / {a['duplicate']} | "
            f"{cpu_of_replicas(run_, name)} |"
        )
    return lines


def process_table(r: dict[str, Any]) -> list[str]:
    one, two = r["runs"]
    lines = [
        "| process | run 1: CPU s per 1,000 reports | run 1: cores used | run 2: CPU s per 1,000 reports "
        "| run 2: cores used |",
        "| --- | --- | --- | --- | --- |",
    ]
    for n in two["cpu_s_per_1000"]:
        first = f"{one['cpu_s_per_1000'][n]:.2f} | {one['cores_used'][n]:.2f}" if n in one["cpu_s"] else "– | –"
        lines.append(f"| {n} | {first} | {two['cpu_s_per_1000'][n]:.2f} | {two['cores_used'][n]:.2f} |")
    total1, total2 = sum(one["cpu_s_per_1000"].values()), sum(two["cpu_s_per_1000"].values())
    lines.append(
        f"| **total** | **{total1:.2f}** | **{sum(one['cores_used'].values()):.2f}** | **{total2:.2f}** | "
        f"**{sum(two['cores_used'].values()):.2f}** |"
    )
    cpus = r["machine"]["cpus"]
    others = others_cores(r)
    lines.append(f"| other processes on the machine (busy minus the above) | | {others[0]:.2f} | | {others[1]:.2f} |")
    busy = f"{one['machine_busy_pct']:.0f}% | | {two['machine_busy_pct']:.0f}%"
    lines.append(f"| whole machine, busy (% of all {cpus} cores) | | {busy} |")
    return lines


def others_cores(r: dict[str, Any]) -> list[float]:
    """Per run, the cores busy on the machine beyond those the benchmark's processes used."""
    cpus = r["machine"]["cpus"]
    return [x["machine_busy_pct"] / 100 * cpus - sum(x["cores_used"].values()) for x in r["runs"]]


def disturbance(r: dict[str, Any]) -> list[str]:
    """A warning when processes outside the benchmark took a noticeable share of the cores."""
    others = others_cores(r)
    if max(others) < OTHERS_NOTICEABLE:
        return []
    return [
        "",
        f"**Disturbed:** processes outside this benchmark used {others[0]:.2f} / {others[1]:.2f} cores during run 1 "
        "/ run 2; the throughput figures are not comparable. Run again on a quiet machine.",
    ]


def limits(r: dict[str, Any]) -> list[str]:
    """What bounds the figure here, from the measured CPU."""
    name, (one, two) = r["service"], r["runs"]
    cpus = r["machine"]["cpus"]
    total = sum(two["cpu_s_per_1000"].values())
    svc = one["cores_used"][name]
    if svc < SERVICE_SATURATED:
        service = (
            f"far from the one core a Python process can use, so {name} was not what held the pipeline back, "
            "and splitting its partitions between two processes has little to win."
        )
    else:
        service = "close to the one core a Python process can use: a second replica helps only if a core is free."
    busy = [x["machine_busy_pct"] for x in (one, two)]
    idle = (
        ""
        if min(busy) >= MACHINE_FULL
        else (
            " Where the cores were not all busy, the stages wait on one another: a consumer handles a batch, commits "
            "it to the database, and the relay publishes it before the next stage sees it."
        )
    )
    return [
        f"- With one replica, {name} used {svc:.2f} of a core on average, the costliest consumer service "
        f"({one['cpu_s_per_1000'][name]:.2f} CPU s per 1,000 reports) but {service}",
        f"- The whole machine was {busy[0]:.0f}% / {busy[1]:.0f}% busy (run 1 / run 2) over its {cpus} cores, "
        "shared by the broker, the database server, the services and the load generator: a second replica adds a "
        f"process, not a core.{idle}",
        f"- The database server (the Python MongoDB-protocol stand-in: one process, so at most one core) used "
        f"{one['cores_used']['database']:.2f} / {two['cores_used']['database']:.2f} cores (run 1 / run 2) and "
        f"{two['cpu_s_per_1000']['database']:.2f} of the {total:.2f} CPU s per 1,000 reports of all processes in "
        f"run 2, against {two['cpu_s_per_1000'][name]:.2f} + {two['cpu_s_per_1000'][f'{name} #2']:.2f} for the two "
        f"replicas: every replica commits its transactions there. At {total:.2f} CPU s per 1,000 reports, "
        f"{cpus} cores allow at most about {cpus * 1000 / total:.0f} reports/s whatever the number of replicas.",
        *costlier_per_report(r),
        "- Only one replica relays the outbox at a time (a lease in MongoDB), so the second replica adds "
        "consuming and handling, not publishing.",
    ]


def code_text(code: dict[str, Any]) -> str:
    if "commit" not in code:
        return f"Code: {code['root']}."
    changed = f", with uncommitted changes to {', '.join(code['uncommitted'])}" if code["uncommitted"] else ""
    return f"Code: {code['root']} at {code['commit']}{changed}."


def costlier_per_report(r: dict[str, Any]) -> list[str]:
    """Why the same reports cost more CPU with two replicas, if they did: smaller commits."""
    name, (one, two) = r["service"], r["runs"]
    c1, c2 = one["cpu_s_per_1000"], two["cpu_s_per_1000"]
    if sum(c2.values()) <= sum(c1.values()):
        return []
    batch1, batch2 = one["records_per_commit"][name], two["records_per_commit"][name]
    return [
        f"- The same reports cost more CPU with two replicas ({sum(c1.values()):.2f} -> {sum(c2.values()):.2f} CPU s "
        f"per 1,000 reports; database {c1['database']:.2f} -> {c2['database']:.2f}, broker {c1['broker']:.2f} -> "
        f"{c2['broker']:.2f}). Each replica reads half the partitions, so it fetches and commits in smaller "
        f"batches: {batch1:.1f} -> {batch2:.1f} records per {name} outbox commit (one transaction each), and the "
        "database pays per transaction as well as per record. Run 2 also works on a database holding run 1's "
        "documents, a bias against two replicas that a third run would size.",
    ]


def markdown(r: dict[str, Any]) -> str:
    pop, (one, two) = r["population"], r["runs"]
    a2 = two["audit"]
    members = "; ".join(f"`{m['member_id']}` {m['partitions']}" for m in r["group_members"])
    consumed = ", ".join(f"{n} {v:,.0f}" for n, v in two["events_consumed"].items())
    batches = ", ".join(
        f"{n} {one['records_per_commit'][n]:.1f} / {two['records_per_commit'][n]:.1f}" for n in SERVICES
    )
    return "\n".join(
        [
            f"# Scale-out: two replicas of {r['service']} ({r['when']}, {r['machine']['cpus']} CPUs, embedded stack)",
            "",
            f"Population: {pop['agencies']} agencies, {pop['employees']} employees. "
            f"Each run posts its reports through POST /v1/reports/batch (months {one['months']}, then "
            f"{two['months']}) and ends when every report's notifications exist. Replicated service: "
            f"**{r['service']}** ({r['chosen_by']}). {code_text(r['code'])}",
            "",
            *run_table(r),
            "",
            f"Order per NIP: score events, training events and each kind of notice, in outbox `seq` order "
            f"(commit order), follow the months sent; {a2['streams_checked']:,} streams checked in run 2, "
            f"{a2['multi_month_streams']:,} of them with more than one month. Notices stored in run 2: "
            f"{a2['notices_stored']:,} of {a2['notices_expected']:,} expected.",
            "",
            f"Group members in run 2 (static membership: group_instance_id "
            f"{' and '.join(f'`{i}`' for i in r['group_instance_ids'])}): {members}. "
            f"Events consumed per replica during run 2: {consumed}.",
            "",
            f"Records per outbox commit (run 1 / run 2): {batches}.",
            "",
            *process_table(r),
            *disturbance(r),
            "",
            "## What limits the figure on this machine",
            "",
            *limits(r),
            "",
        ]
    )


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
