"""The whole pipeline against its bare-I/O baseline, on one embedded stack, in one run.

1. The platform (the four services as processes) with a population of agencies, employees (one in ten a
   supervisor, the rest with an atasan) and SKP plans of 6 rows (a lower-is-better row, a range row and a
   qualitative row among them):
   - idle CPU of every process over 10 s with no traffic;
   - saturated: reports posted in batches of up to 1,000 (POST /v1/reports/batch, per agency) from the first
     POST until every report's notifications exist (score notice to the employee, to the atasan if any, and a
     training notice), with CPU seconds per 1,000 reports and peak RSS (VmHWM) of each service, the broker and
     the database server;
   - latency: reports offered at a fixed rate through the single door (POST /v1/reports, open loop); a
     report's latency is its employee's training notice `sent_at` minus the time the report was sent.
2. The bare baseline (bench/bare_pipeline.py) on the same stack, after the platform has stopped, with record
   values the size of the platform's own events (copied from its outboxes): the same saturated run and the
   same offered rate.
3. A table with the ratios platform / bare; bench/results/latest.json and latest.md.

`python -m bench.pipeline --help` for the population and the rates. Figures depend on the machine (2 cores
here, shared by the broker, the Python MongoDB-protocol server, the services and this client).
"""

import argparse
import asyncio
import json
import math
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient

from bench.bare_pipeline import BarePipeline, latency_summary
from bench.profiling import profiled
from devtools.devstack.embedded import EmbeddedStack
from devtools.devstack.platform import SERVICES, Platform
from devtools.devstack.processes import free_port
from shared.kafka_admin import ensure_topics
from tests.e2e.api import BERAKHLAK, Agency, random_nip, register_agency

RESULTS = Path(__file__).parent / "results"
MONTHS = 10  # one live report per employee and month; months 1..10 of 2026
SUPERVISOR_EVERY = 10  # one employee in ten is a supervisor (no atasan); the others have one

SKP_ROWS = [
    {
        "row_id": "layanan",
        "rhk": "Penyelesaian permohonan layanan",
        "jenis": "utama",
        "aspek": "waktu",
        "indikator": "Rata-rata jam penyelesaian permohonan",
        "polaritas": "lower_is_better",
        "target": 8,
        "satuan": "jam",
        "kompetensi": ["pelayanan-publik"],
    },
    {
        "row_id": "cakupan",
        "rhk": "Cakupan program imunisasi dasar lengkap",
        "jenis": "utama",
        "aspek": "kuantitas",
        "indikator": "Persentase bayi diimunisasi",
        "polaritas": "higher_is_better",
        "target": 90,
        "satuan": "persen",
        "kompetensi": ["kesehatan-masyarakat"],
    },
    {
        "row_id": "akurasi",
        "rhk": "Pelaporan data kesehatan yang akurat",
        "jenis": "utama",
        "aspek": "kualitas",
        "indikator": "Persentase laporan tanpa koreksi",
        "polaritas": "higher_is_better",
        "target_range": {"lower": 90, "upper": 100},
        "satuan": "persen",
        "kompetensi": ["manajemen-data"],
    },
    {
        "row_id": "dokumen",
        "rhk": "Penyusunan dokumen perencanaan",
        "jenis": "utama",
        "aspek": "kuantitas",
        "indikator": "Jumlah dokumen perencanaan disahkan",
        "polaritas": "higher_is_better",
        "target": 12,
        "satuan": "dokumen",
        "kompetensi": ["perencanaan"],
    },
    {
        "row_id": "koordinasi",
        "rhk": "Koordinasi lintas sektor",
        "jenis": "tambahan",
        "aspek": "kualitas",
        "indikator": "Kualitas koordinasi lintas sektor",
        "polaritas": "qualitative",
        "satuan": "",
        "kompetensi": ["kolaborasi"],
    },
    {
        "row_id": "inovasi",
        "rhk": "Inovasi pelayanan",
        "jenis": "tambahan",
        "aspek": "kuantitas",
        "indikator": "Jumlah inovasi diterapkan",
        "polaritas": "higher_is_better",
        "target": 2,
        "satuan": "inovasi",
        "kompetensi": ["inovasi"],
    },
]
RATINGS = ("di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi")


def report_body(nip: str, month: int, rng: random.Random) -> dict:
    """A monthly report on every row of SKP_ROWS; values spread around the targets."""
    last_day = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return {
        "report_id": f"r-{secrets.token_hex(8)}",
        "nip": nip,
        "skp_id": f"skp-{nip}",
        "period": {"type": "bulanan", "start": f"2026-{month:02d}-01", "end": f"2026-{month:02d}-{last_day}"},
        "realisasi": [
            {"row_id": "layanan", "realisasi": round(rng.uniform(5, 14), 1)},
            {"row_id": "cakupan", "realisasi": round(rng.uniform(60, 100), 1)},
            {"row_id": "akurasi", "realisasi": round(rng.uniform(80, 100), 1)},
            {"row_id": "dokumen", "realisasi": rng.randint(6, 14)},
            {"row_id": "koordinasi", "rating_atasan": rng.choice(RATINGS)},
            {"row_id": "inovasi", "realisasi": rng.randint(0, 3)},
        ],
        "rating_hasil_kerja_atasan": rng.choice(RATINGS),
        "perilaku": {b: rng.choice(RATINGS[:2]) for b in BERAKHLAK},
        "feedback": "Kinerja bulan ini sesuai rencana; koordinasi dengan puskesmas perlu ditingkatkan.",
    }


# --- processes: CPU and memory from /proc ------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_all(pids: dict[str, int]) -> dict[str, float]:
    return {name: cpu_seconds(pid) for name, pid in pids.items()}


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {n: after[n] - before[n] for n in before}


# --- the platform ---------------------------------------------------------------------------------------------


def wait_for(predicate, what: str, timeout_s: float = 900, interval_s: float = 0.1) -> None:
    deadline = time.perf_counter() + timeout_s
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(what)
        time.sleep(interval_s)


class Population:
    def __init__(self) -> None:
        self.agencies: list[Agency] = []
        self.staff: dict[str, list[str]] = {}  # agency id -> NIPs
        self.has_atasan: dict[str, bool] = {}

    @property
    def agency_ids(self) -> list[str]:
        return [a.agency_id for a in self.agencies]

    def employees(self) -> list[tuple[Agency, str]]:
        """Every employee, the agencies taking turns: a prefix of this list spreads over all of them."""
        longest = max(len(nips) for nips in self.staff.values())
        return [
            (a, self.staff[a.agency_id][i])
            for i in range(longest)
            for a in self.agencies
            if i < len(self.staff[a.agency_id])
        ]


def build_population(url: str, agencies: int, employees: int, workers: int = 4) -> Population:
    """Agencies, their employees (POST /v1/employees/batch) and one SKP plan each (PUT /v1/skp, 4 clients)."""
    population = Population()
    with httpx.Client(base_url=url, timeout=120) as client:
        for a in range(agencies):
            agency = register_agency(client, budget=10_000_000_000)
            count = employees // agencies + (1 if a < employees % agencies else 0)
            nips: set[str] = set()
            while len(nips) < count:
                if (nip := random_nip()) not in population.has_atasan:  # unique across agencies
                    nips.add(nip)
            ordered = sorted(nips)
            supervisors = ordered[: max(1, math.ceil(count / SUPERVISOR_EVERY))]
            people = []
            for i, nip in enumerate(ordered):
                atasan = None if nip in supervisors else supervisors[i % len(supervisors)]
                people.append({"nip": nip, "nama": f"Pegawai {i}", "jabatan": "Analis", "atasan_nip": atasan})
                population.has_atasan[nip] = atasan is not None
            for first in range(0, len(people), 1000):
                chunk = people[first : first + 1000]
                answer = client.post("/v1/employees/batch", json={"employees": chunk}, headers=agency.auth)
                assert answer.status_code == 200 and answer.json()["summary"] == {"registered": len(chunk)}, (
                    answer.text[:2000]
                )
            population.agencies.append(agency)
            population.staff[agency.agency_id] = ordered
    local = threading.local()

    def skp(pair: tuple[Agency, str]) -> None:
        agency, nip = pair
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, timeout=120)
        body = {"skp_id": f"skp-{nip}", "nip": nip, "tahun": 2026, "rows": SKP_ROWS}
        answer = local.client.put(f"/v1/skp/skp-{nip}", json=body, headers=agency.auth)
        assert answer.status_code == 200, answer.text

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(skp, population.employees()))
    return population


def expected_notifications(population: Population, nips: list[str]) -> int:
    """Score notice to the employee, to the atasan if any, and a training notice."""
    return sum(2 + population.has_atasan[nip] for nip in nips)


def drained(mongo: MongoClient) -> bool:
    return not any(mongo[f"kinerja_{name}"].outbox.count_documents({"status": "pending"}) for name in SERVICES)


def platform_saturated(
    url: str, mongo: MongoClient, population: Population, months: list[int], reports: int, pids: dict[str, int]
) -> dict[str, Any]:
    """`reports` reports (month by month) in batches of up to 1,000 per agency; from the first POST until all
    their notifications exist."""
    rng = random.Random(1)
    chosen = [(a, nip, m) for m in months for a, nip in population.employees()][:reports]
    batches, nips = [], []
    for agency in population.agencies:
        bodies = [report_body(nip, m, rng) for a, nip, m in chosen if a is agency]
        nips += [b["nip"] for b in bodies]
        batches += [(agency, bodies[i : i + 1000]) for i in range(0, len(bodies), 1000)]
    notifications = mongo["kinerja_notification"].notifications
    query = {"agency_id": {"$in": population.agency_ids}}
    baseline = notifications.count_documents(query)
    expected = baseline + expected_notifications(population, nips)
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
    wait_for(lambda: notifications.count_documents(query) >= expected, "notifications for every report", 1800, 0.25)
    seconds = time.perf_counter() - started
    cpu = cpu_delta(cpu_before, cpu_all(pids))
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
    """POST /v1/reports at `rate`/s, open loop; latency = the employee's training notice `sent_at` - send time."""
    rng = random.Random(2)
    count = int(rate * seconds)
    pairs = [(a, nip, m) for m in months for a, nip in rng.sample(population.employees(), len(population.employees()))]
    if len(pairs) < count:
        raise SystemExit(f"not enough employee-months for {count} paced reports: raise --employees")
    pairs = pairs[:count]
    sent: dict[str, list[float]] = defaultdict(list)  # NIP -> send times, in order
    codes: list[int] = []

    async def send_all() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=httpx.Limits(max_connections=64)) as client:
            await client.get("/readyz")
            loop = asyncio.get_running_loop()
            start = loop.time() + 0.1

            async def one(agency: Agency, body: dict) -> None:
                sent[body["nip"]].append(time.time())
                codes.append((await client.post("/v1/reports", json=body, headers=agency.auth)).status_code)

            tasks = []
            for i, (agency, nip, month) in enumerate(pairs):
                await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
                tasks.append(asyncio.create_task(one(agency, report_body(nip, month, rng))))
            await asyncio.gather(*tasks)

    phase_start = datetime.now(UTC).isoformat()
    asyncio.run(send_all())
    assert codes.count(202) == count, sorted(set(codes))
    notifications = mongo["kinerja_notification"].notifications
    query = {
        "agency_id": {"$in": population.agency_ids},
        "recipient_role": "pegawai",
        "about_event_type": {"$regex": "training"},
        "sent_at": {"$gte": phase_start},
    }
    wait_for(lambda: notifications.count_documents(query) >= count, "training notices for the paced reports", 600, 0.25)
    notices: dict[str, list[float]] = defaultdict(list)
    for doc in notifications.find(query, {"recipient_nip": 1, "sent_at": 1}):
        notices[doc["recipient_nip"]].append(datetime.fromisoformat(doc["sent_at"]).timestamp())
    latencies = []
    for nip, times in sent.items():  # one employee's events stay in order (keyed by NIP): match them in order
        latencies += [(begin, end - begin) for begin, end in zip(sorted(times), sorted(notices[nip]), strict=True)]
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
        ("kinerja_training", "kinerja.training.recommended.v1"),
        ("kinerja_notification", "kinerja.notification.sent.v1"),
    ]
    templates = []
    for db, topic in wanted:
        doc = mongo[db].outbox.find_one({"topic": topic}, {"value": 1})
        if doc is None:
            return None
        templates.append(json.loads(bytes(doc["value"])))
    return templates


# --- the run --------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    months_needed = math.ceil(args.reports / args.employees) + math.ceil(args.rate * args.seconds / args.employees)
    if months_needed > MONTHS:
        raise SystemExit(f"{args.employees} employees give {MONTHS} reports each at most: raise --employees")
    sat_months = list(range(1, math.ceil(args.reports / args.employees) + 1))
    lat_months = list(range(len(sat_months) + 1, MONTHS + 1))
    os.environ["KINERJA_ADMIN_TOKEN"] = admin_token = f"bench-{secrets.token_urlsafe(24)}"
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "population": {"agencies": args.agencies, "employees": args.employees, "skp_rows": len(SKP_ROWS)},
    }
    with tempfile.TemporaryDirectory() as tmp:
        stack = EmbeddedStack(Path(tmp), free_port(), free_port())
        stack.start()
        platform = None
        mongo = MongoClient(stack.mongo_uri)
        try:
            asyncio.run(ensure_topics(stack.kafka_bootstrap, 6))
            platform = Platform(
                stack.kafka_bootstrap,
                stack.mongo_uri,
                Path(tmp) / "logs",
                ports={n: free_port() for n in SERVICES},
                extra_env={"KINERJA_LOG_LEVEL": "WARNING", "KINERJA_ADMIN_TOKEN": admin_token},
            )
            platform.start()
            pids = {n: platform.processes[n].process.pid for n in SERVICES}
            pids |= {"broker": stack.broker.process.pid, "database": stack.database.process.pid}
            url = platform.url("intake")

            log(f"population: {args.agencies} agencies, {args.employees} employees, {len(SKP_ROWS)}-row SKP plans")
            started = time.perf_counter()
            population = build_population(url, args.agencies, args.employees)
            setup_s = time.perf_counter() - started
            wait_for(lambda: drained(mongo), "master data published", 600, 0.5)
            result["population"]["setup_s"] = setup_s
            time.sleep(2)  # the consumers take in the employee events
            log(f"  set up in {setup_s:.1f} s; idle CPU over 10 s")
            result["idle_cpu_pct"] = idle_cpu(pids)

            log(f"platform saturated: {args.reports} reports in batches of up to 1,000, months {sat_months}")
            reports = args.reports
            with profiled({n: pids[n] for n in (*SERVICES, "database")}, args.profile) as spy:
                sat = platform_saturated(url, mongo, population, sat_months, reports, pids)
            if spy.top:
                result["profile_pct_of_busy_samples"] = spy.top
                sat["profiled"] = True  # py-spy's sampling costs CPU: these figures are not comparable
            log(f"  {sat['reports']} reports in {sat['seconds']:.1f} s ({sat['per_s']:.0f}/s)")
            wait_for(lambda: drained(mongo), "platform drained", 600, 0.5)
            log(f"platform latency: {args.rate:.0f} reports/s for {args.seconds:.0f} s via POST /v1/reports")
            lat = platform_paced(url, mongo, population, lat_months, args.rate, args.seconds)
            log(
                f"  p50 {lat['p50_s'] * 1000:.0f} ms, p95 {lat['p95_s'] * 1000:.0f} ms, "
                f"p99 {lat['p99_s'] * 1000:.0f} ms"
            )
            result["platform"] = {"saturated": sat, "latency": lat}
            templates = event_templates(mongo)
            result["bare_payload_bytes"] = [len(json.dumps(t)) for t in templates] if templates else "synthetic"
            platform.stop()
            platform = None

            log(
                f"bare: {reports} reports in batches of {args.bare_batch}, "
                f"then {args.rate:.0f}/s for {args.seconds:.0f} s"
            )
            bare = BarePipeline(stack.kafka_bootstrap, stack.mongo_uri, templates)
            bare.start()
            try:
                bare_pids = bare.pids | {"bench (stage 0)": os.getpid()}
                bare_pids |= {"broker": stack.broker.process.pid, "database": stack.database.process.pid}
                before = cpu_all(bare_pids)
                nips = [nip for _, nip in population.employees()]
                bsat = asyncio.run(bare.saturated(reports, args.bare_batch, nips))
                cpu = cpu_delta(before, cpu_all(bare_pids))
                bsat["cpu_s_per_1000"] = {n: c * 1000 / reports for n, c in cpu.items()}
                bsat["peak_rss_mb"] = {n: peak_rss_mb(pid) for n, pid in bare.pids.items()}
                log(f"  {bsat['reports']} reports in {bsat['seconds']:.1f} s ({bsat['per_s']:.0f}/s)")
                blat = asyncio.run(bare.paced(args.rate, args.seconds, nips))
                log(f"  p50 {blat['p50_s'] * 1000:.0f} ms, p95 {blat['p95_s'] * 1000:.0f} ms")
            finally:
                bare.stop()
            result["bare"] = {"saturated": bsat, "latency": blat}
        finally:
            mongo.close()
            if platform:
                platform.stop()
            stack.stop()
    p, b = result["platform"], result["bare"]
    result["ratio_platform_over_bare"] = {
        "throughput": p["saturated"]["per_s"] / b["saturated"]["per_s"],
        **{k: p["latency"][k] / b["latency"][k] for k in ("p50_s", "p95_s", "p99_s")},
    }
    return result


def log(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


def markdown(r: dict[str, Any]) -> str:
    p, b, ratio = r["platform"], r["bare"], r["ratio_platform_over_bare"]
    ps, bs, pl, bl = p["saturated"], b["saturated"], p["latency"], b["latency"]
    pop = r["population"]
    lines = [
        f"# Pipeline vs bare I/O ({r['when']}, {r['machine']['cpus']} CPUs, embedded stack)",
        "",
        f"Population: {pop['agencies']} agencies, {pop['employees']} employees, {pop['skp_rows']}-row SKP plans "
        f"(set up in {pop['setup_s']:.1f} s). Bare record values: {r['bare_payload_bytes']} bytes of event JSON.",
        "",
        "| | platform | bare | platform / bare |",
        "| --- | --- | --- | --- |",
        f"| saturated: reports | {ps['reports']:,} | {bs['reports']:,} | |",
        f"| saturated: seconds to the last notification / last stage | {ps['seconds']:.1f} | {bs['seconds']:.1f} | |",
        f"| saturated: reports/s end to end | {ps['per_s']:.0f} | {bs['per_s']:.0f} | **{ratio['throughput']:.2f}** |",
    ]
    for k in ("p50_s", "p95_s", "p99_s"):
        lines.append(
            f"| latency at {pl['rate']:.0f}/s: {k[:3]} (ms) | {pl[k] * 1000:.0f} | {bl[k] * 1000:.0f} | "
            f"**{ratio[k]:.2f}** |"
        )
    lines += [
        f"| latency: median of the first / last quarter of the sends (ms) | "
        f"{pl['first_quarter_p50_s'] * 1000:.0f} / {pl['last_quarter_p50_s'] * 1000:.0f} | "
        f"{bl['first_quarter_p50_s'] * 1000:.0f} / {bl['last_quarter_p50_s'] * 1000:.0f} | |",
        f"| latency: rate actually offered (reports/s) | {pl['offered_per_s']:.1f} | {bl['offered_per_s']:.1f} | |",
    ]
    lines += [
        "",
        f"Platform, saturated run ({ps['reports']:,} reports; "
        f"intake accepted them all in {ps['intake_accept_s']:.1f} s):",
        "",
        "| process | CPU s per 1,000 reports | peak RSS (MB, VmHWM) | idle CPU (% of a core, 10 s) |",
        "| --- | --- | --- | --- |",
    ]
    for name, per in ps["cpu_s_per_1000"].items():
        lines.append(f"| {name} | {per:.2f} | {ps['peak_rss_mb'][name]:.0f} | {r['idle_cpu_pct'][name]:.1f} |")
    lines.append(f"| **total** | **{sum(ps['cpu_s_per_1000'].values()):.2f}** | | |")
    lines += ["", "Bare, saturated run:", "", "| process | CPU s per 1,000 reports | peak RSS (MB, VmHWM) |"]
    lines.append("| --- | --- | --- |")
    for name, per in bs["cpu_s_per_1000"].items():
        rss = bs["peak_rss_mb"].get(name)
        lines.append(f"| {name} | {per:.2f} | {'' if rss is None else f'{rss:.0f}'} |")
    lines.append(f"| **total** | **{sum(bs['cpu_s_per_1000'].values()):.2f}** | |")
    for name, top in r.get("profile_pct_of_busy_samples", {}).items():
        for kind in ("self", "inclusive"):
            lines += ["", f"py-spy, {name}, {kind} (% of busy samples during the saturated run):", ""]
            lines += [f"- {pct:.1f}% `{frame}`" for pct, frame in top.get(kind, [])]
    return "\n".join(lines) + "\n"


def chart(r: dict[str, Any], path: Path) -> str:
    """Throughput and latency percentiles, platform beside bare, when matplotlib is installed (it is optional)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "no PNG: matplotlib is not installed"
    p, b = r["platform"], r["bare"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.bar(["platform", "bare"], [p["saturated"]["per_s"], b["saturated"]["per_s"]], color=["tab:blue", "tab:gray"])
    left.set_title("saturated, reports/s end to end")
    keys, width = ("p50_s", "p95_s", "p99_s"), 0.4
    xs = range(len(keys))
    right.bar([x - width / 2 for x in xs], [p["latency"][k] * 1000 for k in keys], width, label="platform")
    right.bar(
        [x + width / 2 for x in xs], [b["latency"][k] * 1000 for k in keys], width, label="bare", color="tab:gray"
    )
    right.set_xticks(list(xs), [k[:3] for k in keys])
    right.set_title(f"latency (ms) at {p['latency']['rate']:.0f} reports/s")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=5)
    parser.add_argument("--employees", type=int, default=500, help="in all, spread over the agencies")
    parser.add_argument("--reports", type=int, default=2000, help="reports in the saturated runs")
    parser.add_argument("--rate", type=float, default=50, help="offered reports/s in the latency runs")
    parser.add_argument("--seconds", type=float, default=20, help="length of the latency runs")
    parser.add_argument("--bare-batch", type=int, default=1000, help="reports per bare stage-0 transaction")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--profile", type=Path, help="py-spy the services and the database during the saturated run (directory)"
    )
    args = parser.parse_args()
    result = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    text = markdown(result)
    (args.out / "latest.md").write_text(text)
    print()
    print(text)
    png = chart(result, args.out / "latest.png")
    print(f"written: {args.out / 'latest.json'}, {args.out / 'latest.md'}, {png}")


if __name__ == "__main__":
    main()
