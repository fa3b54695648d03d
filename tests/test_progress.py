"""The progress display: phases, bytes and time per song and overall; plain lines off a terminal."""

from __future__ import annotations

import io
import re

from musicplan.cli.progress import Progress, clock_text


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_say_each_change_of_phase_once():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, total=2, terminal=False, clock=clock, clean=lambda t: t.replace("KEY", "***"))
    a, b = progress.song("a.song"), progress.song("b.song")
    a.waiting()
    b.waiting()
    b.retrying(4, "the API is busy (429 too_many_concurrent_requests) KEY")
    a.receiving(1000)
    a.receiving(5000)  # no new line for more bytes
    clock.now += 42
    a.finish("wrote a.mp3 (5000 bytes)")
    progress.close()
    assert stream.getvalue().splitlines() == [
        "a.song: waiting for the API",
        "b.song: waiting for the API",
        "b.song: retrying in 4.0 s because the API is busy (429 too_many_concurrent_requests) ***",
        "a.song: receiving",
        "wrote a.mp3 (5000 bytes)",
    ]
    assert "\r" not in stream.getvalue()


def test_a_terminal_gets_one_status_line_redrawn_in_place():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, total=3, terminal=True, clock=clock)
    a, b = progress.song("a"), progress.song("b")
    a.waiting()
    clock.now += 65
    assert progress.status() == ("[0/3 done, 2 in flight, 0.00 MB, 1:05] a: waiting for the API, 1:05 elapsed"
                                 " | b: queued")
    a.receiving(1_500_000)
    b.retrying(12, "the API is busy")
    clock.now += 5
    assert "a: 1.50 MB received, 1:10 elapsed" in progress.status()
    assert "b: retrying in 7.0 s (the API is busy)" in progress.status()
    a.finish("wrote a")
    assert progress.status().startswith("[1/3 done, 1 in flight, 1.50 MB, 1:10] b:")
    progress.close()
    shown = stream.getvalue()
    assert "\r" in shown and "b: retrying in 12 s because the API is busy\n" in shown
    assert "wrote a\n" in shown
    # Each permanent line starts on a cleared line: the status never runs into it.
    assert re.search(r"\r +\rwrote a\n", shown)


def test_one_song_needs_no_totals():
    progress = Progress(io.StringIO(), total=1, terminal=True, clock=Clock())
    progress.song("x").receiving(2_000_000)
    assert progress.status() == "x: 2.00 MB received, 0:00 elapsed"
    progress.close()


def test_clock_text():
    assert [clock_text(s) for s in (0, 59.9, 61, 3599, 3600, 3725)] == ["0:00", "0:59", "1:01", "59:59", "1:00:00",
                                                                      "1:02:05"]


def test_off_a_terminal_a_lone_song_says_only_its_retries():
    stream = io.StringIO()
    progress = Progress(stream, total=1, terminal=False, clock=Clock())
    song = progress.song("a.song")
    song.waiting()
    song.retrying(2, "the API answered 503")
    song.receiving(10)
    song.finish("wrote a.mp3")
    progress.close()
    assert stream.getvalue().splitlines() == ["a.song: retrying in 2.0 s because the API answered 503",
                                              "wrote a.mp3"]
