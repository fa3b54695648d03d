"""`musicplan render` of a catalogue, end to end over 127.0.0.1: batches against an
account's concurrency, the render lock, the cost preview, WAV and LRC output."""

from __future__ import annotations

import io
import json
import re
import sys
import wave
from pathlib import Path

import pytest

import musicplan
from musicplan.cli import main
from musicplan.remote.server import MusicTestServer
from musicplan.write.lyrics import lrc_time

SECRET = "sk_batch_sentinel_never_print_me"


def song_text(n: int, verse: str = "0:20") -> str:
    return f"title: Song {n}\nmodel: music_v1\n+ synthwave\n[Intro] 0:08\n[Verse] {verse}\nLine {n} of the verse\n"


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("ELEVENLABS_API_KEY", SECRET)
    monkeypatch.delenv("ELEVENLABS_BASE_URL", raising=False)


@pytest.fixture
def server():
    # Two generations at once, each taking a moment to compose, so that they overlap.
    with MusicTestServer(api_key=SECRET, max_concurrent=2, generation_delay=0.15, audio_size=8192) as running:
        yield running


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    folder = tmp_path / "songs"
    folder.mkdir()
    for n in range(5):
        (folder / f"s{n}.song").write_text(song_text(n), encoding="utf-8")
    return folder


def render(server: MusicTestServer, *args: str) -> int:
    return main(["render", *args, "--base-url", server.url])


def generations(server: MusicTestServer) -> list:
    return [r for r in server.requests if r.path.startswith("/v1/music") and r.path != "/v1/music/plan"]


def test_five_songs_four_jobs_an_account_of_two(server, catalogue, capsys):
    assert render(server, str(catalogue), "--jobs", "4") == 0
    billed = [json.dumps(body, sort_keys=True) for body in server.billed]
    assert len(billed) == 5 and len(set(billed)) == 5  # every song billed, none twice
    assert server.most_serving == 2  # two at once, never more
    assert len(generations(server)) > 5  # four sent at once: the account refused some, for nothing
    for n in range(5):
        audio = catalogue / f"Song {n}.mp3"
        assert audio.read_bytes() == server.audio_for(musicplan.load(catalogue / f"s{n}.song").to_body())
    lock = json.loads((catalogue / "musicplan.lock").read_text(encoding="utf-8"))
    assert sorted(lock["songs"]) == [f"s{n}.song" for n in range(5)]
    assert lock["songs"]["s3.song"]["audio"] == "Song 3.mp3"
    err = capsys.readouterr().err
    assert "5 songs: 5 rendered, 0 unchanged, 0 failed" in err

    # A second run sends nothing.
    sent = len(server.requests)
    assert render(server, str(catalogue), "--jobs", "4") == 0
    assert len(server.requests) == sent
    assert err.count("wrote") == 5 and "5 songs: 0 rendered, 5 unchanged" in capsys.readouterr().err

    # One song edited: a third run sends exactly one request, and replaces that song's own audio.
    (catalogue / "s2.song").write_text(song_text(2, verse="0:25"), encoding="utf-8")
    assert render(server, str(catalogue), "--jobs", "4") == 0
    assert len(server.requests) == sent + 1 and len(server.billed) == 6
    edited = musicplan.load(catalogue / "s2.song").to_body()
    assert (catalogue / "Song 2.mp3").read_bytes() == server.audio_for(edited)


def test_the_number_in_flight_follows_the_maximum_header(server, catalogue):
    assert render(server, str(catalogue), "--jobs", "8") == 0
    assert server.most_serving == 2 and len(server.billed) == 5
    assert len(generations(server)) - 5 <= 6  # refusals: lowered at once, not hammering the account


def test_dry_run_sends_nothing_and_names_the_minutes(server, catalogue, capsys):
    (catalogue / "p.song").write_text("prompt: calm piano\nlength: 1:30\nmodel: music_v1\n", encoding="utf-8")
    (catalogue / "q.song").write_text("prompt: calm piano\nmodel: music_v1\n", encoding="utf-8")
    assert render(server, str(catalogue), "--dry-run") == 0
    out = capsys.readouterr().out
    assert server.requests == []
    # Five songs of 0:28 and one of 1:30: 3:50, 3.8 minutes; one more the API chooses the length of.
    assert "would send 7 songs to /v1/music/detailed:" in out
    assert "total: 3.8 minutes (3:50) of music to generate, plus 1 of a length the API chooses" in out
    assert "(mp3_44100_128, 0:28)" in out and "nothing was sent" in out
    assert not (catalogue / "musicplan.lock").exists()
    # After a real run, the preview names the songs it would skip.
    assert render(server, str(catalogue / "s0.song")) == 0
    assert render(server, str(catalogue), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would send 6 songs" in out and "unchanged, would be skipped: 1" in out
    assert "total: 3.4 minutes" in out


def test_a_folder_that_is_not_there_is_only_an_error(server, tmp_path, capsys):
    # No cost summary after it: a preview of nothing would read as if all were well.
    for extra in ((), ("--dry-run",)):
        assert render(server, str(tmp_path / "nosuch"), *extra) == 2
        captured = capsys.readouterr()
        assert "cannot read" in captured.err and "No such file" in captured.err
        assert "total" not in captured.out + captured.err and "nothing was sent" not in captured.out
    assert server.requests == []


def test_a_big_run_asks_on_a_terminal_and_not_elsewhere(server, catalogue, monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert render(server, str(catalogue), "--confirm-over", "1") == 1
    assert "2.3 minutes of music (5 songs)" in sys.stderr.getvalue() and server.requests == []
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    assert render(server, str(catalogue / "s0.song"), "--confirm-over", "0.1") == 0
    assert len(server.billed) == 1
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal: no question
    assert render(server, str(catalogue / "s1.song"), "--confirm-over", "0.1") == 0
    assert len(server.billed) == 2


def test_one_failure_does_not_stop_the_others(server, catalogue, capsys):
    server.fail("drop", after=100)  # the first song sent breaks off
    assert render(server, str(catalogue), "--jobs", "1") == 6
    err = capsys.readouterr().err
    assert "5 songs: 4 rendered, 0 unchanged, 1 failed" in err
    assert len(json.loads((catalogue / "musicplan.lock").read_text(encoding="utf-8"))["songs"]) == 4
    # The interrupted batch resumes: only the song that failed is sent again.
    sent = len(server.requests)
    assert render(server, str(catalogue)) == 0
    assert len(server.requests) == sent + 1


def test_force_renders_again_and_files_in_the_way_are_kept(server, catalogue):
    assert render(server, str(catalogue / "s0.song")) == 0
    assert render(server, str(catalogue / "s0.song"), "--force") == 0
    assert len(server.billed) == 2
    (catalogue / "Song 1.mp3").write_bytes(b"someone else's")
    assert render(server, str(catalogue / "s1.song")) == 2
    assert (catalogue / "Song 1.mp3").read_bytes() == b"someone else's" and len(server.billed) == 2


def test_two_songs_that_would_write_one_file(server, catalogue, capsys):
    (catalogue / "twin.song").write_text(song_text(0, verse="0:30"), encoding="utf-8")
    assert render(server, str(catalogue / "s0.song"), str(catalogue / "twin.song")) == 2
    assert "would write" in capsys.readouterr().err and len(server.billed) == 1


def test_a_broken_lock_stops_its_folder_with_a_place_and_a_hint(server, catalogue, capsys):
    (catalogue / "musicplan.lock").write_text("{\n  oops\n}\n", encoding="utf-8")
    assert render(server, str(catalogue)) == 2
    err = capsys.readouterr().err
    assert f"{catalogue / 'musicplan.lock'}:2:3: is not valid JSON" in err and "hint:" in err
    assert server.requests == []


def test_pcm_is_a_wav_of_the_samples_received(server, catalogue):
    path = catalogue / "s0.song"
    assert render(server, str(path), "--format", "pcm_44100") == 0
    samples = server.audio_for(musicplan.load(path).to_body(), "pcm_44100")
    with wave.open(str(catalogue / "Song 0.wav"), "rb") as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 44100)
        assert audio.getnframes() * 2 == len(samples)
        assert audio.readframes(audio.getnframes()) == samples
    assert render(server, str(catalogue / "s1.song"), "--format", "pcm_16000", "--raw") == 0
    raw = catalogue / "Song 1.pcm"
    assert raw.read_bytes() == server.audio_for(musicplan.load(catalogue / "s1.song").to_body(), "pcm_16000")


def test_timestamps_leave_an_lrc_that_matches_the_reply(server, tmp_path):
    path = tmp_path / "t.song"
    path.write_text("title: Timed\nmodel: music_v1\ntimestamps: yes\n+ pop\n[Verse] 0:10\nHello there world\n"
                    "Second line here\n[Chorus] 0:06\nLa la la\n", encoding="utf-8")
    assert render(server, str(path)) == 0
    meta = json.loads((tmp_path / "Timed.mp3.json").read_text(encoding="utf-8"))
    words = meta["words_timestamps"]
    assert [w["word"] for w in words] == "Hello there world Second line here La la la".split()
    lrc = (tmp_path / "Timed.mp3.lrc").read_text(encoding="utf-8").splitlines()
    timed = [line for line in lrc if re.match(r"\[\d\d:\d\d\.\d\d\] ", line)]
    assert len(timed) == 3  # one per lyric line
    found = [(word, start) for line in timed for start, word in re.findall(r"<(\d\d:\d\d\.\d\d)> (\S+)", line)]
    assert found == [(w["word"], lrc_time(w["start_ms"])) for w in words]
    assert timed[1].startswith(f"[{lrc_time(words[3]['start_ms'])}] ")
    assert timed[2].endswith(f"<{lrc_time(words[-1]['end_ms'])}>")


def test_the_key_never_appears_in_the_lock_sidecars_or_output(server, catalogue, capsys):
    (catalogue / "t.song").write_text("title: T\nmodel: music_v1\ntimestamps: yes\n[A] 0:05\nla la\n",
                                      encoding="utf-8")
    server.fail("rate_limit", retry_after=0)
    assert render(server, str(catalogue), "--jobs", "3") == 0
    assert render(server, str(catalogue), "--dry-run") == 0
    captured = capsys.readouterr()
    everything = captured.out + captured.err
    for path in catalogue.rglob("*"):
        everything += path.read_bytes().decode("utf-8", errors="replace")
    assert "musicplan_lock" in everything and "words_timestamps" in everything and "[re:musicplan]" in everything
    assert SECRET not in everything


def test_ctrl_c_during_a_batch_leaves_no_partial_file_and_the_lock_without_it(catalogue, capsys):
    import _thread
    import threading
    import time

    server = MusicTestServer(api_key=SECRET, max_concurrent=2, audio_size=64 * 1024).start()
    server.fail("slow", times=5, delay=0.05)  # 16 chunks: 0.8 s a song

    def ctrl_c_once_audio_flows() -> None:
        for _ in range(500):
            if server.billed:
                time.sleep(0.2)  # bytes are arriving now
                _thread.interrupt_main()
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=ctrl_c_once_audio_flows)
    watcher.start()
    try:
        assert render(server, str(catalogue), "--jobs", "2") == 130
    finally:
        watcher.join()
        server.stop()
    assert len(server.billed) == 2  # the two in flight; nothing more was sent after Ctrl-C
    assert not list(catalogue.glob(".*.tmp")) and not list(catalogue.glob("*.mp3"))
    assert "interrupted" in capsys.readouterr().err
    # Nothing finished, so the next run sends every song.
    lock = catalogue / "musicplan.lock"
    assert not lock.exists() or json.loads(lock.read_text(encoding="utf-8"))["songs"] == {}
