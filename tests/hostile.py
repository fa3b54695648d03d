"""Hostile HTTP servers on 127.0.0.1 for the tests of issue 17: each connection's
request is read whole, then a test's function answers with whatever bytes it likes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

Reply = Callable[[socket.socket, bytes, bytes], None]


def read_request(conn: socket.socket) -> tuple[bytes, bytes]:
    """The head and the body of one request (the body by its Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65536)
        if not more:
            return data, b""
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        more = conn.recv(65536)
        if not more:
            break
        body += more
    return head, body


def header(head: bytes, name: str) -> str | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name.lower().encode():
            return value.strip().decode("latin-1")
    return None


class RawServer:
    """Counts connections and keeps each request; ``reply`` writes the answer."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.heads: list[bytes] = []
        self.bodies: list[bytes] = []
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            head, body = read_request(conn)
            self.heads.append(head)
            self.bodies.append(body)
            self.reply(conn, head, body)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def response(status: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()),
             f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


def multipart(parts: list[tuple[str, bytes]], boundary: str = "b0undary") -> tuple[str, bytes]:
    """A multipart/mixed content type and body of (content type, bytes) parts."""
    body = b"".join(f"--{boundary}\r\nContent-Type: {kind}\r\n\r\n".encode() + data + b"\r\n"
                    for kind, data in parts)
    return f"multipart/mixed; boundary={boundary}", body + f"--{boundary}--\r\n".encode()
