"""Outbound HTTP that keeps the address policy and a deadline at the socket.

``check_url`` decides before a request whether its host may be reached; the HTTP client
then resolves the name again, so a name that changes its answer in between (DNS rebinding)
would reach what the check refused. ``guarded_client`` closes that gap: its connections are
made by ``GuardedBackend``, which resolves the name once, checks every address, and connects
to the address it checked. Every read and write also gets only what is left of one total
deadline, so a server that drips its headers a byte at a time cannot hold the caller longer
than that (a per-read timeout alone never fires against a drip). No proxy from the
environment is used: the policy, not a proxy, decides where we connect.

Built on httpcore's public network-backend interface (``httpcore2.ConnectionPool``'s
``network_backend``); used for feeds (``fetching.fetch_feed``) and partners' webhooks.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterable
from functools import cache
from typing import Any

import httpcore2
import httpx2
from httpcore2._backends.sync import SyncBackend, SyncStream

from .fetching import BlockedAddress, _is_public


class DeadlineStream(SyncStream):
    """A connection whose every read and write gets at most the time left."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__(sock)
        self.deadline = deadline

    def _left(self, timeout: float | None, timeout_error: type[Exception]) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise timeout_error("the total deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return super().read(max_bytes, self._left(timeout, httpcore2.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        super().write(buffer, self._left(timeout, httpcore2.WriteTimeout))

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> DeadlineStream:
        stream = super().start_tls(
            ssl_context, server_hostname, self._left(timeout, httpcore2.ConnectTimeout)
        )
        return DeadlineStream(stream.get_extra_info("socket"), self.deadline)


class GuardedBackend(SyncBackend):
    """TCP connections only to addresses the policy allows, checked and used as one."""

    def __init__(self, *, deadline: float, allow_private: bool) -> None:
        self.deadline = deadline
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> DeadlineStream:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise httpcore2.ConnectTimeout("the total deadline passed")
        timeout = left if timeout is None else min(timeout, left)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore2.ConnectError(f"could not resolve host {host}") from exc
        addresses = [info[4][0] for info in infos]
        if not self.allow_private:
            for address in addresses:
                if not _is_public(str(address)):
                    raise BlockedAddress(host, str(address))
        last: OSError | None = None
        for family, kind, proto, _name, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(timeout)
                sock.connect(sockaddr)  # the checked address, not a second lookup
            except OSError as exc:
                sock.close()
                last = exc
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return DeadlineStream(sock, self.deadline)
        if isinstance(last, TimeoutError):
            raise httpcore2.ConnectTimeout(str(last))
        raise httpcore2.ConnectError(str(last or f"could not connect to {host}"))


@cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs milliseconds: one context per process, shared (an
    # SSLContext is safe to use from several threads).
    return httpx2.create_ssl_context()


class GuardedTransport(httpx2.HTTPTransport):
    def __init__(self, *, deadline: float, allow_private: bool) -> None:
        # (The shared SSL context here too: building one per transport, as the parent
        # would, costs more than the rest of a 304.)
        super().__init__(verify=_ssl_context(), trust_env=False)
        self._pool = httpcore2.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=1,
            max_keepalive_connections=0,
            network_backend=GuardedBackend(
                deadline=deadline, allow_private=allow_private
            ),
        )


def guarded_client(
    *,
    allow_private: bool,
    seconds: float | None = None,
    deadline: float | None = None,
    headers: dict[str, str] | None = None,
    timeout: httpx2.Timeout | float | None = None,
) -> httpx2.Client:
    """A client for one exchange (a feed with its redirects, a webhook): no redirects
    followed for the caller, no proxy, addresses checked at connect time, everything done
    within ``seconds`` (or by ``deadline``, a time.monotonic() value); ``timeout`` for
    each phase within that."""
    if deadline is None:
        assert seconds is not None, "seconds or deadline"
        deadline = time.monotonic() + seconds
    seconds = max(0.0, deadline - time.monotonic())
    return httpx2.Client(
        transport=GuardedTransport(deadline=deadline, allow_private=allow_private),
        follow_redirects=False,
        trust_env=False,
        headers=headers,
        timeout=seconds if timeout is None else timeout,
    )
