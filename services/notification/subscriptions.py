"""Webhook subscriptions: which events a downstream system may subscribe to, and which subscriptions an event
goes to.

A subscription made with an agency's key hears that agency's events only (`agency_ids` is that agency); one made
by the administrator (payroll, a SIASN connector) hears every agency, or those in `agency_ids`.
"""

from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from shared.contracts import (
    CAREER_FLAGGED,
    COACHING_REQUIRED,
    DISTRIBUTION_EVALUATED,
    PERIOD_CLOSED,
    PERIOD_OPENED,
    PERIOD_REOPENED,
    REPORT_REJECTED,
    REPORT_SUBMITTED,
    SCORE_ANNUAL,
    SCORE_COMPUTED,
    TRAINING_COMPLETED,
    TRAINING_RECOMMENDED,
)
from shared.messaging.unit_of_work import UnitOfWork

from .repository import subscriptions_for_topics

# The events notification consumes that a downstream system may have pushed to it, each as its CloudEvents
# envelope exactly as notification received it.
WEBHOOK_EVENTS = (
    SCORE_COMPUTED,
    SCORE_ANNUAL,
    DISTRIBUTION_EVALUATED,
    REPORT_SUBMITTED,
    REPORT_REJECTED,
    TRAINING_RECOMMENDED,
    TRAINING_COMPLETED,
    COACHING_REQUIRED,
    CAREER_FLAGGED,
    PERIOD_OPENED,
    PERIOD_CLOSED,
    PERIOD_REOPENED,
)
WEBHOOK_TOPICS: tuple[str, ...] = tuple(spec.topic for spec in WEBHOOK_EVENTS)


def matches(subscription: dict[str, Any], topic: str, agency_id: str) -> bool:
    agencies = subscription.get("agency_ids")
    return topic in subscription["event_types"] and (agencies is None or agency_id in agencies)


# One read of the subscriptions per consumer batch (one unit of work), however many events it holds.
_per_batch: "WeakKeyDictionary[UnitOfWork, list[dict[str, Any]]]" = WeakKeyDictionary()


async def subscriptions_matching(uow: UnitOfWork, topic: str, agency_id: str) -> list[dict[str, Any]]:
    if uow not in _per_batch:
        _per_batch[uow] = await subscriptions_for_topics(uow.db, topics=list(WEBHOOK_TOPICS))
    return [s for s in _per_batch[uow] if matches(s, topic, agency_id)]


def unknown_event_types(event_types: Iterable[str]) -> list[tuple[int, str]]:
    return [(i, t) for i, t in enumerate(event_types) if t not in WEBHOOK_TOPICS]
