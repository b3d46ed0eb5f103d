"""Secrets notification keeps: webhook signing secrets and the signed links to a person's inbox.

Webhook secrets (Standard Webhooks: `whsec_` + base64 of 32 random bytes) are shown to the subscriber once and
stored encrypted with Fernet, under `KINERJA_SECRET_KEY` (settings.py); the signer (channels/webhook.py) asks
`WebhookSecrets.secrets_for(subscription_id)` for the ones to sign with. A rotation adds a new secret and keeps
the old one signing alongside it for an overlap, so a receiver can switch without dropping a delivery; then the
old one is gone.

An inbox link carries `?token=<expiry>.<signature>`: an HMAC-SHA256 over the NIP and the expiry, under a key
derived from the same setting (HKDF, so it never doubles as the encryption key). It names no secret, cannot be
moved to another NIP, and expires.

Nothing here logs a secret, a token or a key.
"""

import base64
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import SecretStr
from pymongo.asynchronous.database import AsyncDatabase

from .repository import SUBSCRIPTIONS

SECRET_PREFIX = "whsec_"
DEFAULT_ROTATION_OVERLAP = timedelta(hours=24)
LINK_DEFAULT_TTL = timedelta(days=7)
LINK_MAX_TTL = timedelta(days=30)
# The signer reads a subscription's secrets at most this often: a rotation overlaps by hours, a deletion stops
# signing within seconds.
SECRETS_CACHE_S = 5.0


def _key_material(secret_key: str | SecretStr) -> bytes:
    value = secret_key.get_secret_value() if isinstance(secret_key, SecretStr) else secret_key
    return value.encode()


def _derive(secret_key: str | SecretStr, purpose: bytes) -> bytes:
    """A key of its own for one purpose, from the one setting."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"kinerja-notification", info=purpose)
    return hkdf.derive(_key_material(secret_key))


def new_webhook_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode()


class SecretBox:
    """Encrypts webhook secrets at rest, with the Fernet key of the settings (`NotificationSettings.fernet`)."""

    def __init__(self, fernet: Fernet) -> None:
        self._fernet = fernet

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str | None:
        """The secret, or None if it was sealed under another key (the setting changed)."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            return None


def sealed_secret(box: SecretBox, secret: str, now: datetime) -> dict[str, Any]:
    """How a secret is stored in its subscription: encrypted, with when it stops signing (None: not yet)."""
    return {"sealed": box.seal(secret), "created_at": now, "retires_at": None}


def rotated_secrets(
    stored: list[dict[str, Any]], new: dict[str, Any], now: datetime, overlap: timedelta
) -> list[dict[str, Any]]:
    """The new secret first; the ones still signing keep signing until `now + overlap` (or their own earlier
    retirement); those already retired are dropped."""
    until = now + overlap
    kept = []
    for secret in stored:
        retires_at = secret.get("retires_at")
        if retires_at is not None and _aware(retires_at) <= now:
            continue
        kept.append({**secret, "retires_at": until if retires_at is None else min(_aware(retires_at), until)})
    return [new, *kept] if overlap > timedelta(0) else [new]


def signing_secrets(box: SecretBox, stored: list[dict[str, Any]], now: datetime) -> list[str]:
    """The secrets a delivery is signed with now, newest first."""
    secrets = []
    for secret in stored:
        retires_at = secret.get("retires_at")
        if retires_at is not None and _aware(retires_at) <= now:
            continue
        if (opened := box.open(secret["sealed"])) is not None:
            secrets.append(opened)
    return secrets


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class WebhookSecrets:
    """What the webhook channel signs with: `secrets_for(subscription_id)`, cached for a few seconds."""

    def __init__(self, db: AsyncDatabase, box: SecretBox, cache_s: float = SECRETS_CACHE_S) -> None:
        self._db, self._box, self._cache_s = db, box, cache_s
        self._cache: dict[str, tuple[float, list[dict[str, Any]]]] = {}

    async def secrets_for(self, subscription_id: str) -> list[str]:
        """Newest first; empty when the subscription was deleted."""
        cached = self._cache.get(subscription_id)
        if cached is None or time.monotonic() - cached[0] > self._cache_s:
            document = await self._db[SUBSCRIPTIONS].find_one({"_id": subscription_id}, {"secrets": 1})
            cached = (time.monotonic(), (document or {}).get("secrets", []))
            self._cache[subscription_id] = cached
        return signing_secrets(self._box, cached[1], datetime.now(UTC))

    def forget(self, subscription_id: str) -> None:
        """A rotation or deletion in this process: sign with the new state from the next delivery on."""
        self._cache.pop(subscription_id, None)


# --- Signed inbox links ---------------------------------------------------------------------------------------


class LinkRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class InboxLinks:
    """Signs and checks the token of a per-person inbox link."""

    key: bytes

    @classmethod
    def from_secret_key(cls, secret_key: str | SecretStr) -> "InboxLinks":
        return cls(_derive(secret_key, b"inbox-links"))

    def _signature(self, nip: str, expires: int) -> str:
        digest = hmac.new(self.key, f"inbox|{nip}|{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def token(self, nip: str, expires_at: datetime) -> str:
        expires = int(expires_at.timestamp())
        return f"{expires}.{self._signature(nip, expires)}"

    def verify(self, nip: str, token: str, now: datetime) -> None:
        """Raises LinkRefused: `inbox_link_invalid` (altered, another NIP's, malformed) or `inbox_link_expired`."""
        expires_text, _, signature = token.partition(".")
        if not expires_text.isdigit() or len(expires_text) > 12 or not signature:
            raise LinkRefused("inbox_link_invalid", "Tautan kotak masuk tidak valid")
        expected = self._signature(nip, int(expires_text))
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise LinkRefused("inbox_link_invalid", "Tautan kotak masuk tidak valid")
        if int(expires_text) <= now.timestamp():
            raise LinkRefused("inbox_link_expired", "Tautan kotak masuk sudah kedaluwarsa; minta tautan baru")
