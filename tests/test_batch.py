"""The batch scheduler: the account's concurrency is the limit, refusals cost nothing
and are sent again, one failure does not stop the others."""

from __future__ import annotations

import threading
import time

import pytest

from musicplan.cli.batch import BUSY_TRIES, Outcome, length_ms, run


class Account:
    """A fake API account: ``limit`` requests at once; beyond it a concurrency refusal."""

    def __init__(self, limit: int, header: int | None = None, fail: frozenset[str] = frozenset()) -> None:
        self.limit = limit
        self.header = header
        self.fail = fail
        self.now = 0
        self.most = 0
        self.billed: list[str] = []
        self.refusals = 0
        self.lock = threading.Lock()

    def __call__(self, song: str) -> Outcome:
        with self.lock:
            if self.now >= self.limit:
                self.refusals += 1
                return Outcome(6, busy=True, wait=0.0, maximum=self.header)
            self.now += 1
            self.most = max(self.most, self.now)
            self.billed.append(song)
        time.sleep(0.03)
        with self.lock:
            self.now -= 1
        if song in self.fail:
            return Outcome(4, f"{song} failed", maximum=self.header)
        return Outcome(0, f"{song} done", maximum=self.header)


SONGS = [f"s{i}" for i in range(7)]


def test_more_jobs_than_the_account_allows_are_refused_then_sent_again_never_billed_twice():
    account = Account(2)
    batch = run(SONGS, account, jobs=4, sleep=lambda s: None)
    assert [song for song, _ in batch.outcomes] == SONGS
    assert all(outcome.code == 0 for _, outcome in batch.outcomes)
    assert sorted(account.billed) == SONGS  # each song billed exactly once
    assert account.most == 2 and account.refusals >= 1
    assert batch.code == 0


def test_the_maximum_header_caps_jobs_before_any_refusal():
    account = Account(2, header=2)
    batch = run(SONGS, account, jobs=6, sleep=lambda s: None)
    # The first replies carry the cap; from then on at most two are sent at once.
    assert sorted(account.billed) == SONGS and batch.code == 0
    assert account.refusals <= 4


def test_one_failure_does_not_stop_the_others_and_the_code_says_so():
    account = Account(3, fail=frozenset({"s2"}))
    batch = run(SONGS, account, jobs=3)
    codes = {song: outcome.code for song, outcome in batch.outcomes}
    assert codes["s2"] == 4 and sum(codes.values()) == 4 and len(codes) == 7
    assert batch.code == 4


def test_mixed_failures_exit_1():
    account = Account(3, fail=frozenset({"s1"}))
    batch = run(["s1", "s2"], lambda song: Outcome(5) if song == "s2" else account(song), jobs=2)
    assert batch.code == 1


def test_a_song_the_account_never_takes_gives_up_after_its_tries():
    waits: list[float] = []
    told: list[int] = []
    batch = run(["x"], lambda song: Outcome(6, "busy", busy=True, wait=0.5), jobs=2, sleep=waits.append,
                busy=lambda song, outcome, tries: told.append(tries))
    assert batch.outcomes[0][1].code == 6
    assert told == list(range(1, BUSY_TRIES)) and waits == [0.5] * (BUSY_TRIES - 1)


@pytest.mark.parametrize(("body", "ms"), [
    ({"composition_plan": {"sections": [{"duration_ms": 10_000}, {"duration_ms": 5_000}]}}, 15_000),
    ({"composition_plan": {"chunks": [{"duration_ms": 3_000}, {"song_id": "a", "range": {"start_ms": 1_000,
                                                                                        "end_ms": 4_500}}]}}, 6_500),
    ({"prompt": "x", "music_length_ms": 90_000}, 90_000),
    ({"prompt": "x"}, None),
])
def test_length_of_a_body(body, ms):
    assert length_ms(body) == ms
