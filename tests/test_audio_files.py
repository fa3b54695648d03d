"""WAV headers for bare samples (pcm, µ-law, A-law), read back as players would."""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path

import pytest

from musicplan.remote.audio import AudioWriter, as_wav, extension, sample_rate, seconds


def _write(handle, fmt: str, pieces: list[bytes], raw: bool = False) -> AudioWriter:
    writer = AudioWriter(handle, fmt, raw=raw)
    for piece in pieces:
        writer.write(piece)
    writer.finish()
    return writer


@pytest.mark.parametrize("fmt", ["pcm_8000", "pcm_22050", "pcm_44100", "pcm_48000"])
def test_pcm_becomes_a_wav_of_the_samples_received(tmp_path: Path, fmt: str):
    samples = bytes(range(256)) * 40  # 10240 bytes: 5120 16-bit samples
    path = tmp_path / "a.wav"
    with open(path, "wb") as handle:
        writer = _write(handle, fmt, [samples[:1000], samples[1000:4097], samples[4097:]])
    assert writer.samples == len(samples)
    with wave.open(str(path), "rb") as read:
        assert (read.getnchannels(), read.getsampwidth(), read.getframerate()) == (1, 2, sample_rate(fmt))
        assert read.getnframes() == len(samples) // 2
        assert read.readframes(read.getnframes()) == samples


def test_a_reply_cut_inside_a_sample_is_completed_to_whole_samples(tmp_path: Path):
    path = tmp_path / "odd.wav"
    with open(path, "wb") as handle:
        _write(handle, "pcm_16000", [b"\x01\x02\x03"])
    data = path.read_bytes()
    assert len(data) % 2 == 0
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    with wave.open(str(path), "rb") as read:
        assert read.getnframes() == 2 and read.readframes(2) == b"\x01\x02\x03\x00"


@pytest.mark.parametrize(("fmt", "tag"), [("ulaw_8000", 7), ("alaw_8000", 6)])
def test_companded_formats_get_their_format_tag(tmp_path: Path, fmt: str, tag: int):
    samples = bytes(range(255))  # odd: a pad byte follows
    path = tmp_path / "c.wav"
    with open(path, "wb") as handle:
        _write(handle, fmt, [samples[:100], samples[100:]])
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    chunks = {}
    at = 12
    while at < len(data):
        name, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        chunks[name] = data[at + 8:at + 8 + size]
        at += 8 + size + (size & 1)
    format_tag, channels, rate, byte_rate, align, bits, extra = struct.unpack("<HHIIHHH", chunks[b"fmt "])
    assert (format_tag, channels, rate, byte_rate, align, bits, extra) == (tag, 1, 8000, 8000, 1, 8, 0)
    assert struct.unpack("<I", chunks[b"fact"])[0] == len(samples)
    assert chunks[b"data"] == samples


def test_a_pipe_gets_the_streaming_header(tmp_path: Path):
    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    pipe = Pipe()
    _write(pipe, "pcm_24000", [b"\x00\x01" * 10])
    data = pipe.getvalue()
    assert data[:4] == b"RIFF" and struct.unpack("<I", data[40:44])[0] == 0xFFFFFFFF
    assert data[44:] == b"\x00\x01" * 10
    assert struct.unpack("<I", data[24:28])[0] == 24000


def test_raw_and_containers_pass_through():
    for fmt, raw in (("mp3_44100_128", False), ("opus_48000_64", False), ("pcm_44100", True), ("ulaw_8000", True)):
        handle = io.BytesIO()
        _write(handle, fmt, [b"abc", b"def"], raw=raw)
        assert handle.getvalue() == b"abcdef"


def test_extensions_and_lengths():
    assert [extension(f) for f in ("mp3_44100_128", "auto", None, "pcm_44100", "ulaw_8000", "opus_48000_64")] == \
        [".mp3", ".mp3", ".mp3", ".wav", ".wav", ".opus"]
    assert extension("pcm_44100", raw=True) == ".pcm" and extension("alaw_8000", raw=True) == ".alaw"
    assert not as_wav("mp3_44100_128") and as_wav("alaw_8000")
    assert seconds("pcm_44100", 88200) == 1.0 and seconds("ulaw_8000", 4000) == 0.5
    assert seconds("mp3_44100_128", 1000) is None


def test_writes_can_pass_through_a_counting_function(tmp_path: Path):
    counted: list[int] = []
    with open(tmp_path / "c.wav", "wb") as handle:
        def write(data: bytes) -> None:
            counted.append(len(data))
            handle.write(data)

        writer = AudioWriter(handle, "pcm_16000", write=write)
        writer.write(b"\x01\x02" * 50)
        writer.finish()
    # The header and the samples passed through it (the patched sizes too, so at least the file's size).
    assert sum(counted) >= (tmp_path / "c.wav").stat().st_size == 44 + 100
    with wave.open(str(tmp_path / "c.wav"), "rb") as read:
        assert read.getnframes() == 50
