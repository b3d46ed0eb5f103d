"""How each event changes the read model: which copy wins, and what a score adds to its period's totals.

Events arrive more than once and out of order (redeliveries, revisions, a replay); every rule here keeps the
newest state and counts each report once, so the pages never double a number.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shared.contracts.labels import BERAKHLAK_LABEL, PREDIKAT_LABEL, RATING_LABEL
from shared.contracts.scores import AnnualScoreComputed, ScoreComputed


@dataclass(frozen=True)
class StoredScore:
    """What the read model keeps of the score it shows for an employee's period."""

    report_id: str
    revision: int
    computed_at: datetime
    nilai: float | None

    @classmethod
    def of(cls, entry: dict[str, Any] | None) -> "StoredScore | None":
        if entry is None:
            return None
        return cls(entry["report_id"], entry["revision"], entry["computed_at"], entry.get("nilai_hasil_kerja"))


def score_replaces(event: ScoreComputed, stored: StoredScore | None) -> bool:
    """A later revision of the same report, or a later report for the period (a resend after a transfer)."""
    if stored is None:
        return True
    if event.report_id == stored.report_id:
        return event.revision > stored.revision
    return _utc_millis(event.computed_at) > _utc_millis(stored.computed_at)


@dataclass(frozen=True)
class NilaiDelta:
    """What a score changes in its period's running mean of nilai hasil kerja."""

    total: float
    count: int


def nilai_delta(event: ScoreComputed, stored: StoredScore | None) -> NilaiDelta:
    before = stored.nilai if stored is not None else None
    after = event.nilai_hasil_kerja
    return NilaiDelta(
        total=(after or 0.0) - (before or 0.0),
        count=(after is not None) - (before is not None),
    )


def score_entry(event: ScoreComputed) -> dict[str, Any]:
    """The employee page's row for a period: the predikat and why, in the regulation's words."""
    return {
        "report_id": event.report_id,
        "revision": event.revision,
        "computed_at": event.computed_at,
        "period_id": event.period_id,
        "period_end": event.period.end.isoformat(),
        "predikat": event.predikat.value,
        "predikat_label": PREDIKAT_LABEL[event.predikat],
        "nilai_hasil_kerja": event.nilai_hasil_kerja,
        "rating_hasil_kerja": RATING_LABEL[event.rating_hasil_kerja],
        "rating_perilaku": RATING_LABEL[event.rating_perilaku],
        "alasan_hasil_kerja": event.hasil_kerja_basis.reason if event.hasil_kerja_basis else None,
        "alasan_perilaku": event.perilaku_basis.reason if event.perilaku_basis else None,
        "perilaku_di_bawah": [BERAKHLAK_LABEL[v] for v in event.perilaku_di_bawah],
        "indikator": [
            {
                "row_id": i.row_id,
                "capaian": i.capaian,
                "nilai": i.nilai,
                "rating": RATING_LABEL[i.rating],
                "alasan": i.reason,
            }
            for i in event.indicators
        ],
        "revision_cause": event.revision_cause.value if event.revision_cause else None,
    }


def annual_replaces(event: AnnualScoreComputed, stored: dict[str, Any] | None) -> bool:
    return stored is None or event.revision > stored["revision"]


def annual_entry(event: AnnualScoreComputed) -> dict[str, Any]:
    return {
        "revision": event.revision,
        "predikat": event.predikat.value,
        "predikat_label": PREDIKAT_LABEL[event.predikat],
        "alasan": event.reason,
        "periods_missing": event.periods_missing,
    }


def newer(candidate: tuple[Any, ...], stored: tuple[Any, ...] | None) -> bool:
    """Whether a state ordered by `candidate` (a version, then a moment) replaces the stored one; a tie replaces,
    so a redelivery rewrites the same state."""
    if stored is None:
        return True
    return _comparable(candidate) >= _comparable(stored)


def _comparable(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_utc_millis(k) if isinstance(k, datetime) else k for k in key)


def _utc_millis(moment: datetime) -> int:
    # MongoDB keeps milliseconds, in UTC: a copy read back must compare equal to the event it came from.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def path_key(raw: str) -> str:
    """A map key safe in a dotted update path: ids chosen by agencies may hold dots or dollars."""
    if raw and all(c.isalnum() or c in "-_:" for c in raw):
        return raw
    return "h" + hashlib.sha256(raw.encode()).hexdigest()[:24]
