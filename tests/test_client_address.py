"""The visitor's address behind `make serve`'s nginx (roles_site.clientaddress): taken from the
X-Real-IP nginx sets, only for requests on gunicorn's unix socket (an empty REMOTE_ADDR), so the
sign-in lockout keys each visitor apart and a header a client sent over TCP is never believed.
The same through a real nginx is in tests/test_proxy.py."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings

from roles_site.clientaddress import ProxyClientAddressMiddleware

PASSWORD = "a-long-test-password-for-addresses"
BEHIND_NGINX = override_settings(PROXY_CLIENT_ADDRESS_HEADER="HTTP_X_REAL_IP")


def address_seen(remote_addr: str, **headers: str) -> str:
    seen = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, headers=headers)
    ProxyClientAddressMiddleware(view)(request)
    return seen["address"]


@BEHIND_NGINX
@pytest.mark.parametrize(
    ("remote_addr", "real_ip", "expected"),
    [
        ("", "203.0.113.5", "203.0.113.5"),  # on the socket: nginx's word
        ("", " 2001:DB8::1 ", "2001:db8::1"),
        ("", "203.0.113.5, 10.0.0.1", ""),  # not one address: not believed
        ("", "localhost", ""),
        ("127.0.0.1", "203.0.113.5", "127.0.0.1"),  # over TCP: the connection's own
        ("198.51.100.9", "203.0.113.5", "198.51.100.9"),
    ],
)
def test_the_address_comes_from_nginx_only_on_the_socket(remote_addr, real_ip, expected) -> None:
    assert address_seen(remote_addr, X_Real_IP=real_ip) == expected


@BEHIND_NGINX
def test_without_the_header_the_socket_request_keeps_its_own_address() -> None:
    assert address_seen("") == ""


@override_settings(PROXY_CLIENT_ADDRESS_HEADER="")
def test_not_behind_nginx_the_middleware_is_not_used() -> None:
    with pytest.raises(MiddlewareNotUsed):
        ProxyClientAddressMiddleware(lambda request: HttpResponse())


def fail_to_sign_in(client: Client, **headers: str) -> None:
    client.post("/admin/login/", {"username": "editor", "password": "wrong"}, headers=headers)


def sign_in(client: Client, **headers: str) -> int:
    data = {"username": "editor", "password": PASSWORD, "next": "/admin/"}
    return client.post("/admin/login/", data, headers=headers).status_code


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True)


@BEHIND_NGINX
def test_a_lockout_behind_nginx_is_for_one_visitor(editor) -> None:
    on_socket = {"REMOTE_ADDR": ""}
    for _ in range(5):
        fail_to_sign_in(Client(**on_socket), X_Real_IP="203.0.113.7")
    assert sign_in(Client(**on_socket), X_Real_IP="203.0.113.7") == 429
    assert sign_in(Client(**on_socket), X_Real_IP="198.51.100.9") == 302


@BEHIND_NGINX
def test_a_forged_address_over_tcp_does_not_escape_the_lockout(editor) -> None:
    client = Client(REMOTE_ADDR="192.0.2.44")
    for attempt in range(5):
        fail_to_sign_in(client, X_Real_IP=f"10.0.0.{attempt}", X_Forwarded_For="10.9.9.9")
    assert sign_in(client, X_Real_IP="10.0.0.99", X_Forwarded_For="10.9.9.99") == 429
