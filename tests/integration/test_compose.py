"""Static checks of docker-compose.yml and the image it builds; needs no Docker engine.

A: the file validates against the vendored Compose Specification schema (and
   the schema check demonstrably rejects broken files).
B: what the schema cannot say: start-up order, health checks, the KRaft and
   replica-set settings, named volumes, host ports that still allow --scale.
C: `docker compose config -q` (or Compose v1's `docker-compose`) accepts the
   file, when such a CLI is installed; skipped otherwise.
D: the observability profile: Prometheus scrapes every app service, the Grafana
   dashboard queries only metrics the code defines, its provisioning points at
   the mounted dashboards and the provisioned data source, and both stay out of
   the default start.
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
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
GRAFANA = ROOT / "deploy" / "grafana"
GRAFANA_DASHBOARDS = GRAFANA / "dashboards"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SCHEMA_FILE = Path(__file__).parent / "data" / "compose-spec.json"

APP_SERVICES = ("intake", "scoring", "training", "notification", "dashboard")
# Consumers only: they must be scalable, so no fixed host port.
SCALABLE_SERVICES = ("scoring", "training", "notification")
ONE_SHOT_SERVICES = ("topics",)
OBSERVABILITY_SERVICES = ("prometheus", "grafana")

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


def test_services_that_sign_or_encrypt_require_the_secret_key() -> None:
    """Notification encrypts webhook secrets with it, the dashboard signs its session cookies: no default."""
    services = _compose()["services"]
    for name in ("notification", "dashboard"):
        key = _VARIABLE.fullmatch(_env(services[name]).get("KINERJA_SECRET_KEY", ""))
        assert key and key["name"] == "KINERJA_SECRET_KEY" and key["op"] == ":?", f"{name}: KINERJA_SECRET_KEY"


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
    assert owners.get(8005) == "dashboard"
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


# --- D: the observability profile -------------------------------------------------------------------------

# Series Prometheus makes itself rather than reads from a service.
PROMETHEUS_OWN_SERIES = frozenset({"up"})
# prometheus_client's Counter("x_total") and Counter("x") both expose x_total; histograms add these suffixes.
_SAMPLE_SUFFIXES = ("", "_total", "_bucket", "_sum", "_count", "_created")
_METRIC_DEFINITION = re.compile(r"\b(?:Counter|Gauge|Histogram|Summary)\(\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"")
_PROMQL_STRING = re.compile(r'"(?:[^"\\]|\\.)*"' + r"|'(?:[^'\\]|\\.)*'")
_PROMQL_KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right"}
)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dashboard() -> dict[str, Any]:
    return json.loads((GRAFANA_DASHBOARDS / "kinerja.json").read_text(encoding="utf-8"))


def _bind_mounts(service: dict[str, Any]) -> dict[Path, tuple[str, bool]]:
    """Host path (resolved from the repo root) -> (container path, read-only) for a service's bind mounts."""
    mounts: dict[Path, tuple[str, bool]] = {}
    for entry in service.get("volumes", []):
        source, target, *mode = str(entry).split(":")
        if source.startswith("."):
            mounts[(ROOT / source).resolve()] = (target, "ro" in mode)
    return mounts


def _defined_metrics() -> set[str]:
    """Every sample name the code can expose: the Counter/Gauge/Histogram/Summary names under shared/ and services/."""
    names: set[str] = set()
    for folder in ("shared", "services"):
        for source in (ROOT / folder).rglob("*.py"):
            for base in _METRIC_DEFINITION.findall(source.read_text(encoding="utf-8")):
                base = base.removesuffix("_total")
                names.update(base + suffix for suffix in _SAMPLE_SUFFIXES)
    return names


def _promql_metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (not its functions, label names, strings or Grafana variables)."""
    if variable_query := re.fullmatch(r"\s*label_values\((?:(?P<selector>.*),)?\s*\w+\s*\)\s*", expr):
        expr = variable_query["selector"] or ""
    expr = _PROMQL_STRING.sub("", expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    expr = re.sub(r"\$\{?\w+\}?", "", expr)
    names = set()
    for match in re.finditer(r"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*", expr):
        if expr[match.end() :].lstrip().startswith("(") or match.group() in _PROMQL_KEYWORDS:
            continue  # a function or an aggregation
        names.add(match.group())
    return names


def _dashboard_queries(dashboard: dict[str, Any]) -> list[str]:
    """Every panel target's expression (rows' nested panels too) and every query variable's query."""
    queries: list[str] = []
    panels = list(dashboard["panels"])
    while panels:
        panel = panels.pop()
        panels.extend(panel.get("panels", []))
        queries.extend(target["expr"] for target in panel.get("targets", []))
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]
            queries.append(query["query"] if isinstance(query, dict) else query)
    return queries


def _datasource_refs(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [ref for item in node for ref in _datasource_refs(item)]
    if not isinstance(node, dict):
        return []
    found = [node["datasource"]] if isinstance(node.get("datasource"), dict) else []
    return found + [ref for key, value in node.items() if key != "datasource" for ref in _datasource_refs(value)]


def test_every_app_service_is_a_prometheus_scrape_target() -> None:
    config = _yaml(PROMETHEUS_CONFIG)
    assert config["global"]["scrape_interval"] == "15s"
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    services = _compose()["services"]
    for name in APP_SERVICES:
        job = jobs.get(name)
        assert job is not None, f"Prometheus has no job for {name}"
        assert job.get("metrics_path", "/metrics") == "/metrics", name
        assert job.get("scrape_interval", "15s") == "15s", name
        # By DNS, so every replica of `--scale` is a target; the name must be the compose service's.
        (lookup,) = job["dns_sd_configs"]
        assert lookup["names"] == [name] and lookup["type"] == "A" and lookup["port"] == 8000, name
        assert name in services, f"{name} is scraped but not in docker-compose.yml"
        relabel = job["relabel_configs"]
        assert {"source_labels": ["__meta_dns_name"], "target_label": "service"} in relabel, name
    for job in jobs.values():
        for lookup in job.get("dns_sd_configs", []):
            assert set(lookup["names"]) <= set(services), f"{job['job_name']} scrapes {lookup['names']}"


def test_prometheus_loads_the_mounted_config_and_stays_on_loopback() -> None:
    prometheus = _compose()["services"]["prometheus"]
    config_path, read_only = _bind_mounts(prometheus)[PROMETHEUS_CONFIG]
    assert read_only
    assert f"--config.file={config_path}" in prometheus["command"]
    assert all(_with_defaults(str(port)).startswith("127.0.0.1:") for port in prometheus["ports"])


def test_prometheus_config_passes_promtool() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed; the scrape targets were still checked")
    result = subprocess.run(
        [promtool, "check", "config", str(PROMETHEUS_CONFIG)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        pytest.param(
            'sum by (service, topic) (rate(kinerja_x_total{outcome="dead_lettered", a=~"$service"}[$__rate_interval]))',
            {"kinerja_x_total"},
            id="aggregation-with-labels",
        ),
        pytest.param(
            "histogram_quantile(0.95, sum by (le) (rate(kinerja_y_bucket[5m]))) / on (job) group_left up",
            {"kinerja_y_bucket", "up"},
            id="quantile-and-binary-op",
        ),
        pytest.param('label_values(up{service!="prometheus"}, service)', {"up"}, id="grafana-variable"),
        pytest.param(
            'count(kinerja_z{route=~"/v1/{id}", note="a \\"quoted\\" kinerja_not_a_metric"}) or vector(0)',
            {"kinerja_z"},
            id="strings-with-braces-and-quotes",
        ),
    ],
)
def test_promql_metric_names_finds_metrics_only(expr: str, names: set[str]) -> None:
    assert _promql_metric_names(expr) == names


def test_grafana_dashboard_queries_only_metrics_the_code_defines() -> None:
    known = _defined_metrics() | PROMETHEUS_OWN_SERIES
    assert {"kinerja_events_consumed_total", "kinerja_http_request_duration_seconds_bucket"} <= known
    used = {name for query in _dashboard_queries(_dashboard()) for name in _promql_metric_names(query)}
    unknown = sorted(used - known)
    assert not unknown, f"the dashboard queries metrics no code defines: {unknown}"
    # The panels the issue asks for: throughput, latency, lag, backlog, dead letters, deliveries, paused targets.
    wanted = {
        "kinerja_events_consumed_total",
        "kinerja_outbox_published_total",
        "kinerja_http_request_duration_seconds_bucket",
        "kinerja_consumer_lag",
        "kinerja_outbox_pending",
        "kinerja_outbox_oldest_pending_age_seconds",
        "kinerja_delivery_attempts_total",
        "kinerja_delivery_targets_paused",
    }
    assert wanted <= used, f"no panel reads {sorted(wanted - used)}"


def test_grafana_provisioning_loads_the_mounted_dashboards_with_the_provisioned_datasource() -> None:
    grafana = _compose()["services"]["grafana"]
    mounts = _bind_mounts(grafana)
    provisioning, provisioning_ro = mounts[(GRAFANA / "provisioning").resolve()]
    dashboards_at, dashboards_ro = mounts[GRAFANA_DASHBOARDS.resolve()]
    assert provisioning == "/etc/grafana/provisioning" and provisioning_ro and dashboards_ro
    (provider,) = _yaml(GRAFANA / "provisioning" / "dashboards" / "kinerja.yml")["providers"]
    assert provider["type"] == "file" and provider["options"]["path"] == dashboards_at
    (datasource,) = _yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    dashboard = _dashboard()
    (variable,) = [v for v in dashboard["templating"]["list"] if v["type"] == "datasource"]
    assert variable["query"] == "prometheus" and variable["current"]["value"] == datasource["uid"]
    refs = _datasource_refs(dashboard)
    assert refs, "no panel names a data source"
    for ref in refs:
        assert ref["type"] == "prometheus" and ref["uid"] in (f"${{{variable['name']}}}", datasource["uid"]), ref
    home = _env(grafana).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
    assert home is None or home == f"{dashboards_at}/kinerja.json"


def test_prometheus_and_grafana_start_only_with_the_observability_profile() -> None:
    services = _compose()["services"]
    for name, service in services.items():
        expected = ["observability"] if name in OBSERVABILITY_SERVICES else None
        assert service.get("profiles") == expected, f"{name}: profiles {service.get('profiles')}"
        if expected:
            ports = [_with_defaults(str(port)) for port in service["ports"]]
            assert all(port.startswith("127.0.0.1:") for port in ports), f"{name} is published beyond loopback"
            assert not any(services[dep].get("profiles") is None for dep in service.get("depends_on", {})), name


def test_grafana_needs_no_internet_and_no_anonymous_viewers() -> None:
    env = _env(_compose()["services"]["grafana"])
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    assert env["GF_PLUGINS_PREINSTALL_DISABLED"] == "true"
    assert "GF_INSTALL_PLUGINS" not in env and "GF_PLUGINS_PREINSTALL" not in env


@pytest.mark.parametrize(
    ("password", "starts"),
    [
        pytest.param(None, False, id="compose-default"),
        pytest.param("admin", False, id="grafana-default"),
        pytest.param("a-password-of-our-own", True, id="own-password"),
    ],
)
def test_grafana_refuses_to_start_without_a_password_of_its_own(
    tmp_path: Path, password: str | None, starts: bool
) -> None:
    """Runs the service's entrypoint guard with /run.sh (Grafana's own entrypoint) swapped for a stand-in."""
    grafana = _compose()["services"]["grafana"]
    setting = _VARIABLE.fullmatch(_env(grafana)["GF_SECURITY_ADMIN_PASSWORD"])
    assert setting and setting["name"] == "KINERJA_GRAFANA_ADMIN_PASSWORD"
    shell, flag, script, *args = grafana["entrypoint"]
    script = script.replace("$$", "$")  # Compose's escape for a literal $
    assert 'exec /run.sh "$@"' in script
    stand_in = tmp_path / "run.sh"
    stand_in.write_text("#!/bin/sh\necho grafana started\n")
    stand_in.chmod(0o755)
    value = _with_defaults(setting.group()) if password is None else password
    result = subprocess.run(
        [shell, flag, script.replace("/run.sh", str(stand_in)), *args],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GF_SECURITY_ADMIN_PASSWORD": value},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if starts:
        assert result.returncode == 0 and "grafana started" in result.stdout, result.stderr
    else:
        assert result.returncode != 0 and "KINERJA_GRAFANA_ADMIN_PASSWORD" in result.stderr, result.stdout
