"""Many songs to render → requests in flight as the account allows, and what a run will cost.

``run`` takes the songs to send and a function that renders one, and keeps up
to ``jobs`` of them in flight on worker threads. The account's concurrency (2
to 15 requests by tier) is the real limit: a reply's
``maximum-concurrent-requests`` caps the number in flight, and a 429
``too_many_concurrent_requests`` (refused, so nothing was billed) lowers it to
the requests of ours that the API did accept, and puts the song back at the
front of the queue, to go again when one of them finishes. Only when nothing of
ours is in flight (another program holds the account's slots) does a refused
song wait before asking again. The number in flight grows again by one after a
reply whose headers say there is room. One song's failure does not stop the
others.

``length_ms`` and ``preview`` say, before anything is sent, how many minutes
of music a run would generate: the cost driver.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

BUSY_TRIES = 3  # refusals of one song that nothing of ours explains, before it counts as failed
_JOIN = 0.2  # seconds: how often the main thread looks up from waiting (Ctrl-C)
_DRAIN = 10.0  # seconds the songs in flight get to clean up after Ctrl-C

J = TypeVar("J")


@dataclass
class Outcome:
    """How one song went. ``code`` is its exit code (0: rendered or skipped); ``busy``
    marks a concurrency refusal (nothing billed: the song is queued again);
    ``room`` is whether the reply's headers said the account had a free slot."""

    code: int
    busy: bool = False
    wait: float = 1.0  # for a refusal: seconds to wait when nothing of ours is in flight
    maximum: int | None = None  # the reply's maximum-concurrent-requests
    room: bool = False
    error: Any = None  # for a refusal: the exception, to be told when the song is given up


class Slots:
    """How many requests may be in flight, and how many are."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self.limit = self.jobs
        self.in_flight = 0
        self.resume_at = 0.0  # nothing is sent before this time (monotonic)
        self._ready = threading.Condition()

    def acquire(self, stop: threading.Event) -> bool:
        with self._ready:
            while not stop.is_set():
                pause = self.resume_at - time.monotonic()
                if self.in_flight < self.limit and pause <= 0:
                    break
                self._ready.wait(min(_JOIN, pause) if pause > 0 else _JOIN)
            if stop.is_set():
                return False
            self.in_flight += 1
            return True

    def release(self, outcome: Outcome | None = None) -> None:
        with self._ready:
            self.in_flight -= 1
            if outcome is not None and outcome.maximum is not None:
                self.jobs = min(self.jobs, max(1, outcome.maximum))
                self.limit = min(self.limit, self.jobs)
            if outcome is not None and outcome.room and self.limit < self.jobs:
                self.limit += 1
            self._ready.notify_all()

    def refused(self, outcome: Outcome) -> int:
        """A concurrency refusal: free its slot, allow only what the API accepted
        (the others in flight, at least one); with none of ours in flight, send
        nothing for ``outcome.wait`` seconds. Return how many of ours are in flight."""
        with self._ready:
            self.in_flight -= 1
            if outcome.maximum is not None:
                self.jobs = min(self.jobs, max(1, outcome.maximum))
            self.limit = max(1, min(self.in_flight, self.jobs))
            if not self.in_flight:
                self.resume_at = max(self.resume_at, time.monotonic() + outcome.wait)
            self._ready.notify_all()
            return self.in_flight


@dataclass
class Batch(Generic[J]):
    """The outcome of a run: per song in the order given, and whether Ctrl-C stopped it."""

    outcomes: list[tuple[J, Outcome]]
    interrupted: KeyboardInterrupt | None = None  # Ctrl-C (or SIGTERM, its subclass) stopped the run

    @property
    def code(self) -> int:
        """0 when every song succeeded; else the failures' exit code when they agree, or 1."""
        failed = {outcome.code for _, outcome in self.outcomes if outcome.code}
        if not failed:
            return 0
        return failed.pop() if len(failed) == 1 else 1


def run(songs: Sequence[J], work: Callable[[J], Outcome], jobs: int, *, busy_tries: int = BUSY_TRIES,
        on_interrupt: Callable[[], None] = lambda: None,
        busy: Callable[[J, Outcome, int], None] = lambda song, outcome, others: None,
        gave_up: Callable[[J, Outcome], None] = lambda song, outcome: None) -> Batch[J]:
    """Render ``songs`` with ``work``, up to ``jobs`` at once (see the module's docstring).
    A song refused while none of ours is in flight is tried ``busy_tries`` times in all;
    a refusal our own requests explain is not counted. ``busy`` hears of each refusal
    that is tried again (with the number of ours in flight), ``gave_up`` of one that is
    not; ``on_interrupt`` runs on
    Ctrl-C, before the workers are waited for (it should make their downloads stop)."""
    slots = Slots(jobs)
    queue: deque[tuple[int, int]] = deque((index, 0) for index in range(len(songs)))
    results: dict[int, Outcome] = {}
    taken = threading.Lock()
    stop = threading.Event()

    def worker() -> None:
        while slots.acquire(stop):
            with taken:
                if not queue:
                    slots.release()
                    return
                index, tries = queue.popleft()
            outcome = work(songs[index])
            if not outcome.busy:
                slots.release(outcome)
                results[index] = outcome
                continue
            others = slots.refused(outcome)
            # Refused beside our own requests: it goes again when one of them is done.
            # Refused alone: the account is busy elsewhere, which counts as a try.
            tries += 0 if others else 1
            if tries >= busy_tries or stop.is_set():
                gave_up(songs[index], outcome)
                results[index] = outcome
                continue
            busy(songs[index], outcome, others)
            with taken:
                queue.appendleft((index, tries))

    # Workers say when they end: after a Ctrl-C, Thread.join can no longer be trusted
    # (an interrupted join may mark a live thread as finished), a counter can.
    running = [0]
    ended = threading.Condition()

    def counted() -> None:
        try:
            worker()
        finally:
            with ended:
                running[0] -= 1
                ended.notify_all()

    interrupted: KeyboardInterrupt | None = None
    try:
        for n in range(min(slots.jobs, len(songs))):
            with ended:
                running[0] += 1
            threading.Thread(target=counted, name=f"musicplan-render-{n}", daemon=True).start()
        with ended:
            while running[0]:
                ended.wait(_JOIN)
    except KeyboardInterrupt as exc:
        interrupted = exc
        stop.set()
        on_interrupt()
        deadline = time.monotonic() + _DRAIN
        with ended:
            while running[0] and time.monotonic() < deadline:
                ended.wait(_JOIN)
    return Batch([(song, results[i]) for i, song in enumerate(songs) if i in results], interrupted)


def length_ms(body: Mapping[str, Any]) -> int | None:
    """How long the song a body asks for lasts: the plan's sections or chunks (an
    audio reference by its range), or ``music_length_ms``; None when the API chooses."""
    plan = body.get("composition_plan")
    if not isinstance(plan, dict):
        length = body.get("music_length_ms")
        return length if isinstance(length, int) else None
    total = 0
    for part in [*(plan.get("sections") or []), *(plan.get("chunks") or [])]:
        duration = part.get("duration_ms") if isinstance(part, dict) else None
        if isinstance(duration, int):
            total += duration
        elif isinstance(part, dict) and isinstance(part.get("range"), dict):
            start, end = part["range"].get("start_ms"), part["range"].get("end_ms")
            if isinstance(start, int) and isinstance(end, int):
                total += max(0, end - start)
    return total


def minutes(ms: int) -> str:
    return f"{ms / 60_000:.1f}"
