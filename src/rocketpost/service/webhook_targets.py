"""Where a webhook may be sent: a public ``https`` address, checked when registered and again,
after a fresh DNS lookup, right before every delivery (see ``docs/webhooks.md``).

A webhook URL is chosen by a merchant, and the service then POSTs signed JSON to it from inside
its own network: without these checks a merchant could make the service talk to the cloud
metadata service, the database or anything else only the service can reach (server-side request
forgery). The checks:

* scheme ``https`` only, no credentials in the URL, a fully qualified host name or an IP literal;
* every address the host is or resolves to must be globally routable: not loopback, private
  (RFC 1918, ``fc00::/7``), link-local (``169.254/16`` with the metadata address, ``fe80::/10``),
  unspecified, multicast, reserved, shared/CGNAT (``100.64/10``) or another special-purpose
  range, judged through IPv4-mapped, 6to4 and NAT64 wrappings by the IPv4 address inside;
* the connection then goes to the address that was checked (:class:`Target` pins it; the
  original name travels in the ``Host`` header and TLS SNI, and the certificate is verified
  against the name), so a name that re-resolves to ``127.0.0.1`` between check and connect
  (DNS rebinding) gains nothing.

``allow_loopback_http`` (the ``webhook_allow_loopback_http`` setting) admits loopback addresses,
over ``http`` or ``https``, for local development and tests; every other refusal stands.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from rocketpost.errors import InputError

__all__ = [
    "BoundedResolver",
    "Resolver",
    "Target",
    "address_problem",
    "check_target",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
"""``(ascii host name, port) -> IP address strings``; raises ``OSError`` (incl. ``TimeoutError``)
when the name does not resolve. Tests substitute their own, so no test ever asks real DNS."""

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_IETF_PROTOCOL = ipaddress.IPv4Network("192.0.0.0/24")  # Python 3.11 calls most of it global
_RFC1918 = tuple(map(ipaddress.IPv4Network, ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")))
_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
# No top-level domain is numeric, but getaddrinfo reads "127.1", "2130706433" or "0x7f.1" as
# IPv4 addresses (inet_aton's legacy forms): refused as such before any lookup.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_DEFAULT_PORT = {"https": 443, "http": 80}
_HTTP_ONLY_TO_LOOPBACK = "must be an https URL (http is only allowed to loopback in development)"


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), if any.

    Packets to these reach (or are routed towards) the IPv4 address inside, so that address is
    what must be judged: ``::ffff:127.0.0.1`` is loopback whatever ``ipaddress`` says about the
    IPv6 form.
    """
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


# The address classes refused, in the order they are tried: the first that holds names the
# reason. ``is_global`` (last) is the base; the explicit checks before it exist for a precise
# reason in the error and for ranges Python 3.11 still calls global (multicast, site-local,
# ``192.0.0/24``). Loopback is judged before the table, since development may allow it.
_REFUSED_CLASSES: tuple[tuple[Callable[[IPAddress], bool], str], ...] = (
    (lambda a: a.is_unspecified, "the unspecified address"),
    (
        lambda a: a.is_link_local,
        "a link-local address (this includes the cloud metadata service)",
    ),
    (lambda a: a.is_multicast, "a multicast address"),
    (
        lambda a: isinstance(a, ipaddress.IPv6Address) and a.is_site_local,
        "a site-local address",
    ),
    (
        lambda a: isinstance(a, ipaddress.IPv4Address) and a in _CGNAT,
        "a shared (carrier-grade NAT) address",
    ),
    (
        lambda a: isinstance(a, ipaddress.IPv4Address) and any(a in net for net in _RFC1918),
        "a private address (RFC 1918)",
    ),
    (
        lambda a: isinstance(a, ipaddress.IPv4Address) and a in _IETF_PROTOCOL,
        "a special-purpose address",
    ),
    (
        lambda a: isinstance(a, ipaddress.IPv6Address) and a in _UNIQUE_LOCAL,
        "a private (unique local) address",
    ),
    (lambda a: a.is_reserved, "a reserved address"),
    (
        lambda a: not a.is_global,
        "a special-purpose address that is not publicly routable",
    ),
)


def _wrapped_verdict(
    address: ipaddress.IPv6Address, allow_loopback: bool
) -> tuple[bool, str | None]:
    """``(decided, problem)`` for an IPv6 address that wraps an IPv4 one.

    A refused inner address refuses the wrapper. Mapped and NAT64 forms are then judged by the
    IPv4 address alone (decided); a 6to4 address must also pass as itself (not decided).
    """
    inner = _embedded_ipv4(address)
    if inner is None:
        return False, None
    problem = address_problem(inner, allow_loopback=allow_loopback)
    if problem is not None:
        return True, f"{problem}: {address} embeds {inner}"
    return address.sixtofour is None, None


def address_problem(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why the service must not connect to ``address``, or ``None`` if it is public.

    An IPv6 address that wraps an IPv4 one is judged by the address inside; then the first of
    the refused address classes (``_REFUSED_CLASSES``) that holds gives the reason.
    """
    if isinstance(address, ipaddress.IPv6Address):
        decided, problem = _wrapped_verdict(address, allow_loopback)
        if decided:
            return problem
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    return next((reason for holds, reason in _REFUSED_CLASSES if holds(address)), None)


@dataclass(frozen=True)
class Target:
    """A checked webhook URL and the address to connect to for it.

    Attributes
    ----------
    url
        The URL as registered.
    address
        The checked IP address the connection must go to.
    pinned_url
        ``url`` with its host replaced by ``address``: what the HTTP client is given, so that it
        never resolves the name itself.
    host_header
        The original ``host[:port]`` (IDNA), sent as ``Host``.
    sni_hostname
        The original host name for TLS (SNI and certificate check); ``None`` for IP literals,
        which are checked against the certificate as themselves.
    """

    url: str
    address: str
    pinned_url: httpx.URL
    host_header: str
    sni_hostname: str | None

    def request_extensions(self) -> dict[str, Any]:
        """httpx request extensions that keep TLS on the original name."""
        return {} if self.sni_hostname is None else {"sni_hostname": self.sni_hostname}


class BoundedResolver:
    """``getaddrinfo`` with a time limit, so that registration never hangs on slow DNS.

    ``getaddrinfo`` cannot be cancelled, so each lookup runs in a daemon thread that is abandoned
    (not killed) on timeout; at most ``max_pending`` such threads exist at a time, and beyond that
    lookups fail at once rather than piling up threads behind a dead resolver.
    """

    def __init__(
        self,
        timeout_s: float,
        *,
        max_pending: int = 8,
        lookup: Callable[..., list[Any]] = socket.getaddrinfo,
    ) -> None:
        if timeout_s <= 0:
            raise InputError("webhook_resolve_timeout_s", timeout_s, "must be > 0")
        self.timeout_s = timeout_s
        self._lookup = lookup
        self._slots = threading.BoundedSemaphore(max_pending)

    def __call__(self, host: str, port: int) -> list[str]:
        """The addresses of ``host``, in the resolver's order of preference, without repeats."""
        if not self._slots.acquire(blocking=False):
            raise TimeoutError("too many host name lookups pending")
        box: list[Any] = []
        done = threading.Event()

        def work() -> None:
            try:
                box.append(self._lookup(host, port, type=socket.SOCK_STREAM))
            except Exception as exc:  # handed to the caller below
                box.append(exc)
            finally:
                self._slots.release()
                done.set()

        threading.Thread(target=work, name="rocketpost-resolve", daemon=True).start()
        if not done.wait(self.timeout_s):
            raise TimeoutError(f"no answer within {self.timeout_s:g} s")
        result = box[0]
        if isinstance(result, Exception):
            raise result
        return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in result))


def _host_name(raw_host: bytes) -> str | None:
    """The ASCII (IDNA) host name, or ``None`` if it is not a syntactically valid one."""
    try:
        name = raw_host.decode("ascii").lower().removesuffix(".")
    except UnicodeDecodeError:
        return None
    if len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        return None
    return name


def _refusal(url: str, reason: str) -> InputError:
    return InputError("url", url, reason)


def _parsed_url(url: str, allow_loopback_http: bool) -> httpx.URL:
    """The URL's shape: printable, parseable, ``https`` (or development ``http``), no
    credentials."""
    if not isinstance(url, str) or any(c <= " " or c in "\\\x7f" for c in url):
        raise _refusal(url, "must not contain spaces, control characters or backslashes")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise _refusal(url, f"is not a valid URL ({exc})") from None
    if parsed.scheme not in _DEFAULT_PORT:
        raise _refusal(url, "must be an https URL")
    if parsed.scheme == "http" and not allow_loopback_http:
        raise _refusal(url, _HTTP_ONLY_TO_LOOPBACK)
    if parsed.userinfo:
        raise _refusal(url, "must not contain credentials (user:password@)")
    return parsed


def _checked_host(url: str, parsed: httpx.URL, allow_loopback_http: bool) -> str:
    """The host name to look up: valid, not a legacy numeric IPv4 form, fully qualified."""
    name = _host_name(parsed.raw_host)
    if name is None:
        raise _refusal(url, "must name a valid host (like hooks.example.com) or an IP address")
    if _NUMERIC_LABEL.match(name.rsplit(".", 1)[-1]):
        raise _refusal(url, "must write an IP address in standard form (like 192.0.2.1)")
    if "." not in name and not allow_loopback_http:
        # A single label would be completed by the resolver's search domains: an internal
        # name by construction.
        raise _refusal(url, "must name a fully qualified host (like hooks.example.com)")
    return name


def _resolved(url: str, name: str, port: int, resolve: Resolver) -> list[IPAddress]:
    """The addresses ``name`` resolves to (at least one)."""
    try:
        found = resolve(name, port)
    except TimeoutError as exc:
        raise _refusal(url, f"host name {name} did not resolve in time ({exc})") from None
    except OSError as exc:
        raise _refusal(url, f"host name {name} does not resolve ({exc})") from None
    addresses = [ipaddress.ip_address(a) for a in found]
    if not addresses:
        raise _refusal(url, f"host name {name} does not resolve")
    return addresses


def _ip_literal(host: str) -> IPAddress | None:
    """The host as an IP address, if it is written as one."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _check_addresses(
    url: str,
    scheme: str,
    addresses: list[IPAddress],
    sni_hostname: str | None,
    allow_loopback_http: bool,
) -> None:
    """Every address must be public (or allowed loopback); ``http`` only to loopback."""
    for address in addresses:
        problem = address_problem(address, allow_loopback=allow_loopback_http)
        if problem is not None:
            where = (
                f"{address} is"
                if sni_hostname is None
                else f"{sni_hostname} resolves to {address},"
            )
            raise _refusal(url, f"must be a public address: {where} {problem}")
    if scheme == "http" and not all(_is_loopback(a) for a in addresses):
        raise _refusal(url, _HTTP_ONLY_TO_LOOPBACK)


def check_target(url: str, *, allow_loopback_http: bool, resolve: Resolver) -> Target:
    """Check ``url`` and resolve its host; the :class:`Target` to connect to.

    The steps: the URL's shape (:func:`_parsed_url`), the host (an IP literal as it is, or a
    checked name resolved), then every address it stands for (:func:`_check_addresses`).

    Raises
    ------
    InputError
        Field ``url``: not https, credentials, a bad host, a name that does not resolve (in the
        resolver's time limit), or an address that is not public.
    """
    parsed = _parsed_url(url, allow_loopback_http)
    literal = _ip_literal(parsed.host)
    sni_hostname: str | None = None
    if literal is not None:
        addresses = [literal]
    else:
        sni_hostname = _checked_host(url, parsed, allow_loopback_http)
        port = parsed.port or _DEFAULT_PORT[parsed.scheme]
        addresses = _resolved(url, sni_hostname, port, resolve)
    _check_addresses(url, parsed.scheme, addresses, sni_hostname, allow_loopback_http)
    chosen = addresses[0]
    if isinstance(chosen, ipaddress.IPv6Address) and chosen.ipv4_mapped is not None:
        chosen = chosen.ipv4_mapped  # what was judged is what is dialled
    return Target(
        url=url,
        address=str(chosen),
        pinned_url=parsed.copy_with(host=str(chosen)),
        host_header=parsed.netloc.decode("ascii"),
        sni_hostname=sni_hostname,
    )


def _is_loopback(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback
