"""Where the hub may send webhooks and robot messages (OWASP API7, SSRF).

A target URL is checked at registration and again before every delivery (DNS can change):
https only, port 443 or 8443, no credentials in the URL, and every address its host resolves
to must be public: loopback, private, link-local (cloud metadata lives there), CGNAT,
multicast, reserved and unspecified addresses are refused, in IPv4, IPv6 and IPv4-mapped
IPv6 forms. Numeric hosts in decimal, hex or octal are caught because the resolved address
is what is checked. Networks in an explicit allow-list (the demo's and the tests' loopback
receivers) are exempt, and may use http on any port. The delivery connects to the vetted
address and never follows redirects.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SAFE_PORTS = frozenset({443, 8443})
# Public-looking but not public: shared address space (RFC 6598) and well-known metadata.
_EXTRA_BLOCKED = [ipaddress.ip_network("100.64.0.0/10"), ipaddress.ip_network("192.0.0.0/24")]


Resolver = Callable[[str, int], Awaitable[tuple["IPAddress", ...]]]


class UnsafeTarget(ValueError):
    """The URL may not receive the hub's messages; the message says why."""


@dataclass(frozen=True, slots=True)
class VettedTarget:
    url: httpx.URL
    addresses: tuple[IPAddress, ...]

    def pinned(self) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
        """The URL with the vetted address as its host, the Host header and the TLS server
        name: the connection goes to the address that was checked, not to whatever the name
        resolves to a moment later (DNS rebinding)."""
        address = self.addresses[0]
        host = f"[{address}]" if address.version == 6 else str(address)
        headers = {"Host": self.url.netloc.decode("ascii")}
        extensions = {"sni_hostname": self.url.host} if self.url.scheme == "https" else {}
        return self.url.copy_with(host=host.strip("[]")), headers, extensions


async def vet(
    url: str, *, allowed: Sequence[Network] = (), resolve: Resolver | None = None
) -> VettedTarget:
    """Parse, resolve and check a target; raises `UnsafeTarget`. `resolve` replaces the
    system resolver (tests simulate DNS rebinding with it)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsafeTarget(f"not a URL: {exc}") from None
    if parsed.scheme not in {"https", "http"} or not parsed.host:
        raise UnsafeTarget("only http(s) URLs with a host")
    if parsed.userinfo:
        raise UnsafeTarget("credentials in the URL are not allowed")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = await (resolve or resolve_host)(parsed.host, port)
    if all(any(address in network for network in allowed) for address in addresses):
        return VettedTarget(parsed, addresses)  # an allow-listed receiver
    if parsed.scheme != "https":
        raise UnsafeTarget("https only")
    if port not in SAFE_PORTS:
        raise UnsafeTarget(f"port {port} is not allowed (443 or 8443)")
    for address in addresses:
        reason = _not_public(address)
        if reason:
            raise UnsafeTarget(f"{parsed.host} resolves to {address}, {reason}")
    return VettedTarget(parsed, addresses)


async def resolve_host(host: str, port: int) -> tuple[IPAddress, ...]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(f"cannot resolve {host}: {exc}") from None
    addresses = tuple(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not addresses:
        raise UnsafeTarget(f"{host} has no address")
    return addresses


def _not_public(address: IPAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _not_public(address.ipv4_mapped)
    for flag, reason in (
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address (cloud metadata)"),
        (address.is_private, "a private address"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_unspecified, "the unspecified address"),
    ):
        if flag:
            return reason
    if any(address in network for network in _EXTRA_BLOCKED):
        return "a shared or special-purpose address"
    if not address.is_global:
        return "not a global address"
    return None
