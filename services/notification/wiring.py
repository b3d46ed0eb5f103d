"""What notification's routes, handlers and jobs share in one process: its settings, the secret keepers, and
the delivery worker to wake when there is something to send."""

from collections.abc import Callable
from functools import cache

from pymongo.asynchronous.database import AsyncDatabase

from .secrets import InboxLinks, SecretBox, WebhookSecrets
from .settings import NotificationSettings, load_notification_settings


@cache
def notification_settings() -> NotificationSettings:
    return load_notification_settings()


@cache
def secret_box() -> SecretBox:
    return SecretBox(notification_settings().fernet())


@cache
def inbox_links() -> InboxLinks:
    return InboxLinks.from_secret_key(notification_settings().secret_key)


_webhook_secrets: dict[str, WebhookSecrets] = {}


def webhook_secrets(db: AsyncDatabase) -> WebhookSecrets:
    """The signer's keeper of secrets, one per process: a rotation or deletion here is seen at the next delivery
    (other replicas see it within secrets.SECRETS_CACHE_S; the old secret keeps signing meanwhile)."""
    if db.name not in _webhook_secrets:
        _webhook_secrets[db.name] = WebhookSecrets(db, secret_box())
    return _webhook_secrets[db.name]


_wakers: list[Callable[[], None]] = []


def on_wake(waker: Callable[[], None]) -> None:
    """The delivery worker, once running, asks to be woken."""
    _wakers.append(waker)


def wake_delivery_worker() -> None:
    """Deliveries were committed in this process: send them now rather than at the worker's next poll."""
    for waker in _wakers:
        waker()
