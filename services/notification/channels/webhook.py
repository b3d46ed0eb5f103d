"""Webhooks to downstream systems, signed per the Standard Webhooks specification.

Each attempt POSTs the delivery's JSON body with `webhook-id` (the delivery's, the same on every attempt, so a
receiver drops a repeat), `webhook-timestamp` (this attempt's, so a receiver rejects a replay) and
`webhook-signature`: `v1,<base64 HMAC-SHA256>` over `id.timestamp.body` with each of the subscription's
current secrets, space separated, so a receiver keeps verifying while its secret is being rotated.

SSRF: unless private webhooks are allowed, the host is resolved at send time, every address it resolves to is
checked again (a name may have been pointed at 127.0.0.1 or 10.x since the subscription was made: DNS
rebinding), and the request goes to the checked address itself, with the name kept for the Host header and TLS,
so a second lookup by the HTTP client cannot answer differently. Redirects are not followed (a 3xx is a failed
attempt), and proxies from the environment are not used, so the checked address is the one connected to.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache

import httpx
from standardwebhooks import Webhook

from ..domain.deliveries import Channel, Delivery, DeliveryFailed
from ..domain.webhook_urls import webhook_url_refusal
from ..settings import NotificationSettings

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SecretsFor = Callable[[str], Awaitable[list[str]]]
Resolve = Callable[[str], Awaitable[Sequence[IpAddress | str]]]

# A receiver's answer is not needed beyond its status; reading a small one keeps the connection reusable.
MAX_RESPONSE_BYTES = 64 * 1024


@lru_cache(maxsize=1024)
def _signer(secret: str) -> Webhook:
    return Webhook(secret)


def signature_header(secrets: Sequence[str], webhook_id: str, timestamp: datetime, body: str) -> str:
    """`v1,<sig>` per secret, space separated (the spec's form for several signatures)."""
    return " ".join(_signer(secret).sign(webhook_id, timestamp, body) for secret in secrets)


async def resolve_host(host: str) -> list[IpAddress]:
    """Every address the host resolves to (an address literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    addresses = (ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos)
    return list(dict.fromkeys(addresses))


class WebhookChannel:
    channel = Channel.WEBHOOK

    def __init__(
        self,
        settings: NotificationSettings,
        secrets_for: SecretsFor,
        resolve: Resolve | None = None,
        *,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._settings = settings
        self._secrets_for = secrets_for
        self._resolve = resolve or resolve_host
        self._timeout_s = settings.webhook_timeout_s
        self._client = client or httpx.AsyncClient(
            timeout=settings.webhook_timeout_s,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(
                max_connections=settings.delivery_concurrency * 2,
                max_keepalive_connections=settings.delivery_concurrency,
            ),
            headers={"user-agent": "Kinerja-Webhooks/1"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, delivery: Delivery) -> None:
        payload = delivery.payload
        url, body, webhook_id = payload.get("url"), payload.get("body"), payload.get("webhook_id")
        subscription_id = payload.get("subscription_id")
        if not (isinstance(url, str) and isinstance(body, str) and webhook_id and subscription_id):
            raise DeliveryFailed("malformed webhook delivery (url, body, webhook_id, subscription_id)", False)
        try:
            secrets = await self._secrets_for(str(subscription_id))
        except Exception as exc:
            raise DeliveryFailed(f"signing secrets unavailable ({type(exc).__name__})") from exc
        if not secrets:
            raise DeliveryFailed("the subscription has no signing secret (deleted?)", retryable=False)
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._post(url, body, str(webhook_id), payload.get("event_type"), secrets)
        except DeliveryFailed:
            raise
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise DeliveryFailed(f"timeout after {self._timeout_s:g}s") from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise DeliveryFailed("connection closed") from exc
        except httpx.ConnectError as exc:
            raise DeliveryFailed("connection failed") from exc
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"HTTP error: {type(exc).__name__}") from exc

    async def _post(self, url: str, body: str, webhook_id: str, event_type: object, secrets: Sequence[str]) -> None:
        now = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature_header(secrets, webhook_id, now, body),
        }
        if event_type:
            headers["kinerja-event-type"] = str(event_type)
        target, extensions = await self._pinned(url, headers)
        request = self._client.build_request("POST", target, content=body.encode(), headers=headers)
        request.extensions.update(extensions)
        response = await self._client.send(request, stream=True)
        try:
            read = 0
            async for chunk in response.aiter_raw():
                read += len(chunk)
                if read > MAX_RESPONSE_BYTES:
                    break
        finally:
            await response.aclose()
        status = response.status_code
        if 200 <= status < 300:
            return
        if status == 410:
            raise DeliveryFailed("HTTP 410 Gone", retryable=False)
        raise DeliveryFailed(f"HTTP {status}")

    async def _pinned(self, url: str, headers: dict[str, str]) -> tuple[httpx.URL, dict[str, object]]:
        """The URL to connect to: itself when private targets are allowed, else its host's checked address."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise DeliveryFailed("invalid webhook URL", retryable=False) from exc
        if self._settings.allow_private_webhooks:
            return parsed, {}
        try:
            addresses = [ipaddress.ip_address(str(a)) for a in await self._resolve(parsed.host)]
        except (OSError, UnicodeError, ValueError) as exc:
            raise DeliveryFailed(f"cannot resolve {parsed.host[:100]}") from exc
        if not addresses:
            raise DeliveryFailed(f"cannot resolve {parsed.host[:100]}")
        if refusal := webhook_url_refusal(url, addresses, False):
            raise DeliveryFailed(f"{refusal.code}: {refusal.message}", retryable=False)
        headers["host"] = parsed.netloc.decode("ascii")
        extensions: dict[str, object] = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
        return parsed.copy_with(host=str(addresses[0])), extensions
