"""The operator CLI without a platform: names, periods, dead letters and their replays, status figures, and every
failure told in one line with a non-zero exit (a closed port, a missing or garbage file, an unknown topic)."""

import json
import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from aiokafka import TopicPartition
from typer.testing import CliRunner

from devtools.cli.app import app
from devtools.cli.common import CliError
from devtools.cli.dead_letters import (
    NotReplayable,
    Replay,
    matching,
    replay_event_id,
    replay_of,
    replays_by_dead_letter,
    unique,
    view_of,
)
from devtools.cli.kafka import resolve_topic, short_name
from devtools.cli.status import group_lag, outbox_backlog, readiness_of
from devtools.cli.submit import period_of
from devtools.cli.tail import concerns_agency
from devtools.devstack.processes import free_port
from shared.contracts import REPORT_SUBMITTED, SCORE_COMPUTED
from shared.contracts.reports import ReportSubmitted
from shared.messaging.dead_letters import DeadLetter, build_dead_letter
from shared.messaging.records import record_for

# --- names and periods ----------------------------------------------------------------------------------


def test_topics_are_known_by_their_short_and_full_names():
    assert short_name("kinerja.score.computed.v1") == "score.computed"
    assert short_name("kinerja.score.computed.v1.dlq") == "score.computed.dlq"
    assert resolve_topic("score.computed") == SCORE_COMPUTED.topic
    assert resolve_topic("score.computed.v1") == SCORE_COMPUTED.topic
    assert resolve_topic(SCORE_COMPUTED.topic) == SCORE_COMPUTED.topic
    assert resolve_topic("report.submitted.dlq") == REPORT_SUBMITTED.dlq_topic
    assert resolve_topic("dlq.replays") == "kinerja.dlq.replays"


def test_a_mistyped_topic_names_the_closest_and_the_valid_ones():
    with pytest.raises(CliError) as caught:
        resolve_topic("score.computd")
    assert "did you mean score.computed?" in caught.value.message
    assert "report.submitted" in caught.value.message and "\n" not in caught.value.message


@pytest.mark.parametrize(
    ("period_id", "expected"),
    [
        ("2026-10", ("bulanan", date(2026, 10, 1), date(2026, 10, 31))),
        ("2028-02", ("bulanan", date(2028, 2, 1), date(2028, 2, 29))),
        ("2026-q4", ("triwulanan", date(2026, 10, 1), date(2026, 12, 31))),
        ("2026-s1", ("semesteran", date(2026, 1, 1), date(2026, 6, 30))),
        ("2026", ("tahunan", date(2026, 1, 1), date(2026, 12, 31))),
    ],
)
def test_a_period_id_gives_the_period_intake_expects(period_id, expected):
    assert period_of(period_id) == expected


@pytest.mark.parametrize("period_id", ["2026-13", "2026-q5", "26-10", "2026-10-01", ""])
def test_a_period_id_that_is_none_is_refused(period_id):
    with pytest.raises(ValueError, match="is not 2026-10"):
        period_of(period_id)


# --- dead letters and replays ---------------------------------------------------------------------------


def _event(nip: str = "198503122010011002"):
    data = ReportSubmitted.model_validate(
        {
            "report_id": "test/r-1",
            "agency_id": "test",
            "nip": nip,
            "skp_id": f"skp-{nip}",
            "period": {"type": "bulanan", "start": "2026-10-01", "end": "2026-10-31"},
            "indicators": [
                {
                    "row_id": "layanan",
                    "rhk": "Layanan",
                    "jenis": "utama",
                    "aspek": "waktu",
                    "indikator": "Jam",
                    "polaritas": "lower_is_better",
                    "target": 8,
                    "satuan": "jam",
                    "realisasi": 8,
                }
            ],
            "submitted_at": datetime(2026, 11, 1, tzinfo=UTC),
        }
    )
    return REPORT_SUBMITTED.envelope(data=data, subject=nip, source="kinerja/intake", correlationid=str(uuid.uuid4()))


def _consumed(value: bytes, key: bytes = b"198503122010011002", headers=(), offset: int = 41):
    return SimpleNamespace(
        topic=REPORT_SUBMITTED.topic, partition=3, offset=offset, key=key, value=value, headers=list(headers)
    )


def _on_dlq(built, offset: int = 7):
    """The dead letter as a reader of the .dlq topic receives it."""
    record = built.record
    return SimpleNamespace(
        topic=record.topic,
        partition=0,
        offset=offset,
        timestamp=1_790_000_000_000,
        key=record.key,
        value=record.value,
        headers=tuple(record.headers),
    )


def _processing_failed(event, **options):
    original = record_for(REPORT_SUBMITTED, event)
    consumed = _consumed(original.value, original.key, original.headers)
    letter = DeadLetter(consumed, "processing_failed", "ValidationError: policy", event_id=event.id)
    return build_dead_letter(letter, "kinerja/scoring", **options)


def test_a_dead_letter_is_named_as_its_consumer_names_it():
    event = _event()
    built = _processing_failed(event)
    view = view_of(_on_dlq(built))
    assert view.id == built.record.id  # the consumer's own id, from the event id
    assert (view.original_topic, view.reason, view.consumer) == (
        REPORT_SUBMITTED.topic,
        "processing_failed",
        "kinerja/scoring",
    )
    assert view.event_id == event.id and not view.truncated

    poison = build_dead_letter(DeadLetter(_consumed(b"not json"), "invalid_event", "<root>: Invalid JSON"), "s")
    assert view_of(_on_dlq(poison)).id == poison.record.id  # from where the original was


def test_a_replay_is_the_original_event_under_an_id_derived_from_the_dead_letter():
    event = _event()
    view = view_of(_on_dlq(_processing_failed(event)))
    replay = replay_of(view)
    replayed = REPORT_SUBMITTED.envelope_model.model_validate_json(replay.value)
    assert replay.topic == REPORT_SUBMITTED.topic and replay.key == event.subject.encode()
    assert replayed.id == replay.event_id == replay_event_id(view.id) != event.id
    assert replayed.model_dump(exclude={"id"}) == event.model_dump(exclude={"id"})
    headers = dict(replay.headers)
    assert headers["kinerja_replay_of"] == event.id.encode()
    assert headers["kinerja_replay_dead_letter"] == view.id.encode()
    assert headers["kinerja_replay_for"] == b"kinerja/scoring"
    assert headers["correlation_id"] == event.correlationid.encode()
    assert not any(name.startswith("kinerja_dlq_") for name in headers)
    assert replay_of(view) == replay  # the same dead letter always replays as the same event


def test_a_cut_dead_letter_cannot_be_replayed_from_kafka_and_says_where_the_original_is():
    event = _event()
    built = _processing_failed(event, max_record_bytes=1200, database="kinerja_scoring")
    view = view_of(_on_dlq(built))
    assert view.truncated and view.id == built.record.id
    with pytest.raises(NotReplayable, match="cannot be replayed from Kafka") as caught:
        replay_of(view)
    assert f"kinerja_scoring/dead_letters/{view.id}" in str(caught.value)


def test_a_poison_record_is_not_replayed_to_be_dead_lettered_again():
    poison = build_dead_letter(DeadLetter(_consumed(b'{"id": "x"}'), "invalid_event", "data: missing"), "s")
    with pytest.raises(NotReplayable, match="would be dead-lettered again"):
        replay_of(view_of(_on_dlq(poison)))


def test_a_dead_letter_is_found_by_its_id_or_its_start_and_listed_once():
    first = view_of(_on_dlq(_processing_failed(_event()), offset=1))
    again = view_of(_on_dlq(_processing_failed(_event()), offset=2))
    letters = unique([first, view_of(_on_dlq(_processing_failed(_event()), offset=3)), again])
    assert len(letters) == 3
    assert matching(letters, first.id) == [first]
    assert matching(letters, first.id[:20]) == [first]
    assert len(matching(letters, "dlq-")) == 3
    assert matching(letters, "dlq-nope") == []
    assert unique([first, first]) == [first]  # a relay that republished it


def test_replays_are_read_back_per_dead_letter_and_foreign_records_ignored():
    at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    replay = Replay("dlq-1", REPORT_SUBMITTED.topic, "e-1", "e-2", at, "operator")
    again = Replay("dlq-1", REPORT_SUBMITTED.topic, "e-1", "e-2", at.replace(hour=11), "operator")
    assert Replay.from_json(replay.to_json()) == replay
    assert replays_by_dead_letter([replay.to_json(), b"junk", b"{}", again.to_json()]) == {"dlq-1": [replay, again]}


# --- status and tail ------------------------------------------------------------------------------------


def test_readiness_names_the_failing_checks():
    assert readiness_of(200, {"ready": True, "checks": {"mongo": True}}) == (True, "ready")
    assert readiness_of(503, {"ready": False, "checks": {"mongo": True, "kafka": False, "consumer": False}}) == (
        False,
        "not ready: consumer, kafka",
    )
    assert readiness_of(502, None) == (False, "not ready (HTTP 502)")


def test_the_outbox_backlog_is_read_from_prometheus_text():
    metrics = (
        "# HELP kinerja_outbox_pending Outbox records not yet published\n"
        "# TYPE kinerja_outbox_pending gauge\n"
        "kinerja_outbox_pending 17.0\n"
        "# TYPE kinerja_consumer_lag gauge\n"
        'kinerja_consumer_lag{group="g",partition="0",topic="t"} 3.0\n'
    )
    assert outbox_backlog(metrics) == 17
    assert outbox_backlog("# TYPE other gauge\nother 1.0\n") is None


def test_lag_sums_what_each_partition_has_beyond_the_committed_offset():
    a, b, c = (TopicPartition("t", p) for p in range(3))
    assert group_lag({a: 5, b: 10}, {a: 8, b: 10, c: 4}) == 3 + 0 + 4  # c never committed: counted from 0
    assert group_lag({a: -1}, {a: 2}) == 2  # -1: no committed offset


def test_tail_filters_events_about_an_agency():
    event = json.dumps({"subject": "198503122010011002", "data": {"agency_id": "bungo-dinkes"}}).encode()
    assert concerns_agency(event, "bungo-dinkes")
    assert not concerns_agency(event, "bungo-disdik")
    assert concerns_agency(json.dumps({"subject": "bungo-disdik", "data": {}}).encode(), "bungo-disdik")
    assert not concerns_agency(b"\x00poison", "bungo-dinkes")


# --- one line, never a traceback ------------------------------------------------------------------------

runner = CliRunner()


def _invoke(*args: str, env: dict[str, str] | None = None):
    result = runner.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _one_error_line(result, *fragments: str) -> None:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def closed() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "laporan.csv"
    path.write_text("nip;nama\n198503122010011002;Budi\n")
    return path


def test_an_unreachable_intake_is_one_line(closed, sheet):
    result = _invoke("submit", str(sheet), "--period", "2026-10", "--key", "kin_x", "--intake-url", closed)
    assert result.exit_code == 2
    _one_error_line(result, "intake is unreachable at", closed)


def test_an_unreachable_service_from_the_environment_is_one_line(closed):
    result = _invoke("rescore", "bungo-dinkes", "--period", "2026-10", env={"KINERJA_SCORING_URL": closed})
    _one_error_line(result, "scoring is unreachable at", closed)
    result = _invoke("keys", "create", "bungo-dinkes", env={"KINERJA_INTAKE_URL": closed})
    _one_error_line(result, "intake is unreachable")


def test_an_unreachable_kafka_is_one_line():
    kafka = f"127.0.0.1:{free_port()}"
    _one_error_line(_invoke("dlq", "list", "--kafka", kafka), f"Kafka is unreachable at {kafka}")
    _one_error_line(_invoke("tail", "score.computed", "--kafka", kafka), "Kafka is unreachable")


def test_a_missing_or_garbage_file_is_one_line(tmp_path, closed):
    args = ("--period", "2026-10", "--key", "kin_x", "--intake-url", closed)
    _one_error_line(_invoke("submit", str(tmp_path / "nope.xlsx"), *args), "no such file")
    garbage = tmp_path / "laporan.xlsx"
    garbage.write_bytes(b"\x00\x01 not a workbook")
    _one_error_line(_invoke("submit", str(garbage), *args), "not an XLSX workbook")
    text = tmp_path / "laporan.txt"
    text.write_text("nip\n")
    _one_error_line(_invoke("submit", str(text), *args), "not a CSV or XLSX file")
    empty = tmp_path / "kosong.csv"
    empty.write_bytes(b"")
    _one_error_line(_invoke("submit", str(empty), *args), "empty")


def test_bad_arguments_are_one_line(sheet, closed):
    _one_error_line(_invoke("tail", "score.computd"), "unknown topic 'score.computd'", "did you mean score.computed?")
    _one_error_line(_invoke("submit", str(sheet), "--period", "2026-13", "--key", "k"), "period '2026-13'")
    _one_error_line(_invoke("submit", str(sheet), "--period", "2026-10", "--intake-url", closed), "--key")
    _one_error_line(_invoke("rescore", "bungo-dinkes", "--scoring-url", closed), "--period", "--tahun")


def test_status_of_a_platform_that_is_down_is_a_table_and_exit_1(closed):
    urls = [
        arg
        for name in ("intake", "scoring", "training", "notification", "dashboard")
        for arg in (f"--{name}-url", closed)
    ]
    result = _invoke("status", "--kafka", f"127.0.0.1:{free_port()}", *urls)
    assert result.exit_code == 1
    assert result.stdout.count(f"nothing answers at {closed}") == 5
    assert "lag unknown: Kafka is unreachable" in result.stdout
