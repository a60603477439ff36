"""Where alert channels may send (外发地址白名单): an allow-list of hosts, no internal addresses.

A channel URL names a host on the allow-list from settings (DingTalk's and WeCom's robot hosts by
default; a generic webhook's host must be listed explicitly). Its address must be a public one:
private, loopback, link-local, shared, multicast, reserved and unspecified addresses are refused,
in IPv4 and IPv6 alike, including IPv4 addresses carried inside IPv6 (``::ffff:127.0.0.1``,
6to4, NAT64). The URL is checked when it is saved (a literal address), and again at each delivery
after DNS resolution: the request then goes to the address that was checked, so a name that
resolves elsewhere the second time (DNS rebinding) reaches nothing new.

A host listed as internal (``alert_channel_internal_hosts``: a receiver on the intranet, a test's
loopback receiver) may resolve to internal addresses; nothing is internal by default.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import httpx

from activities.runtime.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64: Final = ipaddress.ip_network("64:ff9b::/96")


class ChannelRefused(ValueError):
    """A channel URL that may not be called; ``reason_zh`` is shown to administrators."""

    def __init__(self, reason_zh: str, reason_en: str) -> None:
        super().__init__(reason_en)
        self.reason_zh = reason_zh
        self.reason_en = reason_en


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.teredo is not None:
        return address.teredo[1]
    return None


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address (and so is any IPv4 address it carries)."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public(inner):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


@dataclass(frozen=True)
class Destination:
    """A checked address to connect to for a channel URL, and how to address its host."""

    url: httpx.URL  # the URL with the checked address in place of the host name
    host_header: str
    sni_hostname: str | None


@dataclass(frozen=True)
class OutboundPolicy:
    """The hosts alert channels may reach; built once from settings."""

    allowed_hosts: frozenset[str]
    internal_hosts: frozenset[str] = frozenset()

    @classmethod
    def of(cls, allowed: Iterable[str], internal: Iterable[str] = ()) -> OutboundPolicy:
        internal_set = frozenset(host.strip().lower().strip("[]") for host in internal)
        allowed_set = frozenset(host.strip().lower().strip("[]") for host in allowed)
        return cls(allowed_hosts=allowed_set | internal_set, internal_hosts=internal_set)

    @classmethod
    def from_settings(cls, settings: Settings) -> OutboundPolicy:
        return cls.of(settings.alert_channel_hosts, settings.alert_channel_internal_hosts)

    def check_url(self, url: str) -> httpx.URL:
        """The parsed URL when its host is allowed and not a literal internal address."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise ChannelRefused("地址无效", "not a valid URL") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ChannelRefused("地址须为 http 或 https 的完整地址", "not an http(s) URL")
        if parsed.userinfo:
            raise ChannelRefused("地址不得含用户名或密码", "a URL must not carry credentials")
        host = parsed.host.lower()
        if host not in self.allowed_hosts:
            raise ChannelRefused(
                f"主机 {host} 不在外发白名单内（白名单由部署配置设定）",
                f"host {host} is not on the channel allow-list",
            )
        literal = _literal(host)
        if literal is not None and host not in self.internal_hosts and not is_public(literal):
            raise ChannelRefused(
                "地址指向内部网络（内网、本机或保留地址），不允许外发",
                "the address is internal (private, loopback, link-local or reserved)",
            )
        return parsed

    async def destination(self, url: str) -> Destination:
        """Resolve the URL's host once and check every address it resolves to; raises
        ``ChannelRefused`` when it is not allowed or resolves to an internal address."""
        parsed = self.check_url(url)
        host = parsed.host.lower()
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        literal = _literal(host)
        if literal is not None:
            addresses: list[IPAddress] = [literal]
        else:
            try:
                found = await asyncio.get_running_loop().getaddrinfo(
                    host, port, type=socket.SOCK_STREAM
                )
            except (OSError, UnicodeError) as error:
                raise ChannelRefused("主机名无法解析", "the host name does not resolve") from error
            addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
        if not addresses:
            raise ChannelRefused("主机名无法解析", "the host name does not resolve")
        if host not in self.internal_hosts and not all(is_public(a) for a in addresses):
            raise ChannelRefused(
                "主机名解析到内部网络地址，不允许外发",
                "the host name resolves to an internal address",
            )
        netloc = parsed.netloc.decode("ascii")
        return Destination(
            url=parsed.copy_with(host=str(addresses[0])),
            host_header=netloc,
            sni_hostname=host if parsed.scheme == "https" and literal is None else None,
        )
