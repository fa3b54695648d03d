"""The streaming multipart reader: any chunking gives the same parts, no boundary leaks."""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from musicplan.remote.multipart import MultipartError, MultipartReader, boundary_of


class Parts:
    def __init__(self) -> None:
        self.items: list[tuple[dict, bytearray]] = []
        self.ended = 0

    def start_part(self, headers):
        self.items.append((dict(headers), bytearray()))
        return self.items[-1][1].extend

    def end_part(self) -> None:
        self.ended += 1


def message(boundary: str, meta: dict, audio: bytes, preamble: bytes = b"") -> bytes:
    b = boundary.encode()
    return (preamble + b"--" + b + b"\r\nContent-Type: application/json\r\n\r\n" + json.dumps(meta, indent=2).encode()
            + b"\r\n--" + b + b"\r\nContent-Type: audio/mpeg\r\nContent-Disposition: attachment; "
            b"filename=\"song.mp3\"\r\n\r\n" + audio + b"\r\n--" + b + b"--\r\nepilogue")


def read(data: bytes, boundary: str, cuts: list[int]) -> Parts:
    parts = Parts()
    reader = MultipartReader(boundary, parts)
    start = 0
    for cut in sorted(set(c % (len(data) + 1) for c in cuts)) + [len(data)]:
        reader.feed(data[start:cut])
        start = cut
    reader.close()
    return parts


@settings()
@given(audio=st.binary(max_size=3000) | st.sampled_from([b"", b"\r\n--", b"--b--", b"\r\n--bound", b"\r\n\r\n"]),
       cuts=st.lists(st.integers(0, 10_000), max_size=40),
       boundary=st.sampled_from(["b", "bound", "musicplan-0123456789abcdef"]))
def test_any_chunking_gives_the_same_parts(audio, cuts, boundary):
    # A sender picks a boundary that its content does not hold (RFC 2046).
    assume(b"\r\n--" + boundary.encode() not in b"\r\n" + audio)
    meta = {"composition_plan": {"sections": []}, "song_metadata": {"title": "T\nwo"}}
    parts = read(message(boundary, meta, audio, b"ignored preamble\r\n"), boundary, cuts)
    assert [p[0]["Content-Type"] for p in parts.items] == ["application/json", "audio/mpeg"]
    assert json.loads(bytes(parts.items[0][1])) == meta
    assert bytes(parts.items[1][1]) == audio
    assert parts.ended == 2


def test_boundary_from_content_type():
    assert boundary_of('multipart/mixed; boundary="abc def"') == "abc def"
    assert boundary_of("multipart/mixed; boundary=xyz") == "xyz"
    assert boundary_of("audio/mpeg") is None


def test_a_reply_cut_short_is_an_error():
    data = message("b", {}, b"audio bytes")
    parts = Parts()
    reader = MultipartReader("b", parts)
    reader.feed(data[: len(data) // 2 + 20])
    with pytest.raises(MultipartError):
        reader.close()


def test_garbage_after_a_boundary_is_an_error():
    with pytest.raises(MultipartError):
        MultipartReader("b", Parts()).feed(b"--bXX\r\n")


@settings()
@given(audio=st.binary(max_size=500), cuts=st.lists(st.integers(0, 2000), max_size=20))
def test_a_sender_with_bare_lf_line_ends_is_read_too(audio, cuts):
    assume(b"\n--b" not in b"\n" + audio)
    data = (b"preamble\n--b\nContent-Type: application/json\n\n{\n \"a\": 1\n}\n--b\n"
            b"Content-Type: audio/mpeg\n\n" + audio + b"\n--b--\n")
    parts = read(data, "b", cuts)
    assert json.loads(bytes(parts.items[0][1])) == {"a": 1}
    assert bytes(parts.items[1][1]) == audio
