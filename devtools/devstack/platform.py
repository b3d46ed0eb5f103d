"""The services as separate processes, started and stopped together.

Each running service has a pid file, `<run_dir>/<service>.pid` (by default
`run/` next to the log directory, so `<data_dir>/run/` under `kinerja run`):
written when the service starts or is restarted, removed when it is stopped.
`supervised()` hands the services to a `Supervisor`, which restarts one that
dies (see `devtools.cli.launch.wait_for_signal`).
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.settings import DEFAULT_PORTS

from .processes import ManagedProcess, Supervised, require_free_port, wait_until

SERVICES = ("intake", "scoring", "training", "notification", "dashboard")
# The services a report passes through; the dashboard only reads what they publish.
PIPELINE = ("intake", "scoring", "training", "notification")


def is_ready(url: str, timeout_s: float = 2.0) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Platform:
    kafka_bootstrap: str
    mongo_uri: str
    log_dir: Path
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    database_prefix: str = "kinerja"
    extra_env: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    run_dir: Path | None = None  # pid files; default: run/ next to log_dir
    services: tuple[str, ...] = SERVICES  # a benchmark of the pipeline may leave the dashboard out

    def __post_init__(self) -> None:
        if self.run_dir is None:
            self.run_dir = Path(self.log_dir).parent / "run"
        self.processes = {name: self._process(name) for name in self.services}

    def _process(self, name: str) -> ManagedProcess:
        env = {
            "KINERJA_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "KINERJA_MONGO_URI": self.mongo_uri,
            "KINERJA_MONGO_DB": f"{self.database_prefix}_{name}",
            "KINERJA_HTTP_HOST": self.host,
            "KINERJA_HTTP_PORT": str(self.ports[name]),
            "KINERJA_INSTANCE_ID": "local",
            # The embedded broker answers empty fetches at once: idle consumers would spin (see idle_fetch.py).
            "KINERJA_CONSUMER_IDLE_PAUSE_MS": "200",
            **self.extra_env,
        }
        return ManagedProcess(
            name,
            [sys.executable, "-m", f"services.{name}"],
            self.log_dir / f"{name}.log",
            env,
            pid_file=self.pid_file(name),
        )

    def pid_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def url(self, name: str) -> str:
        return f"http://{self.host}:{self.ports[name]}"

    def start(self, timeout_s: float = 90) -> None:
        for name in self.services:
            require_free_port(self.host, self.ports[name], f"Service {name}", f"KINERJA_{name.upper()}_PORT")
        for name in self.services:
            self.processes[name].start()
        for name in self.services:
            self.wait_ready(name, timeout_s)

    def wait_ready(self, name: str, timeout_s: float = 90) -> None:
        wait_until(lambda: is_ready(self.url(name)), timeout_s, f"service {name}", process=self.processes[name])

    def restart(self, name: str, *, crash: bool = False) -> None:
        process = self.processes[name]
        if crash:
            process.kill()
        else:
            process.stop()
        process.start()
        self.wait_ready(name)

    def stop(self) -> None:
        for name in reversed(self.services):
            self.processes[name].stop()

    def supervised(self) -> list[Supervised]:
        """The services for a `Supervisor`; a short readiness probe keeps its loop responsive."""
        return [
            Supervised(self.processes[name], ready=lambda url=self.url(name): is_ready(url, timeout_s=0.5))
            for name in self.services
        ]
