"""`kinerja run` restarts a service killed with SIGKILL, and still stops cleanly on SIGTERM."""

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from .launcher import SERVICES, Launcher

pytestmark = pytest.mark.e2e


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text())
    except (OSError, ValueError):
        return None


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_killed_service_is_restarted_and_a_sigterm_still_stops_everything(tmp_path):
    launcher = Launcher(tmp_path, "--no-demo")
    data_dir = launcher.data_dir
    try:
        launcher.wait_for("Press Ctrl-C", timeout_s=180)
        pid_file = data_dir / "run" / "scoring.pid"
        url = launcher.url("scoring")
        for name in SERVICES:
            assert read_pid(data_dir / "run" / f"{name}.pid"), f"no pid file for {name}"
        old_pid = read_pid(pid_file)
        assert ready(url)

        os.kill(old_pid, signal.SIGKILL)
        killed_at = time.monotonic()
        deadline = killed_at + 10
        new_pid = None
        while time.monotonic() < deadline:
            new_pid = read_pid(pid_file)
            if new_pid not in (None, old_pid) and ready(url):
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"scoring not back within 10s (pid file: {new_pid}):\n{launcher.output()}")
        restart_s = time.monotonic() - killed_at
        print(f"\nscoring: SIGKILL to ready again in {restart_s:.2f}s (pid {old_pid} -> {new_pid})")

        log = launcher.output()
        assert "scoring exited unexpectedly (killed by SIGKILL)" in log
        assert str(data_dir / "logs" / "scoring.log") in log
        assert f"scoring restarted (pid {new_pid})" in log
        with pytest.raises(ProcessLookupError):
            os.kill(old_pid, 0)  # reaped, not left as a zombie under the launcher
    finally:
        assert launcher.stop() == 0, launcher.output()
    log = launcher.output()
    assert "stopping ..." in log
    assert log.count("restarted (pid") == 1, "nothing is restarted by a deliberate stop"
    assert not launcher.open_ports(), "a child process outlived the launcher"
    assert not list((data_dir / "run").glob("*.pid")), "pid files are removed on stop"
