"""When a score is (re)published: first score, correction, rescore, or nothing.

A score is never edited in place: a corrected report or a rescore under a new
policy publishes revision n+1, which supersedes revision n. Downstream systems
keep the highest revision per report_id, so a revision is published only when
it says something new.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.contracts.scores import AnnualScoreComputed, RevisionCause, ScoreComputed

# What a rescore may change without it being a new score: when and under which
# policy version it was computed, and its place in the revision chain.
_METADATA = {"computed_at", "policy_version", "revision", "supersedes", "revision_cause"}
_ANNUAL_METADATA = {"computed_at", "policy_version", "revision", "supersedes"}


@dataclass(frozen=True)
class ScoreState:
    """What is stored of a report's latest score revision."""

    report_id: str
    report_version: int
    revision: int
    policy_version: str


class ReportOutcome(StrEnum):
    SCORE_FIRST = "score_first"  # no score yet: publish revision 1
    SCORE_CORRECTION = "score_correction"  # a newer report version: publish the next revision
    IGNORE_STALE = "ignore_stale"  # an older version arriving late never overwrites a newer one
    IGNORE_SAME = "ignore_same"  # this version is already scored (a redelivery)


@dataclass(frozen=True)
class ReportDecision:
    outcome: ReportOutcome
    revision: int | None = None  # the revision to publish, when there is one
    supersedes: int | None = None
    cause: RevisionCause | None = None

    @property
    def scores(self) -> bool:
        """Whether this version is to be scored and published."""
        return self.outcome in (ReportOutcome.SCORE_FIRST, ReportOutcome.SCORE_CORRECTION)


def decide_report(stored: ScoreState | None, report_version: int) -> ReportDecision:
    """What to do with version `report_version` of a report, given its stored score."""
    if stored is None:
        return ReportDecision(ReportOutcome.SCORE_FIRST, revision=1)
    if report_version > stored.report_version:
        return ReportDecision(
            ReportOutcome.SCORE_CORRECTION,
            revision=stored.revision + 1,
            supersedes=stored.revision,
            cause=RevisionCause.CORRECTION,
        )
    if report_version < stored.report_version:
        return ReportDecision(ReportOutcome.IGNORE_STALE)
    return ReportDecision(ReportOutcome.IGNORE_SAME)


def is_revision_needed(current: ScoreComputed, recomputed: ScoreComputed) -> bool:
    """Whether a rescore changed the outcome: a number, a rating, a rule, the predikat or a code.

    Metadata (computed_at, policy version, revision fields) and the wording of the reasons do not count:
    payroll and SIASN would otherwise receive a "revision" of every score whose explanation quotes a moved
    threshold without any result changing. A score left as it was keeps the policy version it names, and
    its reasons stay true of that version.
    """
    return _outcome(current.model_dump(exclude=_METADATA)) != _outcome(recomputed.model_dump(exclude=_METADATA))


def _outcome(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _outcome(v) for k, v in value.items() if k != "reason"}
    if isinstance(value, list):
        return [_outcome(v) for v in value]
    return value


def annual_revision_needed(current: AnnualScoreComputed, recomputed: AnnualScoreComputed) -> bool:
    """The same for an annual score: a new revision only when more than its metadata changed.

    A new periodic revision that leaves the year's ratings, periods and reason
    as they were publishes nothing; one that changes a period's revision does,
    since the annual score lists the revisions it was built from.
    """
    return current.model_dump(exclude=_ANNUAL_METADATA) != recomputed.model_dump(exclude=_ANNUAL_METADATA)
