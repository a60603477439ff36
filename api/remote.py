"""The client's address as the app sees it (来源地址): the connection's peer, or — only when that
peer is a configured proxy — the nearest address in ``X-Forwarded-For`` that is not one.

A client that sends its own ``X-Forwarded-For`` straight to the app changes nothing: sign-in
counts per address cannot be dodged by a forged header.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request, trusted_proxies: tuple[str, ...]) -> str:
    peer = request.client.host if request.client else ""
    networks = _networks(trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
    ]
    # From the nearest hop outwards: the first one no trusted proxy vouches for is the client.
    for hop in reversed(hops):
        if hop and not _trusted(hop, networks):
            return hop[:64]
    return peer
