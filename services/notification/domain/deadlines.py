"""Deadline reminders: who is reminded before a period's tenggat, and who HR hears about after it.

Before: from `days_before` days ahead until the deadline, each active employee of the agency without a report
for the period gets one reminder (recipients_for adds their atasan). After: HR gets one notice per agency and
period listing who did not report. Each reminder and notice has a stable key; the caller records the keys it
has sent (`already`), so the periodic check can run as often as it likes and still tell each person once.
"""

from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from shared.contracts.periods import PeriodOpened

from .clock import WIB, wib_date
from .deliveries import EventKind
from .people import Person

# A notice about a deadline long past is noise, not news: when notification first starts (or was down for weeks)
# it would otherwise tell HR about every old period at once.
MISSED_NOTICE_WITHIN = timedelta(days=7)


class Period(BaseModel):
    """A reporting period as notification tracks it, from intake's period events."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agency_id: str
    period_id: str
    start: date
    end: date
    deadline: datetime  # reports are accepted until this moment (a reopened period: the new one)

    @classmethod
    def from_opened(cls, opened: PeriodOpened) -> "Period":
        return cls(
            agency_id=opened.agency_id,
            period_id=opened.period_id,
            start=opened.start,
            end=opened.end,
            deadline=opened.deadline,
        )

    @property
    def ref(self) -> str:
        return f"{self.agency_id}/{self.period_id}"


class Reminder(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: EventKind
    key: str  # stable: reminder:<agency>/<period>:<nip>
    employee: Person


class MissedDeadline(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: EventKind
    key: str  # stable: missed:<agency>/<period>
    period: Period
    missing: list[Person]


def reminder_key(period: Period, nip: str) -> str:
    return f"reminder:{period.ref}:{nip}"


def missed_key(period: Period) -> str:
    return f"missed:{period.ref}"


def reminders_due(
    period: Period, now: datetime, staff: list[Person], reported: set[str], already: set[str], days_before: int
) -> list[Reminder]:
    """One DEADLINE_REMINDER per active employee without a report, within `days_before` days of the deadline.

    Not before the period has started either: a reminder about a period not yet begun asks the impossible.
    `reported` holds the NIPs with a report for the period, `already` the keys of reminders sent.
    """
    opens = max(period.deadline - timedelta(days=days_before), _start_of(period))
    if not opens <= now <= period.deadline:
        return []
    reminders = [
        Reminder(kind=EventKind.DEADLINE_REMINDER, key=reminder_key(period, person.nip), employee=person)
        for person in _not_reported(period, staff, reported, wib_date(now))
    ]
    return [r for r in reminders if r.key not in already]


def missed_due(
    period: Period,
    now: datetime,
    staff: list[Person],
    reported: set[str],
    already: set[str],
    notice_within: timedelta = MISSED_NOTICE_WITHIN,
) -> MissedDeadline | None:
    """After the deadline, one DEADLINE_MISSED for HR naming who did not report; None when everyone did.

    Who counts is decided on the deadline's day: someone who left the agency after it still missed it.
    """
    key = missed_key(period)
    if not period.deadline < now <= period.deadline + notice_within or key in already:
        return None
    missing = _not_reported(period, staff, reported, wib_date(period.deadline))
    if not missing:
        return None
    return MissedDeadline(kind=EventKind.DEADLINE_MISSED, key=key, period=period, missing=missing)


def _not_reported(period: Period, staff: list[Person], reported: set[str], on: date) -> list[Person]:
    """The agency's employees active on `on` with no report for the period, in NIP order (stable messages)."""
    return sorted(
        (p for p in staff if p.agency_id == period.agency_id and p.is_active(on) and p.nip not in reported),
        key=lambda p: p.nip,
    )


def _start_of(period: Period) -> datetime:
    # The period's first day begins at midnight in Jakarta, where its dates are meant.
    return datetime.combine(period.start, datetime.min.time(), tzinfo=WIB)
