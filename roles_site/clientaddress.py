"""The visitor's own address when `make serve` puts nginx in front of gunicorn.

nginx talks to gunicorn over a unix socket, so every request would otherwise come from one
address (none at all), and django-axes would lock every visitor out together after five failed
sign-ins anywhere. nginx sets X-Real-IP to the address of the connection it accepted, replacing
any a client sent (deploy/nginx.conf); this takes it as REMOTE_ADDR, for axes and everything else.

Trusted only when both hold: the server was started behind our nginx (roles_site.serve sets
DJANGO_BEHIND_NGINX=1, which sets PROXY_CLIENT_ADDRESS_HEADER), and the request came in over the
unix socket, which only nginx can reach. A request over TCP (gunicorn alone, or its loopback port
beside the socket) keeps the address of its own connection, whatever headers it carries.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponseBase


def ip_address(value: str) -> str | None:
    """`value` as a normalised IP address, or None if it is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


class ProxyClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.header = settings.PROXY_CLIENT_ADDRESS_HEADER
        if not self.header:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        meta = request.META
        # Over TCP the connection's own address is an IP; over the unix socket it is empty.
        if ip_address(meta.get("REMOTE_ADDR") or "") is None:
            forwarded = ip_address(meta.get(self.header) or "")
            if forwarded is not None:
                meta["REMOTE_ADDR"] = forwarded
        return self.get_response(request)
