"""Deadline reminders before the tenggat, HR's notice after it, and the daily digest's moment."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.notification.domain.clock import WIB
from services.notification.domain.deadlines import Period, missed_due, reminders_due
from services.notification.domain.deliveries import EventKind
from services.notification.domain.digest import digest_due, latest_digest_time, next_digest_time
from services.notification.domain.people import Person
from shared.contracts.common import PeriodType
from shared.contracts.periods import PeriodOpened, PeriodScheme

AGENCY = "bungo-dinkes"
# October 2026, tenggat 5 days: reports accepted until 5 November 23:59:59 WIB.
DEADLINE = datetime(2026, 11, 5, 16, 59, 59, tzinfo=UTC)
OCTOBER = Period(
    agency_id=AGENCY, period_id="2026-10", start=date(2026, 10, 1), end=date(2026, 10, 31), deadline=DEADLINE
)
SITI = Person(nip="198503122010011002", agency_id=AGENCY, nama="dr. Siti Rahmawati")
ANDI = Person(nip="199001012015031003", agency_id=AGENCY, nama="Andi Saputra")
RINA = Person(nip="198807072012122001", agency_id=AGENCY, nama="Rina Marlina")
ELSEWHERE = Person(nip="198001012005011001", agency_id="bungo-dikbud", nama="Dodi")
STAFF = [SITI, ANDI, RINA, ELSEWHERE]


def remind(now: datetime, *, reported=frozenset(), already=frozenset(), staff=STAFF, days_before=3):
    return reminders_due(OCTOBER, now, staff, set(reported), set(already), days_before)


def test_reminders_go_to_everyone_of_the_agency_without_a_report():
    reminders = remind(DEADLINE - timedelta(days=2), reported={ANDI.nip})
    assert [r.employee.nip for r in reminders] == sorted([SITI.nip, RINA.nip])
    assert all(r.kind is EventKind.DEADLINE_REMINDER for r in reminders)
    assert {r.key for r in reminders} == {
        f"reminder:{AGENCY}/2026-10:{SITI.nip}",
        f"reminder:{AGENCY}/2026-10:{RINA.nip}",
    }


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (DEADLINE - timedelta(days=3, seconds=1), False),  # too early
        (DEADLINE - timedelta(days=3), True),
        (DEADLINE, True),  # reports are still accepted at the deadline itself
        (DEADLINE + timedelta(seconds=1), False),  # too late: HR's turn
    ],
)
def test_reminders_only_within_the_window_before_the_deadline(now, due):
    assert bool(remind(now)) is due


def test_no_reminder_before_the_period_has_started():
    # 40 days before the deadline is still September.
    assert remind(DEADLINE - timedelta(days=40), days_before=60) == []
    assert remind(datetime(2026, 10, 1, 0, 0, tzinfo=WIB), days_before=60) != []


def test_each_reminder_once():
    first = remind(DEADLINE - timedelta(days=2))
    again = remind(DEADLINE - timedelta(days=1), already={r.key for r in first})
    assert again == []
    partly = remind(DEADLINE - timedelta(days=1), already={first[0].key})
    assert [r.key for r in partly] == [r.key for r in first[1:]]


def test_inactive_employees_are_not_reminded():
    gone = ANDI.model_copy(update={"nonaktif_sejak": date(2026, 11, 1)})
    leaving = RINA.model_copy(update={"nonaktif_sejak": date(2026, 11, 10)})
    reminders = remind(DEADLINE - timedelta(days=2), staff=[SITI, gone, leaving])
    assert [r.employee.nip for r in reminders] == sorted([SITI.nip, RINA.nip])


def test_hr_hears_once_after_the_deadline_who_did_not_report():
    after = DEADLINE + timedelta(minutes=5)
    assert missed_due(OCTOBER, DEADLINE, STAFF, set(), set()) is None  # not yet
    missed = missed_due(OCTOBER, after, STAFF, {SITI.nip}, set())
    assert missed is not None and missed.kind is EventKind.DEADLINE_MISSED
    assert missed.key == f"missed:{AGENCY}/2026-10" and missed.period == OCTOBER
    assert [p.nip for p in missed.missing] == sorted([ANDI.nip, RINA.nip])
    assert missed_due(OCTOBER, after + timedelta(hours=1), STAFF, {SITI.nip}, {missed.key}) is None


def test_no_notice_when_everyone_reported():
    everyone = {SITI.nip, ANDI.nip, RINA.nip}
    assert missed_due(OCTOBER, DEADLINE + timedelta(hours=1), STAFF, everyone, set()) is None


def test_someone_who_left_after_the_deadline_still_missed_it():
    left_later = ANDI.model_copy(update={"nonaktif_sejak": date(2026, 11, 20)})
    left_before = RINA.model_copy(update={"nonaktif_sejak": date(2026, 11, 1)})
    missed = missed_due(OCTOBER, datetime(2026, 11, 6, tzinfo=UTC), [left_later, left_before], set(), set())
    assert missed is not None and [p.nip for p in missed.missing] == [ANDI.nip]


def test_a_deadline_long_past_is_not_news():
    assert missed_due(OCTOBER, DEADLINE + timedelta(days=8), STAFF, set(), set()) is None
    assert missed_due(OCTOBER, DEADLINE + timedelta(days=8), STAFF, set(), set(), timedelta(days=30)) is not None


def test_period_from_intakes_event():
    opened = PeriodOpened(
        agency_id=AGENCY,
        period_id="2026-10",
        skema=PeriodScheme.BULANAN,
        type=PeriodType.BULANAN,
        start=date(2026, 10, 1),
        end=date(2026, 10, 31),
        deadline=DEADLINE,
        tenggat_hari=5,
    )
    assert Period.from_opened(opened) == OCTOBER


def at_wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=WIB)


def test_the_digest_goes_out_once_a_day_at_four_in_the_afternoon_jakarta_time():
    assert latest_digest_time(at_wib(3, 16)) == at_wib(3, 16)
    assert latest_digest_time(at_wib(3, 15, 59)) == at_wib(2, 16)
    assert next_digest_time(at_wib(3, 9)) == at_wib(3, 16)
    assert next_digest_time(at_wib(3, 16)) == at_wib(4, 16)
    # 09:00 UTC is 16:00 WIB.
    assert latest_digest_time(datetime(2026, 11, 3, 9, 0, tzinfo=UTC)) == at_wib(3, 16)


@pytest.mark.parametrize(
    ("last_sent", "now", "due"),
    [
        (at_wib(2, 16, 1), at_wib(3, 15, 59), False),  # yesterday's went out; today's not yet time
        (at_wib(2, 16, 1), at_wib(3, 16), True),
        (at_wib(3, 16, 0), at_wib(3, 23), False),  # today's went out
        (at_wib(1, 16), at_wib(3, 10), True),  # a day was missed (service down): send now
        (None, at_wib(3, 10), False),  # never sent: wait for 16:00 like everyone
        (None, at_wib(3, 16, 30), True),
    ],
)
def test_digest_due(last_sent, now, due):
    assert digest_due(last_sent, now) is due


def test_digest_hour_is_configurable():
    assert digest_due(at_wib(2, 9), at_wib(3, 8), hour_local=8)
    assert not digest_due(at_wib(3, 8), at_wib(3, 12), hour_local=8)
