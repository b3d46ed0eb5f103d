"""Static checks of docker-compose.yml and the image it builds; needs no Docker engine.

A: the file validates against the vendored Compose Specification schema (and
   the schema check demonstrably rejects broken files).
B: what the schema cannot say: start-up order, health checks, the KRaft and
   replica-set settings, named volumes, host ports that still allow --scale.
C: `docker compose config -q` (or Compose v1's `docker-compose`) accepts the
   file, when such a CLI is installed; skipped otherwise.
"""

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SCHEMA_FILE = Path(__file__).parent / "data" / "compose-spec.json"

APP_SERVICES = ("intake", "scoring", "training", "notification")
# Consumers only: they must be scalable, so no fixed host port.
SCALABLE_SERVICES = ("scoring", "training", "notification")
ONE_SHOT_SERVICES = ("topics",)

_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(_schema())


def _compose() -> dict[str, Any]:
    # Interpolation (${VAR:-default}) is left as-is: the values are strings either way.
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def _with_defaults(value: str) -> str:
    """Resolves ${VAR:-default} / ${VAR-default} to the default, ${VAR} to ''; deterministic, ignores the env."""
    return _VARIABLE.sub(lambda m: m["arg"] if m["op"] in (":-", "-") else "", value)


def _host_ports(service: dict[str, Any]) -> list[str]:
    """Fixed host ports (or ranges) a service publishes; ephemeral publications are left out."""
    published: list[str] = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            host = str(port.get("published", "") or "")
        else:
            spec = _with_defaults(str(port)).split("/")[0]
            parts = spec.rsplit(":", 2)
            host = parts[-2] if len(parts) >= 2 else ""
        host = _with_defaults(host)
        if host:
            published.append(host)
    return published


def _expand(host: str) -> set[int]:
    low, _, high = host.partition("-")
    return set(range(int(low), int(high or low) + 1))


def _env(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def _named_volume(entry: Any) -> str | None:
    if isinstance(entry, dict):
        return entry.get("source") if entry.get("type") == "volume" else None
    source = str(entry).split(":", 1)[0]
    return None if source.startswith((".", "/", "~", "$")) or ":" not in str(entry) else source


# --- A: Compose Specification schema -------------------------------------------------------------


def test_vendored_schema_is_the_compose_spec_draft7_schema() -> None:
    schema = _schema()
    assert schema["title"] == "Compose Specification"
    assert "draft-07" in schema["$schema"]
    jsonschema.Draft7Validator.check_schema(schema)


def test_compose_file_validates_against_compose_spec() -> None:
    document = _compose()
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors)
    assert "version" not in document, "the Compose Specification has no top-level version: key"


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param({"services": {"a": {"image": "x", "restrat": "always"}}}, id="unknown-service-key"),
        pytest.param(
            {"services": {"a": {"image": "x", "depends_on": {"b": {"condition": "service_ready"}}}}},
            id="bad-depends-on-condition",
        ),
        pytest.param({"services": {"a": {"image": "x", "ports": "8001:8000"}}}, id="ports-not-a-list"),
        pytest.param({"services": {"a": {"image": "x"}}, "servcies": {}}, id="unknown-top-level-key"),
        pytest.param({"services": {"a": {"healthcheck": {"test": ["CMD"], "interval": 5}}}}, id="interval-not-str"),
    ],
)
def test_schema_check_rejects_broken_files(broken: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        _validator().validate(broken)


# --- B: what the schema cannot check ------------------------------------------------------------


def test_app_services_wait_for_healthy_infrastructure_and_topics() -> None:
    services = _compose()["services"]
    for name in APP_SERVICES:
        depends_on = services[name].get("depends_on")
        assert isinstance(depends_on, dict), f"{name}: depends_on must use the long form with conditions"
        assert depends_on.get("kafka", {}).get("condition") == "service_healthy", name
        assert depends_on.get("mongo", {}).get("condition") == "service_healthy", name
        assert depends_on.get("topics", {}).get("condition") == "service_completed_successfully", name


def test_app_services_run_their_module_from_one_image_with_container_env() -> None:
    services = _compose()["services"]
    images = {services[name].get("image") for name in (*APP_SERVICES, *ONE_SHOT_SERVICES)}
    assert len(images) == 1 and None not in images, f"one shared image expected, got {images}"
    builders = [name for name, svc in services.items() if "build" in svc]
    assert len(builders) == 1, f"the app image should be built by exactly one service, got {builders}"
    build = services[builders[0]]["build"]
    assert build["context"] == "."
    assert (ROOT / build["dockerfile"]).resolve() == DOCKERFILE
    for name in APP_SERVICES:
        service = services[name]
        assert service["command"] == ["python", "-m", f"services.{name}"], name
        assert service.get("restart") == "unless-stopped", name
        env = _env(service)
        assert env["KINERJA_HTTP_HOST"] == "0.0.0.0", name
        assert env["KINERJA_HTTP_PORT"] == "8000", name
        assert env["KINERJA_KAFKA_BOOTSTRAP"] == "kafka:9092", name
        assert "replicaSet=rs0" in env["KINERJA_MONGO_URI"], name
        assert env["KINERJA_TOPIC_PARTITIONS"] == "6", name
        assert "8000/readyz" in " ".join(service["healthcheck"]["test"]), name
    token = _env(services["intake"])["KINERJA_ADMIN_TOKEN"]
    assert _VARIABLE.fullmatch(token) and _VARIABLE.fullmatch(token)["name"] == "KINERJA_ADMIN_TOKEN", token


def test_every_service_requires_an_admin_token_of_its_own() -> None:
    """The services refuse the development token outside development mode: Compose must demand a real one."""
    services = _compose()["services"]
    for name in APP_SERVICES:
        env = _env(services[name])
        token = _VARIABLE.fullmatch(env.get("KINERJA_ADMIN_TOKEN", ""))
        assert token and token["name"] == "KINERJA_ADMIN_TOKEN", f"{name}: KINERJA_ADMIN_TOKEN is not passed on"
        assert token["op"] == ":?", f"{name}: KINERJA_ADMIN_TOKEN must be required (${{VAR:?message}}), not defaulted"
        assert env.get("KINERJA_ENV", "production") == "production", f"{name}: Compose runs in production mode"


def test_topics_is_a_one_shot_after_kafka() -> None:
    topics = _compose()["services"]["topics"]
    assert topics["command"] == ["python", "-m", "shared.kafka_admin"]
    assert topics.get("restart") == "no"
    assert topics["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert _env(topics)["KINERJA_KAFKA_BOOTSTRAP"] == "kafka:9092"


def test_every_long_running_service_has_a_healthcheck() -> None:
    for name, service in _compose()["services"].items():
        if name in ONE_SHOT_SERVICES:
            continue
        healthcheck = service.get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        assert not healthcheck.get("disable"), name
        test = healthcheck["test"]
        assert (test[0] if isinstance(test, list) else test) != "NONE", name


def test_mongo_runs_a_self_initiating_replica_set() -> None:
    mongo = _compose()["services"]["mongo"]
    command = mongo["command"]
    command = command if isinstance(command, list) else command.split()
    assert command[command.index("--replSet") + 1] == "rs0"
    assert "--bind_ip_all" in command
    check = " ".join(mongo["healthcheck"]["test"])
    assert "rs.initiate(" in check and "mongo:27017" in check
    assert mongo["healthcheck"].get("start_period")


def test_kafka_is_single_node_kraft_without_auto_topic_creation() -> None:
    kafka = _compose()["services"]["kafka"]
    env = _env(kafka)
    assert kafka["image"].startswith("apache/kafka:") and not kafka["image"].endswith(":latest")
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:29093"
    assert env["KAFKA_NODE_ID"] == "1"
    assert env["CLUSTER_ID"], "the apache/kafka image refuses to start KRaft without CLUSTER_ID"
    for key in (
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
    ):
        assert env[key] == "1", key
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert "CONTROLLER://0.0.0.0:29093" in env["KAFKA_LISTENERS"].split(",")


def test_data_lives_in_declared_named_volumes() -> None:
    document = _compose()
    declared = set(document.get("volumes") or {})
    assert {"kafka-data", "mongo-data"} <= declared
    used: set[str] = set()
    for name, service in document["services"].items():
        for entry in service.get("volumes", []):
            volume = _named_volume(entry)
            if volume:
                assert volume in declared, f"{name} mounts undeclared volume {volume}"
                used.add(volume)
    assert {"kafka-data", "mongo-data"} <= used


def test_host_ports_are_unique_and_consumers_can_scale() -> None:
    services = _compose()["services"]
    owners: dict[int, str] = {}
    for name, service in services.items():
        for host in _host_ports(service):
            for port in _expand(host):
                assert port not in owners, f"host port {port} published by both {owners[port]} and {name}"
                owners[port] = name
    assert owners.get(8001) == "intake"
    for name in SCALABLE_SERVICES:
        assert not _host_ports(services[name]), f"{name} publishes a fixed host port, so --scale {name}=3 would fail"
        assert "container_name" not in services[name], f"{name}: container_name prevents --scale"


def test_image_is_slim_non_root_and_copies_only_the_app() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    instructions = [line.strip() for line in dockerfile.splitlines() if line.strip() and not line.startswith("#")]
    assert instructions[0].startswith("FROM python:3.11-slim")
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0", "0:0"), "the image must end as a non-root user"
    assert any("pip install --no-cache-dir ." in line for line in instructions)
    assert "PYTHONUNBUFFERED=1" in dockerfile
    copied = [part for line in instructions if line.startswith("COPY ") for part in line.split()[1:-1]]
    assert set(copied) <= {"pyproject.toml", "README.md", "README.md*", "shared", "services"}, copied
    assert instructions[-1] == 'CMD ["python", "-m", "services.intake"]'
    ignored = {line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()}
    assert {".venv", ".git", "tests", ".kinerja-data"} <= ignored
    assert ignored & {"__pycache__", "**/__pycache__"}


# --- C: the Compose CLI, where installed ---------------------------------------------------------


def _compose_cli() -> list[str] | None:
    """`docker compose` (v2 plugin) if it answers, else Compose v1's `docker-compose`, else None."""
    candidates = []
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for cli in candidates:
        try:
            probe = subprocess.run([*cli, "version"], capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return cli
    return None


def test_compose_cli_accepts_the_file(tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed; schema and semantic checks still ran")
    # `config` only parses, interpolates and validates: no Docker engine needed.
    result = _compose_config(cli, tmp_path, admin_token="compose-config-check")
    assert result.returncode == 0, f"{' '.join(cli)} config failed:\n{result.stdout}\n{result.stderr}"


def test_compose_cli_refuses_the_file_without_an_admin_token(tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed; the static check still ran")
    result = _compose_config(cli, tmp_path, admin_token=None)
    assert result.returncode != 0, f"{' '.join(cli)} config accepted a missing KINERJA_ADMIN_TOKEN"
    assert "KINERJA_ADMIN_TOKEN" in result.stdout + result.stderr


def _compose_config(cli: list[str], tmp_path: Path, admin_token: str | None) -> subprocess.CompletedProcess[str]:
    """`config --quiet` with KINERJA_ADMIN_TOKEN set to `admin_token` or unset (and an empty .env file)."""
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")
    env = {k: v for k, v in os.environ.items() if k != "KINERJA_ADMIN_TOKEN"} | {"COMPOSE_INTERACTIVE_NO_CLI": "1"}
    env.pop("KINERJA_SECRET_KEY", None)
    if admin_token is not None:
        env["KINERJA_ADMIN_TOKEN"] = admin_token
        env["KINERJA_SECRET_KEY"] = f"{admin_token}-notification-secret"  # required by notification, too
    return subprocess.run(
        [*cli, "--file", str(COMPOSE_FILE), "--env-file", str(empty_env_file), "config", "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
