"""A streaming reader for the detailed endpoint's multipart/mixed reply.

Parts are split on the boundary as bytes arrive, whatever the chunking, so the
audio part goes to disk as it comes and never whole into memory, and no byte
of a boundary ends up in the audio (a bug both official SDKs once had). Part
headers are parsed by the standard library's email parser.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import Message
from email.parser import BytesHeaderParser
from typing import Protocol


class MultipartError(Exception):
    """The reply is not well-formed multipart."""


class PartHandler(Protocol):
    def start_part(self, headers: Message) -> Callable[[bytes], None]: ...

    def end_part(self) -> None: ...


def boundary_of(content_type: str) -> str | None:
    message = Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "multipart":
        return None
    boundary = message.get_param("boundary")
    return boundary if isinstance(boundary, str) and boundary else None


_PREAMBLE, _HEADERS, _BODY, _AFTER, _END = range(5)
_MAX_HEADERS = 64 * 1024


class MultipartReader:
    def __init__(self, boundary: str, handler: PartHandler) -> None:
        self.delimiter = b"\r\n--" + boundary.encode("latin-1")
        self.newline = b"\r\n"
        self.handler = handler
        # A leading line end lets a boundary at the very start match like any other.
        self.buffer = b"\r\n"
        self.state = _PREAMBLE
        self.sink: Callable[[bytes], None] | None = None
        self.parts = 0

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.state in (_PREAMBLE, _BODY):
                # Before the first part, a boundary after either line ending will do.
                delimiter = self.delimiter if self.state == _BODY else self.delimiter[1:]
                at = self.buffer.find(delimiter)
                if at < 0:
                    keep = len(delimiter) - 1
                    if self.state == _BODY and len(self.buffer) > keep:
                        self._emit(self.buffer[:-keep])
                        self.buffer = self.buffer[-keep:]
                    elif self.state == _PREAMBLE:
                        self.buffer = self.buffer[-keep:]
                    return
                if self.state == _BODY:
                    self._emit(self.buffer[:at])
                    self.handler.end_part()
                    self.sink = None
                self.buffer = self.buffer[at + len(delimiter):]
                self.state = _AFTER
            elif self.state == _AFTER:
                if len(self.buffer) < 2:
                    return
                if self.buffer.startswith(b"--"):
                    self.state, self.buffer = _END, b""
                    return
                end = self.buffer.find(b"\n")
                if end < 0:
                    return
                if self.buffer[:end].rstrip(b"\r").strip(b" \t"):
                    raise MultipartError("unexpected bytes after a boundary")
                if self.parts == 0 and not self.buffer[:end].endswith(b"\r"):
                    # A sender that ends its lines in bare LF: read it on its terms.
                    self.newline = b"\n"
                    self.delimiter = b"\n" + self.delimiter[2:]
                self.buffer = self.buffer[end + 1:]
                self.state = _HEADERS
            elif self.state == _HEADERS:
                nl = self.newline
                end = self.buffer.find(nl + nl)
                if end < 0 and self.buffer.startswith(nl):
                    end = -len(nl)  # a part with no headers at all
                if end == -1:
                    if len(self.buffer) > _MAX_HEADERS:
                        raise MultipartError("part headers too long")
                    return
                raw = self.buffer[: max(end, 0)]
                self.buffer = self.buffer[end + 2 * len(nl):]
                headers = BytesHeaderParser().parsebytes(raw + nl + nl)
                self.sink = self.handler.start_part(headers)
                self.parts += 1
                self.state = _BODY
            else:  # _END: the epilogue is ignored
                self.buffer = b""
                return

    def _emit(self, data: bytes) -> None:
        if data and self.sink is not None:
            self.sink(data)

    def close(self) -> None:
        if self.state != _END:
            raise MultipartError("the reply ended before its closing boundary")
