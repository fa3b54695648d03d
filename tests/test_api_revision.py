"""The API as of 2026-11-22, end to end over real sockets: upload, `plan --from`,
per-endpoint fields, the waveform, 402/401/403, zero retention, concurrency headers."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

import musicplan
from musicplan.cli import main
from musicplan.remote.client import (
    MusicClient,
    PermissionMissing,
    PlanRequired,
    RequestInvalid,
    RetryPolicy,
    drop_unsupported,
)
from musicplan.remote.server import MusicTestServer
from musicplan.spec.vocabulary import ENDPOINTS, taken_by

SECRET = "sk_sentinel_9e2b_never_print_me"
FREE = "sk_free_account_key_0001"
NO_MUSIC = "sk_tts_only_key_0002"
SONG = "title: Harbour\nmodel: music_v2_5\n+ folk\n[Verse] 0:10\nla la\n[Chorus] 0:10\nna na\n"


@pytest.fixture
def server():
    with MusicTestServer(api_key=SECRET, free_keys={FREE}, keys_without_music={NO_MUSIC},
                         max_concurrent=7) as running:
        yield running


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("ELEVENLABS_API_KEY", SECRET)
    monkeypatch.delenv("ELEVENLABS_BASE_URL", raising=False)


@pytest.fixture
def track(tmp_path: Path) -> Path:
    path = tmp_path / "take.mp3"
    path.write_bytes(b"ID3" + bytes(range(256)) * 200 + b"\r\n--boundary--\r\n")
    return path


def cli(server, *args: str) -> int:
    return main([*args, "--base-url", server.url])


def client(server, key: str = SECRET, attempts: int = 3, **kwargs) -> MusicClient:
    return MusicClient(key, base_url=server.url, retry=RetryPolicy(max_attempts=attempts, sleep=lambda s: None),
                       **kwargs)


# ---- upload

def test_upload_prints_the_song_id_and_sends_the_file_as_a_form(server, track, capsys):
    assert cli(server, "upload", str(track)) == 0
    out = capsys.readouterr().out
    request = server.requests[-1]
    assert request.path == "/v1/music/upload"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert request.body == {"file": track.read_bytes()}  # no plan, no words unless asked
    assert request.headers["xi-api-key"] == SECRET and SECRET not in json.dumps(request.query)
    song_id = out.strip()
    assert out == song_id + "\n" and 1 <= len(song_id) <= 100 and " " not in song_id
    assert sorted(p.name for p in track.parent.iterdir()) == ["take.mp3"]  # nothing written


def test_upload_plan_is_a_song_with_the_id_at_hand(server, track, capsys):
    assert cli(server, "upload", str(track), "--plan", "music_v2_5", "--timestamps") == 0
    song_id = capsys.readouterr().out.strip()
    assert server.requests[-1].body["extract_composition_plan"] == "music_v2_5"
    assert server.requests[-1].body["with_timestamps"] == "true"
    text = (track.parent / "take.song").read_text(encoding="utf-8")
    assert f"#   @source {song_id} 0:00-0:20\n" in text and f"#   @condition {song_id} " in text
    song = musicplan.loads(text)
    assert song.model_id == "music_v2_5" and "model: music_v2_5\n" in text
    assert len(song.to_plan()["chunks"]) == 3
    # The editing story: keep the first 20 s of the upload, regenerate the rest.
    edited = text.replace("[Intro] 0:20\n", f"[Intro]\n@source {song_id} 0:00-0:20\n")
    assert musicplan.loads(edited).to_plan()["chunks"][0] == {"song_id": song_id,
                                                                "range": {"start_ms": 0, "end_ms": 20_000}}
    words = json.loads((track.parent / "take.words.json").read_text(encoding="utf-8"))
    assert words["song_id"] == song_id and words["words_timestamps"][0]["word"] == "uploaded"


def test_upload_plan_for_music_v1_offers_only_source(server, track, tmp_path, capsys):
    out = tmp_path / "mine.song"
    assert cli(server, "upload", str(track), "--plan", "music_v1", "-o", str(out)) == 0
    text = out.read_text(encoding="utf-8")
    assert "model: music_v1\n" in text and "@source" in text and "@condition" not in text
    assert "sections" in musicplan.loads(text).to_plan()


def test_upload_never_overwrites_without_force_and_sends_nothing(server, track, capsys):
    existing = track.parent / "take.song"
    existing.write_text("precious", encoding="utf-8")
    assert cli(server, "upload", str(track), "--plan", "music_v2") == 2
    assert existing.read_text(encoding="utf-8") == "precious" and server.requests == []
    assert "--force" in capsys.readouterr().err
    assert cli(server, "upload", str(track), "--plan", "music_v2", "--force") == 0
    assert existing.read_text(encoding="utf-8").startswith("# The plan of take.mp3")


def test_upload_refuses_a_folder_a_missing_file_or_an_output_without_plan(server, track, tmp_path, capsys):
    assert cli(server, "upload", str(tmp_path)) == 2
    assert cli(server, "upload", str(tmp_path / "nope.mp3")) == 2
    assert cli(server, "upload", str(track), "-o", str(tmp_path / "x.song")) == 2
    assert cli(server, "upload", str(track), "--plan", "music_v2", "-o", str(track), "--force") == 2
    assert track.read_bytes().startswith(b"ID3")
    err = capsys.readouterr().err
    assert "folder" in err and "no such file" in err and "--plan MODEL" in err and "Traceback" not in err
    assert server.requests == []


def test_upload_is_retried_only_when_refused_unread(server, track):
    server.fail("rate_limit", retry_after=0)
    assert cli(server, "upload", str(track)) == 0
    assert len(server.requests) == 2
    assert [r.body["file"] for r in server.requests] == [track.read_bytes()] * 2  # the whole file again
    server.requests.clear()
    server.fail("server_error")  # a 500 may have stored (and billed) it: not sent again
    assert cli(server, "upload", str(track)) == 6
    assert len(server.requests) == 1


def test_an_unusable_song_id_is_refused(server, track, monkeypatch):
    import musicplan.remote.server as stand_in

    monkeypatch.setattr(stand_in.uuid, "uuid5", lambda *a: type("U", (), {"hex": "bad id\n[Verse] 0:10"})())
    assert cli(server, "upload", str(track)) == 6


def test_upload_client_returns_every_part(server, track):
    with track.open("rb") as data:
        result = client(server).upload(data, "take.mp3", extract_plan="music_v1", with_timestamps=True,
                                       with_waveform_visual=True)
    assert "sections" in result.composition_plan and result.words_timestamps
    assert result.waveform_visual and all(-1000 <= v <= 1000 for v in result.waveform_visual)


# ---- plan --from

def test_plan_from_a_song_sends_its_plan_as_the_source(server, tmp_path, capsys):
    source = tmp_path / "harbour.song"
    source.write_text(SONG, encoding="utf-8")
    out = tmp_path / "sadder.song"
    assert cli(server, "plan", "make it sadder", "--from", str(source), "-o", str(out)) == 0
    sent = server.requests[-1].body
    assert sent == {"prompt": "make it sadder", "source_composition_plan": musicplan.loads(SONG).to_plan(),
                    "model_id": "music_v2_5"}
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Planned by the Music API from: make it sadder\n# reworking ")
    chunks = musicplan.loads(text).to_plan()["chunks"]
    assert [c["text"] for c in chunks] == ["[Verse]\nla la", "[Chorus]\nna na"]
    assert all(c["positive_styles"][-1] == "make it sadder" for c in chunks)


def test_plan_from_retargets_the_song_for_model(server, tmp_path):
    source = tmp_path / "harbour.song"
    source.write_text(SONG, encoding="utf-8")
    assert cli(server, "plan", "x", "--from", str(source), "--model", "music_v1", "-o", str(tmp_path / "o.song")) == 0
    assert "sections" in server.requests[-1].body["source_composition_plan"]


def test_plan_from_a_json_plan(server, tmp_path):
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(musicplan.loads(SONG).to_plan()), encoding="utf-8")
    assert cli(server, "plan", "x", "--from", str(source), "-o", str(tmp_path / "o.song")) == 0
    assert server.requests[-1].body["source_composition_plan"]["chunks"][0]["text"] == "[Verse]\nla la"


def test_plan_from_a_song_with_errors_or_a_prompt_song_sends_nothing(server, tmp_path, capsys):
    bad = tmp_path / "bad.song"
    bad.write_text("model: music_v1\n[A] 20\n", encoding="utf-8")
    assert cli(server, "plan", "x", "--from", str(bad)) == 1
    prompt = tmp_path / "prompt.song"
    prompt.write_text("model: music_v1\nprompt: calm piano\n", encoding="utf-8")
    assert cli(server, "plan", "x", "--from", str(prompt)) == 2
    err = capsys.readouterr().err
    assert "E302" in err and "prompt song" in err and server.requests == []


# ---- per-endpoint fields and the waveform

def test_the_vocabulary_says_what_each_endpoint_takes():
    assert taken_by("stream") == ("prompt", "composition_plan", "music_length_ms", "model_id", "seed",
                                  "force_instrumental", "finetune_id", "store_for_inpainting")
    assert taken_by("compose") == taken_by("stream")[:7] + ("respect_sections_durations", "store_for_inpainting",
                                                            "sign_with_c2pa")
    assert taken_by("detailed") == taken_by("compose")[:9] + ("with_timestamps", "with_waveform_visual",
                                                              "sign_with_c2pa")
    assert taken_by("plan") == ("prompt", "music_length_ms", "model_id", "source_composition_plan")
    assert ENDPOINTS["detailed"] == "/v1/music/detailed" and "/v1/music/detailed/stream" not in ENDPOINTS.values()


def test_waveform_compiles_beside_timestamps():
    body = musicplan.loads("model: music_v1\nwaveform: yes\ntimestamps: on\nc2pa: yes\n[A] 0:10\n+ x\n").to_body()
    assert list(body)[-3:] == ["with_timestamps", "with_waveform_visual", "sign_with_c2pa"]
    assert body["with_waveform_visual"] is True
    assert drop_unsupported(body, "compose")[1] == ["with_timestamps", "with_waveform_visual"]


def test_render_warns_once_per_dropped_field_and_does_not_send_it(server, tmp_path, capsys):
    path = tmp_path / "s.song"
    path.write_text("model: music_v1\ntimestamps: yes\nwaveform: yes\nc2pa: yes\nrespect_durations: no\n"
                    "[A] 0:10\n+ x\n", encoding="utf-8")
    assert cli(server, "render", str(path), "--endpoint", "stream") == 0
    sent = server.requests[-1].body
    dropped = ("with_timestamps", "with_waveform_visual", "sign_with_c2pa", "respect_sections_durations")
    assert not set(dropped) & set(sent) and sent["model_id"] == "music_v1"
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 4
    for name in dropped:
        assert sum(f"`{name}`" in line for line in warnings) == 1
    assert "/v1/music/stream does not take `with_waveform_visual` (the song's `waveform`)" in warnings[2]


def test_the_detailed_sidecar_keeps_the_waveform(server, tmp_path):
    path = tmp_path / "s.song"
    path.write_text("model: music_v2\nwaveform: yes\n[A] 0:10\n+ x\n", encoding="utf-8")
    assert cli(server, "render", str(path)) == 0
    assert server.requests[-1].body["with_waveform_visual"] is True
    meta = json.loads((tmp_path / "s.mp3.json").read_text(encoding="utf-8"))
    assert len(meta["waveform_visual"]) >= 4 and all(-1000 <= v <= 1000 for v in meta["waveform_visual"])


def test_concurrency_headers_reach_the_result(server):
    body = musicplan.loads(SONG).to_body()
    result = client(server).stream(body, lambda data: None)
    assert result.concurrency is not None
    assert result.concurrency.maximum == 7 and result.concurrency.current == 1


def test_a_429_for_concurrency_names_the_accounts_limit(server, tmp_path, capsys):
    song = tmp_path / "s.song"
    song.write_text(SONG, encoding="utf-8")
    server.fail("rate_limit", times=2, retry_after=0)
    assert cli(server, "render", str(song), "--attempts", "2") == 6
    err = capsys.readouterr().err
    assert "limit of 7 concurrent requests is reached" in err and len(server.requests) == 2


# ---- errors users meet

@pytest.mark.parametrize("key,failure,code,words", [
    (FREE, None, 5, "paid plans"),
    (NO_MUSIC, None, 4, "music permission"),
    (SECRET, "forbidden", 5, "subscription"),
    (SECRET, "limited_access", 5, "paid plans"),
    (SECRET, "no_permission", 4, "music permission"),
])
def test_access_errors_get_one_plain_line_and_are_never_retried(server, tmp_path, track, capsys,
                                                                 key, failure, code, words):
    song = tmp_path / "s.song"
    song.write_text(SONG, encoding="utf-8")
    for command in (["render", str(song), "--force"], ["plan", "rain"], ["upload", str(track)]):
        server.requests.clear()
        if failure:
            server.fail(failure, times=3)
        assert cli(server, *command, "--api-key", key) == code
        assert len(server.requests) == 1
        err = capsys.readouterr().err
        assert [line for line in err.splitlines() if line.startswith("musicplan:")] == err.splitlines()
        assert len(err.splitlines()) == 1 and words in err and "Traceback" not in err
        if failure:
            server._failures.clear()


def test_access_errors_are_typed(server):
    body = musicplan.loads(SONG).to_body()
    with pytest.raises(PlanRequired) as info:
        client(server, FREE).compose(body, lambda data: None)
    assert (info.value.status, info.value.code, info.value.exit_code) == (402, "limited_access", 5)
    with pytest.raises(PermissionMissing) as missing:
        client(server, NO_MUSIC).plan("x")
    assert missing.value.exit_code == 4


def test_no_logging_asks_for_zero_retention_everywhere(server, tmp_path, track):
    song = tmp_path / "s.song"
    song.write_text(SONG, encoding="utf-8")
    assert cli(server, "render", str(song), "--no-logging") == 0
    assert cli(server, "plan", "rain", "--no-logging", "-o", str(tmp_path / "p.song")) == 0
    assert cli(server, "upload", str(track), "--no-logging") == 0
    assert [r.query.get("enable_logging") for r in server.requests] == ["false"] * 3
    assert cli(server, "plan", "rain") == 0
    assert "enable_logging" not in server.requests[-1].query


@pytest.mark.parametrize("change,loc", [
    ({"seed": 2_147_483_648}, ["body", "seed"]),
    ({"finetune_id": "f" * 101}, ["body", "finetune_id"]),
])
def test_the_stand_in_refuses_the_new_limits_with_a_422(server, change, loc):
    body = {**musicplan.loads(SONG.replace("music_v2_5", "music_v1")).to_body(), **change}
    with pytest.raises(RequestInvalid) as info:
        client(server).compose(body, lambda data: None)
    assert info.value.errors[0]["loc"] == loc


def test_the_stand_in_refuses_chunk_limits_with_a_422(server):
    body = musicplan.loads(SONG).to_body()
    chunks = body["composition_plan"]["chunks"]
    chunks[0]["conditioning_ref"] = {"song_id": "s" * 101, "range": {"start_ms": 0, "end_ms": 40_000}}
    chunks[1]["text"] = "x" * 6001
    with pytest.raises(RequestInvalid) as info:
        client(server).compose(body, lambda data: None)
    locs = [e["loc"] for e in info.value.errors]
    assert ["body", "composition_plan", "chunks", 0, "conditioning_ref", "song_id"] in locs
    assert ["body", "composition_plan", "chunks", 1, "text"] in locs


def test_the_key_never_appears_in_upload_plan_from_or_access_errors(server, track, tmp_path, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    song = tmp_path / "s.song"
    song.write_text(SONG, encoding="utf-8")
    runs = [["upload", str(track), "--plan", "music_v2", "--timestamps", "--force"],
            ["plan", "rain", "--from", str(song), "-o", str(tmp_path / "p.song"), "--force"],
            ["render", str(song), "--force", "--endpoint", "compose"]]
    for failure in (None, "limited_access", "no_permission", "forbidden", "unauthorized", "invalid"):
        for args in runs:
            if failure:
                server.fail(failure)
            cli(server, *args, "--attempts", "1")
            cli(server, *args, "--attempts", "1", "--api-key", SECRET)
    captured = capsys.readouterr()
    everything = captured.out + captured.err + caplog.text
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".mp3":
            everything += path.read_bytes().decode("utf-8", errors="replace")
    assert len(everything) > 1000 and "paid plans" in everything
    assert SECRET not in everything
    assert all(r.headers["xi-api-key"] == SECRET for r in server.requests)


def test_the_docs_upload_example_runs(server, track, monkeypatch):
    import re

    text = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(from musicplan.client import MusicClient\n.*?)```", text, flags=re.S).group(1)
    monkeypatch.setenv("ELEVENLABS_BASE_URL", server.url)
    monkeypatch.chdir(track.parent)
    printed: list[str] = []
    exec(code, {"print": lambda *values: printed.append(" ".join(map(str, values)))})
    assert printed and server.requests[-1].body["extract_composition_plan"] == "music_v2_5"
    assert "'chunks'" in printed[0]


def test_upload_checks_every_output_before_it_sends_the_paid_upload(server, track, tmp_path, capsys):
    folder = tmp_path / "a-folder.song"
    folder.mkdir()
    assert cli(server, "upload", str(track), "--plan", "music_v1", "-o", str(folder), "--force") == 2
    assert server.requests == [] and "is a folder" in capsys.readouterr().err
    onto = track.with_suffix(".mp3")  # the song would take the audio's own place
    assert cli(server, "upload", str(track), "--plan", "music_v1", "-o", str(onto), "--force") == 2
    assert server.requests == [] and onto.read_bytes() == track.read_bytes()
