"""Delivery with a slow and a dead webhook beside a fast one and e-mail, against the same without them, in one run.

Notification runs alone (no intake, scoring or training) on a fresh embedded stack; its events go straight onto
Kafka. The receivers live in this process: HTTP endpoints on loopback (asyncio, minimal HTTP/1.1, keep-alive),
one answering 204 at once ("fast"), one answering after 2 s ("slow"), a closed port on 127.0.0.1 where nothing
listens ("dead": connections refused at once), and an SMTP sink (aiosmtpd). Two phases on the same stack, each
with a fresh agency, fresh employees (e-mail addresses on a domain of the phase's own) and fresh administrator
subscriptions (`allow_private`) to kinerja.score.computed.v1 for that agency; the previous phase's are deleted:
  A. fast + SMTP;
  B. fast + slow + dead + SMTP.
Each phase registers N employees (kinerja.employee.registered.v1, waited for in notification's database), then
publishes N first scores (kinerja.score.computed.v1, no atasan): each gives one e-mail and one webhook delivery
per subscription, so B fans out 4N deliveries (10,000 at the default N = 2,500) and A 2N.
Measured per phase, from the first score published: seconds until the fast receiver has N distinct webhook-ids
and the sink N distinct Message-IDs (each receipt timed where it lands), as deliveries/s to each; the ratio B/A
(the issue's goal: at least 0.80 for both); during B, the slow endpoint's deliveries answered and the dead one's
attempts (the `attempts` of its deliveries); CPU seconds of the notification process and the database server per
1,000 deliveries received (fast, SMTP and slow). A webhook-id or Message-ID received twice is a duplicate,
reported. Results: bench/results/notification/latest.{json,md}.
"""

import argparse
import asyncio
import os
import secrets
import threading
import time
from datetime import UTC, date, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from pymongo import MongoClient

from bench.harness import embedded_stack, run_header, save_results
from bench.proc_stats import cpu_all, cpu_delta
from bench.profiling import print_top, profiled
from bench.scoring import log, nips, publish, wait_for
from devtools.devstack.embedded import EmbeddedStack
from devtools.devstack.platform import PIPELINE, Platform
from devtools.devstack.processes import free_port
from shared.contracts import EMPLOYEE_REGISTERED, SCORE_COMPUTED, EventSpec
from shared.contracts.common import Period, PeriodType, Predikat, Rating
from shared.contracts.master_data import EmployeeRegistered
from shared.contracts.scores import RatingSource, ScoreComputed

RESULTS = Path(__file__).parent / "results" / "notification"
SLOW_S = 2.0
GOAL = 0.80


class Tally:
    """Distinct ids received, each with when it first landed (time.monotonic), and how many came again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.first: dict[str, float] = {}
        self.repeats = 0

    def add(self, key: str) -> None:
        with self._lock:
            if key in self.first:
                self.repeats += 1
            else:
                self.first[key] = time.monotonic()

    def count(self, until: float | None = None) -> int:
        with self._lock:
            return sum(1 for t in self.first.values() if until is None or t <= until)

    def nth_at(self, n: int) -> float:
        with self._lock:
            return sorted(self.first.values())[n - 1]


class Receiver:
    """An HTTP endpoint on loopback answering 204 after `delay_s`; a tally of webhook-ids per path."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s, self.port = delay_s, free_port()
        self.tallies: dict[str, Tally] = {}

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def tally(self, path: str) -> Tally:
        return self.tallies.get(path) or self.tallies.setdefault(path, Tally())

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
                await reader.readexactly(int(headers.get("content-length", "0")))
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                self.tally(lines[0].split(" ")[1]).add(headers.get("webhook-id", ""))
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the sender hung up, or the bench is over (ReceiverLoop.close)
        finally:
            writer.close()


class MailSink:
    """aiosmtpd handler: a tally of Message-IDs per recipient domain."""

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = {}

    def tally(self, domain: str) -> Tally:
        return self.tallies.get(domain) or self.tallies.setdefault(domain, Tally())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        headers = BytesParser(policy=policy.compat32).parsebytes(content, headersonly=True)
        self.tally(envelope.rcpt_tos[0].rsplit("@", 1)[-1]).add(str(headers["message-id"]))
        return "250 Message accepted for delivery"


class ReceiverLoop:
    """The receivers on an event loop of their own, in a thread of its own."""

    def __init__(self, *receivers: Receiver) -> None:
        self.receivers, self.loop = receivers, asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="receivers", daemon=True)
        self.thread.start()
        for receiver in receivers:
            asyncio.run_coroutine_threadsafe(receiver.start(), self.loop).result(timeout=10)

    async def _shut(self) -> None:
        for receiver in self.receivers:
            receiver.server.close()
        connections = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shut(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def employee(agency_id: str, nip: str, domain: str) -> EmployeeRegistered:
    return EmployeeRegistered(
        nip=nip, agency_id=agency_id, nama=f"Pegawai {nip[-4:]}", jabatan="Analis", email=f"p{nip}@{domain}"
    )


def score(agency_id: str, nip: str) -> ScoreComputed:
    return ScoreComputed(
        report_id=f"{agency_id}/{nip}-2026-10",
        agency_id=agency_id,
        nip=nip,
        atasan_nip=None,
        period=Period(type=PeriodType.BULANAN, start=date(2026, 10, 1), end=date(2026, 10, 31)),
        period_id="2026-10",
        indicators=[],
        nilai_hasil_kerja=101.2,
        rating_hasil_kerja=Rating.SESUAI,
        rating_hasil_kerja_source=RatingSource.COMPUTED,
        rating_perilaku=Rating.SESUAI,
        rating_perilaku_source=RatingSource.DEFAULT,
        predikat=Predikat.BAIK,
        computed_at=datetime.now(UTC),
    )


def subscribe(client: httpx.Client, url: str, agency_id: str) -> str:
    body = {"url": url, "event_types": [SCORE_COMPUTED.topic], "agency_ids": [agency_id], "allow_private": True}
    response = client.post("/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def run_phase(
    name: str, staff: list[str], targets: dict[str, str], sink: MailSink, bench: dict[str, Any]
) -> dict[str, Any]:
    """One phase: subscriptions to `targets` (role -> URL), N employees, N scores; until fast and SMTP have all."""
    n, client, db = len(staff), bench["client"], bench["db"]
    agency_id, domain = f"bench-notification-{name.lower()}", f"{name.lower()}.bench.test"
    subscriptions = {role: subscribe(client, url, agency_id) for role, url in targets.items()}
    log(f"phase {name} ({', '.join(targets)} + SMTP): {n:,} employees")
    asyncio.run(publish(bench["bootstrap"], [(EMPLOYEE_REGISTERED, p, employee(agency_id, p, domain)) for p in staff]))
    wait_for(lambda: db.people.count_documents({"agency_id": agency_id}) >= n, "employees in notification", 600)
    fast, mail = bench["fast"].tally(f"/{name}"), sink.tally(domain)
    items: list[tuple[EventSpec, str, Any]] = [(SCORE_COMPUTED, p, score(agency_id, p)) for p in staff]
    log(f"  publishing {n:,} scores ({n * (1 + len(targets)):,} deliveries)")
    out = bench["profile"] / name if bench["profile"] else None
    with profiled(bench["pids"], out) as spies:
        started, before = time.monotonic(), cpu_all(bench["pids"])
        asyncio.run(publish(bench["bootstrap"], items))
        wait_for(lambda: fast.count() >= n and mail.count() >= n, f"phase {name} deliveries", max(600, n * 0.5), 0.1)
        ended, cpu = time.monotonic(), cpu_delta(before, cpu_all(bench["pids"]))
    for process, top in spies.top.items():
        print_top(f"{process}, phase {name}", top)
    fast_s, smtp_s = fast.nth_at(n) - started, mail.nth_at(n) - started
    result: dict[str, Any] = {
        "agency_id": agency_id,
        "employees": n,
        "deliveries_fanned_out": n * (1 + len(targets)),
        "fast": {"delivered": n, "first_s": fast.nth_at(1) - started, "seconds": fast_s, "per_s": n / fast_s},
        "smtp": {"delivered": n, "first_s": mail.nth_at(1) - started, "seconds": smtp_s, "per_s": n / smtp_s},
    }
    received = 2 * n
    if "slow" in targets:
        done = bench["slow"].tally(f"/{name}").count(until=ended)
        result["slow"] = {"delivered": done, "per_s": done / (ended - started)}
        received += done
    if "dead" in targets:
        deliveries = list(db.deliveries.find({"recipient_key": subscriptions["dead"]}, {"attempts": 1}))
        result["dead"] = {
            "attempts": sum(d.get("attempts", 0) for d in deliveries),
            "deliveries_attempted": sum(1 for d in deliveries if d.get("attempts", 0) > 0),
        }
    result["cpu_s_per_1000"] = {k: v * 1000 / received for k, v in cpu.items()}
    log(f"  fast {n / fast_s:.0f}/s ({fast_s:.1f} s), SMTP {n / smtp_s:.0f}/s ({smtp_s:.1f} s)")
    for subscription_id in subscriptions.values():
        assert client.delete(f"/v1/webhooks/{subscription_id}").status_code == 204
    return result


def platform_runs(args: argparse.Namespace, stack: EmbeddedStack, mongo: MongoClient, tmp: Path) -> dict[str, Any]:
    token = os.environ["KINERJA_ADMIN_TOKEN"]
    fast, slow, sink = Receiver(), Receiver(SLOW_S), MailSink()
    receivers = ReceiverLoop(fast, slow)
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    dead_port = free_port()  # bound, then closed at once: nothing listens there
    platform = Platform(
        stack.kafka_bootstrap,
        stack.mongo_uri,
        tmp / "logs",
        services=PIPELINE,
        ports={n: free_port() for n in ("intake", "scoring", "training", "notification")},
        extra_env={
            "KINERJA_LOG_LEVEL": "WARNING",
            "KINERJA_ADMIN_TOKEN": token,
            "KINERJA_SECRET_KEY": secrets.token_urlsafe(32),
            "KINERJA_SMTP_HOST": "127.0.0.1",
            "KINERJA_SMTP_PORT": str(smtp.port),
        },
    )
    notification = platform.processes["notification"]
    staff = nips(2 * args.employees, 7)
    try:
        notification.start()
        platform.wait_ready("notification")
        with httpx.Client(
            base_url=platform.url("notification"), timeout=60, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            bench = {
                "client": client,
                "db": mongo["kinerja_notification"],
                "bootstrap": stack.kafka_bootstrap,
                "pids": {"notification": notification.process.pid, "database": stack.database.process.pid},
                "fast": fast,
                "slow": slow,
                "profile": args.profile,
            }
            alone = {"fast": fast.url("/A")}
            beside = {"fast": fast.url("/B"), "slow": slow.url("/B"), "dead": f"http://127.0.0.1:{dead_port}/B"}
            phases = {
                "A": run_phase("A", staff[0::2], alone, sink, bench),
                "B": run_phase("B", staff[1::2], beside, sink, bench),
            }
    finally:
        notification.stop()
        smtp.stop()
        receivers.close()
    tallies = {"fast": fast.tallies, "slow": slow.tallies, "smtp": sink.tallies}
    duplicates = {role: sum(t.repeats for t in found.values()) for role, found in tallies.items()}
    a, b = phases["A"], phases["B"]
    ratio = {ch: b[ch]["per_s"] / a[ch]["per_s"] for ch in ("fast", "smtp")}
    return {
        "phases": phases,
        "ratio_b_to_a": ratio,
        "goal": GOAL,
        "meets_goal": all(r >= GOAL for r in ratio.values()),
        "duplicates": duplicates,
    }


def markdown(result: dict[str, Any]) -> str:
    a, b, ratio = result["phases"]["A"], result["phases"]["B"], result["ratio_b_to_a"]
    verdict = "meets" if result["meets_goal"] else "**misses**"
    duplicates = ", ".join(f"{role} {count}" for role, count in result["duplicates"].items())
    cpu = "; ".join(
        f"{name} {p['cpu_s_per_1000']['notification']:.2f} / {p['cpu_s_per_1000']['database']:.2f}"
        for name, p in (("A", a), ("B", b))
    )
    lines = [
        f"# Notification delivery beside a slow and a dead webhook ({result['when']}, "
        f"{result['machine']['cpus']} CPUs, embedded stack)",
        "",
        f"{a['employees']:,} first scores per phase, each one e-mail plus one webhook per subscription: "
        f"A fans out {a['deliveries_fanned_out']:,} deliveries, B {b['deliveries_fanned_out']:,}. Seconds from the "
        "first score published until the endpoint has received every one.",
        "",
        "| phase | deliveries/s fast | deliveries/s SMTP | ratio to A (fast / SMTP) |",
        "| --- | --- | --- | --- |",
        f"| A: fast + SMTP | {a['fast']['per_s']:.0f} | {a['smtp']['per_s']:.0f} | |",
        f"| B: fast + slow ({SLOW_S:g} s) + dead + SMTP | {b['fast']['per_s']:.0f} | {b['smtp']['per_s']:.0f} | "
        f"**{ratio['fast']:.2f} / {ratio['smtp']:.2f}** |",
        "",
        f"Goal: B at least {GOAL:.0%} of A for both: {verdict} it.",
        "",
        f"During B: the slow endpoint answered {b['slow']['delivered']:,} deliveries ({b['slow']['per_s']:.1f}/s); "
        f"the dead one had {b['dead']['attempts']:,} attempts on {b['dead']['deliveries_attempted']:,} deliveries.",
        "",
        "First delivery after (s, fast / SMTP): "
        + "; ".join(f"{k} {p['fast']['first_s']:.1f} / {p['smtp']['first_s']:.1f}" for k, p in (("A", a), ("B", b)))
        + ".",
        "",
        f"Received twice (webhook-id or Message-ID): {duplicates}.",
        "",
        f"CPU seconds per 1,000 deliveries received (notification / database server): {cpu}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=2500, help="employees (and scores) per phase")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--profile", type=Path, help="py-spy notification and the database during each phase (directory)"
    )
    args = parser.parse_args()
    result = run_header()
    with embedded_stack() as (stack, mongo, tmp):
        result |= platform_runs(args, stack, mongo, tmp)
    save_results(args.out, result, markdown(result))


if __name__ == "__main__":
    main()
