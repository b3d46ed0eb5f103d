"""A circuit breaker per delivery target: stop knocking on a door that keeps failing.

A dead webhook endpoint fails each attempt in milliseconds, so without a breaker the worker attempts its whole
backlog as fast as it can claim it, and every failed attempt is a claim and an outcome written to the database:
the load that slows every other endpoint and e-mail. After `failures_to_open` failures in a row the target's
circuit opens: nothing more is attempted there until the cool-down ends (5 s, doubling while it keeps failing,
at most 5 minutes). Then a few attempts go through (half-open): one success closes it, one failure opens it
again for longer. The deliveries themselves are untouched: they stay due and go once the target answers again,
each within its own retry policy.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class BreakerPolicy:
    failures_to_open: int = 5
    first_cool_down_s: float = 5.0
    max_cool_down_s: float = 300.0


@dataclass
class _Circuit:
    failures: int = 0  # in a row
    opened: int = 0  # times opened since the last success
    open_until: datetime | None = None


@dataclass
class CircuitBreakers:
    policy: BreakerPolicy = field(default_factory=BreakerPolicy)
    _circuits: dict[str, _Circuit] = field(default_factory=dict)

    def is_open(self, target: str, now: datetime) -> bool:
        circuit = self._circuits.get(target)
        return circuit is not None and circuit.open_until is not None and now < circuit.open_until

    def open_targets(self, now: datetime) -> list[str]:
        return sorted(target for target in self._circuits if self.is_open(target, now))

    def tripped(self, target: str) -> bool:
        """Opened since the target's last success: paused, or letting trial attempts through after a cool-down."""
        circuit = self._circuits.get(target)
        return circuit is not None and circuit.opened > 0

    def record_success(self, target: str) -> None:
        self._circuits.pop(target, None)

    def record_failure(self, target: str, now: datetime) -> bool:
        """Count a failed attempt; True when it opens (or re-opens) the target's circuit."""
        circuit = self._circuits.setdefault(target, _Circuit())
        circuit.failures += 1
        half_open = circuit.opened > 0  # its cool-down has passed and this was a trial attempt
        if circuit.failures < self.policy.failures_to_open and not half_open:
            return False
        if self.is_open(target, now):
            return False  # attempts started before it opened, failing now: the same outage
        cool_down = min(self.policy.first_cool_down_s * 2**circuit.opened, self.policy.max_cool_down_s)
        circuit.opened += 1
        circuit.open_until = now + timedelta(seconds=cool_down)
        return True
