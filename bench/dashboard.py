"""The dashboard's pages for an agency of 5,000 employees: how long each takes to answer (goal: under 300 ms).

The dashboard alone on the embedded stack, fed as in production only by events on Kafka: this benchmark
publishes what the other services would (an API key, the agency, 10 units, 5,000 employees, six monthly periods
with a report and a score per employee, the distribution per period, a training plan with 500 unfunded needs,
and delivery health), 60,000 events in all, and times how long the read model takes to take them in. Then, signed
in with the agency's key, it asks each page 20 times after 3 warm-ups, one request at a time, and reports the
median and p95 of the whole answer (server time plus loopback), beside the goal.
Results: bench/results/dashboard/latest.{json,md}.
"""

import asyncio
import hashlib
import random
import re
import secrets
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from bench.harness import embedded_stack, run_header, save_results
from devtools.devstack.platform import Platform
from devtools.devstack.processes import free_port
from shared.contracts import (
    AGENCY_REGISTERED,
    API_KEY_CHANGED,
    DELIVERY_HEALTH,
    DISTRIBUTION_EVALUATED,
    EMPLOYEE_REGISTERED,
    PERIOD_OPENED,
    REPORT_SUBMITTED,
    SCORE_COMPUTED,
    TRAINING_PLAN_UPDATED,
    UNIT_KERJA_REGISTERED,
    EventSpec,
)
from shared.messaging.records import record_for

RESULTS = Path(__file__).parent / "results" / "dashboard"
AGENCY, EMPLOYEES, UNITS, MONTHS = "bench-dinas", 5_000, 10, range(5, 11)
GOAL_MS, WARM_UPS, REPEATS = 300, 3, 20
PREDIKAT = ("sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")
WEIGHTS = (15, 70, 10, 4, 1)


def log(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


def nip_of(i: int) -> str:
    return f"1980{1 + i % 12:02d}{1 + i % 28:02d}2005{1 + i % 12:02d}{1 + i % 2}{i % 1000:03d}"[:18]


def _period(month: int) -> dict[str, Any]:
    start = date(2026, month, 1)
    end = (start.replace(month=month + 1) if month < 12 else date(2027, 1, 1)) - timedelta(days=1)
    return {"type": "bulanan", "start": start.isoformat(), "end": end.isoformat()}


def population(key_digest: str, rng: random.Random) -> list[tuple[EventSpec[Any], str, dict[str, Any]]]:
    now = datetime.now(UTC)
    events: list[tuple[EventSpec[Any], str, dict[str, Any]]] = [
        (
            API_KEY_CHANGED,
            AGENCY,
            {"key_digest": key_digest, "agency_id": AGENCY, "created_at": now, "changed_at": now},
        ),
        (
            AGENCY_REGISTERED,
            AGENCY,
            {
                "agency_id": AGENCY,
                "nama": "Dinas Uji Beban",
                "wilayah": "Kabupaten Uji",
                "anggaran_pelatihan": 900_000_000,
                "tahun_anggaran": 2026,
            },
        ),
    ]
    events += [
        (UNIT_KERJA_REGISTERED, AGENCY, {"agency_id": AGENCY, "unit_id": f"unit-{u}", "nama": f"Bidang {u}"})
        for u in range(UNITS)
    ]
    nips = sorted({nip_of(i * 7919) for i in range(EMPLOYEES * 2)})[:EMPLOYEES]
    events += [
        (
            EMPLOYEE_REGISTERED,
            nip,
            {
                "nip": nip,
                "agency_id": AGENCY,
                "nama": f"Pegawai {n:04d}",
                "jabatan": "Analis",
                "unit_kerja": f"unit-{n % UNITS}",
            },
        )
        for n, nip in enumerate(nips)
    ]
    for month in MONTHS:
        period, period_id = _period(month), f"2026-{month:02d}"
        deadline = datetime.fromisoformat(period["end"]).replace(tzinfo=UTC) + timedelta(days=30)
        events.append(
            (
                PERIOD_OPENED,
                AGENCY,
                {
                    "agency_id": AGENCY,
                    "period_id": period_id,
                    "skema": "bulanan",
                    "type": "bulanan",
                    "start": period["start"],
                    "end": period["end"],
                    "deadline": deadline,
                    "tenggat_hari": 30,
                },
            )
        )
        counts = dict.fromkeys(PREDIKAT, 0)
        for nip in nips[: int(EMPLOYEES * 0.97)]:  # some never report: the late list has names
            predikat = rng.choices(PREDIKAT, WEIGHTS)[0]
            counts[predikat] += 1
            report_id = f"{AGENCY}/r-{period_id}-{nip}"
            events.append((REPORT_SUBMITTED, nip, _report(report_id, nip, period)))
            events.append((SCORE_COMPUTED, nip, _score(report_id, nip, period, period_id, predikat, rng)))
        events.append((DISTRIBUTION_EVALUATED, AGENCY, _distribution(period_id, counts)))
    events.append((TRAINING_PLAN_UPDATED, AGENCY, _plan(nips, rng)))
    events.append(
        (
            DELIVERY_HEALTH,
            AGENCY,
            {
                "agency_id": AGENCY,
                "observed_at": now,
                "channels": [
                    {"channel": c, "sent": 30_000, "pending": 12, "dead": 3} for c in ("inbox", "email", "webhook")
                ],
            },
        )
    )
    return events


def _report(report_id: str, nip: str, period: dict[str, Any]) -> dict[str, Any]:
    return {
        "report_id": report_id,
        "agency_id": AGENCY,
        "nip": nip,
        "skp_id": f"skp-{nip}",
        "period": period,
        "indicators": [
            {
                "row_id": "layanan",
                "rhk": "Layanan tepat waktu",
                "jenis": "utama",
                "aspek": "waktu",
                "indikator": "Jam per layanan",
                "polaritas": "lower_is_better",
                "target": 8,
                "satuan": "jam",
                "realisasi": 8,
            }
        ],
        "submitted_at": datetime.now(UTC),
    }


def _score(report_id: str, nip: str, period: dict[str, Any], period_id: str, predikat: str, rng: random.Random):
    indicators = [
        {
            "row_id": f"row-{i}",
            "jenis": "utama",
            "aspek": "kuantitas",
            "polaritas": "higher_is_better",
            "capaian": round(rng.uniform(60, 120), 1),
            "nilai": round(rng.uniform(60, 120), 1),
            "rating": "sesuai_ekspektasi",
            "reason": "capaian 100% pada pita baik",
        }
        for i in range(6)
    ]
    return {
        "report_id": report_id,
        "agency_id": AGENCY,
        "nip": nip,
        "period": period,
        "period_id": period_id,
        "indicators": indicators,
        "nilai_hasil_kerja": round(rng.uniform(70, 115), 1),
        "rating_hasil_kerja": "sesuai_ekspektasi",
        "rating_hasil_kerja_source": "computed",
        "rating_perilaku": "sesuai_ekspektasi",
        "rating_perilaku_source": "computed",
        "predikat": predikat,
        "computed_at": datetime.now(UTC),
        "policy_version": "bench",
        "unit_kerja": "unit-1",
    }


def _distribution(period_id: str, counts: dict[str, int]) -> dict[str, Any]:
    total = sum(counts.values())
    percent = {p: 100 * n / total for p, n in counts.items()}
    return {
        "agency_id": AGENCY,
        "scope": period_id,
        "organisation_predikat": "baik",
        "policy_version": "bench",
        "overall": {"employees": total, "counts": counts, "percent": percent},
        "units": [
            {
                "unit_kerja": f"unit-{u}",
                "employees": total // UNITS,
                "counts": {p: n // UNITS for p, n in counts.items()},
                "percent": percent,
            }
            for u in range(UNITS)
        ],
        "checks": [
            {
                "predikat": ["sangat_baik"],
                "limit": "at_most",
                "percent": 70,
                "actual_percent": percent["sangat_baik"],
                "actual_count": counts["sangat_baik"],
                "ok": True,
                "message": "sesuai",
            }
        ],
        "violations": 0,
        "evaluated_at": datetime.now(UTC),
    }


def _plan(nips: list[str], rng: random.Random) -> dict[str, Any]:
    unfunded = [
        {
            "nip": rng.choice(nips),
            "kompetensi": "analisis-data",
            "reason": "anggaran_tidak_cukup",
            "weight": rng.uniform(0.5, 6),
        }
        for _ in range(500)
    ]
    return {
        "agency_id": AGENCY,
        "tahun": 2026,
        "version": 7,
        "status": "draft",
        "cause": "new_score",
        "anggaran": 900_000_000,
        "total_biaya": 880_000_000,
        "committed": 0,
        "sisa": 900_000_000,
        "total_jp": 60_000,
        "allocations": 3_000,
        "employees": 2_900,
        "jp_shortfall_employees": 120,
        "unfunded_by_reason": {"anggaran_tidak_cukup": {"jumlah": 1_800, "bobot": 4_000.0}},
        "unfunded": sorted(unfunded, key=lambda n: -n["weight"]),
        "updated_at": datetime.now(UTC),
    }


def records(events: list[tuple[EventSpec[Any], str, dict[str, Any]]]) -> list[Any]:
    """Every event validated by its contract before the stack starts: a bad one fails the run at once."""
    return [
        record_for(
            spec,
            spec.envelope(
                data=spec.data_model.model_validate(data),
                subject=subject,
                source="kinerja/bench",
                correlationid=secrets.token_hex(8),
            ),
        )
        for spec, subject, data in events
    ]


async def publish(bootstrap: str, outgoing: list[Any]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=20)
    await producer.start()
    try:
        pending = []
        for record in outgoing:
            pending.append(await producer.send(record.topic, record.value, key=record.key, headers=record.headers))
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def sign_in(client: httpx.Client, key: str) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/dasbor/masuk").text).group(1)
    response = client.post("/dasbor/masuk", data={"kunci": key, "csrf": token, "kembali": "/"})
    if response.status_code != 303:
        raise RuntimeError(f"sign-in refused: {response.status_code}")


def wait_until_fed(client: httpx.Client, expected_reports: int, timeout_s: float = 900) -> float:
    """Until October's submitted count is on the trends page: the last events of the run are in."""
    started, deadline = time.monotonic(), time.monotonic() + timeout_s
    pattern = re.compile(r'data-period="2026-10">.*?<td class="num">(\d+)</td>', re.S)
    while time.monotonic() < deadline:
        response = client.get(f"/dasbor/instansi/{AGENCY}/tren?tahun=2026")
        found = pattern.search(response.text) if response.status_code == 200 else None
        if found and int(found.group(1)) >= expected_reports:
            return time.monotonic() - started
        time.sleep(1)  # polling the page a person would reload; not a test
    raise TimeoutError("the dashboard did not take in the events in time")


def time_page(client: httpx.Client, path: str) -> dict[str, float]:
    for _ in range(WARM_UPS):
        assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(0.95 * len(samples)) - 1], 1),
        "bytes": len(response.content),
    }


def main() -> None:
    rng = random.Random(20261123)
    key = secrets.token_urlsafe(32)
    events = population(hashlib.sha256(key.encode()).hexdigest(), rng)
    outgoing = records(events)
    reports_in_october = int(EMPLOYEES * 0.97)
    with embedded_stack() as (stack, _mongo, tmp):
        platform = Platform(
            stack.kafka_bootstrap,
            stack.mongo_uri,
            tmp / "logs",
            services=("dashboard",),
            ports={"dashboard": free_port()},
            extra_env={"KINERJA_LOG_LEVEL": "WARNING", "KINERJA_SECRET_KEY": secrets.token_urlsafe(32)},
        )
        platform.start()
        try:
            log(f"publishing {len(events):,} events ...")
            started = time.monotonic()
            asyncio.run(publish(stack.kafka_bootstrap, outgoing))
            published_s = time.monotonic() - started
            with httpx.Client(base_url=platform.url("dashboard"), timeout=60) as client:
                for _ in range(120):  # the key reaches the dashboard as an event: it may take a moment
                    try:
                        sign_in(client, key)
                        break
                    except RuntimeError:
                        time.sleep(0.5)
                else:
                    raise RuntimeError("the dashboard never accepted the benchmark's key (its event did not arrive)")
                fed_s = wait_until_fed(client, reports_in_october) + published_s
                log(f"read model fed in {fed_s:.1f} s")
                pages = {
                    "overview": f"/dasbor/instansi/{AGENCY}?periode=2026-10",
                    "trends": f"/dasbor/instansi/{AGENCY}/tren?tahun=2026",
                    "trends + who is late": f"/dasbor/instansi/{AGENCY}/tren?tahun=2026&periode=2026-10",
                    "employees": f"/dasbor/instansi/{AGENCY}/pegawai",
                    "employee": f"/dasbor/instansi/{AGENCY}/pegawai/{events[2 + UNITS + 1][1]}",
                    "training": f"/dasbor/instansi/{AGENCY}/pelatihan?tahun=2026",
                    "deliveries": f"/dasbor/instansi/{AGENCY}/pengiriman",
                }
                timings = {name: time_page(client, path) for name, path in pages.items()}
        finally:
            platform.stop()
    result = {
        **run_header(),
        "employees": EMPLOYEES,
        "events": len(events),
        "fed_seconds": round(fed_s, 1),
        "events_per_second": round(len(events) / fed_s),
        "goal_ms": GOAL_MS,
        "pages": timings,
    }
    save_results(RESULTS, result, markdown(result))


def markdown(result: dict[str, Any]) -> str:
    rows = "\n".join(
        f"| {name} | {t['median_ms']} | {t['p95_ms']} | {'yes' if t['p95_ms'] < result['goal_ms'] else 'no'} | "
        f"{t['bytes']:,} |"
        for name, t in result["pages"].items()
    )
    return (
        f"# Dashboard pages, one agency of {result['employees']:,} employees ({result['when']}, "
        f"{result['machine']['cpus']} CPUs)\n\n"
        f"Read model fed with {result['events']:,} events in {result['fed_seconds']} s "
        f"({result['events_per_second']:,} events/s, the dashboard alone).\n\n"
        f"| page | median ms | p95 ms | p95 under {result['goal_ms']} ms | bytes |\n|---|---|---|---|---|\n{rows}\n"
    )


if __name__ == "__main__":
    main()
