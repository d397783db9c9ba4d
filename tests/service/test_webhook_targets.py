"""Webhook targets: public https only, whatever form the address takes, and never a hung lookup.

No test here asks real DNS: names go through :func:`fake_resolver`, and the bounded resolver is
given a substitute ``getaddrinfo``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from rocketpost.errors import InputError
from rocketpost.service import Settings
from rocketpost.service.webhook_targets import BoundedResolver, Resolver, check_target

PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"


def fake_resolver(table: dict[str, Sequence[str]], calls: list[Any] | None = None) -> Resolver:
    """A resolver answering from ``table``; unknown names fail like NXDOMAIN."""

    def resolve(host: str, port: int) -> Sequence[str]:
        if calls is not None:
            calls.append((host, port))
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


NAMES = fake_resolver(
    {
        "hooks.example.com": [PUBLIC_V4],
        "v6.example.com": [PUBLIC_V6, PUBLIC_V4],
        "intranet.example.com": ["10.0.0.7"],
        "mixed.example.com": [PUBLIC_V4, "127.0.0.1"],
        "metadata.example.com": ["169.254.169.254"],
        "mapped.example.com": ["::ffff:127.0.0.1"],
        "xn--bcher-kva.example": [PUBLIC_V4],
        "localhost": ["127.0.0.1", "::1"],
        "rebind.example.com": ["127.0.0.1"],
    }
)


def refusal(url: str, *, allow_loopback_http: bool = False) -> str:
    with pytest.raises(InputError) as caught:
        check_target(url, allow_loopback_http=allow_loopback_http, resolve=NAMES)
    assert caught.value.field == "url"
    assert caught.value.value == url
    return caught.value.reason


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "https"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[fe80::1]/", "link-local"),
        ("http://127.0.0.1:5432/", "https"),
        ("https://127.0.0.1:5432/", "loopback"),
        ("https://[::1]:22/", "loopback"),
        ("https://127.8.9.10/", "loopback"),
        ("https://10.1.2.3/", "RFC 1918"),
        ("https://172.16.0.1/", "RFC 1918"),
        ("https://192.168.0.1/", "RFC 1918"),
        ("https://[fd00::1]/", "unique local"),
        ("https://100.64.0.1/", "carrier-grade NAT"),
        ("https://0.0.0.0/", "unspecified"),
        ("https://[::]/", "unspecified"),
        ("https://224.0.0.1/", "multicast"),
        ("https://[ff0e::1]/", "multicast"),
        ("https://240.0.0.1/", "reserved"),
        ("https://255.255.255.255/", "reserved"),
        ("https://192.0.2.1/", "not publicly routable"),
        ("https://192.0.0.8/", "special-purpose"),
        ("https://[fec0::1]/", "site-local"),
        ("https://[::7f00:1]/", "reserved"),  # deprecated IPv4-compatible form
        ("https://[::ffff:127.0.0.1]/", "loopback"),
        ("https://[::ffff:169.254.169.254]/", "link-local"),
        ("https://[::ffff:10.0.0.1]/", "RFC 1918"),
        ("https://[2002:a9fe:a9fe::1]/", "link-local"),  # 6to4 around the metadata address
        ("https://[2002:7f00:1::]/", "loopback"),  # 6to4 around 127.0.0.1
        ("https://[64:ff9b::a9fe:a9fe]/", "link-local"),  # NAT64 around the metadata address
    ],
)
def test_addresses_that_are_not_public_are_refused(url: str, why: str) -> None:
    assert why in refusal(url)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://hooks.example.com/", "https"),
        ("file:///etc/passwd", "https"),
        ("https://user:pw@hooks.example.com/", "credentials"),
        ("https://user@hooks.example.com/", "credentials"),
        ("https://hooks.example.com\\@127.0.0.1/", "backslash"),
        ("https://hooks.example.com/ x", "spaces"),
        ("https:///x", "valid host"),
        ("https://127.0.0.%31/", "valid host"),
        ("https://intranet/", "fully qualified"),
        ("https://127.1/", "standard form"),
        ("https://2130706433/", "standard form"),
        ("https://0x7f.1/", "standard form"),
        ("https://nowhere.example.com/", "does not resolve"),
        ("https://intranet.example.com/", "intranet.example.com resolves to 10.0.0.7"),
        ("https://metadata.example.com/", "link-local"),
        ("https://mixed.example.com/", "resolves to 127.0.0.1, a loopback"),
        ("https://mapped.example.com/", "loopback"),
    ],
)
def test_schemes_credentials_and_names_are_checked(url: str, why: str) -> None:
    assert why in refusal(url)


def test_a_public_name_is_pinned_to_the_address_checked() -> None:
    calls: list[Any] = []
    target = check_target(
        "https://hooks.example.com:8443/in?x=1",
        allow_loopback_http=False,
        resolve=fake_resolver({"hooks.example.com": [PUBLIC_V4]}, calls),
    )
    assert calls == [("hooks.example.com", 8443)]
    assert target.address == PUBLIC_V4
    assert str(target.pinned_url) == f"https://{PUBLIC_V4}:8443/in?x=1"
    assert target.host_header == "hooks.example.com:8443"
    assert target.request_extensions() == {"sni_hostname": "hooks.example.com"}


def test_ipv6_idn_literals_and_wrapped_public_addresses() -> None:
    v6 = check_target("https://v6.example.com/h", allow_loopback_http=False, resolve=NAMES)
    assert (v6.address, str(v6.pinned_url)) == (PUBLIC_V6, f"https://[{PUBLIC_V6}]/h")
    idn = check_target("https://bücher.example/h", allow_loopback_http=False, resolve=NAMES)
    assert (idn.host_header, idn.sni_hostname) == ("xn--bcher-kva.example",) * 2
    literal = check_target(f"https://{PUBLIC_V4}/h", allow_loopback_http=False, resolve=NAMES)
    assert (literal.address, literal.request_extensions()) == (PUBLIC_V4, {})
    mapped = check_target(
        f"https://[::ffff:{PUBLIC_V4}]/h", allow_loopback_http=False, resolve=NAMES
    )
    assert mapped.address == PUBLIC_V4  # dialled as the IPv4 address that was judged
    sixtofour = check_target(
        "https://[2002:5db8:d822::1]/", allow_loopback_http=False, resolve=NAMES
    )
    assert sixtofour.address == "2002:5db8:d822::1"


def test_development_allows_loopback_only() -> None:
    def ok(url: str) -> str:
        return check_target(url, allow_loopback_http=True, resolve=NAMES).address

    assert ok("http://127.0.0.1:9/hook") == "127.0.0.1"
    assert ok("http://[::1]:9/hook") == "::1"
    assert ok("http://localhost:9/hook") == "127.0.0.1"
    assert ok("https://[::1]/hook") == "::1"
    for url, why in [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://metadata.example.com/", "link-local"),
        ("http://10.0.0.1/", "RFC 1918"),
        ("http://[fd00::1]/", "unique local"),
        ("http://hooks.example.com/", "https"),  # public, so it must be https
        ("http://mixed.example.com/", "https"),
    ]:
        assert why in refusal(url, allow_loopback_http=True)


def test_the_bounded_resolver_gives_up_in_time_and_caps_abandoned_lookups() -> None:
    hang = threading.Event()

    def stuck(host: str, port: int, **_: Any) -> list[Any]:
        hang.wait(30)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    resolver = BoundedResolver(0.1, max_pending=1, lookup=stuck)
    try:
        with pytest.raises(TimeoutError, match="within"):
            resolver("slow.example.com", 443)
        with pytest.raises(TimeoutError, match="too many"):
            resolver("slow.example.com", 443)
        with pytest.raises(InputError, match="did not resolve in time"):
            check_target("https://slow.example.com/", allow_loopback_http=False, resolve=resolver)
    finally:
        hang.set()


def test_the_bounded_resolver_returns_unique_addresses_in_order() -> None:
    def answers(host: str, port: int, **_: Any) -> list[Any]:
        stream, tcp = socket.SOCK_STREAM, socket.IPPROTO_TCP
        return [
            (socket.AF_INET6, stream, tcp, "", ("fe80::1%eth0", port, 0, 2)),
            (socket.AF_INET, stream, tcp, "", (PUBLIC_V4, port)),
            (socket.AF_INET, stream, tcp, "", (PUBLIC_V4, port)),
        ]

    assert BoundedResolver(1.0, lookup=answers)("x.example.com", 443) == ["fe80::1", PUBLIC_V4]

    def nxdomain(host: str, port: int, **_: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(socket.gaierror):
        BoundedResolver(1.0, lookup=nxdomain)("x.example.com", 443)


def test_webhook_settings_from_the_environment() -> None:
    default = Settings.from_env(environ={})
    assert (default.webhook_allow_loopback_http, default.webhook_per_endpoint_limit) == (False, 2)
    s = Settings.from_env(
        environ={
            "ROCKETPOST_WEBHOOK_ALLOW_LOOPBACK_HTTP": "1",
            "ROCKETPOST_WEBHOOK_CONCURRENCY": "16",
            "ROCKETPOST_WEBHOOK_PER_ENDPOINT_LIMIT": "1",
            "ROCKETPOST_WEBHOOK_RESOLVE_TIMEOUT_S": "0.5",
        }
    )
    assert (
        s.webhook_allow_loopback_http,
        s.webhook_concurrency,
        s.webhook_per_endpoint_limit,
        s.webhook_resolve_timeout_s,
    ) == (True, 16, 1, 0.5)
    assert Settings.from_env(environ=s.to_env()) == s  # what worker processes receive
    for bad in ({"webhook_concurrency": 0}, {"webhook_per_endpoint_limit": 0}):
        with pytest.raises(InputError, match=next(iter(bad))):
            Settings.from_env(environ={}, **bad)
    with pytest.raises(InputError, match="webhook_resolve_timeout_s"):
        Settings.from_env(environ={}, webhook_resolve_timeout_s=0)
