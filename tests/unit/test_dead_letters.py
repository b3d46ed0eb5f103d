"""Dead letters that would not fit a Kafka record: what is kept, and how it is counted. No I/O."""

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from shared.messaging.dead_letters import (
    DEAD_LETTERS,
    DEFAULT_MAX_RECORD_BYTES,
    RECORD_OVERHEAD_BYTES,
    DeadLetter,
    Fit,
    build_dead_letter,
    dead_letter_id,
    fit_dead_letter,
    headers_size,
    record_size,
)
from shared.messaging.relay import make_producer
from shared.settings import ServiceSettings

LIMIT = 100_000
TOPIC = "kinerja.report.submitted.v1"


@dataclass
class Consumed:
    """A consumed record as aiokafka hands it over."""

    value: bytes | None
    key: bytes | None = b"198503122010011002"
    headers: list = field(default_factory=lambda: [("content-type", b"application/json"), ("trace", b"t-1")])
    topic: str = TOPIC
    partition: int = 2
    offset: int = 7


def fit(value_len: int, key_len: int = 10, original: int = 50, dlq: int = 300, extra: int = 200, limit: int = LIMIT):
    return fit_dead_letter(
        key_len=key_len,
        value_len=value_len,
        original_headers_size=original,
        dlq_headers_size=dlq,
        truncation_headers_size=extra,
        max_record_bytes=limit,
    )


def planned_size(f: Fit, original: int = 50, dlq: int = 300, extra: int = 200) -> int:
    headers = (original if f.keep_headers else 0) + dlq + (extra if f.truncated else 0)
    return RECORD_OVERHEAD_BYTES + f.key_bytes + f.value_bytes + headers


def producer_size(key: bytes | None, value: bytes, headers: list) -> int:
    """What aiokafka checks against max_request_size before it sends a record."""
    return DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, headers)


def broker_size(key: bytes | None, value: bytes, headers: list) -> int:
    """What the broker checks against message.max.bytes: the batch as it goes over the wire."""
    builder = DefaultRecordBatchBuilder(
        magic=2,
        compression_type=0,
        is_transactional=0,
        producer_id=1,
        producer_epoch=0,
        base_sequence=0,
        batch_size=16384,
    )
    builder.append(0, 1_700_000_000_000, key, value, headers)
    return len(builder.build())


# --- the decision ------------------------------------------------------------------------


def test_a_record_that_fits_is_kept_whole():
    whole = RECORD_OVERHEAD_BYTES + 10 + 50 + 300
    assert fit(LIMIT - whole) == Fit(LIMIT - whole, 10, keep_headers=True, truncated=False)


def test_one_byte_over_cuts_the_value_to_exactly_the_limit():
    whole = RECORD_OVERHEAD_BYTES + 10 + 50 + 300
    cut = fit(LIMIT - whole + 1)
    assert cut.truncated and cut.keep_headers and cut.key_bytes == 10
    assert cut.value_bytes == LIMIT - whole - 200  # the truncation headers take their room from the value
    assert planned_size(cut) == LIMIT


def test_a_value_far_over_the_limit_keeps_the_longest_prefix_that_fits():
    cut = fit(5 * LIMIT)
    assert cut.truncated and planned_size(cut) == LIMIT


def test_original_headers_too_large_to_keep_are_dropped_before_the_value():
    cut = fit(1_000, original=LIMIT)
    assert cut == Fit(1_000, 10, keep_headers=False, truncated=True)


def test_a_key_too_large_to_keep_is_cut_too():
    cut = fit(1_000, key_len=2 * LIMIT)
    assert cut == Fit(0, LIMIT - RECORD_OVERHEAD_BYTES - 300 - 200, keep_headers=False, truncated=True)
    assert planned_size(cut) == LIMIT


def test_a_limit_that_cannot_hold_the_headers_is_refused():
    with pytest.raises(ValueError, match="cannot hold"):
        fit(10, dlq=LIMIT)


def test_whatever_the_sizes_the_planned_record_fits():
    rng = random.Random(7)
    for _ in range(2_000):
        sizes = {
            "key_len": rng.choice([0, 1, 20, rng.randrange(3 * LIMIT)]),
            "value_len": rng.choice([0, rng.randrange(LIMIT), rng.randrange(3 * LIMIT)]),
            "original": rng.choice([0, 100, rng.randrange(2 * LIMIT)]),
        }
        f = fit(sizes["value_len"], key_len=sizes["key_len"], original=sizes["original"])
        assert planned_size(f, original=sizes["original"]) <= LIMIT
        assert 0 <= f.value_bytes <= sizes["value_len"] and 0 <= f.key_bytes <= sizes["key_len"]
        if not f.truncated:
            assert (f.value_bytes, f.key_bytes, f.keep_headers) == (sizes["value_len"], sizes["key_len"], True)


# --- the size estimate against what the producer and the broker count ---------------------------


@pytest.mark.parametrize("value_len", [0, 63, 64, 8_191, 8_192, 1_048_575, 1_048_576, 4_000_000])
@pytest.mark.parametrize("key", [None, b"", b"k" * 64, b"k" * 70_000])
def test_the_estimate_is_never_below_what_the_producer_or_the_broker_counts(value_len, key):
    value = b"v" * value_len
    headers = [("content-type", b"application/json"), ("h" * 200, b"x" * 20_000), ("empty", b"")]
    estimate = record_size(key, value, headers)
    assert estimate >= producer_size(key, value, headers) >= broker_size(key, value, headers)


def test_headers_size_counts_utf8_header_names():
    assert headers_size([("é", b"ab")]) == headers_size([("xx", b"ab")])


# --- the dead letter ---------------------------------------------------------------------


def test_a_small_dead_letter_is_the_original_whole():
    built = build_dead_letter(DeadLetter(Consumed(b"not json"), "invalid_event", "Invalid JSON"), "kinerja/scoring")
    assert built.original is None
    assert built.record.value == b"not json"
    headers = dict(built.record.headers)
    assert headers["trace"] == b"t-1" and "kinerja_dlq_truncated" not in headers


def test_a_dead_letter_too_large_for_kafka_keeps_a_prefix_and_says_where_the_rest_is():
    value = random.Random(1).randbytes(LIMIT)
    d = DeadLetter(Consumed(value), "invalid_event", "Invalid JSON")
    at = datetime(2026, 10, 31, tzinfo=UTC)

    built = build_dead_letter(d, "kinerja/scoring", max_record_bytes=LIMIT, database="kinerja_scoring", at=at)

    record = built.record
    assert record.id == dead_letter_id(d) and record.topic == TOPIC + ".dlq"
    assert value.startswith(record.value) and len(record.value) < len(value)
    assert record_size(record.key, record.value, record.headers) <= LIMIT
    assert record_size(record.key, record.value, record.headers) > LIMIT - 100  # the longest prefix that fits
    assert producer_size(record.key, record.value, record.headers) <= LIMIT
    headers = dict(record.headers)
    assert headers["trace"] == b"t-1"  # the original headers are kept
    assert headers["kinerja_dlq_reason"] == b"invalid_event"
    assert headers["kinerja_dlq_truncated"] == b"true"
    assert headers["kinerja_dlq_value_bytes"] == str(LIMIT).encode()
    assert headers["kinerja_dlq_value_sha256"] == hashlib.sha256(value).hexdigest().encode()
    assert headers["kinerja_dlq_original"] == f"kinerja_scoring/{DEAD_LETTERS}/{record.id}".encode()
    assert "kinerja_dlq_headers_dropped" not in headers and "kinerja_dlq_key_bytes" not in headers
    assert built.original == {
        "_id": record.id,
        "dead_letter_id": d.id,
        "topic": TOPIC,
        "partition": 2,
        "offset": 7,
        "key": b"198503122010011002",
        "value": value,
        "headers": [["content-type", b"application/json"], ["trace", b"t-1"]],
        "reason": "invalid_event",
        "error": "Invalid JSON",
        "consumer": "kinerja/scoring",
        "at": at,
    }


def test_huge_original_headers_and_key_are_dropped_or_cut_but_the_dead_letter_still_fits():
    original = Consumed(b"v" * 1_000, key=b"k" * 2 * LIMIT, headers=[("big", b"h" * LIMIT), ("none", None)])
    built = build_dead_letter(DeadLetter(original, "invalid_event", "x"), "s", max_record_bytes=LIMIT, database="db")
    record = built.record
    headers = dict(record.headers)
    assert "big" not in headers and headers["kinerja_dlq_headers_dropped"] == b"2"
    assert headers["kinerja_dlq_key_bytes"] == str(2 * LIMIT).encode()
    assert original.key.startswith(record.key) and record.value == b""
    assert producer_size(record.key, record.value, record.headers) <= LIMIT
    assert built.original["headers"] == [["big", b"h" * LIMIT], ["none", None]]
    assert built.original["key"] == original.key


def test_the_error_header_is_capped_even_when_the_reason_is_not():
    d = DeadLetter(Consumed(b"{}"), "wrong_event_type", "t" * 50_000 + " v1 does not belong here")
    built = build_dead_letter(d, "s", max_record_bytes=20_000)
    assert len(dict(built.record.headers)["kinerja_dlq_error"]) == 2_000
    assert built.original is None and built.record.value == b"{}"


def test_the_dead_letter_id_does_not_depend_on_its_size():
    d = DeadLetter(Consumed(b"x" * LIMIT), "r", "d")
    assert build_dead_letter(d, "s", max_record_bytes=LIMIT).record.id == build_dead_letter(d, "s").record.id


# --- configuration ----------------------------------------------------------------------------


def test_the_record_limit_defaults_below_the_brokers_and_is_read_from_the_environment(monkeypatch):
    assert DEFAULT_MAX_RECORD_BYTES == ServiceSettings().kafka_max_record_bytes == 1_000_000
    assert DEFAULT_MAX_RECORD_BYTES < 1_048_588  # Kafka's (and noida-db's) default message.max.bytes
    monkeypatch.setenv("KINERJA_KAFKA_MAX_RECORD_BYTES", "500000")
    assert ServiceSettings().kafka_max_record_bytes == 500_000


async def test_the_relay_producer_refuses_what_exceeds_the_record_limit():
    limited = make_producer(ServiceSettings(kafka_max_record_bytes=123_456))
    overridden = make_producer(ServiceSettings(), max_request_size=5)
    try:
        assert limited._max_request_size == 123_456
        assert overridden._max_request_size == 5
    finally:
        await limited.stop()  # never started: this only releases it
        await overridden.stop()
