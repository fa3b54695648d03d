"""Issue 17, the stand-in server users run in their own tests: every malformed
request gets an answer as the API would give it, many clients at once are all
served, and a client that leaves is no traceback."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from musicplan.remote.server import MusicTestServer

KEY = "test-key"


@pytest.fixture
def server():
    with MusicTestServer(api_key=KEY, audio_size=2 * 1024 * 1024) as running:
        yield running


def exchange(server: MusicTestServer, request: bytes, timeout: float = 10) -> bytes:
    """Send raw bytes; return everything the server answers until it closes (or goes quiet)."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        try:
            while b"\r\n\r\n" not in data or not _whole(data):
                more = sock.recv(65536)
                if not more:
                    break
                data += more
        except TimeoutError:
            pass
    return data


def _whole(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def post(path: str, body: bytes, length: str | None = None, extra: str = "") -> bytes:
    size = str(len(body)) if length is None else length
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nxi-api-key: {KEY}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\nConnection: close\r\n{extra}\r\n").encode() + body


def status(reply: bytes) -> int:
    assert reply, "the server closed the connection without an answer"
    return int(reply.split(b" ", 2)[1])


def detail(reply: bytes):
    return json.loads(reply.partition(b"\r\n\r\n")[2])["detail"]


@pytest.mark.parametrize("path", ["/v1/music", "/v1/music/detailed", "/v1/music/plan"])
def test_deep_json_is_answered_422(server, path):
    reply = exchange(server, post(path, b"[" * 50_000 + b"]" * 50_000))
    assert status(reply) == 422
    deep = {"prompt": "x", "music_length_ms": 10_000, "extra": json.loads("[" * 900 + "]" * 900)}
    assert status(exchange(server, post(path, json.dumps(deep).encode()))) in (200, 422)


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "10, 10"])
def test_a_bad_content_length_is_answered_400_at_once(server, length):
    started = time.monotonic()
    reply = exchange(server, post("/v1/music/plan", b'{"prompt": "x"}', length=length), timeout=5)
    assert status(reply) == 400 and time.monotonic() - started < 4


def test_a_body_too_large_is_answered_413(server):
    assert status(exchange(server, post("/v1/music/plan", b"", length=str(1 << 40)))) == 413


def test_a_chunked_request_is_answered_411(server):
    request = (f"POST /v1/music/plan HTTP/1.1\r\nHost: x\r\nxi-api-key: {KEY}\r\n"
               "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").encode()
    assert status(exchange(server, request)) == 411


@pytest.mark.parametrize("value", ['"30000"', "true", "12.5", "1", "99999999"])
def test_a_plan_length_of_the_wrong_type_or_size_is_answered_422(server, value):
    reply = exchange(server, post("/v1/music/plan", f'{{"prompt": "x", "music_length_ms": {value}}}'.encode()))
    assert status(reply) == 422 and detail(reply)[0]["loc"] == ["body", "music_length_ms"]


@pytest.mark.parametrize("body", [b'{"prompt": 5}', b'{"prompt": "x", "model_id": ["music_v1"]}', b"[]",
                                  b'"text"', b"\xff\xfe"])
def test_odd_bodies_are_answered(server, body):
    for path in ("/v1/music", "/v1/music/plan"):
        assert status(exchange(server, post(path, body))) == 422


def test_64_clients_at_once_are_all_served(server):
    failures: list[BaseException] = []
    codes: list[int] = []
    request = post("/v1/music/plan", b'{"prompt": "a calm song"}')
    start = threading.Barrier(64)

    def client() -> None:
        start.wait()
        for _ in range(10):
            try:
                codes.append(status(exchange(server, request, timeout=30)))
            except (OSError, AssertionError) as exc:
                failures.append(exc)

    threads = [threading.Thread(target=client) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == [] and codes == [200] * 640
    # Where the kernel drops rather than resets past the backlog, the above passes slowly even
    # with socketserver's backlog of 5: the backlog itself must hold 64 waiting clients.
    assert server._httpd is not None and server._httpd.request_queue_size >= 64


def test_a_client_that_leaves_is_no_traceback(server, capsys):
    host, port = server.url.removeprefix("http://").split(":")
    body = b'{"prompt": "a long song", "music_length_ms": 60000}'
    for _ in range(3):
        sock = socket.create_connection((host, int(port)), timeout=10)
        sock.sendall(post("/v1/music/stream", body))
        sock.recv(1024)
        # Reset, not close: the server's next write fails at once.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    time.sleep(0.5)
    # The server is still answering, and said nothing about the clients that left.
    assert status(exchange(server, post("/v1/music/plan", b'{"prompt": "x"}'))) == 200
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "BrokenPipe" not in captured.err


def test_other_methods_are_answered_405(server):
    reply = exchange(server, b"GET /v1/music HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status(reply) == 405 and b"Allow: POST" in reply


def test_a_client_that_stops_sending_is_answered_408_and_freed():
    with MusicTestServer(api_key=KEY, client_timeout=0.5) as quick:
        started = time.monotonic()
        reply = exchange(quick, post("/v1/music/plan", b'{"pro', length="100"), timeout=10)
        assert status(reply) == 408 and time.monotonic() - started < 5


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                   max_size=4),
                     max_leaves=20)
_KEYS = ["prompt", "composition_plan", "music_length_ms", "model_id", "seed", "force_instrumental",
         "respect_sections_durations", "with_timestamps", "sections", "chunks", "positive_global_styles"]


@given(body=st.dictionaries(st.sampled_from(_KEYS), _JSON, max_size=5) | _JSON,
       path=st.sampled_from(["/v1/music", "/v1/music/detailed", "/v1/music/stream", "/v1/music/plan"]))
def test_any_json_body_gets_an_answer(any_server, body, path):
    reply = exchange(any_server, post(path, json.dumps(body).encode()))
    assert status(reply) in (200, 400, 422)


@pytest.fixture(scope="module")
def any_server():
    with MusicTestServer(api_key=KEY, audio_size=1024, max_concurrent=64) as running:
        yield running
