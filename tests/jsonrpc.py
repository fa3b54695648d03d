"""A plain JSON-RPC client for `musicplan lsp` over stdio, with no LSP library:
what an editor we have never heard of would do."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from typing import Any


class PlainClient:
    def __init__(self, command: list[str] | None = None) -> None:
        self.process = subprocess.Popen(
            command or [sys.executable, "-m", "musicplan", "lsp"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            assert length is not None, "a message without Content-Length"
            self.messages.put(json.loads(stream.read(length).decode("utf-8")))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, "params": params})
        while True:
            message = self.messages.get(timeout=timeout)
            if message.get("id") == ident and "method" not in message:
                assert "error" not in message, message["error"]
                return message.get("result")
            self._other(message)

    def notification(self, method: str, timeout: float = 30) -> dict[str, Any]:
        """The next notification called ``method`` (earlier ones already received count first)."""
        for index, seen in enumerate(self.notifications):
            if seen["method"] == method:
                return self.notifications.pop(index)["params"]
        while True:
            message = self.messages.get(timeout=timeout)
            if message.get("method") == method and "id" not in message:
                return message["params"]
            self._other(message)

    def _other(self, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:  # a request from the server: answer it plainly
            self.send({"id": message["id"], "result": None})
        elif "method" in message:
            self.notifications.append(message)

    def close(self) -> int:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            return self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()
