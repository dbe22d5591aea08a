"""`make serve`'s server as a child process on a loopback port, and a small HTTP client for it.

Used by `make bench` and by the tests that need real server processes (two instances on one
PostgreSQL, a kill during admin edits).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent


def server_env(**settings: str) -> dict[str, str]:
    """This process's environment without what a server would take from it for its own
    settings (database, cache, secret key, port, front end), plus `settings`."""
    prefixes = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "PORT", "SERVE_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    return {**env, **settings}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`python -m roles_site.serve` (what `make serve` runs) with its own environment and log.

    `env` is the whole environment of the server, not additions to this process's.
    """

    def __init__(self, env: dict[str, str], log_path: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "roles_site.serve"],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches every worker
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_tail()}")
            try:
                if Client(self.port).get("/healthz").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server not healthy after {timeout}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _signal_group(self, sig: int) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: a crash, no chance to clean up."""
        self._signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self) -> None:
        self._signal_group(signal.SIGTERM)
        if self.process is None:
            return
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        # Workers left behind by a master that died first.
        self._signal_group(signal.SIGKILL)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> dict:
        return json.loads(self.body)


class Client:
    """A cookie-keeping HTTP/1.1 client that does not follow redirects (a 302 is an answer);
    HTTPS with `tls`, the context that trusts the server's certificate."""

    def __init__(
        self,
        port: int,
        timeout: float = 30,
        source: str | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.port = port
        self.timeout = timeout
        # The loopback address to connect from (127.0.0.2, …): another visitor to the server.
        self.source = (source, 0) if source else None
        self.tls = tls
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        options = {"timeout": self.timeout, "source_address": self.source}
        connection = (
            http.client.HTTPSConnection("127.0.0.1", self.port, context=self.tls, **options)
            if self.tls
            else http.client.HTTPConnection("127.0.0.1", self.port, **options)
        )
        all_headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=all_headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(
        self, path: str, data: dict | list[tuple[str, str]], headers: dict | None = None
    ) -> Response:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": f"{self.origin}{path}",
            **(headers or {}),
        }
        return self.request("POST", path, body=urlencode(data).encode(), headers=headers)

    def form(self, path: str, form_id: str | None = None) -> list[tuple[str, str]]:
        """The fields a browser would submit from the form on a page (default: the first)."""
        response = self.get(path)
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}")
        parser = FormParser(form_id)
        parser.feed(response.text)
        return parser.fields

    def login(self, admin_url: str, username: str, password: str) -> Response:
        login_path = f"/{admin_url.strip('/')}/login/"
        fields = dict(self.form(login_path))
        fields.update(username=username, password=password, next=f"/{admin_url.strip('/')}/")
        response = self.post(login_path, fields)
        if response.status != 302:
            raise RuntimeError(f"admin login failed: {response.status}")
        return response


class FormParser(HTMLParser):
    """Collects a form's successful controls: inputs, checked boxes, textareas, selections."""

    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self.textarea: str | None = None
        self.text = ""
        self.select: str | None = None
        self.multiple = False
        self.selected: list[str] = []
        self.select_first: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and not self.done and (self.form_id in (None, a.get("id"))):
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""
        elif tag == "select" and name:
            self.select, self.multiple = name, "multiple" in a
            self.selected, self.select_first = [], None
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in a:
                self.selected.append(value)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select:
            values = self.selected
            if not values and not self.multiple and self.select_first is not None:
                values = [self.select_first]
            self.fields.extend((self.select, value) for value in values)
            self.select = None
