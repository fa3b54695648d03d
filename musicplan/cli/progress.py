"""What renders are doing → lines for a person: per song and overall, as it happens.

Each song moves through phases: ``waiting`` (the request is sent; the API
composes before the first byte comes), ``retrying`` (refused, waiting N
seconds, and why), ``receiving`` (bytes arriving), then an outcome line. On a
terminal one status line is redrawn in place (songs in flight, each song's
phase, bytes and elapsed time, and the totals) and kept current by a ticker, so
a long wait visibly goes on; outcome and retry lines are printed above it.
Off a terminal (a log, CI) each change of phase of a batch's songs is one
plain line (of a lone song, only its retries), and bytes are not ticked.
Every line passes ``clean`` first, which keeps the key out.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from typing import TextIO

_REDRAW = 0.1  # seconds between redraws for bytes arriving
_TICK = 0.5  # seconds between redraws while nothing arrives


def clock_text(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}" if whole >= 3600 else \
        f"{whole // 60}:{whole % 60:02d}"


def megabytes(count: int) -> str:
    return f"{count / 1_000_000:.2f} MB"


class SongProgress:
    """One song's progress; made by ``Progress.song``."""

    def __init__(self, owner: Progress, name: str, short: str | None = None) -> None:
        self.owner = owner
        self.name = name  # in lines that stay
        self.short = short or name  # in the status line, where room is scarce
        self.phase = "queued"
        self.reason = ""
        self.until = 0.0
        self.received = 0
        self.started = owner.clock()

    def waiting(self) -> None:
        """The request is sent; nothing has come back yet."""
        self._phase("waiting", "waiting for the API")

    def retrying(self, seconds: float, reason: str) -> None:
        """Refused (nothing billed); asking again in ``seconds``."""
        self.until = self.owner.clock() + seconds
        self.reason = reason
        self._phase("retrying", f"retrying in {_seconds(seconds)} because {reason}", force=True)

    def receiving(self, received: int) -> None:
        """``received`` bytes of audio have come so far."""
        self.received = received
        if self.phase != "receiving":
            self._phase("receiving", "receiving")
        else:
            self.owner._changed(bytes_only=True)

    def finish(self, line: str) -> None:
        """The song is done (or failed, or skipped): ``line`` says how, once."""
        self.owner._finish(self, line)

    def withdraw(self) -> None:
        """The song leaves the display without an outcome (it is queued again)."""
        self.owner._finish(self, None)

    @property
    def elapsed(self) -> float:
        return self.owner.clock() - self.started

    def status(self) -> str:
        if self.phase == "receiving":
            return f"{self.short}: {megabytes(self.received)} received, {clock_text(self.elapsed)} elapsed"
        left = self.until - self.owner.clock()
        if self.phase == "retrying" and left > 0:
            return f"{self.short}: retrying in {_seconds(left)} ({self.reason})"
        if self.phase in ("waiting", "retrying"):  # a retry, once sent, waits like the first try
            return f"{self.short}: waiting for the API, {clock_text(self.elapsed)} elapsed"
        return f"{self.short}: {self.phase}"

    def _phase(self, phase: str, plain: str, *, force: bool = False) -> None:
        changed = force or phase != self.phase
        self.phase = phase
        if changed:
            self.owner._event(self, plain)


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 10 else f"{value:.1f} s"


class Progress:
    """The progress of a run of ``total`` songs on ``stream``. ``terminal`` (default:
    whether the stream is one) chooses the redrawn status line over plain lines."""

    def __init__(self, stream: TextIO, *, total: int = 1, terminal: bool | None = None,
                 clean: Callable[[str], str] = lambda text: text,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.total = total
        self.clean = clean
        self.clock = clock
        self.terminal = _is_terminal(stream) if terminal is None else terminal
        self.started = clock()
        self.active: list[SongProgress] = []
        self.finished = 0
        self.received_done = 0
        self._lock = threading.RLock()
        self._shown = 0.0
        self._status_width = 0
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    # ---- what render calls
    def song(self, name: str, short: str | None = None) -> SongProgress:
        with self._lock:
            song = SongProgress(self, name, short)
            self.active.append(song)
            if self.terminal and self._ticker is None:
                self._ticker = threading.Thread(target=self._tick, name="musicplan-progress", daemon=True)
                self._ticker.start()
            return song

    def say(self, line: str) -> None:
        """A line for the user that is not about one song's phase."""
        with self._lock:
            self._clear()
            self.stream.write(self.clean(line) + "\n")
            self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None and self._ticker is not threading.current_thread():
            self._ticker.join(timeout=2)
        with self._lock:
            self._clear()
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- what songs call
    def _event(self, song: SongProgress, plain: str) -> None:
        with self._lock:
            if self.terminal:
                if song.phase == "retrying":  # worth keeping on screen: say why it waits
                    self._clear()
                    self.stream.write(self.clean(f"{song.name}: {plain}") + "\n")
                self._draw()
            elif self.total > 1 or song.phase == "retrying":
                # One song's log needs only its waits and its outcome; a batch's, every phase.
                self.stream.write(self.clean(f"{song.name}: {plain}") + "\n")
                self.stream.flush()

    def _changed(self, *, bytes_only: bool = False) -> None:
        if not self.terminal:
            return
        with self._lock:
            now = self.clock()
            if bytes_only and now - self._shown < _REDRAW:
                return
            self._draw()

    def _finish(self, song: SongProgress, line: str | None) -> None:
        with self._lock:
            if song in self.active:
                self.active.remove(song)
                if line is not None:
                    self.finished += 1
                    self.received_done += song.received
            if line is not None:
                self._clear()
                self.stream.write(self.clean(line) + "\n")
            self._draw()
            self.stream.flush()

    # ---- the status line
    def status(self) -> str:
        received = self.received_done + sum(song.received for song in self.active)
        head = (f"[{self.finished}/{self.total} done, {len(self.active)} in flight, {megabytes(received)}, "
                f"{clock_text(self.clock() - self.started)}]" if self.total > 1 else "")
        return " ".join(part for part in (head, " | ".join(song.status() for song in self.active)) if part)

    def _draw(self) -> None:
        if not self.terminal or not self.active:
            return
        width = max(20, shutil.get_terminal_size((100, 24)).columns - 1)
        text = self.clean(self.status())
        if len(text) > width:
            text = text[: width - 1] + "…"
        self.stream.write("\r" + text + " " * max(0, self._status_width - len(text)))
        self.stream.flush()
        self._status_width = len(text)
        self._shown = self.clock()

    def _clear(self) -> None:
        if self.terminal and self._status_width:
            self.stream.write("\r" + " " * self._status_width + "\r")
            self._status_width = 0

    def _tick(self) -> None:
        while not self._stop.wait(_TICK):
            with self._lock:
                self._draw()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
