"""The render lock: what is recorded, when a song counts as unchanged, and that
concurrent writers (threads and processes) merge instead of losing entries."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from musicplan.remote.lock import LOCK_NAME, LockError, RenderLock, dumps, file_sha256, make_entry, request_hash

BODY = {"composition_plan": {"sections": []}, "model_id": "music_v1"}


def _entry(folder: Path, name: str, data: bytes, request: str = "r" * 64) -> dict:
    audio = folder / name
    audio.write_bytes(data)
    return make_entry(request_sha256=request, endpoint="detailed", output_format="mp3_44100_128", song_id="id",
                      audio=name, audio_sha256=file_sha256(audio), audio_bytes=len(data))


def test_the_request_hash_covers_body_endpoint_and_query_but_not_key_order():
    base = request_hash(BODY, "detailed", {"output_format": "pcm_44100"})
    assert base == request_hash(dict(reversed(list(BODY.items()))), "detailed", {"output_format": "pcm_44100"})
    assert base != request_hash({**BODY, "seed": 1}, "detailed", {"output_format": "pcm_44100"})
    assert base != request_hash(BODY, "compose", {"output_format": "pcm_44100"})
    assert base != request_hash(BODY, "detailed", {"output_format": "pcm_48000"})
    assert len(base) == 64 and int(base, 16) >= 0


def test_unchanged_needs_the_same_request_and_the_intact_audio(tmp_path: Path):
    lock = RenderLock(tmp_path)
    song = tmp_path / "a.song"
    lock.record(song, _entry(tmp_path, "a.mp3", b"audio"))
    assert lock.unchanged(song, "r" * 64) is not None
    assert lock.unchanged(song, "s" * 64) is None  # the request changed
    (tmp_path / "a.mp3").write_bytes(b"audiX")  # same size, other bytes
    assert lock.unchanged(song, "r" * 64) is None
    (tmp_path / "a.mp3").unlink()
    assert lock.unchanged(song, "r" * 64) is None
    assert lock.unchanged(tmp_path / "other.song", "r" * 64) is None


def test_the_file_is_stable_sorted_and_relative(tmp_path: Path):
    lock = RenderLock(tmp_path)
    (tmp_path / "sub").mkdir()
    lock.record(tmp_path / "sub" / "z.song", _entry(tmp_path, "z.mp3", b"1"))
    lock.record(tmp_path / "a.song", _entry(tmp_path, "a.mp3", b"2"))
    text = (tmp_path / LOCK_NAME).read_text(encoding="utf-8")
    document = json.loads(text)
    assert list(document["songs"]) == ["a.song", "sub/z.song"]
    assert text == dumps(lock.read()) and text.endswith("}\n")
    assert '\n  "songs": {\n    "a.song": {\n      "audio": "a.mp3",' in text


@pytest.mark.parametrize(("text", "where", "words"), [
    ('{"musicplan_lock": 1,\n  "songs": {,}}', (2, 13), "not valid JSON"),
    ('<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> x\n', (1, 1), "merge conflict"),
    ('{"musicplan_lock": 1, "songs": []}', (1, 1), "no `songs` object"),
    ('{"musicplan_lock": 7, "songs": {}}', (1, 1), "version 7"),
    ('{"musicplan_lock": 1, "songs": {\n"a.song": {"audio": 3}}}', (2, 1), "`a.song`"),
])
def test_a_broken_lock_is_an_error_with_a_place_and_a_hint(tmp_path: Path, text: str, where, words: str):
    (tmp_path / LOCK_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(LockError) as caught:
        RenderLock(tmp_path).read()
    error = caught.value
    assert (error.line, error.column) == where
    assert words in error.message + error.hint and error.hint


def test_threads_merge_their_entries(tmp_path: Path):
    lock = RenderLock(tmp_path)
    entries = {f"s{i}.song": _entry(tmp_path, f"s{i}.mp3", bytes([i])) for i in range(24)}
    threads = [threading.Thread(target=lock.record, args=(tmp_path / name, entry)) for name, entry in entries.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(lock.read()) == set(entries)


_WRITER = """
import sys
from pathlib import Path
from musicplan.remote.lock import RenderLock, make_entry
folder, start = Path(sys.argv[1]), int(sys.argv[2])
lock = RenderLock(folder)
for i in range(start, start + 15):
    lock.record(folder / f"s{i}.song", make_entry(request_sha256="r" * 64, endpoint="detailed",
                output_format=None, song_id=str(i), audio=f"s{i}.mp3", audio_sha256="0" * 64, audio_bytes=i))
"""


def test_processes_on_one_folder_do_not_lose_each_others_songs(tmp_path: Path):
    runs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(start)]) for start in (0, 100, 200)]
    assert [run.wait(timeout=60) for run in runs] == [0, 0, 0]
    songs = RenderLock(tmp_path).read()
    assert len(songs) == 45 and songs["s214.song"]["song_id"] == "214"
    assert not list(tmp_path.glob(".*.tmp"))  # every atomic write finished or cleaned up


def test_a_run_reads_each_folders_lock_once_before_sending(tmp_path: Path, monkeypatch):
    from musicplan.cli import main
    from musicplan.remote import lock as lock_module
    from musicplan.remote.server import MusicTestServer

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        for number in range(3):
            (tmp_path / folder / f"s{number}.song").write_text(
                f"title: {folder} {number}\nmodel: music_v1\n[Verse] 0:10\nla la {number}\n", encoding="utf-8")
    monkeypatch.setenv("ELEVENLABS_API_KEY", "test-key")
    with MusicTestServer() as server:
        assert main(["render", str(tmp_path), "--base-url", server.url, "-j", "1"]) == 0
        parsed: list[Path] = []
        real = lock_module._parse
        monkeypatch.setattr(lock_module, "_parse", lambda path, text: parsed.append(path) or real(path, text))
        billed = len(server.billed)
        assert main(["render", str(tmp_path), "--base-url", server.url]) == 0  # all six unchanged
        assert len(server.billed) == billed
        assert sorted(parsed) == [tmp_path / "a" / LOCK_NAME, tmp_path / "b" / LOCK_NAME]
        parsed.clear()
        (tmp_path / "a" / "s0.song").write_text("title: a 0\nmodel: music_v1\n[Verse] 0:12\nla\n", encoding="utf-8")
        assert main(["render", str(tmp_path), "--base-url", server.url]) == 0
        # Once each before sending, and once more for the one song recorded (under the file lock).
        assert sorted(parsed) == [tmp_path / "a" / LOCK_NAME, tmp_path / "a" / LOCK_NAME, tmp_path / "b" / LOCK_NAME]
    assert len(json.loads((tmp_path / "a" / LOCK_NAME).read_text(encoding="utf-8"))["songs"]) == 3
