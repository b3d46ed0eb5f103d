"""Pure parts of messaging: unit-of-work bookkeeping, record encoding, dead letters."""

import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from pydantic import BaseModel, ValidationError

from shared.contracts import CONTENT_TYPE, NOTIFICATION_SENT
from shared.contracts.notifications import NotificationSent, RecipientRole
from shared.messaging import unit_of_work
from shared.messaging.dead_letters import DeadLetter, build_dead_letter, describe_validation_error
from shared.messaging.records import OutgoingRecord, outbox_documents, record_for
from shared.messaging.unit_of_work import UnitOfWork, next_seq

NIP = "198503122010011002"


class UntouchableDb:
    """A database that fails the test if anything reads or writes it."""

    def __getitem__(self, name):
        raise AssertionError(f"collection {name!r} was used")

    @property
    def client(self):
        raise AssertionError("database client was used")


class OneDocDb:
    """A database whose every collection finds the same document."""

    def __init__(self, doc):
        self.doc, self.queries = doc, []

    def __getitem__(self, name):
        db = self

        class Collection:
            async def find_one(self, filter_):
                db.queries.append((name, filter_))
                return db.doc

        return Collection()


@dataclass
class ConsumedRecord:
    topic: str = NOTIFICATION_SENT.topic
    partition: int = 3
    offset: int = 42
    key: bytes | None = NIP.encode()
    value: bytes | None = b'{"not": "an envelope"}'
    headers: list = field(default_factory=lambda: [("content-type", b"application/json"), ("trace", b"t-1")])


def envelope():
    data = NotificationSent(
        notification_id="n-1",
        agency_id="bungo-dinkes",
        recipient_role=RecipientRole.PEGAWAI,
        recipient_nip=NIP,
        about_event_id="e-1",
        about_event_type="kinerja.score.computed",
        judul="Predikat kinerja: Baik",
        pesan="hasil penilaian kinerja",
        sent_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    return NOTIFICATION_SENT.envelope(data=data, subject=NIP, source="kinerja/notification", correlationid="corr-1")


# --- UnitOfWork ---------------------------------------------------------------------


async def test_get_sees_a_document_put_earlier_without_reading_the_db():
    uow = UnitOfWork(UntouchableDb())
    uow.put("people", {"_id": NIP, "nama": "Siti"})
    uow.put("people", {"_id": NIP, "nama": "Siti R."})
    assert await uow.get("people", NIP) == {"_id": NIP, "nama": "Siti R."}


async def test_get_sees_a_document_inserted_earlier():
    uow = UnitOfWork(UntouchableDb())
    uow.insert("reports", {"_id": "rpt-1", "status": "accepted"})
    assert (await uow.get("reports", "rpt-1"))["status"] == "accepted"


async def test_get_reads_the_db_for_documents_not_put():
    db = OneDocDb({"_id": "other"})
    uow = UnitOfWork(db)
    uow.put("people", {"_id": NIP})
    assert await uow.get("notifications", NIP) == {"_id": "other"}
    assert db.queries == [("notifications", {"_id": NIP})]


def test_new_unit_of_work_is_empty():
    assert UnitOfWork(UntouchableDb()).is_empty


@pytest.mark.parametrize(
    "change",
    [
        lambda uow: uow.put("c", {"_id": 1}),
        lambda uow: uow.insert("c", {"x": 1}),
        lambda uow: uow.update("c", 1, set_={"x": 1}),
        lambda uow: uow.publish(NOTIFICATION_SENT, envelope()),
        lambda uow: uow.mark_processed("e-1", "t"),
    ],
    ids=["put", "insert", "update", "publish", "mark_processed"],
)
def test_any_change_makes_it_non_empty(change):
    uow = UnitOfWork(UntouchableDb())
    change(uow)
    assert not uow.is_empty


async def test_committing_nothing_does_not_touch_the_db():
    await UnitOfWork(UntouchableDb()).commit()


def test_publish_queues_the_encoded_record():
    env = envelope()
    uow = UnitOfWork(UntouchableDb())
    uow.publish(NOTIFICATION_SENT, env)
    assert uow.outgoing == [record_for(NOTIFICATION_SENT, env)]


def test_next_seq_is_strictly_increasing_and_fits_int64():
    seqs = [next_seq() for _ in range(10_000)]
    assert all(a < b for a, b in itertools.pairwise(seqs))
    assert seqs[0] > 0 and seqs[-1] < 2**63


@pytest.mark.parametrize("clock", [lambda: 1_700_000_000_000_000_000, itertools.count(2**62, -1000).__next__])
def test_next_seq_keeps_increasing_on_a_coarse_or_backward_clock(monkeypatch, clock):
    monkeypatch.setattr(unit_of_work, "_last_seq", 0)  # restored afterwards, so later seqs stay on the real clock
    monkeypatch.setattr(unit_of_work, "time", SimpleNamespace(time_ns=clock))
    seqs = [next_seq() for _ in range(10_000)]
    assert all(a < b for a, b in itertools.pairwise(seqs))
    assert seqs[-1] < 2**63


# --- records ------------------------------------------------------------------------


def test_record_for_keys_by_subject_and_carries_the_envelope():
    env = envelope()
    record = record_for(NOTIFICATION_SENT, env)
    assert (record.id, record.topic, record.key) == (env.id, "kinerja.notification.sent.v1", NIP.encode())
    assert NOTIFICATION_SENT.envelope_model.model_validate_json(record.value) == env
    headers = dict(record.headers)
    assert headers["content-type"] == b"application/cloudevents+json" == CONTENT_TYPE.encode()
    assert headers["ce_type"] == b"kinerja.notification.sent"
    assert headers["correlation_id"] == b"corr-1"


def test_one_commit_is_one_pending_outbox_document_holding_its_records_in_order():
    records = [record_for(NOTIFICATION_SENT, envelope()) for _ in range(3)]
    created = datetime(2026, 10, 31, tzinfo=UTC)
    seqs = iter([7, 8])
    (doc,) = outbox_documents(records, lambda: next(seqs), created)
    assert doc["_id"] == records[0].id and doc["status"] == "pending" and doc["seq"] == 7
    assert doc["created_at"] == created and doc["count"] == 3
    assert [OutgoingRecord.from_entry(e) for e in doc["records"]] == records
    assert json.loads(doc["records"][0]["value"])["subject"] == NIP


def test_a_commit_larger_than_an_outbox_document_is_split_in_order():
    records = [OutgoingRecord(id=f"r{i}", topic="t", key=b"k", value=b"x" * 400) for i in range(10)]
    seqs = iter(range(1, 100))
    docs = outbox_documents(records, lambda: next(seqs), datetime.now(UTC), max_bytes=1000)
    assert [d["count"] for d in docs] == [2, 2, 2, 2, 2]  # 401 bytes each: two fit in 1,000
    assert [d["seq"] for d in docs] == [1, 2, 3, 4, 5]
    assert [e["id"] for d in docs for e in d["records"]] == [r.id for r in records]


# --- dead letters -------------------------------------------------------------------


def test_dead_letter_keeps_the_original_and_explains_why():
    original = ConsumedRecord()
    out = build_dead_letter(DeadLetter(original, "invalid_envelope", "data.nip: wrong"), "kinerja/scoring").record
    assert out.topic == "kinerja.notification.sent.v1.dlq"
    assert (out.key, out.value) == (original.key, original.value)
    assert out.headers[:2] == original.headers
    assert dict(out.headers[2:]) == {
        "kinerja_dlq_reason": b"invalid_envelope",
        "kinerja_dlq_error": b"data.nip: wrong",
        "kinerja_dlq_topic": b"kinerja.notification.sent.v1",
        "kinerja_dlq_partition": b"3",
        "kinerja_dlq_offset": b"42",
        "kinerja_dlq_consumer": b"kinerja/scoring",
    }


def test_dead_letter_of_a_tombstone_with_empty_headers():
    out = build_dead_letter(DeadLetter(ConsumedRecord(value=None, headers=[("h", None)]), "r", "d"), "s").record
    assert out.value == b""
    assert out.headers[0] == ("h", b"")


def test_dead_letter_id_is_stable_for_the_same_record():
    first = build_dead_letter(DeadLetter(ConsumedRecord(), "r", "d"), "s").record
    again = build_dead_letter(DeadLetter(ConsumedRecord(), "other reason", "other detail"), "s").record
    elsewhere = build_dead_letter(DeadLetter(ConsumedRecord(offset=43), "r", "d"), "s").record
    assert first.id == again.id
    assert first.id != elsewhere.id
    assert first.id.startswith("dlq-")


def test_dead_letter_id_follows_the_event_id_across_redeliveries():
    a = build_dead_letter(DeadLetter(ConsumedRecord(offset=1), "r", "d", event_id="e-1"), "s").record
    b = build_dead_letter(DeadLetter(ConsumedRecord(offset=2), "r", "d", event_id="e-1"), "s").record
    c = build_dead_letter(DeadLetter(ConsumedRecord(offset=1), "r", "d", event_id="e-2"), "s").record
    assert a.id == b.id != c.id


def test_describe_validation_error_names_the_field_path():
    raw = envelope().model_dump(mode="json")
    raw["data"]["recipient_role"] = "kepala"
    with pytest.raises(ValidationError) as caught:
        NOTIFICATION_SENT.envelope_model.model_validate(raw)
    assert describe_validation_error(caught.value).startswith("data.recipient_role: ")


def test_describe_validation_error_marks_root_errors_and_limits_length():
    class Many(BaseModel):
        items: list[int]

    with pytest.raises(ValidationError) as caught:
        Many.model_validate({"items": ["x"] * 50})
    described = describe_validation_error(caught.value)
    assert described.count("items.") == 10 and len(described) <= 2000

    with pytest.raises(ValidationError) as caught:
        Many.model_validate("not a dict")
    assert describe_validation_error(caught.value).startswith("<root>: ")


async def test_get_sees_partial_updates_as_they_will_be_committed():
    uow = UnitOfWork(OneDocDb({"_id": "a", "anggaran": 100, "terpakai": 10}))
    uow.update("budgets", "a", inc={"terpakai": 5})
    uow.update("budgets", "a", set_={"anggaran": 200}, set_on_insert={"terpakai": 0}, upsert=True)
    uow.update("budgets", "a", inc={"terpakai": 7})

    assert await uow.get("budgets", "a") == {"_id": "a", "anggaran": 200, "terpakai": 22}


async def test_get_sees_dotted_paths_as_nested_fields_and_leaves_the_read_untouched():
    stored = {"_id": "a", "periods": {"2026-09": {"predikat": "baik"}}, "n": {"x": 1}}
    uow = UnitOfWork(OneDocDb(stored))
    uow.update("outcomes", "a", set_={"periods.2026-10": {"predikat": "sangat_baik"}}, inc={"n.x": 2, "n.y": 1})

    assert await uow.get("outcomes", "a") == {
        "_id": "a",
        "periods": {"2026-09": {"predikat": "baik"}, "2026-10": {"predikat": "sangat_baik"}},
        "n": {"x": 3, "y": 1},
    }
    assert stored["periods"] == {"2026-09": {"predikat": "baik"}}  # the database's answer is not changed


async def test_a_deleted_document_reads_as_gone_and_a_later_upsert_brings_it_back():
    uow = UnitOfWork(OneDocDb({"_id": "a", "n": 1}))
    uow.delete("queue", "a")

    assert await uow.get("queue", "a") is None
    uow.update("queue", "a", set_on_insert={"n": 5}, upsert=True)
    assert await uow.get("queue", "a") == {"_id": "a", "n": 5}


async def test_upsert_creates_the_document_that_get_returns():
    uow = UnitOfWork(OneDocDb(None))
    uow.update("budgets", "new", inc={"pegawai": 1}, set_on_insert={"terpakai": 0}, upsert=True)
    uow.update("budgets", "missing", inc={"pegawai": 1})  # no upsert: stays absent

    assert await uow.get("budgets", "new") == {"_id": "new", "terpakai": 0, "pegawai": 1}
    assert await uow.get("budgets", "missing") is None


async def test_put_replaces_earlier_partial_updates():
    uow = UnitOfWork(UntouchableDb())
    uow.update("budgets", "a", inc={"terpakai": 5}, upsert=True)
    uow.put("budgets", {"_id": "a", "terpakai": 1})

    assert await uow.get("budgets", "a") == {"_id": "a", "terpakai": 1}


async def test_get_reads_each_document_once_per_unit_of_work():
    db = OneDocDb({"_id": "a", "terpakai": 1})
    uow = UnitOfWork(db)
    uow.update("budgets", "a", inc={"terpakai": 1})

    assert (await uow.get("budgets", "a"))["terpakai"] == 2
    assert (await uow.get("budgets", "a"))["terpakai"] == 2  # overlays apply to the cached read, not twice
    assert len(db.queries) == 1
