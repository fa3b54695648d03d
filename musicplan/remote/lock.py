"""A folder's renders → ``musicplan.lock``, so an unchanged song is never paid for twice.

The lock lives beside the songs and is meant to be committed: JSON, keys
sorted, two-space indents, one entry per song, so a diff shows which song was
rendered again. An entry records the hash of the exact request (the canonical
body, the endpoint and the query parameters that change the audio), the song
id the API gave, and the audio file (a path relative to the lock's folder),
its sha256 and its size::

    {
      "musicplan_lock": 1,
      "songs": {
        "neon.song": {
          "audio": "Neon Nights.mp3",
          "audio_bytes": 1843200,
          "audio_sha256": "9c1e...",
          "endpoint": "detailed",
          "output_format": "mp3_44100_128",
          "request_sha256": "5b7a...",
          "song_id": "8f2a..."
        }
      }
    }

A song is skipped when its request hash is the one recorded and the recorded
audio is there with the recorded sha256. The file is rewritten (atomically)
after each finished song, under an advisory lock on the hidden sidecar
``.musicplan.lock.lck``, re-reading it first and changing only that song's
entry: two runs on one folder, or the threads of one batch, merge instead of
overwriting each other. The key is never part of any of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from musicplan.base.files import write_atomic

LOCK_NAME = "musicplan.lock"
SIDECAR_NAME = ".musicplan.lock.lck"
VERSION = 1
_FIELDS = ("audio", "audio_bytes", "audio_sha256", "endpoint", "output_format", "request_sha256", "song_id")
_CHUNK = 1 << 20
_threads = threading.Lock()  # flock() is per open file; this keeps one process's threads in line too


class LockError(Exception):
    """The lock file cannot be used as it is; ``line`` and ``column`` point at the trouble."""

    def __init__(self, path: Path, message: str, hint: str, line: int = 1, column: int = 1) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path = path
        self.message = message
        self.hint = hint
        self.line = line
        self.column = column


def request_hash(body: Mapping[str, Any], endpoint: str, query: Mapping[str, str]) -> str:
    """The sha256 of one request as the API would receive it: the body in canonical
    JSON (sorted keys), the endpoint and the query parameters that change the audio."""
    request = {"body": body, "endpoint": endpoint, "query": dict(query)}
    text = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


Entry = dict[str, Any]  # one song's record: the fields of the module's docstring


def make_entry(*, request_sha256: str, endpoint: str, output_format: str | None, song_id: str | None,
               audio: str, audio_sha256: str, audio_bytes: int) -> Entry:
    return {"request_sha256": request_sha256, "endpoint": endpoint, "output_format": output_format,
            "song_id": song_id, "audio": audio, "audio_sha256": audio_sha256, "audio_bytes": audio_bytes}


class RenderLock:
    """The lock of one folder. ``entry`` reads a song's record, ``unchanged``
    says whether a render can be skipped, ``record`` merges one song in."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.sidecar = self.folder / SIDECAR_NAME

    def key(self, song: str | Path) -> str:
        """A song's name in the lock: its path relative to the lock's folder, with ``/``."""
        return Path(os.path.relpath(Path(song).resolve(), self.folder.resolve())).as_posix()

    def audio_path(self, entry: Mapping[str, Any]) -> Path:
        return self.folder / str(entry.get("audio", ""))

    def read(self) -> dict[str, Entry]:
        """The recorded songs; an absent lock is empty, a broken one a ``LockError``."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except UnicodeDecodeError:
            raise LockError(self.path, "is not UTF-8 text", _REPAIR) from None
        except OSError as exc:
            raise LockError(self.path, f"cannot be read: {exc.strerror or exc}", "check its permissions") from None
        return _parse(self.path, text)

    def entry(self, song: str | Path, songs: Mapping[str, Entry] | None = None) -> Entry | None:
        """The song's record in ``songs`` (what ``read`` gave: a run reads the lock once
        to decide what to send), or in the lock as it is now."""
        return (self.read() if songs is None else songs).get(self.key(song))

    def unchanged(self, song: str | Path, request_sha256: str,
                  songs: Mapping[str, Entry] | None = None) -> Entry | None:
        """The song's entry (in ``songs``, as for ``entry``) when the same request was
        rendered and its audio is still there, whole (the recorded sha256); otherwise None."""
        entry = self.entry(song, songs)
        if entry is None or entry.get("request_sha256") != request_sha256:
            return None
        audio = self.audio_path(entry)
        try:
            found = audio.stat()
            # Only a regular file of the recorded size is hashed (never a device or a FIFO).
            if not stat.S_ISREG(found.st_mode) or found.st_size != entry.get("audio_bytes"):
                return None
            if file_sha256(audio) != entry.get("audio_sha256"):
                return None
        except OSError:
            return None
        return entry

    def record(self, song: str | Path, entry: Entry) -> None:
        """Write the song's entry: re-read the lock under the advisory lock, change
        this song only, and replace the file atomically."""
        with self._exclusive():
            songs = self.read()
            songs[self.key(song)] = {name: entry.get(name) for name in _FIELDS}
            write_atomic(self.path, dumps(songs))

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        with _threads:
            try:
                import fcntl
            except ImportError:  # not POSIX: only this process's threads are kept in line
                yield
                return
            fd = os.open(self.sidecar, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing the file releases the lock


_REPAIR = "fix it, or delete it to render every song again"


def dumps(songs: Mapping[str, Mapping[str, Any]]) -> str:
    """The lock's text: stable, so that the same renders give the same bytes."""
    document = {"musicplan_lock": VERSION, "songs": {name: dict(songs[name]) for name in sorted(songs)}}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _parse(path: Path, text: str) -> dict[str, Entry]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = ("it holds merge conflict markers: resolve them (keep either side's entry for a song, "
                "or delete the entry to render it again)" if "<<<<<<<" in text else _REPAIR)
        raise LockError(path, f"is not valid JSON: {exc.msg}", hint, exc.lineno, exc.colno) from None
    except RecursionError:
        raise LockError(path, "nests too deeply to be a render lock", _REPAIR) from None
    if not isinstance(document, dict) or not isinstance(document.get("songs"), dict):
        raise LockError(path, "is not a render lock (no `songs` object)", _REPAIR)
    version = document.get("musicplan_lock")
    if version != VERSION:
        raise LockError(path, f"is a render lock of version {version!r}; this musicplan reads version {VERSION}",
                        "upgrade musicplan, or delete the lock to render every song again")
    songs: dict[str, Entry] = {}
    for name, value in document["songs"].items():
        if not isinstance(value, dict) or not all(_valid(field, value.get(field)) for field in _FIELDS):
            line = 1 + text[: max(0, text.find(json.dumps(name, ensure_ascii=False)))].count("\n")
            raise LockError(path, f"the entry of `{name}` is not a render record", _REPAIR, line, 1)
        songs[name] = {field: value.get(field) for field in _FIELDS}
    return songs


def _valid(field: str, value: Any) -> bool:
    if field == "audio_bytes":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if field in ("song_id", "output_format"):
        return value is None or isinstance(value, str)
    return isinstance(value, str) and bool(value)
