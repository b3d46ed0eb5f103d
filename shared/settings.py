"""Settings for every service, read from KINERJA_* environment variables."""

import ipaddress
import socket
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORTS = {"intake": 8001, "scoring": 8002, "training": 8003, "notification": 8004, "dashboard": 8005}
# Published in the README for `make run`: refused outside development mode (see unsafe_admin_token).
DEV_ADMIN_TOKEN = "kinerja-dev-admin"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KINERJA_", extra="ignore")

    service_name: str = "kinerja"
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers, comma separated")
    mongo_uri: SecretStr = Field(
        default=SecretStr("mongodb://127.0.0.1:27017/"), description="May carry credentials, so never logged"
    )
    mongo_db: str | None = Field(default=None, description="Database name; defaults to kinerja_<service>")
    http_host: str = "127.0.0.1"
    http_port: int | None = None
    topic_partitions: int = Field(default=6, ge=1)
    topic_replication: int = Field(default=1, ge=1)
    consumer_batch_size: int = Field(default=200, ge=1)
    consumer_max_attempts: int = Field(default=3, ge=1, description="Tries before an event is dead-lettered")
    consumer_retry_backoff_s: float = Field(default=0.2, ge=0)
    consumer_idle_pause_ms: int = Field(
        default=0,
        ge=0,
        le=1000,
        description="Pause an idle consumer's fetching this long (0: never); for brokers that answer empty "
        "fetches at once, such as the embedded development broker",
    )
    relay_batch_size: int = Field(default=500, ge=1)
    relay_poll_interval_s: float = Field(default=0.5, gt=0)
    relay_lease_s: float = Field(default=10.0, gt=0, description="How long one replica holds the outbox relay")
    kafka_request_timeout_ms: int = 10_000
    kafka_max_record_bytes: int = Field(
        default=1_000_000,
        ge=16_384,
        description="Largest record the platform produces, serialized (key, value, headers and batch framing). "
        "Must be at most the broker's message.max.bytes (and every topic's max.message.bytes) and the producer's "
        "max request size; the relay's producer takes it as its max_request_size. A dead letter that would be "
        "larger keeps a prefix of the value that fits; the full original stays in the dead_letters collection",
    )
    group_prefix: str = Field(
        default="kinerja", description="Consumer groups are <prefix>-<service>; separate platforms on one broker differ"
    )
    instance_id: str | None = Field(
        default=None,
        description="Stable id of this replica (defaults to the host name); a restarted replica with the same id "
        "takes its partitions back at once (Kafka static membership) instead of waiting out a rebalance",
    )
    env: Literal["production", "development"] = Field(
        default="production",
        description="development (set by `make run`): predictable demo API keys; refused unless bound to loopback",
    )
    log_level: str = "INFO"
    admin_token: SecretStr = Field(
        default=SecretStr(DEV_ADMIN_TOKEN),
        description="Bearer token for the admin routes; outside development mode the default is refused at start",
    )
    period_clock_interval_s: float = Field(
        default=60, gt=0, description="How often intake closes the reporting periods whose deadline has passed"
    )

    @property
    def development(self) -> bool:
        return self.env == "development"

    def unsafe_for_development(self) -> str | None:
        """Why this development configuration must not start, if it must not."""
        if self.development and not _is_loopback(self.http_host):
            return (
                f"KINERJA_ENV=development gives agencies predictable API keys, so it listens only on "
                f"127.0.0.1; KINERJA_HTTP_HOST is {self.http_host}"
            )
        return None

    def unsafe_admin_token(self) -> str | None:
        """Why this production configuration must not start, if it must not: an admin token anyone can know."""
        if self.development:
            return None
        token = self.admin_token.get_secret_value()
        if token == DEV_ADMIN_TOKEN:
            return (
                f"the admin token is the development default ({DEV_ADMIN_TOKEN}), which anyone can read in the "
                f"README; set KINERJA_ADMIN_TOKEN to a secret of your own, or KINERJA_ENV=development for local use"
            )
        if not token.strip():
            return "KINERJA_ADMIN_TOKEN is empty; set it to a secret of your own, or KINERJA_ENV=development locally"
        return None

    @property
    def database(self) -> str:
        return self.mongo_db or f"kinerja_{self.service_name}"

    @property
    def consumer_instance(self) -> str:
        return f"{self.consumer_group}-{self.instance_id or socket.gethostname()}"

    @property
    def consumer_group(self) -> str:
        return f"{self.group_prefix}-{self.service_name}"

    @property
    def port(self) -> int:
        return self.http_port or DEFAULT_PORTS.get(self.service_name, 8000)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_settings(service_name: str) -> ServiceSettings:
    return ServiceSettings(service_name=service_name)
