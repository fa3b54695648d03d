"""Bytes to text: UTF-8 with an optional byte-order mark, errors at line and byte."""

from __future__ import annotations

from musicplan.base.diagnostics import Report, Span
from musicplan.base.record import Record

BOM = "\ufeff"
_MAX_DECODE_ERRORS = 10


class Source(Record):
    path: str
    text: str


def decode(data: bytes, path: str, report: Report) -> Source | None:
    """Decode ``data``; on invalid UTF-8 report each bad sequence and return None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        _report_invalid_utf8(data, report)
        return None
    return from_text(text, path)


def from_text(text: str, path: str) -> Source:
    if text.startswith(BOM):
        text = text[1:]
    return Source(path, text)


def _report_invalid_utf8(data: bytes, report: Report) -> None:
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    offset = start
    found = 0
    last_end = -1
    while offset < len(data) and found < _MAX_DECODE_ERRORS:
        try:
            data[offset:].decode("utf-8")
            return
        except UnicodeDecodeError as exc:
            bad = offset + exc.start
            if bad == last_end:
                # One run of bad bytes is one mistake.
                offset = last_end = offset + exc.end
                continue
            line_start = data.rfind(b"\n", 0, bad) + 1
            line = data.count(b"\n", 0, bad) + 1
            # Characters before the bad byte on its line give the column.
            prefix = data[max(line_start, start):bad].decode("utf-8", errors="replace")
            report.error(
                "E001",
                Span.at(line, len(prefix) + 1),
                f"invalid UTF-8 at byte offset {bad} (byte 0x{data[bad]:02x} on line {line})",
                "save the file as UTF-8; most editors have an 'encoding' or 'save with encoding' menu",
            )
            found += 1
            offset = last_end = offset + exc.end
