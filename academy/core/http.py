"""The client's address, the one way every part of the academy reads it.

Behind a load balancer REMOTE_ADDR is the balancer's address; the client's is in
X-Forwarded-For, which any client can also write. So the header is believed only for
the number of proxies the deployment says sit in front of the app
(ACADEMY_TRUSTED_PROXY_COUNT): each appends the address it saw, so with N trusted
proxies the client is the N-th address from the right. With 0 (the default), the
header is ignored. The rate limits and the audit log use this one function."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    trusted = int(getattr(settings, "ACADEMY_TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted <= 0:
        return remote
    forwarded = [
        hop.strip()
        for hop in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        if hop.strip()
    ]
    if len(forwarded) < trusted:
        return remote  # fewer hops than proxies: not through them; trust nothing
    return _valid(forwarded[-trusted]) or remote
