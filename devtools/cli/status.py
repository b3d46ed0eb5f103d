"""`kinerja status`: each service's readiness, its consumer group's lag and its outbox backlog.

Readiness and the backlog (`kinerja_outbox_pending`) come from the service's /readyz and /metrics; the lag
comes from Kafka (committed offsets against end offsets), so a stopped service still shows its group's lag
growing. A group's topics are those it has committed offsets on. Exit 1 when a service is not ready or
Kafka cannot be reached.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

import httpx
import typer
from aiokafka import TopicPartition
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from .common import (
    SERVICES,
    CliError,
    DashboardUrl,
    GroupPrefix,
    IntakeUrl,
    Kafka,
    NotificationUrl,
    ScoringUrl,
    TrainingUrl,
    out,
    run,
)
from .kafka import admin, connected, partitions_of, reader

PROBE_TIMEOUT_S = 3.0
OUTBOX_PENDING = "kinerja_outbox_pending"
UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class ServiceHealth:
    ready: bool
    readiness: str
    outbox_backlog: int | None


def readiness_of(status_code: int, body: object) -> tuple[bool, str]:
    """From /readyz: ready, or which of its checks fail."""
    checks = body.get("checks") if isinstance(body, dict) else None
    if status_code == 200:
        return True, "ready"
    failing = sorted(name for name, ok in (checks or {}).items() if not ok)
    return False, f"not ready: {', '.join(failing)}" if failing else f"not ready (HTTP {status_code})"


def outbox_backlog(metrics: str) -> int | None:
    """`kinerja_outbox_pending` from a Prometheus text exposition; None when the service has no outbox."""
    for family in text_string_to_metric_families(metrics):
        if family.name == OUTBOX_PENDING and family.samples:
            return int(family.samples[0].value)
    return None


def group_lag(committed: Mapping[TopicPartition, int], ends: Mapping[TopicPartition, int]) -> int:
    """Records not yet processed, summed over partitions; a partition never committed counts from 0."""
    return sum(max(end - max(committed.get(tp, 0), 0), 0) for tp, end in ends.items())


def probe(url: str) -> ServiceHealth:
    try:
        with httpx.Client(base_url=url, timeout=PROBE_TIMEOUT_S) as client:
            answer = client.get("/readyz")
            try:
                body = answer.json()
            except ValueError:
                body = None
            ready, readiness = readiness_of(answer.status_code, body)
            metrics = client.get("/metrics")
            backlog = outbox_backlog(metrics.text) if metrics.status_code == 200 else None
    except httpx.HTTPError:
        return ServiceHealth(False, UNREACHABLE, None)
    return ServiceHealth(ready, readiness, backlog)


async def consumer_lags(bootstrap: str, groups: list[str]) -> dict[str, int | None]:
    """Each group's lag; None for a group that has committed nothing yet."""
    lags: dict[str, int | None] = {}
    async with connected(admin(bootstrap), bootstrap) as kafka_admin, connected(reader(bootstrap), bootstrap) as c:
        for group in groups:
            offsets = await kafka_admin.list_consumer_group_offsets(group)
            committed = {tp: meta.offset for tp, meta in offsets.items()}
            if not committed:
                lags[group] = None
                continue
            partitions = await partitions_of(c, sorted({tp.topic for tp in committed}))
            lags[group] = group_lag(committed, await c.end_offsets(partitions))
    return lags


def _cell(value: int | None, absent: str) -> str:
    return absent if value is None else str(value)


def _table(urls: dict[str, str], prefix: str, kafka: str) -> tuple[Table, bool]:
    health = {name: probe(url) for name, url in urls.items()}
    groups = {name: f"{prefix}-{name}" for name in urls}
    try:
        lags, kafka_note = run(consumer_lags(kafka, list(groups.values()))), None
    except CliError as exc:
        lags, kafka_note = {}, exc.message
    table = Table(
        "service", "readiness", "consumer group", "lag", "outbox backlog", title="Kinerja", caption_justify="left"
    )
    for name in urls:
        h = health[name]
        readiness = Text(h.readiness, style="green" if h.ready else "red")
        lag = "?" if kafka_note else _cell(lags.get(groups[name]), "-")
        table.add_row(name, readiness, groups[name], lag, _cell(h.outbox_backlog, "?"))
    notes = [f"{name}: nothing answers at {urls[name]}" for name, h in health.items() if h.readiness == UNREACHABLE]
    if kafka_note:
        notes.append(f"lag unknown: {kafka_note}")
    elif None in lags.values():
        notes.append("lag -: the group has committed no offset yet")
    table.caption = "\n".join(notes) or None
    return table, all(h.ready for h in health.values()) and kafka_note is None


def status(
    kafka: Kafka,
    intake_url: IntakeUrl,
    scoring_url: ScoringUrl,
    training_url: TrainingUrl,
    notification_url: NotificationUrl,
    dashboard_url: DashboardUrl,
    group_prefix: GroupPrefix = "kinerja",
    watch: Annotated[bool, typer.Option("--watch", help="Refresh until Ctrl-C")] = False,
    interval: Annotated[float, typer.Option("--interval", min=0.5, help="Seconds between refreshes")] = 2.0,
) -> None:
    """Every service's readiness, consumer lag per group and outbox backlog. Exit 1 if one is not ready."""
    urls = dict(zip(SERVICES, (intake_url, scoring_url, training_url, notification_url, dashboard_url), strict=True))
    if not watch:
        table, healthy = _table(urls, group_prefix, kafka)
        out.print(table)
        raise typer.Exit(0 if healthy else 1)
    healthy = False
    with Live(console=out, auto_refresh=False) as live:
        try:
            while True:
                table, healthy = _table(urls, group_prefix, kafka)
                live.update(Group(table, Text(f"every {interval:g} s, Ctrl-C stops", style="dim")), refresh=True)
                time.sleep(interval)
        except KeyboardInterrupt:
            pass
    raise typer.Exit(0 if healthy else 1)
