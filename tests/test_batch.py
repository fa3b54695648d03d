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
            return Outcome(4, maximum=self.header)
        return Outcome(0, maximum=self.header)


SONGS = [f"s{i}" for i in range(7)]


def test_more_jobs_than_the_account_allows_are_refused_then_sent_again_never_billed_twice():
    account = Account(2)
    batch = run(SONGS, account, jobs=4)
    assert [song for song, _ in batch.outcomes] == SONGS
    assert all(outcome.code == 0 for _, outcome in batch.outcomes)
    assert sorted(account.billed) == SONGS  # each song billed exactly once
    assert account.most == 2 and account.refusals >= 1
    assert batch.code == 0


def test_the_maximum_header_caps_jobs_before_any_refusal():
    account = Account(2, header=2)
    batch = run(SONGS, account, jobs=6)
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


def test_a_song_the_account_never_takes_waits_then_gives_up_after_its_tries():
    sent: list[float] = []
    told: list[int] = []

    def refuse(song: str) -> Outcome:
        sent.append(time.monotonic())
        return Outcome(6, busy=True, wait=0.1)

    given_up: list[str] = []
    batch = run(["x"], refuse, jobs=2, busy=lambda song, outcome, others: told.append(others),
                gave_up=lambda song, outcome: given_up.append(song))
    assert batch.outcomes[0][1].code == 6 and given_up == ["x"]
    assert len(sent) == BUSY_TRIES and told == [0] * (BUSY_TRIES - 1)
    assert all(b - a >= 0.09 for a, b in zip(sent, sent[1:], strict=False))  # it waited before each


def test_a_refusal_our_own_requests_explain_goes_again_when_one_is_done_without_counting():
    account = Account(1)
    calls: list[str] = []
    b_in_flight = threading.Event()

    def work(song: str) -> Outcome:
        calls.append(song)
        if song == "b":
            b_in_flight.set()
        elif calls.count("a") == 1:
            b_in_flight.wait(60)  # "b" is in flight meanwhile: the refusal is ours to explain
            return Outcome(6, busy=True, wait=5.0)
        return account(song)

    started = time.monotonic()
    batch = run(["a", "b"], work, jobs=2, busy_tries=1)
    assert batch.code == 0 and sorted(account.billed) == ["a", "b"]
    assert time.monotonic() - started < 4  # no wait of 5 s: "b" was in flight, so it was not held
    assert calls.count("a") == 2 and calls.count("b") == 1


@pytest.mark.parametrize(("body", "ms"), [
    ({"composition_plan": {"sections": [{"duration_ms": 10_000}, {"duration_ms": 5_000}]}}, 15_000),
    ({"composition_plan": {"chunks": [{"duration_ms": 3_000}, {"song_id": "a", "range": {"start_ms": 1_000,
                                                                                        "end_ms": 4_500}}]}}, 6_500),
    ({"prompt": "x", "music_length_ms": 90_000}, 90_000),
    ({"prompt": "x"}, None),
])
def test_length_of_a_body(body, ms):
    assert length_ms(body) == ms


def test_ctrl_c_stops_the_queue_and_lets_the_songs_in_flight_clean_up():
    import _thread

    worked: list[str] = []
    told = threading.Event()

    def work(song: str) -> Outcome:
        worked.append(song)
        _thread.interrupt_main()  # Ctrl-C while this song is in flight
        told.wait(60)  # the download in flight ends when on_interrupt closes it (generous: a loaded machine)
        return Outcome(130)

    batch = run(["a", "b", "c"], work, jobs=1, on_interrupt=told.set)
    assert batch.interrupted and worked == ["a"]
    assert [(song, outcome.code) for song, outcome in batch.outcomes] == [("a", 130)]
