"""Issue 17, the client and render against hostile servers on 127.0.0.1: the key
is never shown or written, nothing is sent twice once it may have reached the
API, nothing is paid for and then lost, and every wait and read is bounded."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest
from hostile import RawServer, header, multipart, response
from hypothesis import given
from hypothesis import strategies as st

from musicplan.cli import main
from musicplan.remote import client as client_module
from musicplan.remote.client import (
    ApiError,
    DownloadInterrupted,
    MusicApiError,
    MusicClient,
    NetworkError,
    RequestInvalid,
    RetryPolicy,
    SetupError,
)
from musicplan.remote.server import MusicTestServer

SECRET = "sk_hostile_7c2e_never_print_me"
SONG = "title: Neon\n+ synthwave\n[Intro] 0:08\n+ pads\n[Verse] 0:20\nWalking down the street\n"
AUDIO = b"ID3" + bytes(range(256)) * 40


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("ELEVENLABS_API_KEY", SECRET)
    monkeypatch.delenv("ELEVENLABS_BASE_URL", raising=False)


@pytest.fixture
def song(tmp_path: Path) -> Path:
    path = tmp_path / "neon.song"
    path.write_text(SONG, encoding="utf-8")
    return path


@pytest.fixture
def server():
    with MusicTestServer(api_key=SECRET) as running:
        yield running


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def render(url: str, *args: str) -> int:
    return main(["render", *args, "--base-url", url])


# ---- the key

def test_a_key_with_a_trailing_newline_or_spaces_works(server, song, monkeypatch):
    monkeypatch.setenv("ELEVENLABS_API_KEY", f"  {SECRET}\r\n")
    assert render(server.url, str(song)) == 0
    assert server.requests[-1].headers["xi-api-key"] == SECRET


@pytest.mark.parametrize("bad", [f"{SECRET[:8]}\n{SECRET[8:]}", f"{SECRET}\x01x", f"{SECRET[:5]} {SECRET[5:]}",
                                 f"{SECRET}é"])
def test_a_key_with_inner_control_characters_is_a_usage_error_that_hides_it(server, song, monkeypatch, capsys,
                                                                               bad):
    monkeypatch.setenv("ELEVENLABS_API_KEY", bad)
    assert render(server.url, str(song)) == 2
    err = capsys.readouterr().err
    assert "the API key holds" in err and SECRET[:5] not in err and "Traceback" not in err
    assert server.requests == []
    with pytest.raises(SetupError):
        MusicClient(bad, base_url=server.url)


def test_a_key_the_server_echoes_is_not_written_to_the_metadata(song, tmp_path):
    def echo(conn, head, body):
        sent_key = header(head, "xi-api-key") or ""
        kind, data = multipart([("application/json", json.dumps({"song_metadata": {"title": sent_key},
                                                                  "note": f"key={sent_key}"}).encode()),
                                ("audio/mpeg", AUDIO)])
        conn.sendall(response("200 OK", {"Content-Type": kind, "song-id": sent_key}, data))

    with RawServer(echo) as raw:
        assert render(raw.url, str(song), "-o", str(tmp_path / "x.mp3")) == 0
    meta = (tmp_path / "x.mp3.json").read_text(encoding="utf-8")
    assert SECRET not in meta and "***" in meta
    assert SECRET not in written(tmp_path)  # the lock records the song id: not the echoed key
    assert (tmp_path / "x.mp3").read_bytes() == AUDIO


@pytest.fixture
def echoing():
    """The stand-in writing the key it was sent into every text it answers."""
    with MusicTestServer(api_key=SECRET, echo_key=True) as running:
        yield running


def written(folder: Path) -> str:
    """Every file under ``folder``, as text, hidden ones too."""
    return "".join(path.read_bytes().decode("utf-8", "replace") for path in sorted(folder.rglob("*"))
                   if path.is_file())


def test_a_key_the_server_echoes_is_in_no_file_a_render_writes(echoing, tmp_path, capsys):
    song = tmp_path / "neon.song"
    song.write_text("title: Neon\nmodel: music_v1\ntimestamps: yes\n+ synthwave\n[Verse] 0:20\n"
                    "Walking down the street\n", encoding="utf-8")
    assert render(echoing.url, str(song)) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".musicplan.lock.lck", "Neon.mp3", "Neon.mp3.json",
                                                         "Neon.mp3.lrc", "musicplan.lock", "neon.song"]
    lyrics = (tmp_path / "Neon.mp3.lrc").read_text(encoding="utf-8")
    assert "Walking" in lyrics and "***" in lyrics  # the words came, without the key
    assert SECRET not in written(tmp_path) + capsys.readouterr().err


def test_a_key_the_server_echoes_is_in_no_file_an_upload_writes(echoing, tmp_path, capsys):
    track = tmp_path / "track.mp3"
    track.write_bytes(AUDIO)
    assert main(["upload", str(track), "--plan", "music_v1", "--timestamps", "--base-url", echoing.url]) == 0
    assert "***" in (tmp_path / "track.words.json").read_text(encoding="utf-8")
    assert "***" in (tmp_path / "track.song").read_text(encoding="utf-8")
    out, err = capsys.readouterr()
    assert SECRET not in written(tmp_path) + out + err


@pytest.mark.parametrize("model", ["music_v1", "music_v2"])
def test_a_key_the_server_echoes_is_not_in_a_plan(echoing, tmp_path, capsys, model):
    assert main(["plan", "a calm song", "--model", model, "--base-url", echoing.url]) == 0
    out, err = capsys.readouterr()
    assert "***" in out and SECRET not in out + err
    assert main(["plan", "a calm song", "--model", model, "-o", str(tmp_path / "calm.song"),
                 "--base-url", echoing.url]) == 0
    assert SECRET not in written(tmp_path) + capsys.readouterr().err
    with MusicClient(SECRET, base_url=echoing.url) as api:
        assert SECRET not in json.dumps(api.plan("a calm song", model_id=model))


def test_a_key_the_server_escapes_in_its_json_is_still_taken_out():
    escaped = "".join(f"\\u{ord(char):04x}" for char in SECRET)  # JSON's \uXXXX for every character

    def reply(conn, head, body):
        plan = {"positive_global_styles": [f"pop {escaped}"], "negative_global_styles": [],
                "sections": [{"section_name": "Verse", "positive_local_styles": [], "negative_local_styles": [],
                              "duration_ms": 10_000, "lines": ["la"]}]}
        text = json.dumps(plan).replace("\\\\u", "\\u")
        conn.sendall(response("200 OK", {"Content-Type": "application/json"}, text.encode()))

    with RawServer(reply) as raw:
        plan = MusicClient(SECRET, base_url=raw.url).plan("x")
    assert plan["positive_global_styles"] == ["pop ***"]


@pytest.mark.parametrize("url", ["api.elevenlabs.io", "ftp://api.elevenlabs.io", "http://127.0.0.1:99999",
                                 "http://127.0.0.1:port", "https://api.elevenlabs.io/?region=eu",
                                 "https://", "http://h st/"])
def test_a_bad_base_url_is_a_usage_error(song, capsys, url):
    assert render(url, str(song)) == 2
    err = capsys.readouterr().err
    assert "--base-url" in err and "Traceback" not in err
    assert names(song.parent) == ["neon.song"]


# ---- paying twice: what is retried

def test_a_connection_closed_after_the_request_was_sent_is_not_retried(song, capsys):
    with RawServer(lambda conn, head, body: None) as raw:  # reads the request, then closes
        assert render(raw.url, str(song), "--attempts", "3") == 6
    assert raw.connections == 1
    err = capsys.readouterr().err
    assert "cannot reach" not in err and "not retried" in err


@pytest.mark.parametrize("reply", [
    b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nBad Header Line\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: 10\r\n\r\nID3",
])
def test_a_reply_that_began_badly_is_never_retried(song, reply):
    with RawServer(lambda conn, head, body: conn.sendall(reply)) as raw:
        assert render(raw.url, str(song), "--attempts", "3") == 6
    assert raw.connections == 1
    assert not [n for n in names(song.parent) if n.endswith((".mp3", ".tmp"))]


def test_a_connection_refused_is_retried_and_called_unreachable(song, capsys):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps = Sleeps()
    said: list[str] = []
    api = MusicClient("k", base_url=f"http://127.0.0.1:{port}",
                      retry=RetryPolicy(max_attempts=3, sleep=sleeps, notify=said.append))
    with pytest.raises(NetworkError, match="cannot reach"):
        api.compose({"prompt": "x"}, lambda data: None)
    assert len(sleeps) == 2 and len(said) == 2 and "before attempt 2 of 3" in said[0]


# ---- a reply that is not what it should be

@pytest.mark.parametrize("part", [
    b"garbage{", b'{"song_metadata": "\xff\xfe"}', b'{"n": ' + b"9" * 5000 + b"}",
    b'{"plan": ' + b"[" * 2000 + b"]" * 2000 + b"}", b'{"n": NaN}', b'{"t": "\\ud800"}',
    b'{"ok": 1, "bad": 1e999, "deep": ' + b"[" * 200 + b"]" * 200 + b"}",
])
def test_a_malformed_json_part_keeps_the_audio_and_warns(song, tmp_path, capsys, part):
    def reply(conn, head, body):
        kind, data = multipart([("application/json", part), ("audio/mpeg", AUDIO)])
        conn.sendall(response("200 OK", {"Content-Type": kind, "song-id": "abc"}, data))

    with RawServer(reply) as raw:
        assert render(raw.url, str(song), "-o", str(tmp_path / "x.mp3")) == 0
    assert (tmp_path / "x.mp3").read_bytes() == AUDIO
    meta = json.loads((tmp_path / "x.mp3.json").read_text(encoding="utf-8"),
                      parse_constant=lambda name: pytest.fail(f"{name} in AUDIO.json"))
    assert meta["song_id"] == "abc" and meta["bytes"] == len(AUDIO)
    assert "warning:" in capsys.readouterr().err
    if part.startswith(b'{"ok"'):
        assert meta.get("song_metadata") is None  # the sound fields kept, the others left out


@pytest.mark.parametrize("endpoint,kind,data", [
    ("compose", "text/html", b"<html>Cloudflare says hi</html>"),
    ("stream", "application/json", b'{"status": "ok"}'),
    ("compose", "audio/mpeg", b""),
    ("detailed", "text/html", b"<html>a login page</html>"),
    ("detailed", *multipart([("application/json", b"{}")])),
])
def test_a_200_without_audio_is_kept_as_part_and_fails(song, tmp_path, capsys, endpoint, kind, data):
    reply = response("200 OK", {"Content-Type": kind}, data)
    with RawServer(lambda conn, head, body: conn.sendall(reply)) as raw:
        assert render(raw.url, str(song), "-o", str(tmp_path / "x.mp3"), "--endpoint", endpoint) == 6
    assert not (tmp_path / "x.mp3").exists()
    err = capsys.readouterr().err
    assert "instead of audio" in err or "no audio" in err
    if data and not kind.startswith("multipart"):
        assert (tmp_path / "x.mp3.part").read_bytes() == data
        assert "kept as" in err


# ---- the target, checked before anything is sent

def test_a_folder_as_output_is_refused_before_sending(server, song, tmp_path, capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    assert render(server.url, str(song), "-o", str(folder), "--force") == 2
    assert server.requests == [] and "is a folder" in capsys.readouterr().err


def test_a_dangling_link_as_output_is_written_through(server, song, tmp_path):
    link = tmp_path / "x.mp3"
    link.symlink_to("real.mp3")
    assert render(server.url, str(song), "-o", str(link)) == 0
    assert link.is_symlink() and (tmp_path / "real.mp3").stat().st_size == server.audio_size


def test_a_long_non_ascii_title_makes_a_name_the_file_system_takes(server, tmp_path):
    path = tmp_path / "long.song"
    path.write_text("title: " + "日本語の歌" * 40 + "\n[A] 0:10\n", encoding="utf-8")
    assert render(server.url, str(path)) == 0
    audio = [p for p in tmp_path.iterdir() if p.suffix == ".mp3"]
    assert len(audio) == 1 and len(audio[0].name.encode()) <= 210 and len(audio[0].stem) <= 120


def test_a_name_too_long_in_bytes_is_refused_before_sending(server, song, tmp_path, capsys):
    name = "é" * 125 + ".mp3"  # 129 characters, 254 bytes: its .json sidecar would not fit
    assert render(server.url, str(song), "-o", str(tmp_path / name)) == 2
    assert server.requests == [] and "too long" in capsys.readouterr().err


# ---- bounded in time and memory

@pytest.mark.parametrize("value", ["999999", "inf", "Fri, 31 Dec 9999 23:59:59 GMT", "nan"])
def test_retry_after_is_capped_and_said(value):
    def busy(conn, head, body):
        conn.sendall(response("429 Too Many Requests", {"Retry-After": value, "Content-Type": "application/json"},
                              b'{"detail": {"status": "system_busy", "message": "busy"}}'))

    sleeps, said = Sleeps(), []
    with RawServer(busy) as raw:
        api = MusicClient("k", base_url=raw.url, retry=RetryPolicy(max_attempts=3, sleep=sleeps,
                                                                    notify=said.append))
        with pytest.raises(ApiError):
            api.compose({"prompt": "x"}, lambda data: None)
    assert len(sleeps) == 2 and all(0 <= s <= 60 for s in sleeps)
    assert all("429" in line and "waiting" in line for line in said)


def test_a_dripping_reply_is_given_up(tmp_path):
    def drip(conn, head, body):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(200):
            conn.sendall(b"1\r\nx\r\n")
            time.sleep(0.02)

    with RawServer(drip) as raw:
        api = MusicClient("k", base_url=raw.url, stall_grace=0.5, stall_floor=1000)
        started = time.monotonic()
        with pytest.raises(DownloadInterrupted, match="stalled"):
            api.compose({"prompt": "x"}, lambda data: None)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("status", ["400 Bad Request", "503 Service Unavailable"])
def test_a_dripping_error_body_is_given_up_as_the_audio_is(status):
    def drip(conn, head, body):
        conn.sendall(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                     "\r\n".encode())
        conn.sendall(b"1\r\n{\r\n")
        for _ in range(400):  # 8 s of a byte each 20 ms, under any floor
            conn.sendall(b"1\r\n \r\n")
            time.sleep(0.02)

    with RawServer(drip) as raw:
        api = MusicClient("k", base_url=raw.url, stall_grace=0.5, stall_floor=1000,
                          retry=RetryPolicy(max_attempts=1))
        started = time.monotonic()
        with pytest.raises(ApiError) as info:
            api.compose({"prompt": "x"}, lambda data: None)
        assert time.monotonic() - started < 4
    assert info.value.status == int(status.split()[0])


def test_dripped_headers_are_given_up_and_not_retried():
    def drip(conn, head, body):
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 400:
            conn.sendall(bytes([byte]))
            time.sleep(0.02)

    with RawServer(drip) as raw:
        api = MusicClient("k", base_url=raw.url, read_timeout=1, stall_grace=0.5)
        started = time.monotonic()
        with pytest.raises(NetworkError, match="did not arrive whole") as info:
            api.compose({"prompt": "x"}, lambda data: None)
        assert time.monotonic() - started < 5
    assert raw.connections == 1 and "not retried" in str(info.value)


def test_audio_is_asked_for_uncompressed_and_a_bomb_is_capped(monkeypatch):
    monkeypatch.setattr(client_module, "MAX_AUDIO_BYTES", 1024 * 1024)
    bomb = gzip.compress(b"\0" * (16 * 1024 * 1024), compresslevel=1)

    def reply(conn, head, body):
        conn.sendall(response("200 OK", {"Content-Type": "audio/mpeg", "Content-Encoding": "gzip"}, bomb))

    got = bytearray()
    with RawServer(reply) as raw:
        api = MusicClient("k", base_url=raw.url)
        with pytest.raises(DownloadInterrupted, match="larger than"):
            api.compose({"prompt": "x"}, got.extend)
    assert header(raw.heads[0], "accept-encoding") == "identity"
    assert len(got) <= 1024 * 1024


@pytest.mark.parametrize("status", ["400 Bad Request", "200 OK"])
def test_huge_or_deep_error_and_plan_bodies_fail_cleanly(status):
    bomb = gzip.compress(b"[" * (64 * 1024 * 1024), compresslevel=1)

    def reply(conn, head, body):
        conn.sendall(response(status, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, bomb))

    with RawServer(reply) as raw:
        api = MusicClient("k", base_url=raw.url)
        with pytest.raises((ApiError, DownloadInterrupted)) as info:
            api.plan("a song")
    assert "Recursion" not in str(info.value)
    deep = b"[" * 100_000 + b"]" * 100_000
    for reply_status in ("400 Bad Request", "200 OK"):
        with RawServer(lambda conn, head, body, s=reply_status: conn.sendall(
                response(s, {"Content-Type": "application/json"}, deep))) as raw:
            with pytest.raises((ApiError, DownloadInterrupted)):
                MusicClient("k", base_url=raw.url).plan("a song")


@pytest.mark.parametrize("loc", [[{"a": 1}, None, 1.5, True, ["x"]], "body", 5, None, {"loc": 1}])
def test_a_422_with_an_odd_loc_is_a_diagnostic(server, song, capsys, loc):
    server.fail("invalid", loc=loc, msg="odd")
    assert render(server.url, str(song)) == 1
    err = capsys.readouterr().err
    assert "E600" in err and "Traceback" not in err


def test_odd_422_items_are_made_regular():
    error = RequestInvalid(422, "invalid", [{"loc": [1.5, None, "x", 2], "msg": 7}, "not an item"])
    assert error.errors == [{"loc": ["1.5", "None", "x", 2], "msg": "invalid", "type": ""}]


def test_plan_with_line_breaks_in_the_prompt_writes_a_song_that_checks(server, tmp_path):
    target = tmp_path / "planned.song"
    assert main(["plan", "calm\rpiano\r\nat night\x0bsoft\x1b[31m", "-o", str(target),
                 "--base-url", server.url]) == 0
    assert main(["check", str(target)]) == 0
    assert "\r" not in target.read_text(encoding="utf-8")



def test_render_onto_its_own_input_is_refused_before_sending(server, song, capsys):
    assert render(server.url, str(song), "-o", str(song), "--force") == 2
    assert server.requests == [] and song.read_text(encoding="utf-8") == SONG
    assert "would replace the input" in capsys.readouterr().err


def test_render_into_a_fifo_streams_the_audio_and_writes_no_sidecar(server, song, tmp_path):

    from fifos import read_fifo

    fifo = tmp_path / "player"
    with read_fifo(fifo) as got:
        assert render(server.url, str(song), "-o", str(fifo), "--force", "--endpoint", "stream") == 0
    assert len(got[0]) == server.audio_size and names(tmp_path) == ["neon.song", "player"]


def test_a_page_that_echoes_the_key_is_kept_without_it(song, tmp_path):
    def page(conn, head, body):
        sent_key = header(head, "xi-api-key") or ""
        conn.sendall(response("200 OK", {"Content-Type": "text/html"}, f"<p>{sent_key}</p>".encode()))

    with RawServer(page) as raw:
        assert render(raw.url, str(song), "-o", str(tmp_path / "x.mp3")) == 6
    assert (tmp_path / "x.mp3.part").read_text() == "<p>***</p>"


def test_a_bad_base_url_in_the_environment_names_the_variable(song, monkeypatch, capsys):
    monkeypatch.setenv("ELEVENLABS_BASE_URL", "api.elevenlabs.io")
    assert main(["render", str(song)]) == 2
    assert "$ELEVENLABS_BASE_URL" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "1e400", "abc"])
def test_a_timeout_a_socket_cannot_take_is_a_usage_error(server, song, capsys, value):
    assert render(server.url, str(song), f"--timeout={value}") == 2 and server.requests == []
    assert "--timeout" in capsys.readouterr().err
    with pytest.raises(SetupError):
        MusicClient("k", base_url=server.url, read_timeout=float(value) if value != "abc" else -1)


def test_a_key_echoed_in_an_error_or_a_bad_header_is_in_no_exception():
    def echo_error(conn, head, body):
        sent_key = header(head, "xi-api-key") or ""
        conn.sendall(response("400 Bad Request", {"Content-Type": "application/json"},
                              json.dumps({"detail": {"status": "x", "message": f"bad key {sent_key}"}}).encode()))

    def echo_header(conn, head, body):
        sent_key = (header(head, "xi-api-key") or "").encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\n" + sent_key + b"\r\n\r\n")

    for reply in (echo_error, echo_header):
        with RawServer(reply) as raw:
            with pytest.raises((ApiError, NetworkError)) as info:
                MusicClient(SECRET, base_url=raw.url).compose({"prompt": "x"}, lambda data: None)
        assert SECRET not in str(info.value) + repr(getattr(info.value, "detail", ""))


@pytest.mark.parametrize("status", ["429", "400"])
def test_a_key_echoed_in_the_reason_phrase_is_in_no_message_or_wait(status):
    def echo_reason(conn, head, body):
        conn.sendall(response(f"{status} Refused {header(head, 'xi-api-key')}", {"Content-Type": "text/plain"}, b""))

    said: list[str] = []
    heard: list[str] = []
    with RawServer(echo_reason) as raw:
        api = MusicClient(SECRET, base_url=raw.url, retry=RetryPolicy(max_attempts=2, sleep=Sleeps(),
                                                                       notify=said.append),
                          on_retry=lambda seconds, why: heard.append(why))
        with pytest.raises(ApiError) as info:
            api.compose({"prompt": "x"}, lambda data: None)
    assert "Refused ***" in str(info.value)
    assert len(said) == len(heard) == (1 if status == "429" else 0)
    assert SECRET not in str(info.value) + " ".join(said + heard)


@pytest.mark.parametrize("cut", ["json", "boundary"])
def test_a_reply_cut_after_the_whole_audio_keeps_the_audio(song, tmp_path, capsys, cut):
    def reply(conn, head, body):
        kind, data = multipart([("audio/mpeg", AUDIO), ("application/json", b'{"song_metadata": {"title": "x"}}')])
        at = data.index(b"song_metadata") if cut == "json" else len(data) - 4
        head_bytes = response("200 OK", {"Content-Type": kind, "song-id": "abc"}, data)
        conn.sendall(head_bytes[: len(head_bytes) - len(data) + at])  # Content-Length promises more

    with RawServer(reply) as raw:
        assert render(raw.url, str(song), "-o", str(tmp_path / "x.mp3")) == 0
    assert (tmp_path / "x.mp3").read_bytes() == AUDIO
    assert json.loads((tmp_path / "x.mp3.json").read_text(encoding="utf-8"))["song_id"] == "abc"
    assert "broke off after the whole audio" in capsys.readouterr().err


def test_a_reply_cut_inside_the_audio_keeps_nothing(song, tmp_path):
    def reply(conn, head, body):
        kind, data = multipart([("audio/mpeg", AUDIO), ("application/json", b"{}")])
        whole = response("200 OK", {"Content-Type": kind}, data)
        conn.sendall(whole[: len(whole) - len(data) + 500])

    with RawServer(reply) as raw:
        assert render(raw.url, str(song), "-o", str(tmp_path / "x.mp3")) == 6
    assert names(tmp_path) == ["neon.song"]


def test_escape_sequences_from_a_server_never_reach_the_terminal(song, tmp_path, capsys):
    def reply(conn, head, body):
        message = "\x1b]0;pwned\x07\x1b[2J gone \u202e"
        conn.sendall(response("400 Bad Request", {"Content-Type": "application/json"},
                              json.dumps({"detail": {"status": "x", "message": message}}).encode()))

    with RawServer(reply) as raw:
        assert render(raw.url, str(song), "-o", str(tmp_path / "x.mp3")) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err and "\\x1b]0;pwned" in err


def test_plan_checks_its_target_before_asking(server, song, tmp_path, capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["plan", "a calm song", "-o", str(folder), "--force", "--base-url", server.url]) == 2
    assert main(["plan", "rework it", "--from", str(song), "-o", str(song), "--force",
                 "--base-url", server.url]) == 2
    assert server.requests == [] and song.read_text(encoding="utf-8") == SONG
    err = capsys.readouterr().err
    assert "is a folder" in err and "would replace the input" in err


class _Replies:
    """A raw server whose next reply a hypothesis example sets."""

    def __init__(self) -> None:
        self.reply = b""
        self.server = RawServer(lambda conn, head, body: conn.sendall(self.reply))


@pytest.fixture(scope="module")
def replies():
    made = _Replies()
    yield made
    made.server.close()


def _base_reply(kind: str) -> bytes:
    if kind == "multipart":
        content_type, data = multipart([("application/json", b'{"song_metadata": {"title": "x"}, "n": [1, 2.5]}'),
                                        ("audio/mpeg", AUDIO[:300])])
        return response("200 OK", {"Content-Type": content_type, "song-id": "abc"}, data)
    if kind == "error":
        return response("422 Unprocessable Entity", {"Content-Type": "application/json"},
                        b'{"detail": [{"loc": ["body", "prompt"], "msg": "bad", "type": "x"}]}')
    return response("200 OK", {"Content-Type": "audio/mpeg"}, AUDIO[:300])


@given(kind=st.sampled_from(["multipart", "error", "audio"]),
       cuts=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 40), st.binary(max_size=12)), max_size=4))
def test_any_mangled_reply_is_a_result_or_a_music_api_error(replies, kind, cuts):
    reply = bytearray(_base_reply(kind))
    for at, length, insert in cuts:  # delete a stretch and put other bytes there
        at = min(at, len(reply))
        reply[at:at + length] = insert
    replies.reply = bytes(reply)
    api = MusicClient("k", base_url=replies.server.url, retry=RetryPolicy(max_attempts=1), read_timeout=5)
    got = bytearray()
    try:
        result = api.compose_detailed({"prompt": "x"}, got.extend)
    except MusicApiError as exc:
        assert isinstance(exc.exit_code, int)
        if isinstance(exc, RequestInvalid):
            assert all(isinstance(part, (str, int)) for error in exc.errors for part in error["loc"])
        return
    json.dumps(result.metadata, allow_nan=False).encode("utf-8")  # AUDIO.json can always be written
    assert result.bytes_received == len(got) > 0


@given(kind=st.sampled_from(["multipart", "error", "audio"]),
       cuts=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 40), st.binary(max_size=12)), max_size=3))
def test_any_mangled_reply_through_render_is_an_exit_code(replies, kind, cuts):
    import contextlib
    import io
    import tempfile

    reply = bytearray(_base_reply(kind))
    for at, length, insert in cuts:
        at = min(at, len(reply))
        reply[at:at + length] = insert
    replies.reply = bytes(reply)
    with tempfile.TemporaryDirectory() as folder:
        song = Path(folder) / "s.song"
        song.write_text(SONG, encoding="utf-8")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = render(replies.server.url, str(song), "-o", str(Path(folder) / "x.mp3"), "--attempts", "1")
        assert code in (0, 1, 2, 4, 5, 6), err.getvalue()
        left = sorted(p.name for p in Path(folder).iterdir())
        assert not [name for name in left if name.endswith(".tmp")]
        if code == 0:
            json.loads((Path(folder) / "x.mp3.json").read_text(encoding="utf-8"))


@given(model=st.sampled_from(["music_v1", "music_v2"]),
       cuts=st.lists(st.tuples(st.integers(0, 600), st.integers(0, 20), st.binary(max_size=8)), max_size=3))
def test_any_mangled_plan_through_plan_is_an_exit_code(replies, model, cuts):
    import contextlib
    import io
    import tempfile

    from musicplan.remote.server import sample_plan

    data = bytearray(json.dumps(sample_plan("calm piano at night", 30_000, model)).encode())
    for at, length, insert in cuts:
        at = min(at, len(data))
        data[at:at + length] = insert
    replies.reply = response("200 OK", {"Content-Type": "application/json"}, bytes(data))
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "p.song"
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["plan", "calm piano", "--model", model, "-o", str(target), "--attempts", "1",
                         "--base-url", replies.server.url])
        assert code in (0, 1, 6), err.getvalue()
        if code == 0:
            assert main(["check", str(target)]) == 0  # what plan writes always checks


def test_a_retry_reason_from_the_server_is_shown_without_its_escape_sequences(song, capsys):
    busy = json.dumps({"detail": {"status": "busy\x1b]0;pwned\x07\x1b[2J", "message": "try later"}}).encode()
    replies = iter([response("429 Too Many Requests", {"Retry-After": "0", "Content-Type": "application/json"},
                             busy)] * 3)

    def reply(conn, head, body):
        conn.sendall(next(replies))

    with RawServer(reply) as raw:
        render(raw.url, str(song), "--api-key", "k", "--attempts", "2")
    err = capsys.readouterr().err
    assert "retrying" in err
    assert "\x1b" not in err and "\x07" not in err
