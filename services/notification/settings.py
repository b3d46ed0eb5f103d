"""Notification's own settings, read from KINERJA_* environment variables beside the shared ones.

The secret key (KINERJA_SECRET_KEY, or KINERJA_NOTIFICATION_SECRET_KEY) keys what notification keeps secret
(secrets.py): `fernet()` encrypts webhook signing secrets at rest, and the inbox links' key is derived from it.
A Fernet key is used as it is; any other string is hashed into one. Outside development mode the published
default is refused, as the development admin token is. Never logged.
"""

import base64
import binascii
import hashlib
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Published in the source for `make run`: refused outside development mode (see unsafe_secret_key).
DEV_SECRET_KEY = "kinerja-dev-notification-secret"


class NotificationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KINERJA_", extra="ignore")

    env: Literal["production", "development"] = "production"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, gt=0, lt=65536)
    smtp_username: SecretStr | None = None
    smtp_password: SecretStr | None = Field(default=None, description="Never logged")
    smtp_starttls: bool = Field(default=False, description="Require STARTTLS (the server must offer it)")
    smtp_timeout_s: float = Field(default=30, gt=0, description="Per SMTP command")
    mail_from: str = "Kinerja <kinerja@localhost>"

    secret_key: SecretStr = Field(
        default=SecretStr(DEV_SECRET_KEY),
        validation_alias=AliasChoices("KINERJA_SECRET_KEY", "KINERJA_NOTIFICATION_SECRET_KEY", "secret_key"),
        description="Webhook secrets at rest and inbox links are keyed from it: a Fernet key, or any long random "
        "string (hashed to one); outside development mode the default is refused",
    )

    webhook_timeout_s: float = Field(default=10, gt=0, description="Whole attempt: connect, send, answer")
    webhook_give_up_after_s: float = Field(default=86_400, gt=0, description="Retries of a webhook stop after this")
    email_give_up_after_s: float = Field(default=21_600, gt=0, description="Retries of an e-mail stop after this")
    allow_private_webhooks: bool = Field(
        default=False, description="Allow webhook URLs on loopback or private addresses (SSRF guard off)"
    )

    delivery_concurrency: int = Field(default=32, ge=1, description="Attempts in flight at once, all channels")
    per_target_concurrency: int = Field(default=4, ge=1, description="Attempts in flight to one endpoint or domain")
    reminder_days_before: int = Field(default=3, ge=0, description="Deadline reminders this many days before")
    # Each round that finds a change counts the changed scopes' deliveries (an aggregation): at 5 s it took a fifth
    # of the database's CPU while deliveries flowed (bench.notification); health a dashboard reads can be 30 s old.
    delivery_health_interval_s: float = Field(
        default=30, gt=0, description="How often the delivery-health job looks for changes to publish"
    )

    @property
    def development(self) -> bool:
        return self.env == "development"

    def fernet(self) -> Fernet:
        """The cipher of the secrets at rest: the key itself when it is a Fernet key, else one hashed from it."""
        raw = self.secret_key.get_secret_value()
        if _is_fernet_key(raw):
            return Fernet(raw.encode())
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(raw.encode()).digest()))

    def unsafe_secret_key(self) -> str | None:
        """Why this production configuration must not start, if it must not: a key anyone can read."""
        if self.development:
            return None
        raw = self.secret_key.get_secret_value()
        if raw == DEV_SECRET_KEY:
            return (
                "the notification secret key is the development default, which anyone can read in the source; set "
                "KINERJA_SECRET_KEY to a long random secret of your own, or KINERJA_ENV=development locally"
            )
        if len(raw.strip()) < 16:
            return "KINERJA_SECRET_KEY is shorter than 16 characters; set it to a long random secret of your own"
        return None


def _is_fernet_key(raw: str) -> bool:
    try:
        return len(raw) == 44 and len(base64.urlsafe_b64decode(raw.encode())) == 32
    except (binascii.Error, ValueError):
        return False


def load_notification_settings() -> NotificationSettings:
    return NotificationSettings()
