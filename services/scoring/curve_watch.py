"""Keeps each agency's predikat distribution, and its check against the curve, up to date.

Scoring a report counts it in its agency-period's tally and marks the scope as
changed (one merged `$inc` per scope and batch); this background loop evaluates
the marked scopes a few at a time from their tallies and publishes
`kinerja.distribution.evaluated.v1` when the evaluation differs from the last one.
Nothing here reads the scores themselves: an agency of 5,000 costs one read.
A mark is cleaned only if nothing changed it while it was evaluated; two
replicas evaluating one scope at once publish the same evaluation, which
consumers keep once. A tally counts scores: an employee with two SKPs scored
in one period counts twice.
"""

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from shared.contracts import DISTRIBUTION_EVALUATED
from shared.contracts.scores import OrganisationPredikat
from shared.service import Runtime

from .domain import distribution_changed, evaluate_distribution
from .policies import policy_for
from .repository import (
    DISTRIBUTIONS,
    dirty_marks,
    find_distribution,
    mark_evaluated,
    members_of,
    organisation_predikat_of,
    scope_key,
)

log = logging.getLogger(__name__)

INTERVAL_S = 2.0
MARKS_PER_ROUND = 20


async def watch_distributions(runtime: Runtime) -> None:
    while True:
        try:
            marks = await dirty_marks(runtime.db, limit=MARKS_PER_ROUND)
            for mark in marks:
                await evaluate_scope(runtime, mark)
            if len(marks) < MARKS_PER_ROUND:
                await asyncio.sleep(INTERVAL_S)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is away: the marks stay, the next round tries again
            log.warning("distribution evaluation failed, retrying", extra={"error": type(exc).__name__})
            await asyncio.sleep(INTERVAL_S)


async def evaluate_scope(runtime: Runtime, mark: dict[str, Any]) -> None:
    agency_id, scope, tahun = mark["agency_id"], mark["scope"], mark["tahun"]
    organisation = await organisation_predikat_of(runtime.db, agency_id=agency_id, tahun=tahun)
    uow = runtime.unit_of_work()
    evaluation = evaluate_distribution(
        agency_id=agency_id,
        scope=scope,
        members=members_of(mark),
        organisation_predikat=OrganisationPredikat(organisation or OrganisationPredikat.BAIK),
        policy=await policy_for(uow, agency_id),
        evaluated_at=datetime.now(UTC),
    )
    previous = await find_distribution(runtime.db, agency_id=agency_id, scope=scope)
    if distribution_changed(previous, evaluation):
        uow.put(DISTRIBUTIONS, {"_id": scope_key(agency_id, scope), "evaluation": evaluation.model_dump(mode="json")})
        uow.emit(DISTRIBUTION_EVALUATED, evaluation, agency_id)
        await uow.commit()
    await mark_evaluated(runtime.db, key=mark["_id"], changes=mark["changes"])
