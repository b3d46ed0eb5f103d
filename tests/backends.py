"""Where the integration and end-to-end tests find Kafka and MongoDB, chosen once per run.

1. KINERJA_KAFKA_BOOTSTRAP / KINERJA_MONGO_URI when set (both);
2. otherwise Apache Kafka (KRaft) and a mongod replica set via testcontainers
   when a Docker engine answers;
3. otherwise the embedded stack (noida-db + SecantusDB as child processes).
"""

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.devstack.embedded import EmbeddedStack
from devtools.devstack.processes import free_port


@dataclass
class Backend:
    kind: str
    kafka_bootstrap: str
    mongo_uri: str
    embedded: EmbeddedStack | None = None
    containers: list[Any] = field(default_factory=list)

    @property
    def controls_infrastructure(self) -> bool:
        return self.embedded is not None or bool(self.containers)

    def stop_broker(self) -> None:
        if self.embedded:
            self.embedded.stop_broker()
        else:  # pausing keeps the container's mapped port, which a restart may change
            self.containers[0].get_wrapped_container().pause()

    def stop_database(self) -> None:
        if self.embedded:
            self.embedded.database.stop()
        else:
            self.containers[1].get_wrapped_container().pause()

    def start_database(self) -> None:
        if self.embedded:
            self.embedded.start_database()
        else:
            self.containers[1].get_wrapped_container().unpause()

    def start_broker(self) -> None:
        if self.embedded:
            self.embedded.start_broker()
        else:
            self.containers[0].get_wrapped_container().unpause()


def docker_engine_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def _docker_backend() -> Iterator[Backend]:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs
    from testcontainers.kafka import KafkaContainer

    kafka = KafkaContainer("confluentinc/cp-kafka:7.7.1").with_kraft()
    mongo = DockerContainer("mongo:7").with_command("--replSet rs0 --bind_ip_all").with_exposed_ports(27017)
    with kafka, mongo:
        wait_for_logs(mongo, "Waiting for connections", timeout=60)
        mongo.exec(
            ["mongosh", "--quiet", "--eval", "rs.initiate({_id:'rs0',members:[{_id:0,host:'localhost:27017'}]})"]
        )
        deadline = time.monotonic() + 60
        while b"true" not in mongo.exec(["mongosh", "--quiet", "--eval", "db.hello().isWritablePrimary"]).output:
            if time.monotonic() > deadline:
                raise TimeoutError("mongod did not become primary")
            time.sleep(0.5)
        uri = f"mongodb://{mongo.get_container_host_ip()}:{mongo.get_exposed_port(27017)}/?directConnection=true"
        yield Backend("docker", kafka.get_bootstrap_server(), uri, containers=[kafka, mongo])


@contextlib.contextmanager
def select_backend(tmp_dir: Path) -> Iterator[Backend]:
    kafka, mongo = os.environ.get("KINERJA_KAFKA_BOOTSTRAP"), os.environ.get("KINERJA_MONGO_URI")
    if kafka and mongo:
        yield Backend("env", kafka, mongo)
    elif docker_engine_available():
        with _docker_backend() as backend:
            yield backend
    else:
        stack = EmbeddedStack(tmp_dir / "stack", kafka_port=free_port(), mongo_port=free_port())
        stack.start()
        try:
            yield Backend("embedded", stack.kafka_bootstrap, stack.mongo_uri, embedded=stack)
        finally:
            stack.stop()
