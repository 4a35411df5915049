"""ASVS V4.2.1 (and V13.4.1, V13.4.4 once more) on the wire: raw requests to both instances under
`portal serve`, written as a request smuggler writes them.

A proxy in front and the server behind it must agree where each request ends. A request that
states its length two ways (Content-Length and chunked), or in a form one of them may read
differently, must be refused and its connection closed, so that whatever follows the first
body is never answered as a request of its own.
"""

from __future__ import annotations

import re
import socket

import pytest

from tests.servers import instance_env, portal_command, portal_serve, public_env

HOST = b"Host: 127.0.0.1\r\n"
SMUGGLED = b"GET /healthz?smuggled=1 HTTP/1.1\r\n" + HOST + b"\r\n"
CHUNKED_THEN_SMUGGLED = b"0\r\n\r\n" + SMUGGLED
STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3}) ")
FORM = b"Content-Type: application/x-www-form-urlencoded\r\n"


def post(*headers: bytes, body: bytes = CHUNKED_THEN_SMUGGLED, version: bytes = b"1.1") -> bytes:
    """A POST to the sign-in form with these framing headers, then `body`."""
    return b"POST /login HTTP/" + version + b"\r\n" + HOST + FORM + b"".join(headers) + b"\r\n" + body


LENGTH = f"Content-Length: {len(CHUNKED_THEN_SMUGGLED)}\r\n".encode()
# Each states the body's end in a way a proxy in front could read otherwise.
AMBIGUOUS = {
    "Content-Length and chunked": post(LENGTH, b"Transfer-Encoding: chunked\r\n"),
    "chunked and Content-Length": post(b"Transfer-Encoding: chunked\r\n", LENGTH),
    "chunked named twice": post(LENGTH, b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
    "chunked after another coding": post(LENGTH, b"Transfer-Encoding: identity, chunked\r\n"),
    "an unknown coding": post(LENGTH, b"Transfer-Encoding: xchunked\r\n"),
    "space before the colon": post(LENGTH, b"Transfer-Encoding : chunked\r\n"),
    "two different lengths": post(b"Content-Length: 5\r\n", LENGTH),
    "a signed length": post(f"Content-Length: +{len(CHUNKED_THEN_SMUGGLED)}\r\n".encode()),
    "chunked in HTTP/1.0": post(
        LENGTH, b"Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n", version=b"1.0"
    ),
}


@pytest.fixture(scope="module")
def ports(tmp_path_factory) -> dict[str, int]:
    """Both instances served by `portal serve`, each in its own process."""
    instance = tmp_path_factory.mktemp("wire") / "instance"
    env = instance_env(instance)
    assert portal_command("init", env=env).returncode == 0
    with portal_serve("staff", env) as staff, portal_serve("public", public_env(instance)) as public:
        yield {"staff": int(staff.rsplit(":", 1)[1]), "public": int(public.rsplit(":", 1)[1])}


def exchange(port: int, raw: bytes) -> tuple[list[int], bool]:
    """Send `raw` and read until the server closes or goes quiet: the statuses of the answers, and
    whether the server closed the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        sock.settimeout(3)
        received, closed = b"", False
        try:
            while chunk := sock.recv(65536):
                received += chunk
            closed = True
        except TimeoutError:
            pass
    return [int(status) for status in STATUS_LINE.findall(received)], closed


@pytest.mark.parametrize("zone", ["public", "staff"])
@pytest.mark.parametrize("case", AMBIGUOUS)
def test_a_request_framed_two_ways_is_refused_and_nothing_is_smuggled(ports, zone, case):
    statuses, closed = exchange(ports[zone], AMBIGUOUS[case])
    assert len(statuses) == 1 and statuses[0] in (400, 501), statuses
    assert closed, "the connection must close after a request that may be smuggling another"


@pytest.mark.parametrize("zone", ["public", "staff"])
def test_a_plain_chunked_request_is_served_and_the_connection_kept(ports, zone):
    """The control: the same bytes framed one way only are two requests, both answered."""
    statuses, closed = exchange(ports[zone], post(b"Transfer-Encoding: chunked\r\n"))
    assert len(statuses) == 2 and statuses[1] == 200, statuses
    assert not closed


@pytest.mark.parametrize("zone", ["public", "staff"])
def test_trace_and_source_control_paths_get_the_unknown_url_page_on_the_wire(ports, zone):
    """V13.4.4, V13.4.1: waitress passes the request line as sent; the app refuses it."""
    for request_line in (
        b"TRACE / HTTP/1.1",
        b"TRACE /login HTTP/1.1",
        b"GET /.git/HEAD HTTP/1.1",
        b"GET /static/../../.git/HEAD HTTP/1.1",
        b"GET /static/%2e%2e/%2e%2e/.git/config HTTP/1.1",
        b"GET /../../.git/config HTTP/1.1",
    ):
        raw = request_line + b"\r\n" + HOST + b"X-Echo-Canary: trace-canary-7731\r\nConnection: close\r\n\r\n"
        with socket.create_connection(("127.0.0.1", ports[zone]), timeout=10) as sock:
            sock.sendall(raw)
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        assert received.startswith(b"HTTP/1.1 404 "), (request_line, received[:200])
        assert b"trace-canary-7731" not in received and b"ref: refs" not in received, request_line
        assert b"[core]" not in received, request_line
