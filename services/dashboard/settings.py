"""The dashboard's own settings (KINERJA_* environment variables) beside the shared ones.

The secret key signs session cookies. It is the platform's KINERJA_SECRET_KEY (or
KINERJA_DASHBOARD_SECRET_KEY for a key of its own); outside development mode the published default is refused
at start, as the development admin token is. Never logged.
"""

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "kinerja-dev-dashboard-secret"


class DashboardSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KINERJA_", extra="ignore")

    env: Literal["production", "development"] = "production"
    secret_key: SecretStr = Field(
        default=SecretStr(DEV_SECRET_KEY),
        validation_alias=AliasChoices("KINERJA_DASHBOARD_SECRET_KEY", "KINERJA_SECRET_KEY", "secret_key"),
        description="Signs the session cookies; outside development mode the default is refused",
    )
    session_hours: float = Field(default=8, gt=0, le=24 * 7, description="A sign-in lasts this long")
    secure_cookies: bool = Field(
        default=False, description="Send cookies over HTTPS only (set it behind a TLS-terminating proxy)"
    )

    def unsafe_secret_key(self) -> str | None:
        if self.env == "development":
            return None
        raw = self.secret_key.get_secret_value()
        if raw == DEV_SECRET_KEY:
            return (
                "the dashboard's secret key is the development default, which anyone can read in the source; set "
                "KINERJA_SECRET_KEY to a long random secret of your own, or KINERJA_ENV=development locally"
            )
        if len(raw.strip()) < 16:
            return "KINERJA_SECRET_KEY is shorter than 16 characters; set it to a long random secret of your own"
        return None


@lru_cache(maxsize=1)
def dashboard_settings() -> DashboardSettings:
    return DashboardSettings()
