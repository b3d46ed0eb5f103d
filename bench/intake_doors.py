"""Intake's three doors (batch, spreadsheet, single report) beside bare pymongo writes on the same server.

One embedded stack and only the intake service. Each round measures, in this order: the batch door (1,000
reports in one request, then the same batch again: all duplicates), the bare baseline (the same number of
report- and outbox-sized documents written with `insert_many` in one transaction, straight to the same MongoDB
server; and one bare transaction per report), the spreadsheet door (a 300-row XLSX, then the same file again)
and the single door (8 keep-alive clients, one report per request). The first batch door's stored documents
give the bare writes their sizes. Every door runs on a fresh agency whose NIPs nothing else uses, and before
each measurement intake's outbox relay is left to drain. Rounds are interleaved rather than grouped by door so
that a burst of load from elsewhere on the machine falls on every figure alike; the table shows medians.

`make bench` runs it before bench.pipeline: `python -m bench.intake_doors [rounds]` (default 3). Figures
depend on the machine (2 cores here, shared by the broker, the Python MongoDB-protocol server, intake and this
client); the CPU seconds intake and the database server spent are printed beside the wall-clock ones, since
they move less with the machine's other load. With KINERJA_BENCH_PYSPY=<directory> and py-spy installed
(`.venv/bin/pip install py-spy`), the first batch request is profiled, in intake and in the MongoDB server
(collapsed stacks in <directory>/<process>.txt), and the top functions printed.
"""

import asyncio
import contextlib
import copy
import io
import os
import queue
import secrets
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bson
import httpx
from openpyxl import load_workbook
from pymongo import MongoClient
from pymongo.database import Database

from bench.profiling import print_top, profiled
from devtools.devstack.demo_rows import SKP_COLUMNS
from devtools.devstack.embedded import EmbeddedStack
from devtools.devstack.platform import PIPELINE, Platform
from devtools.devstack.processes import free_port
from shared.kafka_admin import ensure_topics
from tests.e2e.api import Agency, random_nip, register_agency, xlsx

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
BATCH_EMPLOYEES, BATCH_MONTHS = 100, 10  # 1,000 reports: one per employee and month of 2026
SHEET_EMPLOYEES = 300
SINGLE_EMPLOYEES, SINGLE_MONTHS, SINGLE_CLIENTS = 40, 10, 8  # 400 reports
BARE_BATCH, BARE_SINGLE = 1_000, 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_PERIOD = {"type": "bulanan", "start": "2026-10-01", "end": "2026-10-31"}
INTAKE_DB, BARE_DB = "kinerja_intake", "bench_bare"
RESULTS = Path(__file__).parent / "results" / "intake-doors"
PAIR = ["reports", "outbox"]  # what the bare baseline writes per report
INTAKE_WRITES = ["reports", "report_slots", "outbox"]  # what intake writes for a first accepted report


@dataclass
class Timing:
    """One timed action: wall seconds, and the CPU seconds intake and the MongoDB server spent meanwhile."""

    reports: int
    seconds: float
    cpu: dict[str, float]


@dataclass
class Bench:
    client: httpx.Client
    mongo: MongoClient
    pids: dict[str, int]
    base_url: str

    @property
    def intake(self) -> Database:
        return self.mongo[INTAKE_DB]

    def _cpu(self) -> dict[str, float]:
        try:
            ticks = os.sysconf("SC_CLK_TCK")
            stats = {n: Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split() for n, pid in self.pids.items()}
        except (OSError, ValueError, AttributeError):  # not Linux: wall-clock figures only
            return {}
        return {name: (int(f[11]) + int(f[12])) / ticks for name, f in stats.items()}  # utime + stime

    def time(self, reports: int, action: Callable[[], Any]) -> tuple[Timing, Any]:
        before = self._cpu()
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
        after = self._cpu()
        return Timing(reports, seconds, {n: after[n] - before[n] for n in before if n in after}), result

    def wait_outbox_drained(self, timeout_s: float = 300) -> None:
        """Intake's relay publishes what a door accepted; the next measurement starts once it is done."""
        deadline = time.perf_counter() + timeout_s
        while self.intake.outbox.count_documents({"status": "pending"}):
            if time.perf_counter() > deadline:
                raise TimeoutError("intake's outbox did not drain")
            time.sleep(0.1)


# --- the doors -------------------------------------------------------------------------------------------------


def fresh_nips(count: int) -> list[str]:
    nips: set[str] = set()
    while len(nips) < count:
        nips.add(random_nip())
    return list(nips)


def staff_by_api(client: httpx.Client, count: int) -> tuple[Agency, list[str]]:
    """A fresh agency; its employees in one POST /v1/employees/batch, then one PUT /v1/skp each."""
    agency = register_agency(client, budget=10_000_000_000)
    nips = fresh_nips(count)
    people = [{"nip": nip, "nama": f"Pegawai {i}", "jabatan": "Analis"} for i, nip in enumerate(nips)]
    answer = client.post("/v1/employees/batch", json={"employees": people}, headers=agency.auth)
    assert answer.status_code == 200 and answer.json()["summary"] == {"registered": count}, answer.text[:2000]
    for nip in nips:
        agency.skp(nip)
    return agency, nips


def monthly_bodies(agency: Agency, nips: list[str], months: int) -> list[dict]:
    return [
        agency.report_body(nip, cakupan=50 + (i + month) % 50, month=month)
        for month in range(1, months + 1)
        for i, nip in enumerate(nips)
    ]


def batch_door(bench: Bench, profile: bool) -> tuple[str, Timing, Timing]:
    """1,000 reports in one POST /v1/reports/batch, then the same batch again (all duplicates)."""
    agency, nips = staff_by_api(bench.client, BATCH_EMPLOYEES)
    bodies = monthly_bodies(agency, nips, BATCH_MONTHS)

    def send() -> dict:
        answer = bench.client.post("/v1/reports/batch", json={"reports": bodies}, headers=agency.auth, timeout=600)
        assert answer.status_code == 200, answer.text[:2000]
        return answer.json()["summary"]

    bench.wait_outbox_drained()
    out = Path(os.environ["KINERJA_BENCH_PYSPY"]) if profile and os.environ.get("KINERJA_BENCH_PYSPY") else None
    with profiled(bench.pids, out) as spy:
        first, summary = bench.time(len(bodies), send)
    for name, top in spy.top.items():
        print_top(name, top)
    assert summary["accepted"] == len(bodies), summary
    bench.wait_outbox_drained()
    again, summary = bench.time(len(bodies), send)
    assert summary["duplicate"] == len(bodies), summary
    return agency.agency_id, first, again


def upload(client: httpx.Client, agency: Agency, kind: str, content: bytes, name: str, **params) -> dict:
    files = {"file": (name, content, XLSX)}
    answer = client.post(f"/v1/uploads/{kind}", files=files, params=params, headers=agency.auth, timeout=600)
    assert answer.status_code == 200, answer.text[:2000]
    return answer.json()


SKP_HEADER = list(SKP_COLUMNS)


def staff_by_upload(client: httpx.Client, count: int) -> Agency:
    """A fresh agency whose employees and SKP plans come from the pegawai and skp uploads (XLSX)."""
    agency = register_agency(client, budget=10_000_000_000)
    nips = fresh_nips(count)
    people = [[nip, f"Pegawai {i}", "Analis", "PNS", None, None] for i, nip in enumerate(nips)]
    header = ["nip", "nama", "jabatan", "jenis_asn", "unit_kerja", "atasan_nip"]
    answer = upload(client, agency, "pegawai", xlsx(header, people, "Pegawai"), "pegawai.xlsx")
    assert answer["registered"] == count, answer
    quantity = ["imunisasi", "Cakupan imunisasi", "Utama", "kuantitas", "Persentase bayi diimunisasi", "naik", "95"]
    quantity += ["", "", "persen", "Kesehatan Masyarakat"]
    quality = ["penyuluhan", "Penyuluhan posyandu", "Tambahan", "kualitas", "Kualitas penyuluhan", "kualitatif"]
    quality += ["", "", "", "", ""]
    rows = [[f"skp-{nip}", nip, 2026, *row] for nip in nips for row in (quantity, quality)]
    answer = upload(client, agency, "skp", xlsx(SKP_HEADER, rows, "SKP"), "skp.xlsx")
    assert answer["registered"] == count, answer
    return agency


def filled_report_sheet(client: httpx.Client, agency: Agency) -> bytes:
    """The month's template as intake hands it out, with realisasi and the supervisor's rating on every row."""
    template = client.get("/v1/templates/laporan", params={**SHEET_PERIOD, "format": "xlsx"}, headers=agency.auth)
    assert template.status_code == 200, template.text[:2000]
    book = load_workbook(io.BytesIO(template.content))
    sheet = book["Laporan"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, columns["realisasi_1"], "92,5")  # as Indonesian Excel writes decimals
        sheet.cell(row, columns["rating_atasan_2"], "Sesuai Ekspektasi")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def spreadsheet_door(bench: Bench) -> tuple[Timing, Timing, int]:
    """A 300-row report sheet uploaded, then the same file again (all duplicates)."""
    agency = staff_by_upload(bench.client, SHEET_EMPLOYEES)
    content = filled_report_sheet(bench.client, agency)

    def send() -> dict:
        return upload(bench.client, agency, "laporan", content, "laporan.xlsx", **SHEET_PERIOD)

    bench.wait_outbox_drained()
    first, summary = bench.time(SHEET_EMPLOYEES, send)
    assert (summary["accepted"], summary["rows_with_errors"]) == (SHEET_EMPLOYEES, 0), summary.get("errors")
    bench.wait_outbox_drained()
    again, summary = bench.time(SHEET_EMPLOYEES, send)
    assert summary["duplicate"] == SHEET_EMPLOYEES, summary
    return first, again, len(content)


def single_door(bench: Bench) -> Timing:
    """400 reports over POST /v1/reports by 8 threads, each with its own keep-alive httpx.Client."""
    agency, nips = staff_by_api(bench.client, SINGLE_EMPLOYEES)
    bodies = monthly_bodies(agency, nips, SINGLE_MONTHS)
    work: queue.SimpleQueue[dict] = queue.SimpleQueue()
    for body in bodies:
        work.put(body)
    codes: list[int] = []
    clients = [httpx.Client(base_url=bench.base_url, timeout=60) for _ in range(SINGLE_CLIENTS)]
    try:
        for each in clients:  # connections open before the clock starts
            each.get("/readyz").raise_for_status()

        def worker(own: httpx.Client) -> None:
            while True:
                try:
                    body = work.get_nowait()
                except queue.Empty:
                    return
                codes.append(own.post("/v1/reports", json=body, headers=agency.auth).status_code)

        def run_all() -> None:
            threads = [threading.Thread(target=worker, args=(each,), daemon=True) for each in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        bench.wait_outbox_drained()
        timing, _ = bench.time(len(bodies), run_all)
    finally:
        for each in clients:
            each.close()
    assert codes.count(202) == len(bodies), sorted(set(codes))
    return timing


# --- the bare baseline ------------------------------------------------------------------------------------------


def samples(intake: Database, agency_id: str) -> dict[str, dict]:
    """One of each document intake wrote for an accepted report of the batch door, to copy from."""
    report = intake.reports.find_one({"agency_id": agency_id, "status": "accepted"})
    assert report is not None
    document = intake.outbox.find_one({"records.topic": {"$regex": "submitted"}})
    assert document is not None
    # The bare baseline keeps one outbox document per report (intake writes one per request or batch).
    record = next(r for r in document["records"] if "submitted" in r["topic"])
    outbox = {k: v for k, v in document.items() if k not in ("sent_at", "records")} | {"status": "pending"}
    outbox |= {"count": 1, "records": [record]}
    return {
        "reports": report,
        "report_slots": intake.report_slots.find_one({"reference": report["_id"]}),
        "outbox": outbox,
    }


def copies(sample: dict, count: int) -> list[dict]:
    out = []
    for i in range(count):
        doc = copy.copy(sample)
        doc["_id"] = f"{sample['_id']}-{uuid.uuid4().hex}"
        if "seq" in doc:
            doc["seq"] = time.time_ns() + i
        out.append(doc)
    return out


def fresh_collections(bench: Bench, names: list[str], indexed: bool) -> Database:
    """Empty collections; with `indexed`, the secondary indexes intake has on the collections of the same name."""
    bare = bench.mongo[BARE_DB]
    for name in names:
        bare.drop_collection(name)
        bare.create_collection(name)
        if indexed:
            for spec in bench.intake[name].list_indexes():
                if spec["name"] == "_id_":
                    continue
                options = {k: spec[k] for k in ("expireAfterSeconds", "unique") if k in spec}
                bare[name].create_index(list(spec["key"].items()), name=spec["name"], **options)
    return bare


def bare_one_transaction(bench: Bench, sample: dict[str, dict], names: list[str], indexed: bool) -> Timing:
    """BARE_BATCH reports' documents with one insert_many per collection, all in one transaction."""
    bare = fresh_collections(bench, names, indexed)
    docs = {name: copies(sample[name], BARE_BATCH) for name in names}

    def write(session) -> None:
        for name in names:
            bare[name].insert_many(docs[name], ordered=True, session=session)

    def transaction() -> None:
        with bench.mongo.start_session() as session:
            session.with_transaction(write)

    timing, _ = bench.time(BARE_BATCH, transaction)
    assert all(bare[name].estimated_document_count() == BARE_BATCH for name in names)
    return timing


def bare_transaction_per_report(bench: Bench, sample: dict[str, dict]) -> Timing:
    """BARE_SINGLE reports, each its own transaction of two insert_one (report, outbox entry), one client."""
    bare = fresh_collections(bench, PAIR, indexed=False)
    docs = {name: copies(sample[name], BARE_SINGLE) for name in PAIR}

    def transactions() -> None:
        for i in range(BARE_SINGLE):

            def write(session, i=i) -> None:
                for name in PAIR:
                    bare[name].insert_one(docs[name][i], session=session)

            with bench.mongo.start_session() as session:
                session.with_transaction(write)

    timing, _ = bench.time(BARE_SINGLE, transactions)
    return timing


# --- running it -------------------------------------------------------------------------------------------------


def measure(bench: Bench) -> tuple[dict[str, list[Timing]], dict[str, int], int]:
    results: dict[str, list[Timing]] = defaultdict(list)
    time.sleep(2)  # intake settled after start-up; then what it costs while nobody calls it
    results["idle"].append(bench.time(0, lambda: time.sleep(3))[0])
    sample: dict[str, dict] | None = None
    sheet_bytes = 0
    for round_ in range(1, ROUNDS + 1):
        print(f"round {round_}/{ROUNDS}: batch door, bare writes, spreadsheet door, single door", flush=True)
        agency_id, first, again = batch_door(bench, profile=round_ == 1)
        results["batch"].append(first)
        results["batch_again"].append(again)
        bench.wait_outbox_drained()

        sample = sample or samples(bench.intake, agency_id)
        results["bare"].append(bare_one_transaction(bench, sample, PAIR, indexed=False))
        results["bare_indexed"].append(bare_one_transaction(bench, sample, PAIR, indexed=True))
        results["bare_four"].append(bare_one_transaction(bench, sample, INTAKE_WRITES, indexed=True))
        results["bare_single"].append(bare_transaction_per_report(bench, sample))
        bench.mongo.drop_database(BARE_DB)

        first, again, sheet_bytes = spreadsheet_door(bench)
        results["sheet"].append(first)
        results["sheet_again"].append(again)
        results["single"].append(single_door(bench))
    assert sample is not None
    return results, {name: len(bson.encode(doc)) for name, doc in sample.items()}, sheet_bytes


ROWS = [  # key, what, baseline for the ratio
    ("bare", "bare: insert_many reports + outbox, 1 transaction", None),
    ("bare_indexed", "bare: the same with intake's secondary indexes", None),
    ("bare_four", "bare: the documents intake writes, indexed, 1 txn", None),
    ("bare_single", "bare: 1 transaction per report (2 insert_one)", None),
    ("batch", "batch door: POST /v1/reports/batch, 1,000 reports", "bare"),
    ("batch_again", "batch door: the same batch again (all duplicates)", "bare"),
    ("sheet", "spreadsheet door: 300-row XLSX upload", "bare"),
    ("sheet_again", "spreadsheet door: the same file again (duplicates)", "bare"),
    ("single", f"single door: POST /v1/reports, {SINGLE_CLIENTS} clients", "bare_single"),
]


def rate(timings: list[Timing]) -> float:
    return timings[0].reports / statistics.median(t.seconds for t in timings)


def cpu(timings: list[Timing], name: str) -> str:
    values = [t.cpu[name] for t in timings if name in t.cpu]
    return f"{statistics.median(values):.2f}" if values else ""


def report(results: dict[str, list[Timing]], sizes: dict[str, int], sheet_bytes: int, load: tuple[str, str]) -> None:
    described = ", ".join(f"{name} {size} B" for name, size in sizes.items())
    print(f"\nBare documents copied from the batch door's first accepted report (BSON sizes): {described}")
    print(f"Medians of {ROUNDS} rounds; ratio = the door's reports/s over the bare figure named in brackets.")
    print(f"Load average of the machine (2 cores here) at start / end: {load[0]} / {load[1]}")
    idle = results["idle"][0]
    if idle.cpu:
        busy = ", ".join(f"{name} {seconds / idle.seconds:.2f}" for name, seconds in idle.cpu.items())
        print(f"Cores busy while intake was idle, before the first round: {busy}")
    print()
    header = ("measurement", "reports", "seconds", "reports/s", "ratio", "intake CPU s", "db CPU s")
    widths = (54, 7, 8, 9, 18, 12, 9)

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(header))
    for key, what, baseline in ROWS:
        timings = results[key]
        ratio = f"{rate(timings) / rate(results[baseline]):.2f} [{baseline}]" if baseline else ""
        seconds = f"{statistics.median(t.seconds for t in timings):.2f}"
        cells = (what, str(timings[0].reports), seconds, f"{rate(timings):.0f}", ratio)
        print(line((*cells, cpu(timings, "intake"), cpu(timings, "mongodb"))))
    batch = rate(results["batch"])
    plain, indexed, same = (batch / rate(results[k]) for k in ("bare", "bare_indexed", "bare_four"))
    print(f"\nbatch door / bare insert_many (goal: at least 0.5): {plain:.2f} without indexes,")
    print(f"{indexed:.2f} with the indexes the outbox needs; {same:.2f} of the same documents written bare")
    sheet_s = statistics.median(t.seconds for t in results["sheet"])
    print(f"300-row XLSX ({sheet_bytes // 1024} KiB) accepted in {sheet_s:.2f} s (goal: under 2 s)")


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop the processes


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # Production mode refuses the development admin token; register_agency (tests.e2e.api.ADMIN) reads this one.
    os.environ["KINERJA_ADMIN_TOKEN"] = admin_token = f"bench-{secrets.token_urlsafe(24)}"
    started_load = load_average()
    with tempfile.TemporaryDirectory() as tmp:
        stack = EmbeddedStack(Path(tmp), free_port(), free_port())
        platform = None
        try:
            stack.start()
            asyncio.run(ensure_topics(stack.kafka_bootstrap, 6))
            platform = Platform(
                stack.kafka_bootstrap,
                stack.mongo_uri,
                Path(tmp) / "logs",
                services=PIPELINE,
                ports={n: free_port() for n in PIPELINE},
                extra_env={
                    "KINERJA_LOG_LEVEL": "WARNING",
                    "KINERJA_ADMIN_TOKEN": admin_token,
                    "KINERJA_SECRET_KEY": secrets.token_urlsafe(32),
                },
            )
            intake = platform.processes["intake"]  # intake alone: no consumer service competes for the cores
            intake.start()
            platform.wait_ready("intake")
            assert intake.process is not None and stack.database.process is not None
            pids = {"intake": intake.process.pid, "mongodb": stack.database.process.pid}
            with (
                httpx.Client(base_url=platform.url("intake"), timeout=120) as client,
                MongoClient(stack.mongo_uri) as mongo,
            ):
                results, sizes, sheet_bytes = measure(Bench(client, mongo, pids, platform.url("intake")))
        finally:
            if platform:
                platform.stop()
            stack.stop()
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        report(results, sizes, sheet_bytes, (started_load, load_average()))
    print(text.getvalue())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(f"# Intake's doors beside bare writes\n\n```\n{text.getvalue().strip()}\n```\n")
    print(f"written: {RESULTS / 'latest.md'}")


if __name__ == "__main__":
    main()
