"""Child processes that start in their own process group and stop with it, and their supervision.

`ManagedProcess` starts one child in a new session (its own process group) and
stops the whole group; with `pid_file` set it keeps `<pid>\n` in that file
while the child runs. `Supervisor` restarts children that exit on their own,
with the backoff and crash-loop rules of `RestartPolicy`, a pure piece of logic
with no clock or processes of its own so it can be unit-tested.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO


class PortInUseError(RuntimeError):
    pass


def port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.3):
        return True
    return False


def require_free_port(host: str, port: int, what: str, env_var: str) -> None:
    if port_open(host, port):
        raise PortInUseError(
            f"{what} cannot start: {host}:{port} is already in use by another program. "
            f"Stop that program or choose another port with {env_var}=<port>."
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ManagedProcess:
    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    pid_file: Path | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        # A new session puts the child and anything it spawns in one process
        # group, so stopping the group leaves nothing behind.
        self.process = subprocess.Popen(
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **self.env},
            cwd=self.cwd,
            start_new_session=True,
        )
        log.close()
        self._write_pid_file()

    def _write_pid_file(self) -> None:
        if self.pid_file is None or self.process is None:
            return
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.pid_file.with_name(f".{self.pid_file.name}.tmp")
        partial.write_text(f"{self.process.pid}\n")
        os.replace(partial, self.pid_file)  # readers never see a half-written file

    def _remove_pid_file(self) -> None:
        if self.pid_file is not None:
            self.pid_file.unlink(missing_ok=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s: float = 15.0, sig: int = signal.SIGTERM) -> None:
        if not self.process:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.process = None
        self._remove_pid_file()

    def exited(self) -> int | None:
        """The child's return code once it has exited on its own (reaping it), else None.

        None too when it was never started or was stopped with `stop()`. Before
        reaping, whatever is left of its process group is killed: the exited
        leader, still a zombie, keeps the group id from being reused meanwhile.
        """
        if self.process is None:
            return None
        if self.process.returncode is None:
            try:
                state = os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except (AttributeError, ChildProcessError):  # no waitid (macOS): reap, leave the group be
                if self.process.poll() is None:
                    return None
            else:
                if state is None:
                    return None
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._remove_pid_file()  # no stale pid for an operator to signal while a restart is pending
        return self.process.returncode

    def kill(self) -> None:
        """Stop abruptly, as a crash would."""
        self.stop(timeout_s=5.0, sig=signal.SIGKILL)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def wait_until(predicate, timeout_s: float, what: str, interval_s: float = 0.2, process: ManagedProcess | None = None):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        if process is not None and not process.running:
            raise RuntimeError(f"{what}: process exited early\n{process.tail()}")
        time.sleep(interval_s)
    raise TimeoutError(f"{what} not ready after {timeout_s:.0f}s" + (f"\n{process.tail()}" if process else ""))


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


@dataclass
class RestartPolicy:
    """When to restart a child that exited on its own: pure, the caller passes the time in.

    The first restart comes after `initial_delay_s`, each further one waits
    twice as long, up to `max_delay_s`; a child that stayed up `stable_after_s`
    before exiting starts again from `initial_delay_s`. With `crash_limit`
    exits within `crash_window_s` it `keeps_crashing`, and is retried at
    `max_delay_s` for as long as that holds.
    """

    initial_delay_s: float = 0.5
    max_delay_s: float = 30.0
    stable_after_s: float = 60.0
    crash_limit: int = 5
    crash_window_s: float = 300.0
    streak: int = 0  # exits since the child last stayed up stable_after_s
    started_at: float | None = None
    crashes: deque[float] = field(default_factory=deque)

    def on_start(self, now: float) -> None:
        self.started_at = now

    def on_exit(self, now: float) -> float:
        """Records an unexpected exit at `now`; returns how long to wait before restarting."""
        if self.started_at is not None and now - self.started_at >= self.stable_after_s:
            self.streak = 0
        self.crashes.append(now)
        while self.crashes and self.crashes[0] <= now - self.crash_window_s:
            self.crashes.popleft()
        delay = min(self.initial_delay_s * 2 ** min(self.streak, 32), self.max_delay_s)
        self.streak += 1
        return self.max_delay_s if self.keeps_crashing else delay

    @property
    def keeps_crashing(self) -> bool:
        """At least `crash_limit` exits within `crash_window_s`, as of the last exit."""
        return len(self.crashes) >= self.crash_limit


@dataclass
class Supervised:
    process: ManagedProcess
    ready: Callable[[], bool] | None = None  # to report when a restarted child serves again
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    restart_at: float | None = None
    exited_at: float | None = None
    last_exit: str = ""
    awaiting_ready: bool = False


class Supervisor:
    """Restarts children that exit on their own; call `check()` every half second or so.

    `check()` reaps exited children (so none lingers as a zombie), schedules
    their restart by their `RestartPolicy` and starts them when it is due,
    reporting each step on `out`. A child stopped with `ManagedProcess.stop()`
    is left alone, so stop calling `check()` before a deliberate shutdown.
    """

    def __init__(
        self,
        children: Iterable[Supervised],
        out: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        log_lines: int = 8,
    ) -> None:
        self.children = list(children)
        self.out = out
        self.clock = clock
        self.log_lines = log_lines
        now = clock()
        for child in self.children:
            child.policy.on_start(now)

    def _say(self, text: str) -> None:
        print(text, file=self.out or sys.stdout, flush=True)

    def check(self) -> None:
        for child in self.children:
            self._check(child, self.clock())

    def _check(self, child: Supervised, now: float) -> None:
        process = child.process
        if child.restart_at is None:
            returncode = process.exited()
            if returncode is None:
                if child.awaiting_ready and child.ready is not None and child.ready():
                    child.awaiting_ready = False
                    self._say(
                        f"[supervisor] {process.name} is ready again, {now - child.exited_at:.1f}s after it exited"
                    )
                return
            child.last_exit, child.exited_at, child.awaiting_ready = describe_exit(returncode), now, False
            delay = child.policy.on_exit(now)
            child.restart_at = now + delay
            self._say(
                f"[supervisor] {process.name} exited unexpectedly ({child.last_exit}); "
                f"restarting it in {delay:g}s. Log: {process.log_path}"
            )
            if child.policy.keeps_crashing:
                self._say(self._crash_loop_report(child, delay))
        elif now >= child.restart_at:
            child.restart_at = None
            try:
                process.start()
            except OSError as exc:  # e.g. the executable vanished: count it as another crash
                process.process = None
                child.restart_at = now + child.policy.on_exit(now)
                self._say(f"[supervisor] {process.name} could not be restarted: {exc}")
                return
            child.policy.on_start(now)
            child.awaiting_ready = child.ready is not None
            self._say(f"[supervisor] {process.name} restarted (pid {process.process.pid})")

    def _crash_loop_report(self, child: Supervised, delay: float) -> str:
        policy, process = child.policy, child.process
        rule = "!" * 78
        tail = process.tail(self.log_lines) or "(the log is empty)"
        return "\n".join(
            [
                "",
                rule,
                f"!! {process.name.upper()} KEEPS CRASHING: {len(policy.crashes)} crashes within "
                f"{policy.crash_window_s / 60:g} minutes.",
                f"!! Last exit: {child.last_exit}. Still retrying, every {delay:g}s.",
                f"!! Log: {process.log_path}",
                "!! Last lines of the log:",
                rule,
                *(f"   {line if len(line) <= 300 else line[:299] + '…'}" for line in tail.splitlines()),
                rule,
                "",
            ]
        )
