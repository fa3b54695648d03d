"""The audio bytes of an output format, as they arrive → a file people can open.

The API sends ``pcm_*``, ``ulaw_8000`` and ``alaw_8000`` as bare samples, which
no player opens. Here they get a WAV (RIFF) header: PCM through the standard
library's ``wave`` module, µ-law and A-law with a header written here (``wave``
writes only format tag 1; these are tags 7 and 6). mp3 and opus arrive in
their own containers and pass through untouched, as does everything with
``raw``.

The samples stream in and their number is known only at the end, so the header
goes first with sizes that are patched when the file is finished (the atomic
writer's temporary file can seek). A target that cannot seek (a pipe) gets the
streaming convention instead: the largest sizes, which players read as "until
the end of the file".

What the API sends is not stated in its documents: PCM is taken to be
signed 16-bit little-endian mono (what ElevenLabs' audio endpoints send for
``pcm_*``), µ-law and A-law 8-bit mono (G.711); the sample rate is the number
in the format's name.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any, BinaryIO

PCM_SAMPLE_BYTES = 2
CHANNELS = 1
# RIFF format tags (mmreg.h): the G.711 companded formats.
_COMPANDED_TAGS = {"ulaw": 7, "alaw": 6}
_UNKNOWN_SIZE = 0xFFFFFFFF


def codec(output_format: str | None) -> str:
    """``mp3``, ``pcm``, ``ulaw``, ``alaw`` or ``opus`` (``auto`` and no format are mp3)."""
    fmt = output_format or "mp3_44100_128"
    return "mp3" if fmt == "auto" else fmt.split("_", 1)[0]


def sample_rate(output_format: str | None) -> int | None:
    """The sample rate a format's name states, e.g. 44100 for ``pcm_44100``."""
    parts = (output_format or "").split("_")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def as_wav(output_format: str | None, raw: bool = False) -> bool:
    """Whether ``render`` wraps this format's samples in a WAV header."""
    return not raw and codec(output_format) in ("pcm", *_COMPANDED_TAGS) and sample_rate(output_format) is not None


def extension(output_format: str | None, raw: bool = False) -> str:
    """The file extension of what ``render`` writes: ``.wav`` for bare samples it wraps."""
    name = codec(output_format)
    return ".wav" if as_wav(output_format, raw) else f".{name}"


def seconds(output_format: str | None, sample_bytes: int) -> float | None:
    """How long ``sample_bytes`` of bare samples play (None for mp3 and opus)."""
    rate = sample_rate(output_format)
    name = codec(output_format)
    if rate is None or name not in ("pcm", *_COMPANDED_TAGS):
        return None
    width = PCM_SAMPLE_BYTES if name == "pcm" else 1
    return sample_bytes / (rate * width * CHANNELS)


def _companded_header(tag: int, rate: int, data_bytes: int) -> bytes:
    # A non-PCM format: an 18-byte fmt chunk (cbSize 0) and a fact chunk with
    # the number of samples, as the RIFF specification asks of them.
    known = data_bytes != _UNKNOWN_SIZE
    padded = data_bytes + (data_bytes & 1) if known else 0
    riff_size = 4 + (8 + 18) + (8 + 4) + 8 + padded if known else _UNKNOWN_SIZE
    fmt = struct.pack("<HHIIHHH", tag, CHANNELS, rate, rate * CHANNELS, CHANNELS, 8, 0)
    return (b"RIFF" + struct.pack("<I", riff_size) + b"WAVE"
            + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"fact" + struct.pack("<II", 4, data_bytes // CHANNELS if known else _UNKNOWN_SIZE)
            + b"data" + struct.pack("<I", data_bytes))


def _pcm_streaming_header(rate: int) -> bytes:
    width = PCM_SAMPLE_BYTES
    fmt = struct.pack("<HHIIHH", 1, CHANNELS, rate, rate * CHANNELS * width, CHANNELS * width, 8 * width)
    return (b"RIFF" + struct.pack("<I", _UNKNOWN_SIZE) + b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"data" + struct.pack("<I", _UNKNOWN_SIZE))


class _Through:
    """A file whose writes go through a given function, and everything else to the file."""

    def __init__(self, handle: BinaryIO, write: Callable[[bytes], Any]) -> None:
        self._handle = handle
        self.write = write

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def _seekable(handle: Any) -> bool:
    try:
        return handle.seekable()
    except (AttributeError, OSError, ValueError):
        return False


class AudioWriter:
    """Bytes of ``output_format`` → ``handle``, inside a WAV header where
    ``as_wav`` says so. ``write`` takes the bytes as they come; ``finish``
    completes the header (and the pad byte RIFF wants after an odd chunk).
    ``samples`` counts the audio bytes received, header excluded."""

    def __init__(self, handle: BinaryIO, output_format: str | None, *, raw: bool = False,
                 write: Callable[[bytes], Any] | None = None) -> None:
        # ``write`` (default: the handle's) lets an owner count what passes; seeks go to ``handle``.
        self.handle: Any = _Through(handle, write) if write is not None else handle
        self.samples = 0
        self.kind = codec(output_format) if as_wav(output_format, raw) else None
        self.rate = sample_rate(output_format) or 0
        self._wave = None
        self._patch = _seekable(handle)
        self._data_at = 0
        out: Any = self.handle
        if self.kind == "pcm" and self._patch:
            import wave

            self._wave = wave.open(out, "wb")  # noqa: SIM115 - closed in finish(), the file stays ours
            self._wave.setnchannels(CHANNELS)
            self._wave.setsampwidth(PCM_SAMPLE_BYTES)
            self._wave.setframerate(self.rate)
        elif self.kind == "pcm":
            out.write(_pcm_streaming_header(self.rate))
        elif self.kind is not None:
            self._data_at = out.tell() if self._patch else 0
            size = 0 if self._patch else _UNKNOWN_SIZE
            out.write(_companded_header(_COMPANDED_TAGS[self.kind], self.rate, size))

    def write(self, data: bytes) -> None:
        self.samples += len(data)
        if self._wave is not None:
            # writeframesraw: the bytes as they are, the header patched at close.
            self._wave.writeframesraw(data)
        else:
            self.handle.write(data)

    def finish(self) -> None:
        if self._wave is not None:
            if self.samples % PCM_SAMPLE_BYTES:
                # A reply cut inside a sample: complete it, so every byte received is kept
                # and the data stays whole samples (and even, as RIFF chunks must be).
                self._wave.writeframesraw(b"\x00" * (PCM_SAMPLE_BYTES - self.samples % PCM_SAMPLE_BYTES))
            self._wave.close()  # wave patches the RIFF and data sizes itself
            self._wave = None
            return
        if self.kind in _COMPANDED_TAGS:
            if self.samples & 1:
                self.handle.write(b"\x00")
            if self._patch:
                end = self.handle.tell()
                self.handle.seek(self._data_at)
                self.handle.write(_companded_header(_COMPANDED_TAGS[self.kind], self.rate, self.samples))
                self.handle.seek(end)
        elif self.kind == "pcm" and self.samples % PCM_SAMPLE_BYTES:
            self.handle.write(b"\x00" * (PCM_SAMPLE_BYTES - self.samples % PCM_SAMPLE_BYTES))
