"""The embedded infrastructure: noida-db (Kafka protocol) and SecantusDB (MongoDB protocol).

Both are development and test stand-ins run as separate processes; the
services only ever speak the Kafka and MongoDB wire protocols to them.
"""

import os
import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from .processes import ManagedProcess, port_open, require_free_port, wait_until

HOST = "127.0.0.1"


def noida_binary() -> str:
    # Start the real binary, not the `noida-db` console script: the script
    # runs the binary as its own child, which would outlive a stop signal.
    path = files("noida_db").joinpath("noida-db")
    os.chmod(str(path), 0o755)
    return str(path)


@dataclass
class EmbeddedStack:
    data_dir: Path
    kafka_port: int = 9092
    mongo_port: int = 27017

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()
        logs = self.data_dir / "logs"
        self.broker = ManagedProcess(
            "kafka",
            [
                noida_binary(),
                "start",
                "--only",
                "kafka",
                "--kafka-port",
                str(self.kafka_port),
                "--host",
                HOST,
                "--data-dir",
                str(self.data_dir / "kafka"),
            ],
            logs / "kafka.log",
        )
        self.database = ManagedProcess(
            "mongodb",
            [
                sys.executable,
                "-m",
                "secantus",
                "--host",
                HOST,
                "--port",
                str(self.mongo_port),
                "--storage-path",
                str(self.data_dir / "mongodb"),
                "--log-level",
                "WARNING",
            ],
            logs / "mongodb.log",
        )

    @property
    def kafka_bootstrap(self) -> str:
        return f"{HOST}:{self.kafka_port}"

    @property
    def mongo_uri(self) -> str:
        return f"mongodb://{HOST}:{self.mongo_port}/"

    def start(self) -> None:
        require_free_port(HOST, self.kafka_port, "Kafka broker", "KINERJA_KAFKA_PORT")
        require_free_port(HOST, self.mongo_port, "MongoDB server", "KINERJA_MONGO_PORT")
        self.start_database()
        self.start_broker()

    def start_broker(self) -> None:
        self.broker.start()
        wait_until(lambda: port_open(HOST, self.kafka_port), 60, "Kafka broker", process=self.broker)

    def stop_broker(self) -> None:
        self.broker.stop()

    def start_database(self) -> None:
        self.database.start()
        wait_until(lambda: port_open(HOST, self.mongo_port), 60, "MongoDB server", process=self.database)

    def stop(self) -> None:
        self.broker.stop()
        self.database.stop()
