"""One core for every door (single, batch, file, bus): load a batch once, decide each report, store, emit.

Thin like a cosmicpython handler: every decision is a pure function in
`domain/`; this module only reads what a batch needs (one `$in` per
collection), applies the decisions to a unit of work and says what happened
to each report. The caller commits; a lost race (two requests for one slot)
surfaces as a duplicate key at commit and the caller runs the batch again.
"""

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from shared.contracts import REPORT_REJECTED, REPORT_SUBMITTED
from shared.contracts.reports import RejectionReason, ReportRejected, ReportSubmission
from shared.messaging.unit_of_work import UnitOfWork
from shared.mongo import is_duplicate_key

from .domain.models import ReportStatus, StoredReport, slot_key
from .domain.periods import AgencyPeriod, period_rejection
from .domain.report_checks import build_report, check_report, default_report_id
from .domain.submissions import Check, Conflict, Resend, decide_submission
from .repository.periods import declared_periods
from .repository.records import EMPLOYEES, REPORT_SLOTS, REPORTS, SKP_PLANS, employee_from, plan_from

Status = Literal["accepted", "rejected", "duplicate", "conflict", "invalid", "not_submitted"]


@dataclass(frozen=True)
class Outcome:
    """What happened to one report of a batch."""

    status: Status
    report_id: str | None = None
    reference: str | None = None
    version: int | None = None
    code: str | None = None
    message: str | None = None
    reasons: list[RejectionReason] = field(default_factory=list)
    answered_as: Literal["accepted", "rejected"] | None = None  # for a duplicate: the first answer


def reference(agency_id: str, report_id: str) -> str:
    """The id other services see: agencies name their reports freely, so it carries the agency."""
    return f"{agency_id}/{report_id}"


def fingerprint(submission: ReportSubmission) -> str:
    content = submission.model_dump_json(exclude={"report_id", "correction"})
    return hashlib.sha256(content.encode()).hexdigest()


async def load_for(uow: UnitOfWork, agency_id: str, submissions: Sequence[ReportSubmission]) -> None:
    """Everything deciding these reports reads, in one `$in` per collection, kept in the unit of work.

    The reads go out together: a single report waits for one round trip to the database, not five.
    """
    await asyncio.gather(
        uow.get_many(EMPLOYEES, {s.nip for s in submissions}),
        uow.get_many(SKP_PLANS, {s.skp_id for s in submissions}),
        uow.get_many(REPORTS, [_reference_of(agency_id, s) for s in submissions]),
        uow.get_many(REPORT_SLOTS, {slot_key(agency_id, s.nip, s.skp_id, s.period) for s in submissions}),
        declared_periods(uow, agency_id=agency_id, years={s.period.start.year for s in submissions}),
    )


async def submit_reports(
    uow: UnitOfWork, agency_id: str, submissions: Sequence[ReportSubmission], now: datetime
) -> list[Outcome]:
    """Decide every report of the batch in order; later reports see the earlier ones' writes."""
    await load_for(uow, agency_id, submissions)
    periods = await declared_periods(uow, agency_id=agency_id, years={s.period.start.year for s in submissions})
    return [await _submit_one(uow, agency_id, s, _reference_of(agency_id, s), periods, now) for s in submissions]


def _reference_of(agency_id: str, submission: ReportSubmission) -> str:
    return reference(agency_id, submission.report_id or default_report_id(submission))


async def _submit_one(
    uow: UnitOfWork,
    agency_id: str,
    submission: ReportSubmission,
    ref: str,
    periods: dict[int, list[AgencyPeriod]],
    now: datetime,
) -> Outcome:
    stored = StoredReport.model_validate(doc) if (doc := await uow.get(REPORTS, ref)) else None
    slot = slot_key(agency_id, submission.nip, submission.skp_id, submission.period)
    holder = await uow.get(REPORT_SLOTS, slot)
    print_ = fingerprint(submission)
    decision = decide_submission(
        reference=ref,
        fingerprint=print_,
        correction=submission.correction,
        by_reference=stored,
        live_in_slot=holder["reference"] if holder else None,
    )
    report_id = ref.split("/", 1)[1]
    match decision:
        case Resend(stored=first):
            return Outcome(
                "duplicate",
                report_id,
                ref,
                first.accepted_version or None,
                reasons=list(first.reasons),
                answered_as=first.status.value,
            )
        case Conflict(code=code, message=message):
            return Outcome("conflict", report_id, ref, code=code, message=message)
        case Check():
            pass
    employee = employee_from(await uow.get(EMPLOYEES, submission.nip))
    plan = plan_from(await uow.get(SKP_PLANS, submission.skp_id))
    period_problem = period_rejection(submission.period, periods.get(submission.period.start.year), now)
    reasons = check_report(submission, agency_id, employee, plan, period_problem)
    base = {"_id": ref, "report_id": report_id, "agency_id": agency_id, "nip": submission.nip}
    base |= {"skp_id": submission.skp_id, "period": submission.period.model_dump(mode="json")}
    base |= {"fingerprint": print_, "received_at": now, "correlation_id": uow.correlation_id}
    base["history"] = list(doc.get("history", [])) if doc else []  # every attempt, in the report itself
    if reasons and decision.recheck and stored is not None and stored.reasons == reasons:
        return Outcome("duplicate", report_id, ref, reasons=reasons, answered_as="rejected")
    if reasons:
        _store_rejection(uow, base, stored, reasons, now, decision)
        return Outcome("rejected", report_id, ref, reasons=reasons)
    assert employee is not None and plan is not None  # check_report refuses reports without them
    report = build_report(
        submission, ref, employee, plan, now, version=decision.version, supersedes=decision.supersedes
    )
    document = base | {"status": ReportStatus.ACCEPTED, "accepted_version": decision.version}
    document |= {"unit_kerja": employee.unit_kerja, "reasons": [], "report": report.model_dump(mode="json")}
    _add_history(uow, document, now, "accepted", version=decision.version, report=document["report"])
    _write_report(uow, document, decision)
    if holder is None:  # the slot is taken once; a concurrent first report for it makes the commit fail
        uow.insert(REPORT_SLOTS, {"_id": slot, "reference": ref})
    uow.emit(REPORT_SUBMITTED, report, subject=submission.nip)
    return Outcome("accepted", report_id, ref, decision.version)


def _store_rejection(
    uow: UnitOfWork,
    base: dict[str, Any],
    stored: StoredReport | None,
    reasons: list[RejectionReason],
    now: datetime,
    decision: Check,
) -> None:
    # A rejected correction leaves the accepted version live.
    live = {"accepted_version": stored.accepted_version if stored else 0}
    if stored is not None and stored.report is not None:
        live["report"] = stored.report.model_dump(mode="json")
        live["unit_kerja"] = stored.unit_kerja
    document = base | live | {"status": ReportStatus.REJECTED, "reasons": [r.model_dump() for r in reasons]}
    _add_history(uow, document, now, "rejected", reasons=document["reasons"])
    _write_report(uow, document, decision)
    rejected = ReportRejected(
        report_id=base["_id"], agency_id=base["agency_id"], nip=base["nip"], reasons=reasons, rejected_at=now
    )
    uow.emit(REPORT_REJECTED, rejected, subject=base["nip"])


def _write_report(uow: UnitOfWork, document: dict[str, Any], decision: Check) -> None:
    replaced = decision.replaces_attempt
    if replaced is None:
        uow.insert(REPORTS, document)  # a concurrent first attempt makes the commit fail: the batch runs again
    else:  # only the attempt this decision was made against; a concurrent change makes the commit fail
        uow.put(REPORTS, document, match={"fingerprint": replaced.fingerprint})


def _add_history(uow: UnitOfWork, document: dict[str, Any], now: datetime, outcome: str, **details: Any) -> None:
    """Attempts are few per report (a resend writes none), so they live in the report: one write each."""
    entry = {"at": now, "outcome": outcome, "correlation_id": uow.correlation_id}
    document["history"] = [*document["history"], entry | details]


async def with_retries(
    attempt: Callable[[UnitOfWork], Awaitable[list[Outcome]]], new_uow: Callable[[], UnitOfWork], tries: int = 3
) -> list[Outcome]:
    """Run and commit a batch; when another request won a race for the same report, decide again."""
    for remaining in range(tries - 1, -1, -1):
        uow = new_uow()
        outcomes = await attempt(uow)
        try:
            await uow.commit()
        except Exception as exc:
            if remaining and is_duplicate_key(exc):
                continue
            raise
        return outcomes
    raise AssertionError("unreachable")
