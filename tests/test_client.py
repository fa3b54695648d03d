"""The httpx client against a real server on 127.0.0.1 that speaks the API's wire format."""

from __future__ import annotations

import socket

import pytest

import musicplan
from musicplan.remote.client import (
    AuthenticationError,
    ContentRefused,
    DownloadInterrupted,
    MusicClient,
    NetworkError,
    QuotaError,
    RequestInvalid,
    RetryPolicy,
    Unavailable,
    drop_unsupported,
)
from musicplan.remote.server import MusicTestServer

SONG = "title: T\n+ rock\n[Verse] 0:10\nla la\n[Chorus] 0:10\nna na\n"


@pytest.fixture
def body():
    return musicplan.loads(SONG).to_body()


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(server: MusicTestServer, attempts: int = 3, sleeps: Sleeps | None = None, key: str = "test-key"):
    return MusicClient(key, base_url=server.url,
                       retry=RetryPolicy(max_attempts=attempts, sleep=sleeps if sleeps is not None else Sleeps()))


def collect(method, body, **kwargs):
    data = bytearray()
    result = method(body, data.extend, **kwargs)
    return result, bytes(data)


def test_detailed_reply_is_parsed_from_multipart(music_server, body):
    result, audio = collect(client(music_server).compose_detailed, body, output_format="mp3_44100_192")
    assert audio == music_server.audio_for(body)
    assert result.bytes_received == len(audio) and result.attempts == 1
    assert result.song_id and len(result.song_id) == 20
    assert result.metadata["composition_plan"] == body["composition_plan"]
    assert result.metadata["song_metadata"]["title"] == "Stand-in Song"
    assert result.filename == "../../escape/evil name.mp3"  # as sent: the caller sanitises it
    request = music_server.requests[-1]
    assert request.path == "/v1/music/detailed" and request.query == {"output_format": "mp3_44100_192"}
    assert request.headers["xi-api-key"] == "test-key" and request.body == body


@pytest.mark.parametrize("method,path", [("compose", "/v1/music"), ("stream", "/v1/music/stream")])
def test_chunked_audio_endpoints(music_server, body, method, path):
    result, audio = collect(getattr(client(music_server), method), body)
    assert audio == music_server.audio_for(body) and result.song_id
    assert music_server.requests[-1].path == path


def test_timestamps_come_back_with_the_detailed_reply(music_server, body):
    body["with_timestamps"] = True
    result, _ = collect(client(music_server).compose_detailed, body)
    # Each section's words spread over its ten seconds: "la la" then "na na".
    assert result.metadata["words_timestamps"] == [
        {"word": "la", "start_ms": 0, "end_ms": 4000}, {"word": "la", "start_ms": 5000, "end_ms": 9000},
        {"word": "na", "start_ms": 10000, "end_ms": 14000}, {"word": "na", "start_ms": 15000, "end_ms": 19000}]


def test_plan_endpoint(music_server):
    plan = client(music_server).plan("rain", music_length_ms=30_000, model_id="music_v2")
    assert [c["duration_ms"] for c in plan["chunks"]] == [10_000] * 3
    assert music_server.requests[-1].body == {"prompt": "rain", "music_length_ms": 30_000, "model_id": "music_v2"}


def test_429_is_retried_honouring_retry_after(music_server, body):
    sleeps = Sleeps()
    music_server.fail("rate_limit", retry_after=7)
    music_server.fail("rate_limit", retry_after_ms=250)
    result, audio = collect(client(music_server, sleeps=sleeps).compose_detailed, body)
    assert sleeps == [7.0, 0.25]
    assert result.attempts == 3 and audio == music_server.audio_for(body)


def test_5xx_is_retried_with_exponential_backoff_and_jitter(music_server, body):
    sleeps = Sleeps()
    music_server.fail("server_error", times=2, status=503)
    result, _ = collect(client(music_server, attempts=4, sleeps=sleeps).stream, body)
    assert result.attempts == 3
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


def test_retries_run_out(music_server, body):
    music_server.fail("server_error", times=5, status=503)
    with pytest.raises(Unavailable) as info:
        collect(client(music_server, attempts=2).compose, body)
    assert info.value.status == 503 and len(music_server.requests) == 2


@pytest.mark.parametrize("kind,error", [("unauthorized", AuthenticationError), ("quota", QuotaError),
                                        ("invalid", RequestInvalid), ("bad_composition_plan", ContentRefused)])
def test_content_and_key_errors_are_never_retried(music_server, body, kind, error):
    music_server.fail(kind, times=3)
    with pytest.raises(error):
        collect(client(music_server).compose_detailed, body)
    assert len(music_server.requests) == 1


def test_the_api_422_for_a_bad_body(music_server, body):
    body["composition_plan"]["sections"][1]["duration_ms"] = 1000
    with pytest.raises(RequestInvalid) as info:
        collect(client(music_server).compose_detailed, body)
    assert info.value.errors[0]["loc"] == ["body", "composition_plan", "sections", 1, "duration_ms"]


def test_bad_composition_plan_carries_the_suggestion(music_server, body):
    music_server.fail("bad_composition_plan")
    with pytest.raises(ContentRefused) as info:
        collect(client(music_server).compose_detailed, body)
    assert info.value.code == "bad_composition_plan"
    assert info.value.suggestion["sections"][0]["lines"] == ["La la la"]


def test_a_reply_that_breaks_off_is_not_retried(music_server, body):
    music_server.fail("drop", after=10_000)
    data = bytearray()
    with pytest.raises(DownloadInterrupted):
        client(music_server).compose_detailed(body, data.extend)
    assert len(music_server.requests) == 1
    assert 0 < len(data) <= 10_000
    assert bytes(data) == music_server.audio_for(body)[: len(data)]


def test_slow_bytes_arrive_whole(music_server, body):
    music_server.fail("slow", delay=0.01)
    seen = []
    result, audio = collect(client(music_server).stream, body, progress=seen.append)
    assert audio == music_server.audio_for(body)
    assert seen == sorted(seen) and seen[-1] == len(audio)


def test_no_server_is_retried_then_reported():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps = Sleeps()
    api = MusicClient("k", base_url=f"http://127.0.0.1:{port}", retry=RetryPolicy(max_attempts=3, sleep=sleeps))
    with pytest.raises(NetworkError):
        api.compose({"prompt": "x"}, lambda data: None)
    assert len(sleeps) == 2


def test_wrong_key_is_refused_by_the_server(music_server, body):
    with pytest.raises(AuthenticationError):
        collect(client(music_server, key="nope").compose, body)


def test_the_key_is_not_in_repr_or_errors(music_server, body):
    secret = "sk_sentinel_do_not_print_4242"
    api = client(music_server, key=secret)
    assert secret not in repr(api)
    with pytest.raises(AuthenticationError) as info:
        collect(api.compose, body)
    assert secret not in str(info.value) + repr(info.value) + repr(info.value.detail)


def test_missing_key(monkeypatch):
    monkeypatch.delenv("ELEVENLABS_API_KEY", raising=False)
    with pytest.raises(ValueError):
        MusicClient()


def test_fields_an_endpoint_does_not_take_are_dropped():
    body = {"composition_plan": {}, "model_id": "music_v1", "with_timestamps": True,
            "sign_with_c2pa": True, "respect_sections_durations": False}
    assert drop_unsupported(body, "stream")[1] == ["respect_sections_durations", "with_timestamps", "sign_with_c2pa"]
    assert drop_unsupported(body, "compose")[1] == ["with_timestamps"]
    assert drop_unsupported(body, "detailed") == (body, [])


def test_chunk_models_are_accepted_and_checked(music_server):
    body = musicplan.loads("model: music_v2\n[A] 0:10\nla\n").to_body()
    result, audio = collect(client(music_server).compose_detailed, body)
    assert audio and result.metadata["composition_plan"] == body["composition_plan"]
    body["composition_plan"]["chunks"][0]["duration_ms"] = 500_000
    with pytest.raises(RequestInvalid) as info:
        collect(client(music_server).compose_detailed, body)
    assert info.value.errors[0]["loc"][:4] == ["body", "composition_plan", "chunks", 0]


def test_the_readme_example(music_server):
    music_server.fail("rate_limit", retry_after=0)
    api = MusicClient("test-key", base_url=music_server.url)
    audio = bytearray()
    api.stream({"prompt": "calm piano"}, audio.extend)
    assert bytes(audio) == music_server.audio_for({"prompt": "calm piano"})
    assert len(music_server.requests) == 2


@pytest.mark.parametrize("status", [408, 500, 502, 504])
def test_timeouts_and_gateway_errors_are_not_retried(music_server, body, status):
    # A gateway's 5xx or a 408 may come after the API began generating: asking again could bill twice.
    music_server.fail("server_error", status=status, retry_after=0)
    with pytest.raises(Unavailable) as info:
        collect(client(music_server).compose, body)
    assert info.value.status == status and info.value.exit_code == 6
    assert len(music_server.requests) == 1


def test_retry_after_forms():
    import email.utils
    import time

    import httpx

    from musicplan.remote.client import retry_after

    assert retry_after(httpx.Headers({"retry-after": "3"})) == 3.0
    assert retry_after(httpx.Headers({"retry-after-ms": "1500", "retry-after": "9"})) == 1.5
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after(httpx.Headers({"retry-after": when})) <= 31
    assert retry_after(httpx.Headers({"retry-after": "soon"})) is None
    assert retry_after(httpx.Headers({})) is None
