"""Webhook targets: malformed URLs and internal addresses refused, with a code and a reason in Bahasa."""

import ipaddress

import pytest

from services.notification.domain.webhook_urls import is_internal, parse_webhook_url, webhook_url_refusal

PUBLIC = [ipaddress.ip_address("203.0.114.10")]  # any routable address


def refusal_code(url: str, resolved=PUBLIC, allow_private: bool = False) -> str | None:
    refusal = webhook_url_refusal(url, resolved, allow_private)
    return refusal.code if refusal else None


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("https://payroll.bungokab.go.id/hooks/kinerja", ("https", "payroll.bungokab.go.id", 443)),
        ("http://siasn-connector.example:8080/in?x=1", ("http", "siasn-connector.example", 8080)),
        ("HTTPS://Payroll.Example/", ("https", "payroll.example", 443)),
        ("https://[2001:4860::8888]:8443/", ("https", "2001:4860::8888", 8443)),
    ],
)
def test_parse_gives_scheme_host_and_port(url, parsed):
    assert parse_webhook_url(url) == parsed
    assert refusal_code(url) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://payroll.example/", "http:// atau https://"),
        ("payroll.example/hook", "http:// atau https://"),
        ("javascript:alert(1)", "http:// atau https://"),
        ("https:///hook", "nama host"),
        ("https://user:secret@payroll.example/", "nama pengguna atau kata sandi"),
        ("https://token@payroll.example/", "nama pengguna atau kata sandi"),
        ("https://payroll.example/hook#frag", "fragmen"),
        ("https://payroll.example/hook#", "fragmen"),
        ("https://payroll.example:99999/", "port"),
        ("https://payroll.example:abc/", "port"),
        ("https://[::1/", "tidak dapat dibaca"),
        ("https://payroll.example/a b", "spasi"),
        ("https://payroll.example/\n", "spasi"),
        ("https://payroll.example/" + "a" * 2100, "2048"),
    ],
)
def test_invalid_urls_are_refused_with_a_reason(url, reason):
    refusal = webhook_url_refusal(url, PUBLIC, allow_private=True)
    assert refusal is not None and refusal.code == "invalid_webhook_url"
    assert reason in refusal.message
    with pytest.raises(ValueError):
        parse_webhook_url(url)


INTERNAL = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata service
    "100.64.0.1",  # carrier-grade NAT
    "100.100.100.200",  # a metadata service inside the CGNAT range
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
]


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_addresses_are_refused_unless_an_administrator_allows_them(address):
    ip = ipaddress.ip_address(address)
    assert is_internal(ip)
    refusal = webhook_url_refusal("https://payroll.example/", [ip], allow_private=False)
    assert refusal is not None and refusal.code == "private_address" and str(ip) in refusal.message
    assert refusal_code("https://payroll.example/", [ip], allow_private=True) is None


@pytest.mark.parametrize("address", ["8.8.8.8", "203.0.114.10", "2001:4860:4860::8888", "2002:808:808::"])
def test_public_addresses_pass(address):
    assert not is_internal(ipaddress.ip_address(address))


def test_one_internal_address_among_several_is_enough_to_refuse():
    mixed = [ipaddress.ip_address("8.8.8.8"), ipaddress.ip_address("10.0.0.5")]
    assert refusal_code("https://payroll.example/", mixed) == "private_address"


def test_an_ip_literal_host_is_checked_even_if_the_caller_resolved_nothing():
    assert refusal_code("http://127.0.0.1:8080/hook", []) == "private_address"
    assert refusal_code("http://[::1]/hook", []) == "private_address"
    assert refusal_code("http://8.8.8.8/hook", []) is None


def test_a_name_that_does_not_resolve_is_refused():
    refusal = webhook_url_refusal("https://nowhere.invalid/", [], allow_private=True)
    assert refusal is not None and refusal.code == "unresolvable_host" and "nowhere.invalid" in refusal.message
