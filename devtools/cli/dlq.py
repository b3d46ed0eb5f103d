"""`kinerja dlq list|show|replay`: the dead letters on the `.dlq` topics, read from Kafka only.

Replays are recorded on `kinerja.dlq.replays` (keyed by dead letter id, kept without a time limit), so every
operator sees what was replayed, by whom and when, and a second replay is refused unless `--again`.
"""

import getpass
import os
from datetime import UTC, datetime
from typing import Annotated

import typer
from aiokafka.admin import NewTopic
from rich.json import JSON
from rich.table import Table
from rich.text import Text

from shared.contracts import ALL_EVENTS

from .common import CliError, Kafka, fail, out, reported, run
from .dead_letters import (
    DeadLetterView,
    NotReplayable,
    Replay,
    matching,
    replay_of,
    replays_by_dead_letter,
    unique,
    view_of,
)
from .kafka import REPLAYS_TOPIC, admin, connected, read_to_end, resolve_topic, short_name, writer

app = typer.Typer(help="Dead letters: list them, show one, replay one.", no_args_is_help=True)

TOPIC_ALREADY_EXISTS = 36
TopicFilter = Annotated[
    str | None, typer.Option("--topic", help="Only this topic's dead letters (e.g. report.submitted)")
]
DeadLetterId = Annotated[str, typer.Argument(help="A dead letter id as `kinerja dlq list` shows it, or its start")]


def _dlq_topics(topic: str | None) -> list[str]:
    if topic is None:
        return [spec.dlq_topic for spec in ALL_EVENTS]
    full = resolve_topic(topic)
    return [full if full.endswith(".dlq") else full + ".dlq"]


async def _read(bootstrap: str, topic: str | None) -> tuple[list[DeadLetterView], dict[str, list[Replay]]]:
    records = await read_to_end(bootstrap, [*_dlq_topics(topic), REPLAYS_TOPIC])
    letters = unique(view_of(r) for r in records if r.topic != REPLAYS_TOPIC)
    replays = replays_by_dead_letter(r.value or b"" for r in records if r.topic == REPLAYS_TOPIC)
    return sorted(letters, key=lambda d: d.at), replays


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@app.command("list")
@reported
def list_dead_letters(kafka: Kafka, topic: TopicFilter = None) -> None:
    """Dead letters across every .dlq topic (or one): id, topic, key (NIP or agency), reason, when, replayed."""
    letters, replays = run(_read(kafka, topic))
    if not letters:
        out.print(f"no dead letters on {'any .dlq topic' if topic is None else _dlq_topics(topic)[0]}")
        return
    title = f"{len(letters)} dead letter{'' if len(letters) == 1 else 's'}"
    table = Table("id", "topic", "key", "reason", "when (UTC)", "replayed", title=title)
    for letter in letters:
        done = replays.get(letter.id)
        replayed = f"yes, {_when(done[-1].replayed_at)}" if done else "no"
        key = (letter.key or b"").decode(errors="replace")
        table.add_row(letter.id, short_name(letter.original_topic), key, letter.reason, _when(letter.at), replayed)
    out.print(table)


def _one(letters: list[DeadLetterView], wanted: str) -> DeadLetterView:
    found = matching(letters, wanted)
    if not found:
        fail(f"no dead letter {wanted} on the .dlq topics (`kinerja dlq list` shows them)")
    if len(found) > 1:
        fail(f"{wanted} is the start of {len(found)} dead letter ids: {', '.join(d.id for d in found[:5])}")
    return found[0]


@app.command()
@reported
def show(dead_letter: DeadLetterId, kafka: Kafka) -> None:
    """One dead letter: why, its headers, the original event, and its replays."""
    letters, replays = run(_read(kafka, None))
    letter = _one(letters, dead_letter)
    table = Table("header", "value", title=f"{letter.id} ({letter.dlq_topic} {letter.partition}/{letter.offset})")
    for name, value in sorted(letter.dlq.items()):
        table.add_row(f"kinerja_dlq_{name}", value)
    for name, value in letter.original_headers:
        table.add_row(name, value.decode(errors="replace"))
    out.print(table)
    try:
        out.print(JSON(letter.value.decode()))
    except (ValueError, UnicodeDecodeError):
        out.print(repr(letter.value[:2000]))
    for replay in replays.get(letter.id, []):
        out.print(f"replayed {_when(replay.replayed_at)} UTC by {replay.by} as event {replay.event_id}")
    try:
        replay_of(letter)
    except NotReplayable as reason:
        out.print(Text(f"cannot be replayed: {reason}", style="yellow"))


def _operator() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no passwd entry (a container's arbitrary uid)
        return f"uid {os.getuid()}"


async def _ensure_replays_topic(bootstrap: str) -> None:
    async with connected(admin(bootstrap), bootstrap) as client:
        if REPLAYS_TOPIC in await client.list_topics():
            return
        replication = int(os.environ.get("KINERJA_TOPIC_REPLICATION", "1"))
        # An audit trail of who replayed what: kept without a time limit.
        topic = NewTopic(REPLAYS_TOPIC, 1, replication, topic_configs={"retention.ms": "-1"})
        response = await client.create_topics([topic])
        for name, code, message in response.topic_errors:
            if code not in (0, TOPIC_ALREADY_EXISTS):
                fail(f"could not create {name}: {message or code}")


async def _replay(bootstrap: str, letter: DeadLetterView) -> Replay:
    event = replay_of(letter)
    await _ensure_replays_topic(bootstrap)
    replay = Replay(letter.id, event.topic, letter.event_id, event.event_id, datetime.now(UTC), _operator())
    async with connected(writer(bootstrap), bootstrap) as producer:
        await producer.send_and_wait(event.topic, event.value, key=event.key, headers=event.headers)
        try:
            await producer.send_and_wait(REPLAYS_TOPIC, replay.to_json(), key=letter.id.encode())
        except Exception as exc:
            raise CliError(
                f"{letter.id} was replayed as event {event.event_id}, but recording it on {REPLAYS_TOPIC} failed "
                f"({type(exc).__name__}); replaying it again sends the same event id, which the consumer drops"
            ) from None
    return replay


@app.command()
@reported
def replay(
    dead_letter: DeadLetterId,
    kafka: Kafka,
    again: Annotated[
        bool, typer.Option("--again", help="Publish it again though it was replayed (the same event id)")
    ] = False,
) -> None:
    """Publish the original event again to its topic under a new event id derived from the dead letter id, and
    record the replay. A replay that fails again is a new dead letter, with its own id: replay that one."""
    letters, replays = run(_read(kafka, None))
    letter = _one(letters, dead_letter)
    if (done := replays.get(letter.id)) and not again:
        last = done[-1]
        fail(
            f"{letter.id} was replayed already ({_when(last.replayed_at)} UTC by {last.by}, event {last.event_id}); "
            f"--again publishes it once more under the same event id, which the consumer drops if it processed it",
            exit_code=1,
        )
    try:
        done_now = run(_replay(kafka, letter))
    except NotReplayable as reason:
        fail(f"{letter.id} cannot be replayed: {reason}", exit_code=1)
    original = f" (was {done_now.original_event_id})" if done_now.original_event_id else ""
    out.print(f"replayed {letter.id} to {done_now.original_topic} as event {done_now.event_id}{original}")
