"""The audit of bench.scale_out after each run, from the services' outboxes: order per NIP (score events,
training events and each kind of notice, in outbox `seq` order, follow the months sent) and loss and
duplicates (each report's events and notices against expectations, and the notices stored)."""

import json
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from pymongo import MongoClient

from bench.population import Population
from shared.contracts import NOTIFICATION_SENT, SCORE_COMPUTED

IN_CHUNK = 200


def envelopes(mongo: MongoClient, service: str, topic: str, since: datetime) -> list[tuple[tuple[int, int], dict]]:
    """((seq, position), envelope) of the `topic` events `service` committed to its outbox since `since`.

    An outbox document is either one record (topic, value) or one commit's records in order (records: [...]).
    """
    query = {"created_at": {"$gte": since.replace(tzinfo=None)}}
    found = []
    for doc in mongo[f"kinerja_{service}"].outbox.find(query, {"seq": 1, "topic": 1, "value": 1, "records": 1}):
        records = doc.get("records") or [doc]
        found += [
            ((doc["seq"], i), json.loads(bytes(r["value"]))) for i, r in enumerate(records) if r["topic"] == topic
        ]
    return found


def collect(mongo: MongoClient, wanted: set[tuple[str, int]], since: datetime) -> tuple[dict, Counter, list[str]]:
    """Per (NIP, stream) the months in commit order; per (NIP, month, stream) a count; the notice ids."""
    streams: dict[tuple[str, str], list[tuple[tuple[int, int], int]]] = defaultdict(list)
    counts: Counter = Counter()
    cause: dict[str, tuple[str, int, str]] = {}  # event id -> (NIP, month, kind)

    def record(seq: tuple[int, int], nip: str, month: int, stream: str) -> None:
        streams[(nip, stream)].append((seq, month))
        counts[(nip, month, stream)] += 1

    for seq, env in envelopes(mongo, "scoring", SCORE_COMPUTED.topic, since):
        data = env["data"]
        key = (data["nip"], int(data["period"]["start"][5:7]))
        if key in wanted:
            cause[env["id"]] = (*key, "score")
            record(seq, *key, "score event")
    notice_ids = []
    for seq, env in envelopes(mongo, "notification", NOTIFICATION_SENT.topic, since):
        data = env["data"]
        if (about := cause.get(data["about_event_id"])) is not None:
            nip, month, kind = about
            notice_ids.append(data["notification_id"])
            record(seq, nip, month, f"{kind} notice to {data['recipient_role']}")
    return streams, counts, notice_ids


def audit(
    mongo: MongoClient, population: Population, months: list[int], reports: int, since: datetime
) -> dict[str, Any]:
    """Order violations per NIP and stream; missing and duplicate events and notices against expectations."""
    chosen = [(nip, m) for m in months for _, nip in population.employees()][:reports]  # as pipeline.platform_saturated
    streams, counts, notice_ids = collect(mongo, set(chosen), since)
    expected: Counter = Counter()
    for nip, month in chosen:
        expected.update({(nip, month, "score event"): 1, (nip, month, "score notice to pegawai"): 1})
        if population.has_atasan[nip]:
            expected[(nip, month, "score notice to atasan")] += 1
    keys = set(expected) | set(counts)
    missing = sum(max(0, expected[k] - counts[k]) for k in keys)
    duplicate = sum(max(0, counts[k] - expected[k]) for k in keys)
    out_of_order = sorted(
        f"{nip} {stream}: months {[m for _, m in sorted(seq_months)]}"
        for (nip, stream), seq_months in streams.items()
        if [m for _, m in sorted(seq_months)] != sorted(m for _, m in seq_months)
    )
    notifications = mongo["kinerja_notification"].notifications
    stored = sum(
        notifications.count_documents({"_id": {"$in": notice_ids[i : i + IN_CHUNK]}})
        for i in range(0, len(notice_ids), IN_CHUNK)
    )
    expected_notices = sum(v for (_, _, s), v in expected.items() if "notice" in s)
    return {
        "nips_checked": len({nip for nip, _ in streams}),
        "streams_checked": len(streams),
        "multi_month_streams": sum(len(v) > 1 for v in streams.values()),
        "order_violations": len(out_of_order),
        "order_violation_examples": out_of_order[:10],
        "expected_events_and_notices": sum(expected.values()),
        "missing": missing,
        "duplicate": duplicate,
        "notices_expected": expected_notices,
        "notices_stored": stored,
        "notices_stored_distinct": len(set(notice_ids)),
    }
