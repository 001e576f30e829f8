"""The address a request comes from, with the reverse proxies in front taken into account.

``TRUSTED_PROXIES`` is how many proxies of ours stand in front of the web processes (0: none,
clients connect directly). Each proxy appends the address it received the request from to
``X-Forwarded-For``, so the client is the entry ``TRUSTED_PROXIES`` places from the right:
whatever a client writes into the header itself stays further left and is never believed.
Used by the login throttle (``AXES_CLIENT_IP_CALLABLE``), so a guess from one address cannot
lock out everyone behind the proxy, nor claim a new address per guess.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    connected = request.META.get("REMOTE_ADDR", "")
    remote = _bucket(connected) or connected
    proxies = settings.TRUSTED_PROXIES
    chain = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if proxies <= 0 or len(chain) < proxies:
        # No proxy, or the proxy did not say: the connection's address (safe, if coarse).
        return remote
    return _bucket(chain[-proxies]) or remote


def _bucket(written: str) -> str:
    """The address as the throttle counts it: "1.2.3.4:5678" and "[2001:db8::1]:443" without
    their ports; an IPv6 address as its /64 (one host has 2^64 of them, so one per guess
    would never be counted twice); "" when it is not an address at all."""
    host = written
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)
