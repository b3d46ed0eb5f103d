"""Reporting periods: generated from a scheme, open until their deadline, closed, reopened; the report check."""

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from pymongo.errors import DuplicateKeyError, ServerSelectionTimeoutError

from services.intake import period_clock
from services.intake.domain.periods import (
    WIB,
    AgencyPeriod,
    deadline_for,
    declare_scheme,
    format_wib,
    generate_periods,
    period_rejection,
    periods_due_to_close,
)
from services.intake.routes.periods import PeriodReopening, SchemeDeclaration
from shared.contracts import PERIOD_CLOSED, PERIOD_OPENED, PERIOD_REOPENED
from shared.contracts.common import Period, PeriodType
from shared.contracts.periods import ClosedBy, PeriodClosed, PeriodOpened, PeriodReopened, PeriodScheme, PeriodStatus
from shared.service import ServiceDefinition, start_background, stop_background
from shared.settings import ServiceSettings

AGENCY = "bungo-dinkes"
SCHEMES = list(PeriodScheme)
years = st.integers(min_value=2000, max_value=2100)
tenggat = st.integers(min_value=0, max_value=90)


def periodic(periods: list[AgencyPeriod]) -> list[AgencyPeriod]:
    return [p for p in periods if p.type is not PeriodType.TAHUNAN]


def period(type_: str, start: str, end: str) -> Period:
    return Period(type=type_, start=date.fromisoformat(start), end=date.fromisoformat(end))


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


QUARTERS = generate_periods(AGENCY, 2026, PeriodScheme.TRIWULANAN, 5)
Q4 = next(p for p in QUARTERS if p.period_id == "2026-q4")


# --- generate_periods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("skema", "ids"),
    [
        (PeriodScheme.BULANAN, [f"2026-{m:02d}" for m in range(1, 13)]),
        (PeriodScheme.TRIWULANAN, ["2026-q1", "2026-q2", "2026-q3", "2026-q4"]),
        (PeriodScheme.SEMESTERAN, ["2026-s1", "2026-s2"]),
    ],
)
def test_a_scheme_yields_its_periods_then_the_annual_one(skema, ids):
    periods = generate_periods(AGENCY, 2026, skema, 5)

    assert [p.period_id for p in periods] == [*ids, "2026"]
    assert {p.type for p in periodic(periods)} == {PeriodType(skema.value)}
    annual = periods[-1]
    assert (annual.type, annual.start, annual.end) == (PeriodType.TAHUNAN, date(2026, 1, 1), date(2026, 12, 31))
    assert all(p.status is PeriodStatus.OPEN and p.reopened_until is None for p in periods)
    assert all(p.agency_id == AGENCY for p in periods)


def test_quarters_and_months_have_the_calendar_bounds():
    assert [(p.start, p.end) for p in periodic(QUARTERS)] == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
    ]
    february = generate_periods(AGENCY, 2028, PeriodScheme.BULANAN)[1]
    assert (february.period_id, february.end) == ("2028-02", date(2028, 2, 29))  # leap year


def test_deadline_is_the_end_of_the_day_in_jakarta_tenggat_days_after_the_period():
    assert Q4.deadline == datetime(2027, 1, 5, 16, 59, 59, tzinfo=UTC)  # 5 January 2027, 23:59:59 WIB
    assert deadline_for(date(2026, 10, 31), 0) == wib(2026, 10, 31, 23, 59, 59)
    assert format_wib(Q4.deadline) == "5 Januari 2027 pukul 23.59.59 WIB"


@pytest.mark.parametrize("days", [-1, 91])
def test_tenggat_outside_0_to_90_days_is_refused(days):
    with pytest.raises(ValueError, match="tenggat_hari"):
        deadline_for(date(2026, 10, 31), days)


@given(years, st.sampled_from(SCHEMES), tenggat)
def test_periods_of_a_scheme_tile_the_year_without_gaps_or_overlaps(tahun, skema, days):
    periods = periodic(generate_periods(AGENCY, tahun, skema, days))

    assert periods[0].start == date(tahun, 1, 1)
    assert periods[-1].end == date(tahun, 12, 31)
    for before, after in pairwise(periods):
        assert before.start <= before.end
        assert after.start == before.end + timedelta(days=1)
    assert len({p.period_id for p in periods}) == len(periods)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(SCHEMES))
def test_every_date_of_the_year_falls_in_exactly_one_periodic_period(day, skema):
    periods = generate_periods(AGENCY, day.year, skema, 5)

    assert len([p for p in periodic(periods) if p.start <= day <= p.end]) == 1
    assert len([p for p in periods if p.type is PeriodType.TAHUNAN and p.start <= day <= p.end]) == 1


@given(years, st.sampled_from(SCHEMES), tenggat)
def test_every_deadline_is_2359_59_wib_tenggat_days_after_the_end(tahun, skema, days):
    for p in generate_periods(AGENCY, tahun, skema, days):
        local = p.deadline.astimezone(WIB)
        assert local.date() == p.end + timedelta(days=days)
        assert (local.hour, local.minute, local.second) == (23, 59, 59)
        assert p.deadline.tzinfo is not None


@given(years, st.sampled_from(SCHEMES))
def test_generated_period_ids_are_valid_in_the_published_contract(tahun, skema):
    for p in generate_periods(AGENCY, tahun, skema, 5):
        event = PeriodOpened(
            agency_id=AGENCY,
            period_id=p.period_id,
            skema=skema,
            type=p.type,
            start=p.start,
            end=p.end,
            deadline=p.deadline,
            tenggat_hari=5,
        )
        assert event.period_id.startswith(str(tahun))


# --- period_rejection ------------------------------------------------------------------------

BEFORE_DEADLINE = wib(2026, 12, 15, 9, 0)


def test_no_declared_scheme_means_no_check():
    assert period_rejection(period("bulanan", "2026-10-01", "2026-10-20"), None, BEFORE_DEADLINE) is None


@pytest.mark.parametrize(
    ("type_", "start", "end"),
    [("triwulanan", "2026-10-01", "2026-12-31"), ("tahunan", "2026-01-01", "2026-12-31")],
)
def test_a_declared_open_period_is_accepted(type_, start, end):
    assert period_rejection(period(type_, start, end), QUARTERS, BEFORE_DEADLINE) is None


@pytest.mark.parametrize(
    ("type_", "start", "end"),
    [
        ("bulanan", "2026-10-01", "2026-10-31"),  # another scheme
        ("triwulanan", "2026-10-01", "2026-12-30"),  # wrong end
        ("triwulanan", "2026-09-01", "2026-11-30"),  # not a calendar quarter
        ("tahunan", "2026-02-01", "2026-12-31"),
    ],
)
def test_a_period_outside_the_scheme_is_rejected_naming_the_scheme(type_, start, end):
    reason = period_rejection(period(type_, start, end), QUARTERS, BEFORE_DEADLINE)

    assert reason is not None
    assert (reason.field, reason.code) == ("period", "period_not_in_scheme")
    assert "triwulanan" in reason.message and "2026" in reason.message


def test_an_empty_declaration_accepts_no_period():
    reason = period_rejection(period("tahunan", "2026-01-01", "2026-12-31"), [], BEFORE_DEADLINE)
    assert reason is not None and reason.code == "period_not_in_scheme"


def test_a_period_is_open_until_its_deadline_second_and_closed_after():
    q4 = period("triwulanan", "2026-10-01", "2026-12-31")

    assert period_rejection(q4, QUARTERS, Q4.deadline) is None
    reason = period_rejection(q4, QUARTERS, Q4.deadline + timedelta(seconds=1))

    assert reason is not None and (reason.field, reason.code) == ("period", "period_closed")
    assert "5 Januari 2027 pukul 23.59.59 WIB" in reason.message and "2026-q4" in reason.message


def test_a_period_closed_by_an_admin_is_closed_before_its_deadline():
    declared = [Q4.closed(BEFORE_DEADLINE, ClosedBy.ADMIN)]
    reason = period_rejection(Q4.period, declared, BEFORE_DEADLINE + timedelta(minutes=1))

    assert reason is not None and reason.code == "period_closed" and "admin" in reason.message


def test_a_reopened_period_is_open_until_the_reopening_ends():
    after_deadline = Q4.deadline + timedelta(days=3)
    until = Q4.deadline + timedelta(days=10)
    declared = [Q4.closed(Q4.deadline + timedelta(seconds=5), ClosedBy.DEADLINE).reopened(until)]

    assert period_rejection(Q4.period, declared, after_deadline) is None
    assert period_rejection(Q4.period, declared, until) is None
    reason = period_rejection(Q4.period, declared, until + timedelta(seconds=1))
    assert reason is not None and reason.code == "period_closed" and format_wib(until) in reason.message


@given(st.sampled_from(SCHEMES), st.integers(min_value=0, max_value=600 * 86_400))
def test_a_declared_period_is_rejected_exactly_when_its_deadline_has_passed(skema, seconds):
    declared = generate_periods(AGENCY, 2026, skema, 5)
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    for p in declared:
        reason = period_rejection(p.period, declared, now)
        assert (reason is not None) == (now > p.deadline)
        assert reason is None or reason.code == "period_closed"


# --- closing ----------------------------------------------------------------------------------


def test_periods_due_to_close_are_open_past_their_deadline_or_reopened_past_their_end():
    now = wib(2027, 2, 1)
    open_past = Q4
    open_ahead = replace(Q4, period_id="ahead", deadline=now + timedelta(hours=1))
    reopened_past = replace(Q4, period_id="a", status=PeriodStatus.REOPENED, reopened_until=now - timedelta(hours=1))
    reopened_ahead = replace(Q4, period_id="b", status=PeriodStatus.REOPENED, reopened_until=now + timedelta(hours=1))
    closed = Q4.closed(now - timedelta(days=2), ClosedBy.ADMIN)

    due = periods_due_to_close([open_past, open_ahead, reopened_past, reopened_ahead, closed], now)

    assert due == [open_past, reopened_past]


@given(st.sampled_from(SCHEMES), st.integers(min_value=0, max_value=800 * 86_400))
def test_closing_what_is_due_leaves_nothing_due_and_nothing_open_past_its_deadline(skema, seconds):
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    scheme = declare_scheme(AGENCY, 2026, skema, 5)
    for p in periods_due_to_close(scheme.periods, now):
        scheme = scheme.with_period(p.closed(now, ClosedBy.DEADLINE))

    assert periods_due_to_close(scheme.periods, now) == []
    assert all(p.is_open(now) == (now <= p.deadline) for p in scheme.periods)
    assert scheme.next_close_at is None or scheme.next_close_at >= now


def test_a_scheme_locks_once_any_of_its_periods_has_closed():
    scheme = declare_scheme(AGENCY, 2026, PeriodScheme.BULANAN, 5)
    january = scheme.periods[0]

    assert scheme.first_closed(wib(2026, 1, 20)) is None
    assert scheme.first_closed(january.deadline + timedelta(seconds=1)) == january  # past it, clock or not
    closed_early = scheme.with_period(january.closed(wib(2026, 1, 20), ClosedBy.ADMIN).reopened(wib(2026, 3, 1)))
    assert closed_early.first_closed(wib(2026, 1, 21)).period_id == "2026-01"
    assert closed_early.next_close_at == wib(2026, 3, 1)  # the reopening ends before February's deadline


def test_next_close_at_is_the_earliest_deadline_or_end_of_a_reopening():
    scheme = declare_scheme(AGENCY, 2026, PeriodScheme.TRIWULANAN, 5)
    assert scheme.next_close_at == scheme.periods[0].deadline
    q1 = scheme.periods[0]
    reopened = scheme.with_period(q1.closed(q1.deadline, ClosedBy.DEADLINE).reopened(q1.deadline + timedelta(days=1)))
    assert reopened.next_close_at == q1.deadline + timedelta(days=1)
    all_closed = scheme
    for p in scheme.periods:
        all_closed = all_closed.with_period(p.closed(p.deadline, ClosedBy.DEADLINE))
    assert all_closed.next_close_at is None


# --- what callers send and what is published ---------------------------------------------------------


def test_declaration_defaults_to_five_days_and_bounds_them():
    assert SchemeDeclaration(skema="bulanan").tenggat_hari == 5
    for days in (-1, 91):
        with pytest.raises(ValidationError):
            SchemeDeclaration(skema="bulanan", tenggat_hari=days)
    with pytest.raises(ValidationError):
        SchemeDeclaration(skema="tahunan")  # the annual period comes with every scheme


def test_reopening_until_a_time_without_offset_is_read_in_jakarta():
    body = PeriodReopening(alasan=" gangguan jaringan ", sampai="2027-01-20T23:59:59")
    assert body.sampai == datetime(2027, 1, 20, 16, 59, 59, tzinfo=UTC)
    assert body.alasan == "gangguan jaringan"
    with pytest.raises(ValidationError):
        PeriodReopening(alasan="   ", sampai="2027-01-20T23:59:59+07:00")


def test_period_events_round_trip_and_carry_the_agency_as_subject():
    now = datetime(2027, 1, 5, 17, 0, 3, tzinfo=UTC)
    for spec, data in [
        (PERIOD_CLOSED, PeriodClosed(agency_id=AGENCY, period_id="2026-q4", closed_at=now, by="deadline")),
        (
            PERIOD_REOPENED,
            PeriodReopened(agency_id=AGENCY, period_id="2026-q4", reopened_until=now, alasan="gangguan jaringan"),
        ),
    ]:
        envelope = spec.envelope(data=data, subject=AGENCY, source="kinerja/intake", correlationid="c-1")
        assert spec.envelope_model.model_validate_json(envelope.model_dump_json()) == envelope
    assert PERIOD_OPENED.topic == "kinerja.period.opened.v1"
    with pytest.raises(ValidationError):
        PeriodReopened(agency_id=AGENCY, period_id="2026-q4", reopened_until=now, alasan="x", by="deadline")
    with pytest.raises(ValidationError):
        PeriodClosed(agency_id=AGENCY, period_id="2026-q5", closed_at=now, by="admin")


def test_every_period_event_field_is_documented():
    for model in (PeriodOpened, PeriodClosed, PeriodReopened):
        for name, info in model.model_fields.items():
            if name != "agency_id":  # documented by the shared AgencyId type
                assert info.description or info.examples, f"{model.__name__}.{name}"


# --- the clock and the background tasks --------------------------------------------------------


def test_the_clock_ticks_every_minute_unless_configured(monkeypatch):
    assert ServiceSettings().period_clock_interval_s == 60
    monkeypatch.setenv("KINERJA_PERIOD_CLOCK_INTERVAL_S", "0.5")
    assert ServiceSettings().period_clock_interval_s == 0.5


class _Runtime:
    settings = ServiceSettings(period_clock_interval_s=0.01)
    db = None


@pytest.mark.parametrize(
    ("error", "level", "words"),
    [
        (ServerSelectionTimeoutError("no servers"), logging.WARNING, "database unavailable"),
        (DuplicateKeyError("E11000"), logging.INFO, "another replica"),
        (RuntimeError("bug"), logging.ERROR, "tick failed"),
    ],
)
async def test_a_failing_tick_logs_one_line_and_the_clock_keeps_going(monkeypatch, caplog, error, level, words):
    calls, retried = 0, asyncio.Event()

    async def failing(db, *, now, limit):
        nonlocal calls
        calls += 1
        if calls >= 4:
            retried.set()
        raise error

    monkeypatch.setattr(period_clock, "period_schemes_due", failing)
    caplog.set_level(logging.INFO, logger=period_clock.__name__)

    assert await period_clock.tick(_Runtime()) == []
    lines = [r for r in caplog.records if r.name == period_clock.__name__]
    assert len(lines) == 1 and lines[0].levelno == level and words in lines[0].getMessage()

    task = asyncio.create_task(period_clock.run_period_clock(_Runtime()))
    await asyncio.wait_for(retried.wait(), 5)  # ticked again after each failure
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_background_tasks_start_with_the_runtime_and_are_cancelled_on_stop():
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def job(runtime):
        assert runtime == "runtime"
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    tasks = start_background(ServiceDefinition(name="x", title="x", description="x", background=[job]), "runtime")
    await asyncio.wait_for(started.wait(), 5)
    await stop_background(tasks)

    assert cancelled.is_set() and all(t.done() for t in tasks)
