"""`musicplan render` and `musicplan plan` end to end, over real sockets."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

import musicplan
from musicplan.cli import main
from musicplan.remote.server import MusicTestServer

SECRET = "sk_sentinel_4f1d_never_print_me"
SONG = """\
title: Neon / Nights: "Live"
+ synthwave
[Intro] 0:08
+ pads
[Verse] 0:20
Walking down the neon street
[Chorus] 0:15
Neon nights
"""


@pytest.fixture
def server():
    with MusicTestServer(api_key=SECRET) as running:
        yield running


@pytest.fixture
def song(tmp_path: Path) -> Path:
    path = tmp_path / "neon.song"
    path.write_text(SONG, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("ELEVENLABS_API_KEY", SECRET)
    monkeypatch.delenv("ELEVENLABS_BASE_URL", raising=False)


def render(server, *args: str) -> int:
    return main(["render", *args, "--base-url", server.url])


LOCK_FILES = ("musicplan.lock", ".musicplan.lock.lck")


def files(folder: Path) -> list[str]:
    """The folder's files, but for the render lock (tests/test_render_batch.py is about it)."""
    return sorted(p.name for p in folder.iterdir() if p.name not in LOCK_FILES)


def test_render_writes_audio_and_metadata(server, song, capsys):
    assert render(server, str(song)) == 0
    audio = song.parent / "Neon Nights Live.mp3"
    assert files(song.parent) == ["Neon Nights Live.mp3", "Neon Nights Live.mp3.json", "neon.song"]
    assert (song.parent / "musicplan.lock").is_file()
    body = musicplan.load(song).to_body()
    assert audio.read_bytes() == server.audio_for(body)
    meta = json.loads((song.parent / "Neon Nights Live.mp3.json").read_text(encoding="utf-8"))
    assert isinstance(meta["song_id"], str) and len(meta["song_id"]) == 20
    assert meta["request"] == body
    assert meta["composition_plan"] == body["composition_plan"]
    assert meta["song_metadata"]["title"] == "Stand-in Song"
    assert meta["server_filename"] == "evil name.mp3"
    assert meta["bytes"] == audio.stat().st_size
    err = capsys.readouterr().err
    assert "wrote" in err and "MB received" not in err  # no progress display off a terminal


def test_default_name_falls_back_to_the_file_stem_and_format_extension(server, tmp_path):
    path = tmp_path / "untitled.song"
    path.write_text("format: opus_48000_128\n[A] 0:10\n", encoding="utf-8")
    assert render(server, str(path)) == 0
    assert (tmp_path / "untitled.opus").is_file()
    assert server.requests[-1].query == {"output_format": "opus_48000_128"}


def test_output_and_endpoint_options(server, song, tmp_path):
    out = tmp_path / "out" / "x.mp3"
    out.parent.mkdir()
    assert render(server, str(song), "-o", str(out), "--endpoint", "compose", "--format", "mp3_44100_64") == 0
    assert out.read_bytes() and server.requests[-1].path == "/v1/music"
    meta = json.loads(out.with_name("x.mp3.json").read_text(encoding="utf-8"))
    assert meta["endpoint"] == "compose" and "composition_plan" not in meta


def test_stream_drops_fields_it_does_not_take_with_a_warning(server, tmp_path, capsys):
    path = tmp_path / "s.song"
    path.write_text("timestamps: yes\nrespect_durations: no\n[A] 0:10\n", encoding="utf-8")
    assert render(server, str(path), "--endpoint", "stream") == 0
    sent = server.requests[-1].body
    assert "with_timestamps" not in sent and "respect_sections_durations" not in sent
    err = capsys.readouterr().err
    assert "does not take `with_timestamps`" in err and "`respect_sections_durations`" in err


def test_existing_files_are_never_overwritten_without_force(server, song):
    target = song.parent / "Neon Nights Live.mp3"
    target.write_bytes(b"precious")
    assert render(server, str(song)) == 2
    assert target.read_bytes() == b"precious" and server.requests == []
    assert render(server, str(song), "--force") == 0
    assert target.read_bytes() != b"precious"


def test_an_interrupted_download_leaves_nothing(server, song):
    server.fail("drop", after=20_000)
    assert render(server, str(song)) == 6
    assert files(song.parent) == ["neon.song"]
    assert len(server.requests) == 1  # never asked twice: it would be billed again


def test_keep_partial(server, song):
    server.fail("drop", after=20_000)
    assert render(server, str(song), "--keep-partial") == 6
    part = song.parent / "Neon Nights Live.mp3.part"
    assert files(song.parent) == ["Neon Nights Live.mp3.part", "neon.song"]
    assert 0 < part.stat().st_size <= 20_000


def test_422_is_mapped_back_to_the_song(server, song, capsys):
    server.fail("invalid", loc=["body", "composition_plan", "sections", 2, "duration_ms"], msg="too short")
    assert render(server, str(song)) == 1
    err = capsys.readouterr().err
    assert f"{song}:7:10: error[E600] the API refused this: too short" in err
    assert "[Chorus] 0:15" in err
    assert files(song.parent) == ["neon.song"]


def test_422_on_a_lyric_and_a_global_style(server, song, capsys):
    server.fail("invalid", loc=["body", "composition_plan", "sections", 1, "lines", 0])
    assert render(server, str(song)) == 1
    assert f"{song}:6:1: error[E600]" in capsys.readouterr().err
    server.fail("invalid", loc=["body", "composition_plan", "positive_global_styles", 0])
    assert render(server, str(song)) == 1
    assert f"{song}:2:3: error[E600]" in capsys.readouterr().err


def test_bad_composition_plan_saves_the_suggestion_as_a_song(server, song, capsys):
    server.fail("bad_composition_plan")
    assert render(server, str(song)) == 1
    suggested = song.parent / "neon.suggested.song"
    text = suggested.read_text(encoding="utf-8")
    plan = musicplan.loads(text).to_plan()
    assert [s["lines"] for s in plan["sections"]] == [[], ["La la la"], ["La la la"]]
    assert "copyrighted" in capsys.readouterr().err


def test_a_suggestion_goes_into_a_fifo_in_its_place_as_compile_writes_one(server, song):
    from fifos import read_fifo

    server.fail("bad_composition_plan")
    with read_fifo(song.parent / "neon.suggested.song") as got:
        assert render(server, str(song)) == 1
    assert b"La la la" in got[0]


def test_plan_writes_into_a_fifo_as_compile_does(server, tmp_path):
    from fifos import read_fifo

    with read_fifo(tmp_path / "pipe") as got:
        assert main(["plan", "a calm song", "-o", str(tmp_path / "pipe"), "--base-url", server.url]) == 0
    assert b"[Verse]" in got[0]
    planned = tmp_path / "planned.song"
    planned.write_text("kept\n", encoding="utf-8")
    assert main(["plan", "a calm song", "-o", str(planned), "--base-url", server.url]) == 2
    assert planned.read_text(encoding="utf-8") == "kept\n"  # a file is still kept unless --force


def test_bad_prompt_saves_the_suggested_prompt(server, tmp_path):
    path = tmp_path / "p.song"
    path.write_text("prompt: a song like a famous band\nlength: 0:30\n", encoding="utf-8")
    server.fail("bad_prompt", suggestion="an upbeat indie rock song")
    assert render(server, str(path)) == 1
    song = musicplan.load(tmp_path / "p.suggested.song")
    assert song.to_body()["prompt"] == "an upbeat indie rock song"
    assert song.to_body()["music_length_ms"] == 30_000


@pytest.mark.parametrize("kind,code", [("unauthorized", 4), ("quota", 5)])
def test_key_and_quota_errors_have_their_own_exit_codes(server, song, kind, code):
    server.fail(kind)
    assert render(server, str(song)) == code


def test_unavailable_after_retries(server, song):
    server.fail("rate_limit", times=3, retry_after=0)
    assert render(server, str(song), "--attempts", "3") == 6
    assert len(server.requests) == 3


def test_rate_limit_then_success(server, song):
    server.fail("rate_limit", retry_after=0)
    assert render(server, str(song)) == 0
    assert len(server.requests) == 2


def test_a_song_with_errors_is_never_sent(server, tmp_path):
    path = tmp_path / "bad.song"
    path.write_text("[A] 20\n", encoding="utf-8")
    assert render(server, str(path)) == 1
    assert server.requests == []


def test_plan_writes_a_song_ready_to_render(server, tmp_path, capsys):
    out = tmp_path / "new.song"
    assert main(["plan", "a calm song about rain", "--length", "1:30", "-o", str(out),
                 "--base-url", server.url]) == 0
    song = musicplan.load(out)
    # Without --model the plan is asked of the recommended model, not the API's deprecated default.
    assert song.model_id == "music_v2_5" and "W007" not in {d.code for d in song.warnings}
    assert [s["duration_ms"] for s in song.to_plan()["chunks"]] == [30_000] * 3
    assert out.read_text(encoding="utf-8").startswith("# Planned by the Music API from: a calm song about rain\n")
    assert server.requests[-1].body == {"prompt": "a calm song about rain", "music_length_ms": 90_000,
                                        "model_id": "music_v2_5"}
    assert render(server, str(out)) == 0


def test_a_refused_prompts_suggestion_is_saved_beside_the_song_asked_for(server, tmp_path):
    server.fail("bad_prompt")
    out = tmp_path / "p.song"
    assert main(["plan", "a song like a famous singer", "-o", str(out), "--base-url", server.url]) == 1
    assert (tmp_path / "p.suggested.song").is_file()
    assert not out.exists()


def test_plan_for_a_chunk_model(server, tmp_path):
    out = tmp_path / "v2.song"
    assert main(["plan", "rain", "--model", "music_v2_5", "-o", str(out), "--base-url", server.url]) == 0
    song = musicplan.load(out)
    assert song.model_id == "music_v2_5" and len(song.to_plan()["chunks"]) == 3
    assert main(["plan", "rain", "-o", str(out), "--base-url", server.url]) == 2  # exists
    assert main(["plan", "rain", "--length", "soon", "--base-url", server.url]) == 2


def test_the_key_never_appears_anywhere(server, song, tmp_path, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    scenarios = [[], ["--force", "--endpoint", "stream"], ["--force", "--keep-partial"]]
    failures = [None, "unauthorized", "drop", "invalid", "bad_composition_plan", "server_error",
                "limited_access", "no_permission", "forbidden"]
    for failure in failures:
        for extra in scenarios:
            if failure:
                server.fail(failure, retry_after=0) if failure == "server_error" else server.fail(failure)
            main(["render", str(song), "--base-url", server.url, "--attempts", "1", *extra])
    main(["plan", "rain", "-o", str(tmp_path / "p.song"), "--base-url", server.url])
    # The commands of the API's 2026-11-22 revision: upload (with its plan and words) and plan --from.
    track = tmp_path / "take.mp3"
    track.write_bytes(b"ID3" + bytes(range(256)) * 64)
    server._failures.clear()  # a render that sent nothing (a file existed) left its failure queued
    for failure in (None, "limited_access", "no_permission"):
        if failure:
            server.fail(failure)
        main(["upload", str(track), "--plan", "music_v2_5", "--timestamps", "--force", "--base-url", server.url])
        main(["plan", "darker", "--from", str(song), "-o", str(tmp_path / "from.song"), "--force",
              "--base-url", server.url, "--no-logging"])
    main(["render", str(song), "--api-key", SECRET, "--force", "--base-url", server.url])
    captured = capsys.readouterr()
    everything = captured.out + captured.err + caplog.text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            everything += path.read_bytes().decode("utf-8", errors="replace")
    assert len(everything) > 1000
    assert (tmp_path / "take.song").is_file() and (tmp_path / "take.words.json").is_file()
    assert "paid plans" in everything and "music permission" in everything
    assert SECRET not in everything
    assert all(r.headers["xi-api-key"] == SECRET for r in server.requests)  # it was sent, only there


def test_a_missing_key_is_a_usage_error(server, song, monkeypatch, capsys):
    monkeypatch.delenv("ELEVENLABS_API_KEY")
    assert render(server, str(song)) == 2
    assert "ELEVENLABS_API_KEY" in capsys.readouterr().err


def test_progress_is_shown_on_a_terminal(server, song, monkeypatch):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    server.fail("slow", delay=0.02)
    assert render(server, str(song)) == 0
    shown = terminal.getvalue()
    assert "MB received" in shown and "elapsed" in shown and SECRET not in shown


def test_plan_failures_have_their_exit_codes(server, tmp_path):
    server.fail("unauthorized")
    assert main(["plan", "rain", "-o", str(tmp_path / "p.song"), "--base-url", server.url]) == 4
    server.fail("rate_limit", times=2, retry_after=0)
    assert main(["plan", "rain", "--attempts", "2", "--base-url", server.url]) == 6
    assert not (tmp_path / "p.song").exists()


def test_unwritable_places_get_messages(server, song, tmp_path, capsys):
    missing = tmp_path / "no" / "such" / "folder"
    assert render(server, str(song), "-o", str(missing / "a.mp3")) == 2
    assert main(["plan", "rain", "-o", str(missing / "p.song"), "--base-url", server.url]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "Traceback" not in err
