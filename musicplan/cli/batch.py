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

BUSY_TRIES = 8  # concurrency refusals of one song before it counts as failed
_JOIN = 0.2  # seconds: how often the main thread looks up from joining (Ctrl-C)

J = TypeVar("J")


@dataclass
class Outcome:
    """How one song went. ``code`` is its exit code (0: rendered or skipped); ``busy``
    marks a concurrency refusal (nothing billed: the song is queued again);
    ``room`` is whether the reply's headers said the account had a free slot."""

    code: int
    line: str = ""
    busy: bool = False
    wait: float = 1.0  # for a refusal: seconds to wait when nothing of ours is in flight
    maximum: int | None = None  # the reply's maximum-concurrent-requests
    room: bool = False


class Slots:
    """How many requests may be in flight, and how many are."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self.limit = self.jobs
        self.in_flight = 0
        self.most = 0  # the most in flight at once, for the run's report
        self._ready = threading.Condition()

    def acquire(self, stop: threading.Event) -> bool:
        with self._ready:
            while self.in_flight >= self.limit and not stop.is_set():
                self._ready.wait(_JOIN)
            if stop.is_set():
                return False
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
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
        (the others in flight, at least one); return how many of ours are in flight."""
        with self._ready:
            self.in_flight -= 1
            if outcome.maximum is not None:
                self.jobs = min(self.jobs, max(1, outcome.maximum))
            self.limit = max(1, min(self.in_flight, self.jobs))
            self._ready.notify_all()
            return self.in_flight


@dataclass
class Batch(Generic[J]):
    """The outcome of a run: per song in the order given, and the most in flight at once."""

    outcomes: list[tuple[J, Outcome]]
    most_in_flight: int
    interrupted: bool = False

    @property
    def code(self) -> int:
        """0 when every song succeeded; else the failures' exit code when they agree, or 1."""
        failed = {outcome.code for _, outcome in self.outcomes if outcome.code}
        if not failed:
            return 0
        return failed.pop() if len(failed) == 1 else 1


def run(songs: Sequence[J], work: Callable[[J], Outcome], jobs: int, *,
        sleep: Callable[[float], None] = time.sleep, on_interrupt: Callable[[], None] = lambda: None,
        busy: Callable[[J, Outcome, int], None] = lambda song, outcome, tries: None) -> Batch[J]:
    """Render ``songs`` with ``work``, up to ``jobs`` at once (see the module's docstring).
    ``busy`` hears of each concurrency refusal; ``on_interrupt`` runs on Ctrl-C, before
    the workers are waited for (it should make their downloads stop)."""
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
            if outcome.busy and tries + 1 < BUSY_TRIES and not stop.is_set():
                others = slots.refused(outcome)
                busy(songs[index], outcome, tries + 1)
                with taken:
                    queue.appendleft((index, tries + 1))
                if others == 0:
                    # Nothing of ours holds a slot: the account is busy elsewhere.
                    sleep(outcome.wait)
                continue
            slots.release(outcome)
            results[index] = outcome

    threads = [threading.Thread(target=worker, name=f"musicplan-render-{n}", daemon=True)
               for n in range(min(slots.jobs, len(songs)))]
    for thread in threads:
        thread.start()
    interrupted = False
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(_JOIN)
    except KeyboardInterrupt:
        interrupted = True
        stop.set()
        on_interrupt()
        for thread in threads:
            thread.join(10)
    return Batch([(song, results[i]) for i, song in enumerate(songs) if i in results], slots.most, interrupted)


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
