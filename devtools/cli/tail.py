"""`kinerja tail TOPIC`: a topic's events as they come, each CloudEvents envelope pretty-printed.

It reads outside any consumer group, so tailing never moves a service's offsets.
"""

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from aiokafka import ConsumerRecord
from rich.json import JSON
from rich.text import Text

from .common import Kafka, fail, out, run
from .kafka import connected, partitions_of, reader, resolve_topic, short_name


def concerns_agency(value: bytes | None, agency: str) -> bool:
    """An event about the agency: its data names the agency, or (agency events) its subject is the agency."""
    try:
        envelope = json.loads(value or b"")
    except ValueError:
        return False
    if not isinstance(envelope, dict):
        return False
    data = envelope.get("data")
    return envelope.get("subject") == agency or (isinstance(data, dict) and data.get("agency_id") == agency)


def _headline(record: ConsumerRecord) -> str:
    at = datetime.fromtimestamp(record.timestamp / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
    key = (record.key or b"").decode(errors="replace")
    return f"{short_name(record.topic)} {record.partition}/{record.offset} · {at} UTC · key {key}"


def _show(record: ConsumerRecord) -> None:
    out.rule(_headline(record), align="left")
    try:
        out.print(JSON((record.value or b"").decode()))
    except (ValueError, UnicodeDecodeError):  # a poison record, as a dead-letter topic holds
        out.print(repr((record.value or b"")[:2000]))
    for name, value in record.headers or ():
        if name.startswith(("kinerja_dlq_", "kinerja_replay_")):
            out.print(Text(f"{name}: {bytes(value or b'').decode(errors='replace')}", style="dim"))


async def _tail(bootstrap: str, topic: str, from_beginning: bool, agency: str | None, limit: int | None) -> None:
    async with connected(reader(bootstrap), bootstrap) as consumer:
        partitions = await partitions_of(consumer, [topic])
        if not partitions:
            fail(f"{topic} does not exist on Kafka at {bootstrap} (the platform creates its topics when it starts)")
        consumer.assign(partitions)
        await (consumer.seek_to_beginning(*partitions) if from_beginning else consumer.seek_to_end(*partitions))
        shown = 0
        while limit is None or shown < limit:
            batches = await consumer.getmany(timeout_ms=1000)
            records: list[Any] = sorted((r for rs in batches.values() for r in rs), key=lambda r: r.timestamp)
            for record in records:
                if agency is not None and not concerns_agency(record.value, agency):
                    continue
                _show(record)
                shown += 1
                if limit is not None and shown >= limit:
                    break


def tail(
    topic: Annotated[str, typer.Argument(help="e.g. score.computed, report.submitted.dlq, or a full topic name")],
    kafka: Kafka,
    from_beginning: Annotated[bool, typer.Option("--from-beginning", help="Start at the oldest record")] = False,
    agency: Annotated[str | None, typer.Option("--agency", help="Only events about this agency")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Stop after this many events")] = None,
) -> None:
    """Follow a topic from now on (or from its beginning) until Ctrl-C or --limit events."""
    full = resolve_topic(topic)
    try:
        run(_tail(kafka, full, from_beginning, agency, limit))
    except KeyboardInterrupt:
        return
