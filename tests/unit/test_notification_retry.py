"""Backoff with full jitter: never before now, never after the give-up moment, caps that only grow."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.notification.domain.retry import EMAIL_RETRY, WEBHOOK_RETRY, RetryPolicy, delay_cap_s, next_attempt_at

FIRST = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)

policies = st.builds(
    RetryPolicy,
    first_delay_s=st.floats(0.001, 600),
    factor=st.floats(1, 10),
    max_delay_s=st.floats(0.001, 86_400),
    give_up_after_s=st.floats(0.001, 7 * 86_400),
    max_attempts=st.none() | st.integers(1, 50),
)


@given(
    policy=policies,
    attempts=st.integers(1, 10_000),
    elapsed_s=st.floats(0, 8 * 86_400),
    rng=st.randoms(use_true_random=False),
)
def test_next_attempt_is_never_before_now_nor_after_giving_up(policy, attempts, elapsed_s, rng):
    now = FIRST + timedelta(seconds=elapsed_s)
    at = next_attempt_at(policy, attempts, FIRST, now, rng)
    if at is None:
        return
    assert now <= at <= FIRST + timedelta(seconds=policy.give_up_after_s)
    assert at - now <= timedelta(seconds=delay_cap_s(policy, attempts))
    assert policy.max_attempts is None or attempts < policy.max_attempts


@given(policy=policies, attempts=st.integers(1, 10_000))
def test_the_cap_grows_with_attempts_up_to_the_max_delay(policy, attempts):
    cap = delay_cap_s(policy, attempts)
    assert 0 < cap <= policy.max_delay_s
    assert delay_cap_s(policy, attempts + 1) >= cap


@given(policy=policies, attempts=st.integers(1, 100), rng=st.randoms(use_true_random=False))
def test_gives_up_once_the_time_is_spent(policy, attempts, rng):
    late = FIRST + timedelta(seconds=policy.give_up_after_s)
    assert next_attempt_at(policy, attempts, FIRST, late, rng) is None


def test_gives_up_after_the_last_attempt_allowed():
    policy = WEBHOOK_RETRY.overridden(max_attempts=3)
    rng = random.Random(1)
    assert next_attempt_at(policy, 2, FIRST, FIRST, rng) is not None
    assert next_attempt_at(policy, 3, FIRST, FIRST, rng) is None


def test_the_first_retries_come_quickly_and_later_ones_wait_up_to_the_cap():
    assert [delay_cap_s(WEBHOOK_RETRY, n) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert delay_cap_s(WEBHOOK_RETRY, 30) == 3600
    assert delay_cap_s(EMAIL_RETRY, 30) == 600


def test_full_jitter_spreads_retries_over_the_whole_window():
    rng = random.Random(7)
    delays = [(next_attempt_at(WEBHOOK_RETRY, 10, FIRST, FIRST, rng) - FIRST).total_seconds() for _ in range(500)]
    # The 10th attempt's cap is 5 s × 2^9 = 2560 s: draws fall all over [0, 2560], not bunched at the top.
    assert max(delays) <= 2560 and min(delays) < 100 and max(delays) > 2400


def test_defaults_keep_webhooks_for_a_day_and_mail_for_six_hours():
    assert WEBHOOK_RETRY.give_up_after_s == 24 * 3600 and WEBHOOK_RETRY.max_delay_s == 3600
    assert EMAIL_RETRY.give_up_after_s == 6 * 3600 and EMAIL_RETRY.max_delay_s == 600


def test_settings_override_a_policy_and_none_keeps_the_default():
    fast = WEBHOOK_RETRY.overridden(first_delay_s=0.05, max_delay_s=0.2, give_up_after_s=None)
    assert (fast.first_delay_s, fast.max_delay_s, fast.give_up_after_s) == (0.05, 0.2, 24 * 3600)
    with pytest.raises(ValidationError):
        WEBHOOK_RETRY.overridden(factor=0.5)


def test_a_retry_follows_a_failed_attempt():
    with pytest.raises(ValueError, match="at least 1"):
        next_attempt_at(WEBHOOK_RETRY, 0, FIRST, FIRST, random.Random(0))
