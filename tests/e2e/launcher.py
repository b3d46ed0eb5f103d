"""`make run`'s launcher as a test starts it: a child process on free ports, its output read as it comes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from devtools.devstack.processes import free_port, port_open

SERVICES = ("intake", "scoring", "training", "notification", "dashboard")
REPO = Path(__file__).resolve().parents[2]


class Launcher:
    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.ports = {f"KINERJA_{name.upper()}_PORT": free_port() for name in ("kafka", "mongo", "smtp", *SERVICES)}
        self.data_dir = tmp_path / "data"
        env = {**os.environ, **{k: str(v) for k, v in self.ports.items()}, "KINERJA_DATA_DIR": str(self.data_dir)}
        env.pop("KINERJA_LOG_LEVEL", None)  # as a user runs it: INFO
        env.pop("KINERJA_ADMIN_TOKEN", None)  # as a user runs it: the README's development token
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devtools.cli", "run", *args],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        os.set_blocking(self.process.stdout.fileno(), False)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[f'KINERJA_{service.upper()}_PORT']}"

    @property
    def mongo_uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.ports['KINERJA_MONGO_PORT']}/"

    def output(self) -> str:
        while line := self.process.stdout.readline():
            self.lines.append(line)
        return "".join(self.lines)

    def wait_for(self, marker: str, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.process.poll() is None:
            if marker in self.output():
                return self.output()
            time.sleep(0.1)
        raise AssertionError(f"{marker!r} not printed within {timeout_s}s:\n{self.output()}")

    def stop(self) -> int:
        """SIGTERM, as Ctrl-C or a service manager would; the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def open_ports(self) -> list[int]:
        return [port for port in self.ports.values() if port_open("127.0.0.1", port)]
