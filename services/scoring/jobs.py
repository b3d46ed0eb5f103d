"""Rescores and annual roll-ups: durable jobs, run in batches by a background runner.

A job is stored when it is accepted (a route answers 202 with its id, or a closed
annual period creates one). The runner claims the oldest waiting job with a lease
and works through it a batch at a time; each batch's scores, events and the job's
progress (its cursor) commit in one transaction, so a runner that dies mid-job
leaves nothing half-done, and the next one (after the lease) resumes at the cursor.
"""

import asyncio
import contextlib
import logging
import os
import socket
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.contracts import SCORE_ANNUAL, SCORE_COMPUTED
from shared.contracts.common import PeriodType
from shared.contracts.scores import RevisionCause, ScoreComputed
from shared.mongo import is_infrastructure_error
from shared.service import Runtime

from .domain import annual_revision_needed, annual_score, is_revision_needed, score_report
from .policies import policy_for
from .repository import (
    ANNUAL_SCORES,
    JOBS,
    claim_job,
    declared_periods,
    finish_job,
    scope_report_ids,
    scores_by_id,
    stored_annual,
    stored_report,
    stored_score,
    year_scores_after,
)
from .writes import RESCORE, annual_key, store_annual, store_score

log = logging.getLogger(__name__)

BATCH = 500  # reports (rescore) per transaction
EMPLOYEE_PAGE = 6000  # scores read per annual batch: whole employees, a year of monthly scores each
LEASE = timedelta(seconds=120)
IDLE_POLL_S = 2.0

_wake = asyncio.Event()


def wake_runner() -> None:
    """A route accepted a job in this process: start it now rather than at the next poll."""
    _wake.set()


async def run_jobs(runtime: Runtime) -> None:
    owner = f"{socket.gethostname()}:{os.getpid()}"
    while True:
        try:
            now = datetime.now(UTC)
            job = await claim_job(runtime.db, owner=owner, now=now, lease_until=now + LEASE)
            if job is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_wake.wait(), IDLE_POLL_S)
                _wake.clear()
                continue
            try:
                await _run(runtime, job, owner)
            except Exception as exc:
                if is_infrastructure_error(exc):
                    raise
                # A fault of the job itself would fail again at every retry: stop it and say why.
                log.exception("scoring job failed", extra={"job": job["_id"]})
                failed = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:500]}
                await finish_job(runtime.db, job_id=job["_id"], owner=owner, fields=failed)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is away: the job keeps its cursor and is resumed after its lease
            log.warning("scoring job runner failed, retrying", extra={"error": type(exc).__name__})
            await asyncio.sleep(IDLE_POLL_S)


async def _run(runtime: Runtime, job: dict[str, Any], owner: str) -> None:
    log.info("job started", extra={"job": job["_id"], "kind": job["kind"], "agency_id": job["agency_id"]})
    job_id = job["_id"]
    if job["kind"] == RESCORE:
        await _rescore(runtime, job)
    else:
        while (job := await _annual_batch(runtime, job)) is not None:
            pass
    await finish_job(
        runtime.db, job_id=job_id, owner=owner, fields={"status": "done", "finished_at": datetime.now(UTC)}
    )


async def _rescore(runtime: Runtime, job: dict[str, Any]) -> None:
    """Recompute the agency-period's (or year's) scores from their reports under the current policy, a batch
    per transaction; publish a revision where the outcome changed."""
    scope = {"period_id": job["period_id"]} if job["period_id"] else {"tahun": job["tahun"]}
    report_ids = await scope_report_ids(runtime.db, agency_id=job["agency_id"], scope=scope)
    report_ids = [i for i in report_ids if job["cursor"] is None or i > job["cursor"]]  # resumed: after the cursor
    for start in range(0, len(report_ids), BATCH):
        documents = await scores_by_id(runtime.db, report_ids=report_ids[start : start + BATCH])
        if not documents:
            continue
        uow = runtime.unit_of_work()
        policy = await policy_for(uow, job["agency_id"])
        now, revised = datetime.now(UTC), 0
        for document in documents:
            report, previous = stored_report(document), stored_score(document)
            recomputed = score_report(report, policy, computed_at=now)
            if not is_revision_needed(previous, recomputed):
                continue
            score = _revision_of(recomputed, previous)
            store_score(uow, score, report, document)
            uow.emit(SCORE_COMPUTED, score, report.nip, correlationid=job["correlation_id"])
            revised += 1
        progress = {"checked": len(documents), "revised": revised, "unchanged": len(documents) - revised}
        job = await _advance(runtime, uow, job, documents[-1]["_id"], progress)


def _revision_of(score: ScoreComputed, previous: ScoreComputed) -> ScoreComputed:
    update = {
        "revision": previous.revision + 1,
        "supersedes": previous.revision,
        "revision_cause": RevisionCause.RESCORE,
    }
    return score.model_copy(update=update)


async def _annual_batch(runtime: Runtime, job: dict[str, Any]) -> dict[str, Any] | None:
    """Roll up the next page of employees: each one's periodic scores of the year into an annual score."""
    agency_id, tahun = job["agency_id"], job["tahun"]
    scores = await year_scores_after(
        runtime.db, agency_id=agency_id, tahun=tahun, after_nip=job["cursor"], limit=EMPLOYEE_PAGE
    )
    if not scores:
        return None
    by_nip: dict[str, list[ScoreComputed]] = defaultdict(list)
    for score in scores:
        by_nip[score.nip].append(score)
    if len(scores) == EMPLOYEE_PAGE and len(by_nip) > 1:
        by_nip.pop(scores[-1].nip)  # may continue on the next page: taken whole there
    uow = runtime.unit_of_work()
    expected = job.get("expected_periods") or await declared_periods(runtime.db, agency_id=agency_id, tahun=tahun)
    current = await uow.get_many(ANNUAL_SCORES, [annual_key(agency_id, nip, tahun) for nip in by_nip])
    policy = await policy_for(uow, agency_id)
    now, revised, without = datetime.now(UTC), 0, 0
    for nip, group in by_nip.items():
        periodic = [s for s in group if s.period.type is not PeriodType.TAHUNAN]
        if not periodic:
            without += 1
            continue
        annual = annual_score(
            agency_id=agency_id,
            nip=nip,
            tahun=tahun,
            scores=periodic,
            expected_periods=expected,
            policy=policy,
            computed_at=now,
        )
        stored = current.get(annual_key(agency_id, nip, tahun))
        previous = None if stored is None else stored_annual(stored)
        if previous is not None:
            if not annual_revision_needed(previous, annual):
                continue
            annual = annual.model_copy(update={"revision": previous.revision + 1, "supersedes": previous.revision})
        store_annual(uow, annual, previous)
        uow.emit(SCORE_ANNUAL, annual, nip, correlationid=job["correlation_id"])
        revised += 1
    checked = len(by_nip) - without
    progress = {"checked": checked, "revised": revised, "unchanged": checked - revised, "without_scores": without}
    return await _advance(runtime, uow, job, max(by_nip), progress, expected_periods=expected)


async def _advance(
    runtime: Runtime, uow: Any, job: dict[str, Any], cursor: str, progress: dict[str, int], **extra: Any
) -> dict[str, Any]:
    """The batch's writes and the job's new cursor in one transaction: a resumed job never redoes a batch."""
    uow.update(
        JOBS, job["_id"], set_={"cursor": cursor, "lease_until": datetime.now(UTC) + LEASE, **extra}, inc=progress
    )
    await uow.commit()
    return {**job, "cursor": cursor, **extra}
