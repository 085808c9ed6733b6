"""Local servers on 127.0.0.1 for the std.http and std.email tests: nothing leaves the machine."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    """Routes: /json echoes the request as JSON; /status/<code>; /text; /latin; /slow?s=;
    /redirect?to=; /cookie; /big?n= (with Content-Length); /stream?n= (without)."""

    server: _HTTPServer

    def log_message(self, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, dict(self.headers.items()), body)
        self.server.seen.append(seen)
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        route = url.path
        if route == "/slow":
            time.sleep(float(query.get("s", 1)))
            return self._send(200, b'{"slow": true}', "application/json")
        if route == "/redirect":
            self.send_response(302)
            self.send_header("Location", query["to"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if route.startswith("/status/"):
            code = int(route.rsplit("/", 1)[1])
            return self._send(code, json.dumps({"code": code}).encode(), "application/json")
        if route == "/text":
            return self._send(200, "héllo wörld".encode(), "text/plain; charset=utf-8")
        if route == "/latin":
            return self._send(200, "café".encode("latin-1"), "text/plain; charset=iso-8859-1")
        if route == "/cookie":
            self.send_response(200)
            self.send_header("Set-Cookie", "session=abc; Path=/")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            return None
        if route == "/big":
            return self._send(200, b"x" * int(query["n"]), "text/plain")
        if route == "/stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()  # HTTP/1.0, no length: the body ends when the connection closes
            for _ in range(int(query["n"]) // 1000):
                self.wfile.write(b"y" * 1000)
            return None
        payload = {
            "method": self.command,
            "path": self.path,
            "query": query,
            "headers": dict(self.headers.items()),
            "body": body.decode("utf-8", "replace"),
        }
        return self._send(200, json.dumps(payload).encode(), "application/json")

    def _send(self, code: int, data: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    seen: list[Seen]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up early (timeout and size-cap tests) is expected


@dataclass
class HTTPFixture:
    base: str
    seen: list[Seen]


@pytest.fixture(scope="session")
def _http_server() -> Iterator[HTTPFixture]:
    server = _HTTPServer(("127.0.0.1", 0), _Handler)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield HTTPFixture(f"http://127.0.0.1:{server.server_address[1]}", server.seen)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_server(_http_server: HTTPFixture) -> HTTPFixture:
    """One server for the session; what it saw is cleared for each test."""
    _http_server.seen.clear()
    return _http_server


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: str


@dataclass
class SMTPFixture:
    address: str
    mails: list[Mail] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT (no STARTTLS)."""

    server: _SMTPServer

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        box = self.server.box
        self._reply("220 localhost test SMTP")
        sender, recipients = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode().rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            box.commands.append(verb)
            if verb == "EHLO":
                self._reply("250-localhost")
                self._reply("250 8BITMIME")
            elif verb in ("HELO", "RSET", "NOOP"):
                self._reply("250 OK")
            elif verb == "MAIL":
                sender, recipients = line.split(":", 1)[1].strip().strip("<>"), []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    part = self.rfile.readline().decode()
                    if part in (".\r\n", ""):
                        break
                    lines.append(part[1:] if part.startswith("..") else part)
                box.mails.append(Mail(sender, recipients, "".join(lines)))
                self._reply("250 OK queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


class _SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    box: SMTPFixture


@pytest.fixture(scope="session")
def _smtp_server() -> Iterator[SMTPFixture]:
    server = _SMTPServer(("127.0.0.1", 0), _SMTPHandler)
    server.box = SMTPFixture(f"127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.box
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def smtp_server(_smtp_server: SMTPFixture) -> SMTPFixture:
    _smtp_server.mails.clear()
    _smtp_server.commands.clear()
    return _smtp_server


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
