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


def address_problem(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why the service must not connect to ``address``, or ``None`` if it is public.

    ``is_global`` is the base; the explicit checks before it exist for a precise reason in the
    error and for ranges Python 3.11 still calls global (multicast, site-local, ``192.0.0/24``).
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            problem = address_problem(inner, allow_loopback=allow_loopback)
            if problem is not None:
                return f"{problem}: {address} embeds {inner}"
            if address.sixtofour is None:  # mapped and NAT64 forms are judged by IPv4 alone
                return None
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_link_local:
        return "a link-local address (this includes the cloud metadata service)"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local address"
    if isinstance(address, ipaddress.IPv4Address):
        if address in _CGNAT:
            return "a shared (carrier-grade NAT) address"
        if any(address in net for net in _RFC1918):
            return "a private address (RFC 1918)"
        if address in _IETF_PROTOCOL:
            return "a special-purpose address"
    elif address in _UNIQUE_LOCAL:
        return "a private (unique local) address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "a special-purpose address that is not publicly routable"
    return None


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


def check_target(url: str, *, allow_loopback_http: bool, resolve: Resolver) -> Target:
    """Check ``url`` and resolve its host; the :class:`Target` to connect to.

    Raises
    ------
    InputError
        Field ``url``: not https, credentials, a bad host, a name that does not resolve (in the
        resolver's time limit), or an address that is not public.
    """

    def refuse(reason: str) -> InputError:
        return InputError("url", url, reason)

    if not isinstance(url, str) or any(c <= " " or c in "\\\x7f" for c in url):
        raise refuse("must not contain spaces, control characters or backslashes")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise refuse(f"is not a valid URL ({exc})") from None
    scheme = parsed.scheme
    if scheme not in _DEFAULT_PORT:
        raise refuse("must be an https URL")
    if scheme == "http" and not allow_loopback_http:
        raise refuse("must be an https URL (http is only allowed to loopback in development)")
    if parsed.userinfo:
        raise refuse("must not contain credentials (user:password@)")
    port = parsed.port or _DEFAULT_PORT[scheme]
    try:
        literal: IPAddress | None = ipaddress.ip_address(parsed.host)
    except ValueError:
        literal = None
    name = parsed.host
    if literal is not None:
        addresses = [literal]
        sni_hostname = None
    else:
        checked = _host_name(parsed.raw_host)
        if checked is None:
            raise refuse("must name a valid host (like hooks.example.com) or an IP address")
        name = checked
        if _NUMERIC_LABEL.match(name.rsplit(".", 1)[-1]):
            raise refuse("must write an IP address in standard form (like 192.0.2.1)")
        if "." not in name and not allow_loopback_http:
            # A single label would be completed by the resolver's search domains: an
            # internal name by construction.
            raise refuse("must name a fully qualified host (like hooks.example.com)")
        try:
            found = resolve(name, port)
        except TimeoutError as exc:
            raise refuse(f"host name {name} did not resolve in time ({exc})") from None
        except OSError as exc:
            raise refuse(f"host name {name} does not resolve ({exc})") from None
        addresses = [ipaddress.ip_address(a) for a in found]
        if not addresses:
            raise refuse(f"host name {name} does not resolve")
        sni_hostname = name
    for address in addresses:
        problem = address_problem(address, allow_loopback=allow_loopback_http)
        if problem is not None:
            where = f"{address} is" if sni_hostname is None else f"{name} resolves to {address},"
            raise refuse(f"must be a public address: {where} {problem}")
    if scheme == "http" and not all(_is_loopback(a) for a in addresses):
        raise refuse("must be an https URL (http is only allowed to loopback in development)")
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
