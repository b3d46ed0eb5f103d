"""E-mail over SMTP (aiosmtplib): one delivery is one message to one address.

The Message-ID comes from the delivery id, so a retried mail is recognisably the same mail. Connections are kept
open between messages, as many as are in use at once, and closed after a while unused.

Which failures are worth retrying: a refused recipient or a message the server rejects with a 5xx code will be
refused again (not retried); an unreachable server, a timeout, a 4xx answer (greylisting, a full queue) or a
problem of our own configuration (authentication, a refused sender) can pass, so they are retried.
"""

import asyncio
import contextlib
import logging
import time
from email.message import EmailMessage
from email.utils import format_datetime

from aiosmtplib import (
    SMTP,
    SMTPAuthenticationError,
    SMTPConnectError,
    SMTPException,
    SMTPNotSupported,
    SMTPRecipientsRefused,
    SMTPResponseException,
    SMTPSenderRefused,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

from ..domain.deliveries import Channel, Delivery, DeliveryFailed
from ..settings import NotificationSettings

log = logging.getLogger(__name__)

# A connection unused this long is closed rather than reused: servers drop idle clients after a minute or more.
IDLE_CONNECTION_S = 30.0


def message_id(delivery: Delivery) -> str:
    """The same for every attempt of one delivery (a receiver can drop a repeat)."""
    given = str(delivery.payload.get("message_id") or "").strip()
    if given:
        return given if given.startswith("<") else f"<{given}>"
    return f"<{delivery.id}@kinerja>"


def _one_line(value: object) -> str:
    # A header never carries a line break (header injection); folding is the e-mail library's business.
    return " ".join(str(value or "").split())


class EmailChannel:
    channel = Channel.EMAIL

    def __init__(self, settings: NotificationSettings, *, max_idle_connections: int | None = None) -> None:
        self._settings = settings
        self._max_idle = max_idle_connections or settings.delivery_concurrency
        self._idle: list[tuple[SMTP, float]] = []  # connected clients, with when each was last used

    def message(self, delivery: Delivery) -> EmailMessage:
        payload = delivery.payload
        to = _one_line(payload.get("to"))
        if not to:
            raise DeliveryFailed("no recipient address", retryable=False)
        message = EmailMessage()
        message["From"] = _one_line(self._settings.mail_from)
        message["To"] = to
        message["Subject"] = _one_line(payload.get("subject"))
        message["Date"] = format_datetime(delivery.created_at)
        message["Message-ID"] = message_id(delivery)
        message.set_content(str(payload.get("text") or ""))
        if html := payload.get("html"):
            message.add_alternative(str(html), subtype="html")
        return message

    async def send(self, delivery: Delivery) -> None:
        message = self.message(delivery)
        reused = self._take_idle()
        for client in (reused, None) if reused is not None else (None,):
            fresh = client is None
            try:
                if client is None:
                    client = self._client()
                    await client.connect()
                await client.send_message(message)
            except asyncio.CancelledError:
                if client is not None:
                    client.close()
                raise
            except Exception as exc:
                if client is not None:
                    client.close()
                if not fresh and isinstance(exc, ConnectionError | SMTPTimeoutError):
                    continue  # the server closed a connection we kept: once more on a new one
                raise _failure(exc, self._settings) from exc
            self._keep(client)
            return

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for client, _ in idle:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.quit(), timeout=2)
            client.close()

    def _client(self) -> SMTP:
        s = self._settings
        return SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            timeout=s.smtp_timeout_s,
            use_tls=False,
            start_tls=s.smtp_starttls,
            username=s.smtp_username.get_secret_value() if s.smtp_username else None,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
        )

    def _take_idle(self) -> SMTP | None:
        now = time.monotonic()
        while self._idle:
            client, last_used = self._idle.pop()
            if client.is_connected and now - last_used < IDLE_CONNECTION_S:
                return client
            client.close()
        return None

    def _keep(self, client: SMTP) -> None:
        if len(self._idle) >= self._max_idle or not client.is_connected:
            client.close()
            return
        self._idle.append((client, time.monotonic()))


def _failure(exc: Exception, settings: NotificationSettings) -> DeliveryFailed:
    if isinstance(exc, DeliveryFailed):
        return exc
    if isinstance(exc, SMTPRecipientsRefused):
        refused = exc.recipients
        permanent = bool(refused) and all(r.code >= 500 for r in refused)
        first = refused[0] if refused else None
        detail = f"{first.code} {_one_line(first.message)}" if first else "no reason given"
        return DeliveryFailed(f"recipient refused: SMTP {detail}"[:300], retryable=not permanent)
    if isinstance(exc, SMTPAuthenticationError):
        return DeliveryFailed(f"SMTP authentication failed ({exc.code})")
    if isinstance(exc, SMTPTimeoutError | TimeoutError):
        return DeliveryFailed(f"SMTP timeout after {settings.smtp_timeout_s:g}s")
    if isinstance(exc, SMTPConnectError):  # includes a refusing greeting: about the server, not this message
        return DeliveryFailed(f"SMTP server {settings.smtp_host}:{settings.smtp_port} unreachable")
    if isinstance(exc, SMTPSenderRefused):  # our own From address: a configuration to fix, then it passes
        return DeliveryFailed(f"sender refused: SMTP {exc.code} {_one_line(exc.message)}"[:300])
    if isinstance(exc, SMTPResponseException):
        return DeliveryFailed(f"SMTP {exc.code} {_one_line(exc.message)}"[:300], retryable=exc.code < 500)
    if isinstance(exc, SMTPServerDisconnected | ConnectionError):
        return DeliveryFailed("SMTP connection closed")
    if isinstance(exc, SMTPNotSupported):
        return DeliveryFailed(f"SMTP: {_one_line(exc.message)}"[:300])
    if isinstance(exc, SMTPException | OSError):
        return DeliveryFailed(f"SMTP error: {type(exc).__name__}")
    return DeliveryFailed(f"unexpected {type(exc).__name__}")
