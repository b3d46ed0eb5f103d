"""Scoring at volume, beside the bare cost of reading and writing the same documents in batches, in one run.

1. Scoring runs alone (no training or notification) on a fresh embedded stack. Reports go straight onto
   kinerja.report.submitted.v1: an agency of 5,000 employees with a year of monthly reports (60,000) and
   four agencies of 5,000 employees with two semester reports each (20,000 employees, 40,000 reports); each
   report has six rows (higher- and lower-is-better, a range, a qualitative one) near their targets.
   - first scoring: reports/s through the consumer until every report has its score;
   - rescore: a new policy for the 60,000-score agency (Di Atas from 105% rather than 110%), then
     POST /v1/admin/rescores for its year, until the job is done: scores checked per second;
   - annual roll-up: POST /v1/admin/annual-rollups for the four agencies' year, until their jobs are done
     (employees per second), and until each year's distribution against the curve is published.
2. Bare, on the same database server: the rescore's reads and writes with nothing else (pages of 500
   stored reports by id, one transaction of 500 score replacements each) and the roll-up's (pages of the
   year's scores in NIP order, one transaction of annual documents per page), with documents of the
   platform's own sizes.
Results: bench/results/scoring/latest.{json,md}.
"""

import argparse
import asyncio
import os
import random
import secrets
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient, MongoClient, ReplaceOne

from bench.harness import embedded_stack, run_header, save_results
from bench.proc_stats import cpu_all, cpu_delta
from devtools.devstack.embedded import EmbeddedStack
from devtools.devstack.platform import PIPELINE, Platform
from devtools.devstack.processes import free_port
from shared.contracts import AGENCY_REGISTERED, PERIOD_OPENED, REPORT_SUBMITTED, EventSpec
from shared.contracts.master_data import AgencyRegistered
from shared.contracts.periods import PeriodOpened
from shared.contracts.reports import ReportSubmitted

RESULTS = Path(__file__).parent / "results" / "scoring"
BERAKHLAK = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")
RATINGS = ("di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi")
PAGE = 500


def log(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


def nips(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = set()
    while len(out) < count:
        year = rng.randint(1965, 1998)
        out.add(
            f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{year + 24}{rng.randint(1, 12):02d}"
            f"{rng.choice('12')}{rng.randint(0, 999):03d}"
        )
    return sorted(out)


def rows(rng: random.Random) -> list[dict[str, Any]]:
    """Six rows near their targets: most meet them, some exceed, some fall short."""
    near = lambda target: round(target * rng.uniform(0.8, 1.2), 2)  # noqa: E731
    base = {"aspek": "kuantitas", "rhk": "Hasil kerja", "indikator": "Indikator", "kompetensi": ["manajemen-publik"]}
    return [
        {
            **base,
            "row_id": "r1",
            "jenis": "utama",
            "polaritas": "higher_is_better",
            "target": 100,
            "realisasi": near(100),
        },
        {
            **base,
            "row_id": "r2",
            "jenis": "utama",
            "polaritas": "higher_is_better",
            "target": 12,
            "realisasi": near(12),
        },
        {**base, "row_id": "r3", "jenis": "utama", "polaritas": "lower_is_better", "target": 5, "realisasi": near(5)},
        {
            **base,
            "row_id": "r4",
            "jenis": "utama",
            "polaritas": "lower_is_better",
            "target_range": {"lower": 2, "upper": 4},
            "realisasi": near(3),
        },
        {**base, "row_id": "r5", "jenis": "tambahan", "polaritas": "qualitative", "rating_atasan": rng.choice(RATINGS)},
        {
            **base,
            "row_id": "r6",
            "jenis": "tambahan",
            "polaritas": "higher_is_better",
            "target": 4,
            "realisasi": near(4),
        },
    ]


def report(agency_id: str, nip: str, start: str, end: str, kind: str, rng: random.Random) -> ReportSubmitted:
    perilaku = {value: rng.choices(RATINGS, (2, 7, 1))[0] for value in BERAKHLAK}
    return ReportSubmitted.model_validate(
        {
            "report_id": f"{agency_id}/{nip}-{start}",
            "agency_id": agency_id,
            "nip": nip,
            "skp_id": f"skp-{nip}",
            "period": {"type": kind, "start": start, "end": end},
            "indicators": rows(rng),
            "perilaku": perilaku,
            "submitted_at": datetime.now(UTC),
            "unit_kerja": f"unit-{int(nip[-3:]) % 8}",
        }
    )


def periods(kind: str) -> list[tuple[str, str, str]]:
    """(period id, start, end) of 2026."""
    if kind == "bulanan":
        return [(f"2026-{m:02d}", f"2026-{m:02d}-01", f"2026-{m:02d}-28") for m in range(1, 13)]
    return [("2026-s1", "2026-01-01", "2026-06-30"), ("2026-s2", "2026-07-01", "2026-12-31")]


async def publish(bootstrap: str, items: list[tuple[EventSpec, str, Any]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=20)
    await producer.start()
    try:
        pending = []
        for spec, subject, data in items:
            envelope = spec.envelope(data=data, subject=subject, source="bench", correlationid=str(uuid.uuid4()))
            pending.append(await producer.send(spec.topic, envelope.model_dump_json().encode(), subject.encode()))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def events_for(agency_id: str, staff: list[str], kind: str, seed: int) -> list[tuple[EventSpec, str, Any]]:
    rng = random.Random(seed)
    agency = AgencyRegistered(
        agency_id=agency_id, nama=agency_id, wilayah="Bench", anggaran_pelatihan=0, tahun_anggaran=2026
    )
    items: list[tuple[EventSpec, str, Any]] = [(AGENCY_REGISTERED, agency_id, agency)]
    for period_id, start, end in periods(kind):
        opened = PeriodOpened.model_validate(
            {
                "agency_id": agency_id,
                "period_id": period_id,
                "skema": kind,
                "type": kind,
                "start": start,
                "end": end,
                "tenggat_hari": 5,
                "deadline": "2027-01-05T16:59:59Z",
            }
        )
        items.append((PERIOD_OPENED, agency_id, opened))
    for _, start, end in periods(kind):
        items += [(REPORT_SUBMITTED, nip, report(agency_id, nip, start, end, kind, rng)) for nip in staff]
    return items


def wait_for(predicate, what: str, timeout_s: float = 1800, interval_s: float = 0.5) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(interval_s)


def job_done(client: httpx.Client, job_id: str) -> dict[str, Any] | None:
    job = client.get(f"/v1/admin/jobs/{job_id}").json()
    return job if job["status"] == "done" else None


def platform_runs(args: argparse.Namespace, stack: EmbeddedStack, mongo: MongoClient, tmp: Path) -> dict[str, Any]:
    token = os.environ["KINERJA_ADMIN_TOKEN"]
    platform = Platform(
        stack.kafka_bootstrap,
        stack.mongo_uri,
        tmp / "logs",
        services=PIPELINE,
        ports={"scoring": free_port()} | {n: free_port() for n in ("intake", "training", "notification")},
        extra_env={
            "KINERJA_LOG_LEVEL": "WARNING",
            "KINERJA_ADMIN_TOKEN": token,
            "KINERJA_SECRET_KEY": secrets.token_urlsafe(32),
        },
    )
    scoring = platform.processes["scoring"]
    scoring.start()
    platform.wait_ready("scoring")
    db = mongo["kinerja_scoring"]
    pids = {"scoring": scoring.process.pid, "database": stack.database.process.pid}
    result: dict[str, Any] = {}
    try:
        monthly = nips(args.employees, 1)
        annual = {f"bench-annual-{i}": nips(args.employees, 10 + i) for i in range(args.annual_agencies)}
        items = events_for("bench-rescore", monthly, "bulanan", 1)
        for i, (agency_id, staff) in enumerate(annual.items()):
            items += events_for(agency_id, staff, "semesteran", 10 + i)
        total = sum(1 for spec, _, _ in items if spec is REPORT_SUBMITTED)
        log(f"publishing {total:,} reports")
        asyncio.run(publish(stack.kafka_bootstrap, items))
        started, before = time.perf_counter(), cpu_all(pids)
        wait_for(lambda: db.scores.estimated_document_count() >= total, "first scoring")
        seconds = time.perf_counter() - started
        result["first_scoring"] = {
            "reports": total,
            "seconds": seconds,
            "per_s": total / seconds,
            "cpu_s_per_1000": _per_1000(cpu_delta(before, cpu_all(pids)), total),
        }
        log(f"  scored in {seconds:.1f} s ({total / seconds:.0f}/s)")
        with httpx.Client(
            base_url=platform.url("scoring"), timeout=60, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            result["rescore"] = rescore(client, pids)
            result["annual"] = annual_rollup(client, db, list(annual), pids)
    finally:
        scoring.stop()
    return result


def _per_1000(cpu: dict[str, float], count: int) -> dict[str, float]:
    return {name: seconds * 1000 / count for name, seconds in cpu.items()}


def rescore(client: httpx.Client, pids: dict[str, int]) -> dict[str, Any]:
    policy = client.get("/v1/policies/nasional@1").json()
    policy["rating_thresholds"]["di_atas_min_capaian"] = 105
    assert client.post("/v1/agencies/bench-rescore/policies", json=policy).status_code == 201
    log("rescore: bench-rescore, year 2026, under a policy with Di Atas from 105%")
    started, before = time.perf_counter(), cpu_all(pids)
    job = client.post("/v1/admin/rescores", json={"agency_id": "bench-rescore", "tahun": 2026}).json()
    done: dict[str, Any] = {}
    wait_for(lambda: done.update(job_done(client, job["job_id"]) or {}) or done, "rescore job")
    seconds = time.perf_counter() - started
    log(f"  {done['checked']:,} checked, {done['revised']:,} revised in {seconds:.1f} s")
    return {
        "checked": done["checked"],
        "revised": done["revised"],
        "seconds": seconds,
        "per_s": done["checked"] / seconds,
        "cpu_s_per_1000": _per_1000(cpu_delta(before, cpu_all(pids)), done["checked"]),
    }


def annual_rollup(client: httpx.Client, db: Any, agencies: list[str], pids: dict[str, int]) -> dict[str, Any]:
    log(f"annual roll-up: {len(agencies)} agencies")
    started, before = time.perf_counter(), cpu_all(pids)
    jobs = [client.post("/v1/admin/annual-rollups", json={"agency_id": a, "tahun": 2026}).json() for a in agencies]
    finished: dict[str, dict[str, Any]] = {}

    def all_done() -> bool:
        for job in jobs:
            if job["job_id"] not in finished and (done := job_done(client, job["job_id"])):
                finished[job["job_id"]] = done
        return len(finished) == len(jobs)

    wait_for(all_done, "annual jobs")
    seconds = time.perf_counter() - started
    employees = sum(j["checked"] for j in finished.values())
    wait_for(lambda: all(db.distributions.find_one({"_id": f"{a}/2026"}) for a in agencies), "year distributions")
    curve_s = time.perf_counter() - started
    log(f"  {employees:,} employees in {seconds:.1f} s; distributions after {curve_s:.1f} s")
    return {
        "employees": employees,
        "seconds": seconds,
        "per_s": employees / seconds,
        "with_curve_s": curve_s,
        "cpu_s_per_1000": _per_1000(cpu_delta(before, cpu_all(pids)), employees),
    }


async def bare_runs(mongo_uri: str, agencies: list[str]) -> dict[str, Any]:
    """The rescore's and the roll-up's reads and writes, and nothing else, with the platform's document sizes."""
    client = AsyncMongoClient(mongo_uri)
    source, bare = client["kinerja_scoring"], client["bench_bare_scoring"]
    try:
        score = await source.scores.find_one({"agency_id": "bench-rescore"})
        annual = await source.annual_scores.find_one({})
        started, count = time.perf_counter(), 0
        ids = sorted(d["_id"] for d in await source.scores.find({"agency_id": "bench-rescore"}, {"_id": 1}).to_list())
        for first in range(0, len(ids), PAGE):
            page = [d async for d in source.scores.find({"_id": {"$in": ids[first : first + PAGE]}})]
            count += len(page)
            writes = [ReplaceOne({"_id": r["_id"]}, {**score, "_id": r["_id"]}, upsert=True) for r in page]
            await _transaction(client, bare.scores, writes)
        rescore_s = time.perf_counter() - started
        started, employees = time.perf_counter(), 0
        for agency_id in agencies:
            last = None
            while (
                page := await source.scores.find(
                    {"agency_id": agency_id, "tahun": 2026, **({"nip": {"$gt": last}} if last else {})}
                )
                .sort([("nip", 1), ("_id", 1)])
                .limit(6000)
                .to_list()
            ):
                people = sorted({s["nip"] for s in page})
                if len(page) == 6000 and len(people) > 1:
                    people.pop()
                last, employees = people[-1], employees + len(people)
                writes = [
                    ReplaceOne({"_id": f"{agency_id}/{n}"}, {**annual, "_id": f"{agency_id}/{n}"}, upsert=True)
                    for n in people
                ]
                await _transaction(client, bare.annual_scores, writes)
        annual_s = time.perf_counter() - started
    finally:
        await client.drop_database("bench_bare_scoring")
        await client.close()
    return {
        "rescore": {"checked": count, "seconds": rescore_s, "per_s": count / rescore_s},
        "annual": {"employees": employees, "seconds": annual_s, "per_s": employees / annual_s},
    }


async def _transaction(client: AsyncMongoClient, collection: Any, writes: list[Any]) -> None:
    async with client.start_session() as session:
        await session.with_transaction(lambda s: collection.bulk_write(writes, ordered=True, session=s))


def markdown(result: dict[str, Any]) -> str:
    p, b = result["platform"], result["bare"]
    lines = [
        f"# Scoring at volume vs bare reads and writes ({result['when']}, "
        f"{result['machine']['cpus']} CPUs, embedded stack)",
        "",
        f"Scoring alone; {p['first_scoring']['reports']:,} reports published straight onto its topic.",
        "",
        "| | platform | bare | platform / bare |",
        "| --- | --- | --- | --- |",
        f"| first scoring through the consumer (reports/s) | {p['first_scoring']['per_s']:.0f} | | |",
        f"| rescore of {p['rescore']['checked']:,} scores (scores/s) | {p['rescore']['per_s']:.0f} | "
        f"{b['rescore']['per_s']:.0f} | **{p['rescore']['per_s'] / b['rescore']['per_s']:.2f}** |",
        f"| annual roll-up of {p['annual']['employees']:,} employees (employees/s) | {p['annual']['per_s']:.0f} | "
        f"{b['annual']['per_s']:.0f} | **{p['annual']['per_s'] / b['annual']['per_s']:.2f}** |",
        f"| roll-up plus the year's distributions published (s) | {p['annual']['with_curve_s']:.1f} | | |",
        "",
        f"Rescore: {p['rescore']['revised']:,} of {p['rescore']['checked']:,} scores revised (the others' outcome did "
        "not change under the new policy).",
        "",
        "CPU seconds per 1,000 (scoring / database server): "
        + "; ".join(
            f"{name} {v['cpu_s_per_1000'].get('scoring', 0):.2f} / {v['cpu_s_per_1000'].get('database', 0):.2f}"
            for name, v in (("first scoring", p["first_scoring"]), ("rescore", p["rescore"]), ("annual", p["annual"]))
        ),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=5000, help="employees per agency")
    parser.add_argument("--annual-agencies", type=int, default=4, help="agencies of semester reports to roll up")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = run_header()
    with embedded_stack() as (stack, mongo, tmp):
        result["platform"] = platform_runs(args, stack, mongo, tmp)
        log("bare: the same reads and writes")
        agencies = [f"bench-annual-{i}" for i in range(args.annual_agencies)]
        result["bare"] = asyncio.run(bare_runs(stack.mongo_uri, agencies))
    save_results(args.out, result, markdown(result))


if __name__ == "__main__":
    main()
