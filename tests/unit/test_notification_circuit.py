"""The circuit breaker per delivery target: when to stop attempting a failing target and when to try again."""

from datetime import UTC, datetime, timedelta

from services.notification.domain.circuit import BreakerPolicy, CircuitBreakers

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def seconds(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def test_a_target_opens_after_the_failures_in_a_row_and_only_that_target():
    breakers = CircuitBreakers(BreakerPolicy(failures_to_open=3, first_cool_down_s=5))

    opened = [breakers.record_failure("dead.example", T0) for _ in range(3)]

    assert opened == [False, False, True]
    assert breakers.is_open("dead.example", seconds(4.9)) and not breakers.is_open("dead.example", seconds(5))
    assert breakers.open_targets(T0) == ["dead.example"]
    assert not breakers.is_open("fast.example", T0)


def test_a_success_between_failures_keeps_it_closed():
    breakers = CircuitBreakers(BreakerPolicy(failures_to_open=3))
    breakers.record_failure("flaky.example", T0)
    breakers.record_failure("flaky.example", T0)
    breakers.record_success("flaky.example")

    assert not breakers.record_failure("flaky.example", T0)
    assert not breakers.is_open("flaky.example", T0)


def test_a_failed_trial_after_the_cool_down_reopens_it_for_twice_as_long_up_to_the_cap():
    breakers = CircuitBreakers(BreakerPolicy(failures_to_open=2, first_cool_down_s=5, max_cool_down_s=12))
    breakers.record_failure("dead.example", T0)
    breakers.record_failure("dead.example", T0)  # open until 5 s

    assert breakers.record_failure("dead.example", seconds(5))  # the trial fails: open until 5 + 10
    assert breakers.is_open("dead.example", seconds(14.9)) and not breakers.is_open("dead.example", seconds(15))
    assert breakers.record_failure("dead.example", seconds(15))  # capped at 12 s
    assert breakers.is_open("dead.example", seconds(26.9)) and not breakers.is_open("dead.example", seconds(27))


def test_failures_of_attempts_started_before_it_opened_do_not_extend_the_cool_down():
    breakers = CircuitBreakers(BreakerPolicy(failures_to_open=1, first_cool_down_s=5))
    assert breakers.record_failure("dead.example", T0)

    assert not breakers.record_failure("dead.example", seconds(1))
    assert not breakers.is_open("dead.example", seconds(5))


def test_a_success_after_the_cool_down_closes_it_and_forgets_the_outage():
    breakers = CircuitBreakers(BreakerPolicy(failures_to_open=1, first_cool_down_s=5))
    breakers.record_failure("back.example", T0)
    breakers.record_success("back.example")

    assert breakers.open_targets(seconds(1)) == []
    assert breakers.record_failure("back.example", seconds(2))  # a new outage starts at the first cool-down
    assert not breakers.is_open("back.example", seconds(7))
