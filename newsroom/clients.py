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
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    chain = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(chain) < proxies:
        return remote  # the proxy did not say: count the proxy (safe, if coarse)
    candidate = chain[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
