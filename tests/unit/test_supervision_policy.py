"""The launcher's restart rules (`RestartPolicy`) and how `Supervisor` applies and reports them."""

import io
import signal
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from devtools.devstack.processes import RestartPolicy, Supervised, Supervisor, describe_exit


def exits(policy: RestartPolicy, times: list[float], uptime: float = 1.0) -> list[float]:
    """Starts and crashes the child at each time in `times` (after `uptime`); returns the delays."""
    delays = []
    for t in times:
        policy.on_start(t - uptime)
        delays.append(policy.on_exit(t))
    return delays


def test_first_restart_is_prompt_then_the_delay_doubles_up_to_the_maximum() -> None:
    policy = RestartPolicy(crash_limit=100)
    assert exits(policy, [10.0 * i for i in range(1, 10)]) == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]


def test_backoff_resets_once_the_child_stayed_up_long_enough() -> None:
    policy = RestartPolicy(crash_limit=100)
    assert exits(policy, [10, 20, 30]) == [0.5, 1, 2]
    policy.on_start(100)
    assert policy.on_exit(159.9) == 4  # up just under 60 s: still backing off
    policy.on_start(200)
    assert policy.on_exit(260) == 0.5  # up 60 s: a fresh start


def test_five_crashes_within_five_minutes_is_a_crash_loop_retried_at_the_maximum_delay() -> None:
    policy = RestartPolicy()
    delays = exits(policy, [10, 20, 30, 40])
    assert not policy.keeps_crashing
    assert delays == [0.5, 1, 2, 4]
    assert exits(policy, [50]) == [30]
    assert policy.keeps_crashing
    assert exits(policy, [90, 130]) == [30, 30]
    assert policy.keeps_crashing


def test_crashes_older_than_the_window_no_longer_count() -> None:
    policy = RestartPolicy()
    exits(policy, [0, 100, 200, 250])
    exits(policy, [300])  # the crash at 0 is now exactly 5 minutes old: only 4 in the window
    assert not policy.keeps_crashing
    exits(policy, [310])
    assert policy.keeps_crashing
    exits(policy, [620], uptime=100)  # all earlier crashes fell out of the window
    assert not policy.keeps_crashing


def test_a_crash_loop_overrides_the_reset_after_a_stable_run() -> None:
    policy = RestartPolicy()
    exits(policy, [10, 20, 30, 40, 50])
    assert exits(policy, [200], uptime=100) == [30]  # 6 crashes in 5 minutes, even after 100 s up


@pytest.mark.parametrize(
    ("returncode", "text"),
    [(0, "exit code 0"), (3, "exit code 3"), (-signal.SIGKILL, "killed by SIGKILL"), (-200, "killed by signal 200")],
)
def test_exit_descriptions(returncode: int, text: str) -> None:
    assert describe_exit(returncode) == text


@dataclass
class FakePopen:
    pid: int


@dataclass
class FakeProcess:
    """Stands in for ManagedProcess: `exit_with` makes the next `exited()` report a return code."""

    name: str = "scoring"
    log_path: Path = Path("/data/logs/scoring.log")
    process: FakePopen | None = field(default_factory=lambda: FakePopen(100))
    pending_exit: int | None = None
    starts: int = 0

    def exit_with(self, returncode: int) -> None:
        self.pending_exit = returncode

    def exited(self) -> int | None:
        returncode, self.pending_exit = self.pending_exit, None
        return returncode

    def start(self) -> None:
        self.starts += 1
        self.process = FakePopen(100 + self.starts)

    def tail(self, lines: int = 20) -> str:
        return "\n".join(f"log line {i}" for i in range(1, 40))[-200:]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def supervise(ready: list[bool] | None = None) -> tuple[FakeProcess, Supervisor, Clock, io.StringIO]:
    process, clock, out = FakeProcess(), Clock(), io.StringIO()
    probe = (lambda: ready[0]) if ready is not None else None
    supervisor = Supervisor([Supervised(process, ready=probe)], out=out, clock=clock)  # type: ignore[arg-type]
    return process, supervisor, clock, out


def test_supervisor_restarts_after_the_backoff_and_reports_it() -> None:
    ready = [False]
    process, supervisor, clock, out = supervise(ready)
    supervisor.check()
    assert out.getvalue() == "" and process.starts == 0

    process.exit_with(-signal.SIGKILL)
    supervisor.check()
    assert "scoring exited unexpectedly (killed by SIGKILL); restarting it in 0.5s" in out.getvalue()
    assert "/data/logs/scoring.log" in out.getvalue()
    clock.now += 0.4
    supervisor.check()
    assert process.starts == 0
    clock.now += 0.1
    supervisor.check()
    assert process.starts == 1
    assert "scoring restarted (pid 101)" in out.getvalue()

    clock.now += 1.5
    supervisor.check()
    assert "ready again" not in out.getvalue()
    ready[0] = True
    supervisor.check()
    assert "scoring is ready again, 2.0s after it exited" in out.getvalue()
    supervisor.check()
    assert out.getvalue().count("ready again") == 1


def test_supervisor_leaves_a_deliberately_stopped_child_alone() -> None:
    process, supervisor, clock, out = supervise()
    process.process = None  # what ManagedProcess.stop() leaves behind
    clock.now += 100
    supervisor.check()
    assert process.starts == 0 and out.getvalue() == ""


def test_supervisor_reports_a_crash_loop_prominently_and_keeps_retrying() -> None:
    process, supervisor, clock, out = supervise()
    for _ in range(4):
        process.exit_with(1)
        supervisor.check()
        clock.now += 30
        supervisor.check()
        clock.now += 1
    assert "KEEPS CRASHING" not in out.getvalue()
    process.exit_with(1)
    supervisor.check()
    report = out.getvalue()
    assert "SCORING KEEPS CRASHING: 5 crashes within 5 minutes" in report
    assert "Last exit: exit code 1. Still retrying, every 30s." in report
    assert "Log: /data/logs/scoring.log" in report
    assert "log line 39" in report
    clock.now += 29
    supervisor.check()
    assert process.starts == 4
    clock.now += 1
    supervisor.check()
    assert process.starts == 5
