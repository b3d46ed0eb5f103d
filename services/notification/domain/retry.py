"""When to try a failed delivery again: exponential backoff with full jitter, until a policy gives up.

Full jitter (a uniform draw between zero and the capped exponential delay) spreads the retries of many
deliveries that failed together, so an endpoint coming back up is not hit by all of them in the same second.
The give-up moment is counted from the first attempt: however the draws fall, no attempt is scheduled after it,
and a delivery still failing then is dead (visible with its last error, and can be re-sent).
"""

import math
import random
from datetime import datetime, timedelta
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field


class RetryPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    first_delay_s: float = Field(gt=0, description="Cap of the first retry's delay")
    factor: float = Field(ge=1, description="Each retry's cap is this many times the previous one")
    max_delay_s: float = Field(gt=0, description="No delay between two attempts beyond this")
    give_up_after_s: float = Field(gt=0, description="No attempt later than this after the first one")
    max_attempts: int | None = Field(default=None, ge=1, description="Attempts in all, when limited by count too")

    def overridden(self, **changes: Any) -> Self:
        """This policy with the settings given (None keeps the default), checked like the defaults are."""
        given = {name: value for name, value in changes.items() if value is not None}
        return type(self).model_validate(self.model_dump() | given)


# A receiver may be down for maintenance overnight: keep trying for about a day, at most an hour apart.
WEBHOOK_RETRY = RetryPolicy(first_delay_s=5, factor=2, max_delay_s=3600, give_up_after_s=24 * 3600)
# A mail server is back within hours or not at all; a mail arriving a day late is worth less than a visible error.
EMAIL_RETRY = RetryPolicy(first_delay_s=5, factor=2, max_delay_s=600, give_up_after_s=6 * 3600)


def delay_cap_s(policy: RetryPolicy, attempts_made: int) -> float:
    """The longest wait after the `attempts_made`-th failed attempt: first_delay × factor^(n-1), up to max_delay."""
    exponent = attempts_made - 1
    # Past this exponent the product exceeds max_delay anyway; stopping here keeps the float from overflowing.
    if policy.factor > 1 and exponent > math.log(policy.max_delay_s / policy.first_delay_s, policy.factor):
        return policy.max_delay_s
    return min(policy.max_delay_s, policy.first_delay_s * policy.factor**exponent)


def next_attempt_at(
    policy: RetryPolicy, attempts_made: int, first_attempt_at: datetime, now: datetime, rng: random.Random
) -> datetime | None:
    """When to try again after `attempts_made` attempts (the last one failing at `now`), or None to give up."""
    if attempts_made < 1:
        raise ValueError("next_attempt_at follows a failed attempt: attempts_made must be at least 1")
    give_up_at = first_attempt_at + timedelta(seconds=policy.give_up_after_s)
    if (policy.max_attempts is not None and attempts_made >= policy.max_attempts) or now >= give_up_at:
        return None
    delay = rng.uniform(0, delay_cap_s(policy, attempts_made))
    # A last attempt at the give-up moment rather than none: the draw should not cut the policy short.
    return min(now + timedelta(seconds=delay), give_up_at)
