"""Which webhook target URLs are refused, and why (server-side request forgery).

A subscriber names a URL and notification's servers call it: a URL pointing inside the network (a database on
10.0.0.5, the cloud metadata service on 169.254.169.254, a service on localhost) would let any agency make our
servers read or poke at it. Such targets are refused unless an administrator allows private addresses (a
payroll connector inside the government network). Pure: the caller resolves the host, and checks again at
delivery time with fresh addresses, since a name can be re-pointed after the subscription was accepted.
"""

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RefusalCode = Literal["invalid_webhook_url", "private_address", "unresolvable_host"]

MAX_URL_LENGTH = 2048
DEFAULT_PORTS = {"http": 80, "https": 443}
# Shared address space (carrier-grade NAT, where some clouds put their metadata services): not "private" to the
# ipaddress module, but no more reachable from outside than 10/8.
CGNAT = ipaddress.IPv4Network("100.64.0.0/10")


@dataclass(frozen=True)
class UrlRefusal:
    code: RefusalCode
    message: str  # in Bahasa Indonesia: agency operators read it


def parse_webhook_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL; ValueError, with the reason in Bahasa Indonesia, otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"alamat webhook paling panjang {MAX_URL_LENGTH} karakter")
    if not url.isprintable() or any(ch.isspace() for ch in url):
        raise ValueError("alamat webhook tidak boleh memuat spasi atau karakter kendali")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced [ ] around an IPv6 address
        raise ValueError("alamat webhook tidak dapat dibaca") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError("alamat webhook harus diawali http:// atau https://")
    if parts.username is not None or parts.password is not None:
        raise ValueError("alamat webhook tidak boleh memuat nama pengguna atau kata sandi; gunakan secret langganan")
    if "#" in url:
        raise ValueError("alamat webhook tidak boleh memuat fragmen (#)")
    if not parts.hostname:
        raise ValueError("alamat webhook harus memuat nama host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("nomor port pada alamat webhook tidak valid") from None
    return scheme, parts.hostname, port or DEFAULT_PORTS[scheme]


def webhook_url_refusal(url: str, resolved: Sequence[IpAddress], allow_private: bool) -> UrlRefusal | None:
    """Why `url` may not be a webhook target, given the addresses its host resolved to; None when it may."""
    try:
        _, host, _ = parse_webhook_url(url)
    except ValueError as invalid:
        return UrlRefusal("invalid_webhook_url", str(invalid))
    literal = _ip_literal(host)
    addresses = [*resolved, literal] if literal else list(resolved)
    if not addresses:
        return UrlRefusal("unresolvable_host", f"host {host} tidak ditemukan (DNS tidak memberikan alamat)")
    if allow_private:
        return None
    for address in addresses:
        if is_internal(address):
            return UrlRefusal(
                "private_address",
                f"host {host} mengarah ke alamat internal {address}; "
                "alamat loopback, privat dan link-local hanya dapat diizinkan oleh administrator",
            )
    return None


def is_internal(address: IpAddress) -> bool:
    """Loopback, private, link-local (metadata services), reserved, multicast, unspecified or shared (CGNAT),
    also when an IPv6 address carries such an IPv4 address (mapped, 6to4). The NAT64 prefix 64:ff9b::/96 lies in
    the reserved ::/8 and is refused whatever it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None and is_internal(embedded):
            return True
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv4Address) and address in CGNAT)
        or not address.is_global
    )


def _ip_literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
