"""Settings for every service, read from KINERJA_* environment variables."""

import socket

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_PORTS = {"intake": 8001, "scoring": 8002, "training": 8003, "notification": 8004}


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
    relay_batch_size: int = Field(default=500, ge=1)
    relay_poll_interval_s: float = Field(default=0.5, gt=0)
    relay_lease_s: float = Field(default=10.0, gt=0, description="How long one replica holds the outbox relay")
    kafka_request_timeout_ms: int = 10_000
    group_prefix: str = Field(
        default="kinerja", description="Consumer groups are <prefix>-<service>; separate platforms on one broker differ"
    )
    instance_id: str | None = Field(
        default=None,
        description="Stable id of this replica (defaults to the host name); a restarted replica with the same id "
        "takes its partitions back at once (Kafka static membership) instead of waiting out a rebalance",
    )
    log_level: str = "INFO"
    admin_token: SecretStr = Field(
        default=SecretStr("kinerja-dev-admin"), description="Bearer token for intake's admin routes"
    )

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


def load_settings(service_name: str) -> ServiceSettings:
    return ServiceSettings(service_name=service_name)
