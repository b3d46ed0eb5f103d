"""What each page shows, computed from the read model's typed records: no I/O, so every number is unit-tested.

Charts get their numbers here too (`chart` dicts, rendered by the vendored Chart.js), beside a table with the
same numbers for screen readers and printouts.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.contracts.labels import ORGANISATION_PREDIKAT_LABEL, PREDIKAT_LABEL
from shared.contracts.notifications import DeliveryHealth
from shared.contracts.scores import CurveCheck, DistributionEvaluated, PredikatCounts
from shared.contracts.training import PlanUpdated

from .i18n import PLAN_CAUSE, PREDIKAT_ORDER, UNFUNDED_REASON, language_of

JP_TARGET = {"pns": 20, "pppk": 24}  # PermenPANRB 38/2017 and Perpres 98/2020 ASN development rights


@dataclass(frozen=True)
class PeriodRecord:
    period_id: str
    start: date
    end: date
    deadline: datetime
    closed: bool
    annual: bool


@dataclass(frozen=True)
class PeriodTotals:
    submitted: int = 0
    nilai_total: float = 0.0
    nilai_count: int = 0


@dataclass(frozen=True)
class RosterEntry:
    nip: str
    nama: str
    jabatan: str
    unit_kerja: str | None
    inactive_since: date | None = None

    def expected_in(self, period: PeriodRecord) -> bool:
        return self.inactive_since is None or self.inactive_since > period.start


# --- Agency overview -------------------------------------------------------------------------------------


def _counts_row(counts: PredikatCounts) -> dict[str, Any]:
    return {
        "employees": counts.employees,
        "counts": [counts.counts.get(p, 0) for p in PREDIKAT_ORDER],
        "percent": [round(counts.percent.get(p, 0.0), 1) for p in PREDIKAT_ORDER],
    }


def _violated_predikat(checks: Sequence[CurveCheck]) -> set[str]:
    return {p.value for c in checks if not c.ok for p in c.predikat}


def distribution_view(evaluated: DistributionEvaluated | None) -> dict[str, Any] | None:
    """The distribution against the organisation's curve; bars of predikat in a violated check are marked."""
    if evaluated is None:
        return None
    violated = _violated_predikat(evaluated.checks)
    overall = _counts_row(evaluated.overall)
    return {
        "scope": evaluated.scope,
        "organisation_predikat": ORGANISATION_PREDIKAT_LABEL[evaluated.organisation_predikat],
        "employees": evaluated.overall.employees,
        "violations": evaluated.violations,
        "checks": [
            {
                "predikat": ", ".join(PREDIKAT_LABEL[p] for p in c.predikat),
                "ok": c.ok,
                "message": c.message,
                "actual_percent": round(c.actual_percent, 1),
            }
            for c in evaluated.checks
        ],
        "rows": [
            {
                "label": PREDIKAT_LABEL[p],
                "count": overall["counts"][i],
                "percent": overall["percent"][i],
                "violated": p.value in violated,
            }
            for i, p in enumerate(PREDIKAT_ORDER)
        ],
        "units": [{"unit_kerja": u.unit_kerja, **_counts_row(u)} for u in evaluated.units],
        "chart": {
            "labels": [PREDIKAT_LABEL[p] for p in PREDIKAT_ORDER],
            "counts": overall["counts"],
            "percent": overall["percent"],
            "violated": [p.value in violated for p in PREDIKAT_ORDER],
        },
        "evaluated_at": evaluated.evaluated_at,
    }


def default_scope(periods: Sequence[PeriodRecord], scored: Iterable[str], today: date) -> str | None:
    """The latest period that has scores and has started; else the latest scored scope of any kind."""
    have = set(scored)
    started = [p for p in periods if p.period_id in have and p.start <= today and not p.annual]
    if started:
        return max(started, key=lambda p: p.start).period_id
    return max(have) if have else None


# --- Trends ----------------------------------------------------------------------------------------------


def trend_view(
    periods: Sequence[PeriodRecord],
    totals: dict[str, PeriodTotals],
    distributions: dict[str, DistributionEvaluated],
    roster: Sequence[RosterEntry],
    tahun: int,
    today: date,
) -> dict[str, Any]:
    """Per period of the year: reports in vs expected, the mean nilai, and the predikat counts."""
    rows = []
    for period in sorted((p for p in periods if p.start.year == tahun and not p.annual), key=lambda p: p.start):
        t = totals.get(period.period_id, PeriodTotals())
        expected = sum(1 for e in roster if e.expected_in(period))
        evaluated = distributions.get(period.period_id)
        rows.append(
            {
                "period_id": period.period_id,
                "deadline": period.deadline,
                "closed": period.closed,
                "started": period.start <= today,
                "submitted": t.submitted,
                "expected": expected,
                "late": max(expected - t.submitted, 0) if period.deadline.date() < today else 0,
                "mean_nilai": round(t.nilai_total / t.nilai_count, 1) if t.nilai_count else None,
                "counts": [evaluated.overall.counts.get(p, 0) for p in PREDIKAT_ORDER] if evaluated else None,
            }
        )
    shown = [r for r in rows if r["started"]]
    return {
        "tahun": tahun,
        "rows": rows,
        "chart": {
            "labels": [r["period_id"] for r in shown],
            "mean_nilai": [r["mean_nilai"] for r in shown],
            "submitted": [r["submitted"] for r in shown],
            "expected": [r["expected"] for r in shown],
            "predikat": [PREDIKAT_LABEL[p] for p in PREDIKAT_ORDER],
            "counts": [[(r["counts"] or [0] * 5)[i] for r in shown] for i in range(len(PREDIKAT_ORDER))],
        },
    }


def not_reported(roster: Sequence[RosterEntry], period: PeriodRecord, reported: set[str]) -> list[RosterEntry]:
    """Who was expected to report for the period and has not, by unit then name."""
    late = [e for e in roster if e.expected_in(period) and e.nip not in reported]
    return sorted(late, key=lambda e: (e.unit_kerja or "", e.nama))


# --- Employee --------------------------------------------------------------------------------------------


def jp_view(jenis_asn: str, completions: Iterable[dict[str, Any]]) -> dict[str, Any]:
    done = list(completions)
    total = sum(c["jp"] for c in done)
    target = JP_TARGET.get(jenis_asn, 20)
    return {
        "total": total,
        "target": target,
        "percent": min(round(100 * total / target), 100) if target else 100,
        "courses": sorted(done, key=lambda c: c["selesai_pada"]),
    }


def score_history(scores: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Newest period first."""
    return sorted(scores.values(), key=lambda s: s["period_end"], reverse=True)


# --- Training --------------------------------------------------------------------------------------------


def training_view(plan: PlanUpdated | None, language: str) -> dict[str, Any] | None:
    if plan is None:
        return None
    reasons = UNFUNDED_REASON[language_of(language)]
    return {
        "tahun": plan.tahun,
        "version": plan.version,
        "status": plan.status.value,
        "approved_version": plan.approved_version,
        "cause": PLAN_CAUSE[language_of(language)].get(plan.cause, plan.cause),
        "anggaran": plan.anggaran,
        "total_biaya": plan.total_biaya,
        "committed": plan.committed,
        "sisa": plan.sisa,
        "used_percent": round(100 * plan.total_biaya / plan.anggaran, 1) if plan.anggaran else 0.0,
        "allocations": plan.allocations,
        "employees": plan.employees,
        "total_jp": plan.total_jp,
        "jp_shortfall_employees": plan.jp_shortfall_employees,
        "by_reason": [
            {"reason": reasons.get(r.value, r.value), "jumlah": t.jumlah, "bobot": round(t.bobot, 2)}
            for r, t in sorted(plan.unfunded_by_reason.items(), key=lambda item: -item[1].jumlah)
        ],
        "unfunded": [
            {
                "nip": n.nip,
                "kompetensi": n.kompetensi,
                "reason": reasons.get(n.reason.value, n.reason.value),
                "weight": round(n.weight, 2),
            }
            for n in plan.unfunded
        ],
        "updated_at": plan.updated_at,
    }


def rupiah(amount: int) -> str:
    """Rp 1.250.000: the dot groups thousands, as Indonesian officials write it."""
    return "Rp " + f"{amount:,}".replace(",", ".")


# --- Delivery health -------------------------------------------------------------------------------------


def delivery_view(health: DeliveryHealth | None) -> dict[str, Any] | None:
    if health is None:
        return None
    return {
        "channels": [c.model_dump(mode="python") for c in health.channels],
        "totals": {
            "sent": sum(c.sent for c in health.channels),
            "pending": sum(c.pending for c in health.channels),
            "dead": sum(c.dead for c in health.channels),
        },
        "endpoints": [e.model_dump(mode="python") for e in health.endpoints],
        "paused": sum(1 for e in health.endpoints if e.state.value == "paused"),
        "observed_at": health.observed_at,
    }
