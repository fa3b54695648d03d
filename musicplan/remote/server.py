"""A Music API stand-in for tests: a real HTTP server on 127.0.0.1.

It speaks the API's wire format for five endpoints (multipart/mixed with a
JSON part and an audio part for /v1/music/detailed, chunked audio for
/v1/music and /v1/music/stream, JSON plans for /v1/music/plan, including one
reworked from a ``source_composition_plan``, and /v1/music/upload, which takes
multipart/form-data and answers a song id and, when asked, the extracted plan,
the words' timestamps and the waveform), sends the ``song-id`` and
``current-concurrent-requests``/``maximum-concurrent-requests`` headers, checks
bodies against the OpenAPI documents and the API's limits and answers 422 like
the API, refuses keys as the API does (401 for an unknown key, 401
``missing_permissions`` for a key without the music permission, 402
``limited_access`` for a free account's key), holds an account's concurrency
(``max_concurrent`` generations at once, 5 by default; beyond them a 429
``too_many_concurrent_requests``; ``most_serving`` and ``billed`` say what it
served), answers ``with_timestamps`` with word timestamps spread over the
plan's sections and ``pcm_*`` with real 16-bit samples, can be told to echo
the key it was sent into the text it answers (``echo_key``: a song's title and
lyric lines, styles, words, messages; what a client must never write down),
and can be told to fail::

    from musicplan.remote.server import MusicTestServer

    with MusicTestServer(api_key="test-key", free_keys={"free-key"}) as server:
        server.fail("rate_limit", retry_after=0)   # the next request gets a 429
        ...  # point your code at server.url

With musicplan installed, pytest has a fixture ``music_server`` that yields a
started server (key ``test-key``).
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from musicplan.spec import limits
from musicplan.spec.vocabulary import ENDPOINTS, UPLOAD_PATH

FAILURES = ("rate_limit", "server_error", "drop", "slow", "bad_composition_plan", "bad_prompt",
            "unauthorized", "quota", "invalid", "limited_access", "no_permission", "forbidden")
MAX_BODY_BYTES = 10 * 1024 * 1024  # a request body larger than this is answered 413
MAX_UPLOAD_BYTES = 64 * 1024 * 1024  # an upload is audio: it may be larger
_ENDPOINT_OF_PATH = {path: name for name, path in ENDPOINTS.items()}
_MODEL_NAMES = {"MusicPrompt", "ChunkPlan", "GenerationChunk", "AudioReference", "ConditioningRef",
                "SongSection", "SectionSource", "TimeRange", "MusicRequest"}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class _Failure:
    kind: str
    times: int
    options: dict[str, Any] = field(default_factory=dict)


def _audio_type(output_format: str | None) -> str:
    fmt = output_format or "mp3_44100_128"
    if limits.is_mp3(fmt):
        return "audio/mpeg"
    return {"pcm": "audio/pcm", "ulaw": "audio/basic", "alaw": "audio/alaw", "opus": "audio/opus"}[fmt.split("_")[0]]


def validation_errors(body: Any, endpoint: str) -> list[dict[str, Any]]:
    """What the API would answer in a 422's ``detail`` for this body ([] if none)."""
    from pydantic import ValidationError

    from musicplan.spec.models import MusicRequest
    from musicplan.spec.openapi import DETAILED, STREAM, body_validator

    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid dictionary", "type": "dict_type"}]
    errors: list[dict[str, Any]] = []
    model = body.get("model_id", limits.DEFAULT_MODEL)
    if model == "music_v1":
        validator = body_validator(STREAM if endpoint == "stream" else DETAILED)
        for error in validator.iter_errors(body):
            errors.append({"loc": ["body", *error.absolute_path], "msg": error.message, "type": "schema"})
    if errors:
        return errors

    plan = body.get("composition_plan")
    if plan is not None:
        errors = plan_errors(plan, model, ["body", "composition_plan"])
        if errors:
            return errors
    try:
        MusicRequest.model_validate(body)
    except ValidationError as exc:
        errors = [{"loc": ["body", *_api_loc(item["loc"])], "msg": item["msg"],
                   "type": item["type"]} for item in exc.errors()]
    return errors


def sample_plan(prompt: str, length_ms: int | None, model: str) -> dict[str, Any]:
    """The plan the stand-in answers /v1/music/plan with: three parts filling the length."""
    total = length_ms or 60_000
    names = ("Intro", "Verse", "Chorus")
    share = [max(limits.SECTION_MS_MIN, min(limits.SECTION_MS_MAX, total // 3))] * 3
    words = prompt.split()[:4] or ["song"]
    lyric = " ".join(words).capitalize()
    if model in limits.CHUNK_MODELS:
        return {"chunks": [{"text": f"[{name}]" + ("" if i == 0 else f"\n{lyric}"), "duration_ms": ms,
                            "positive_styles": ["cinematic", "warm"], "negative_styles": ["noise"]}
                           for i, (name, ms) in enumerate(zip(names, share, strict=False))]}
    return {"positive_global_styles": ["cinematic", "warm"], "negative_global_styles": ["noise"],
            "sections": [{"section_name": name, "positive_local_styles": [], "negative_local_styles": [],
                          "duration_ms": ms, "lines": [] if i == 0 else [lyric]}
                         for i, (name, ms) in enumerate(zip(names, share, strict=False))]}


class _Server(ThreadingHTTPServer):
    """Many clients at once (the backlog of 5 socketserver keeps resets dozens of
    64 concurrent ones), and no traceback when a client goes away mid-reply."""

    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the client left: nothing of ours went wrong
        super().handle_error(request, client_address)


class MusicTestServer:
    """See the module's docstring. ``requests`` records what arrived."""

    def __init__(self, *, api_key: str | None = "test-key", audio_size: int = 64 * 1024,
                 chunk_size: int = 4096, filename: str = "../../escape/evil \"name\".mp3",
                 free_keys: Iterable[str] = (), keys_without_music: Iterable[str] = (),
                 max_concurrent: int = 5, client_timeout: float = 60.0, generation_delay: float = 0.0,
                 echo_key: bool = False) -> None:
        self.api_key = api_key
        self.echo_key = echo_key  # the key sent is written into the replies' text (see ``echoed``)
        self.free_keys = frozenset(free_keys)  # answered 402 limited_access
        self.keys_without_music = frozenset(keys_without_music)  # answered 401 missing_permissions
        # The account's concurrency: generations beyond it are refused with a 429
        # too_many_concurrent_requests. ``generation_delay`` is how long composing takes
        # before the first byte, so that requests overlap in tests.
        self.max_concurrent = max_concurrent
        self.generation_delay = generation_delay
        self.serving = 0  # generations being served now
        self.most_serving = 0  # the most served at once: what a test of a batch looks at
        self.billed: list[Any] = []  # the bodies of the generations answered 200, in order
        self.client_timeout = client_timeout  # seconds a client may keep a request half-sent
        self.in_flight = 0
        self.audio_size = audio_size
        self.chunk_size = chunk_size
        self.filename = filename
        self.requests: list[Recorded] = []
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- control
    @property
    def url(self) -> str:
        assert self._httpd is not None, "start the server first"
        host, port = self._httpd.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    def fail(self, kind: str, *, times: int = 1, **options: Any) -> None:
        """Make the next ``times`` requests fail as ``kind`` (one of FAILURES). Options:
        rate_limit: retry_after (seconds), retry_after_ms; server_error: status, retry_after;
        drop: after (bytes of audio before the connection is cut); slow: delay (s per chunk);
        bad_*: suggestion; invalid: loc, msg."""
        if kind not in FAILURES:
            raise ValueError(f"unknown failure {kind!r}; one of {', '.join(FAILURES)}")
        with self._lock:
            self._failures.append(_Failure(kind, times, options))

    def audio_for(self, body: Any, output_format: str | None = None) -> bytes:
        """The audio the stand-in sends for ``body``: the same bytes every time. For a
        ``pcm_*`` format, signed 16-bit little-endian mono samples (a 440 Hz tone at the
        format's rate), as the API sends them; otherwise bytes in no particular format."""
        seed = json.dumps(body, sort_keys=True)
        if output_format and output_format.startswith("pcm_"):
            return _tone(int(output_format.split("_")[1]), self.audio_size // 2, seed)
        data = random.Random(seed).randbytes(self.audio_size)
        # Bytes that look like a multipart boundary must survive inside the audio.
        return b"ID3" + data[3:64] + b"\r\n--\r\n--" + data[72:]

    def start(self, port: int = 0) -> MusicTestServer:
        """Listen on 127.0.0.1 (``port`` 0: any free port; ``url`` says which)."""
        server = self

        class Handler(_Handler):
            owner = server
            timeout = server.client_timeout

        self._httpd = _Server(("127.0.0.1", port), Handler)
        httpd = self._httpd
        self._thread = threading.Thread(target=lambda: httpd.serve_forever(poll_interval=0.05),
                                        name="music-test-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> MusicTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _take_slot(self) -> bool:
        with self._lock:
            if self.serving >= self.max_concurrent:
                return False
            self.serving += 1
            self.most_serving = max(self.most_serving, self.serving)
            return True

    def _free_slot(self) -> None:
        with self._lock:
            self.serving -= 1

    def _next_failure(self) -> _Failure | None:
        with self._lock:
            if not self._failures:
                return None
            failure = self._failures[0]
            failure.times -= 1
            if failure.times <= 0:
                self._failures.pop(0)
            return failure


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: MusicTestServer
    timeout = 60.0  # a client that stops sending mid-request frees its thread

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _not_allowed(self) -> None:
        self.close_connection = True
        self._json(405, {"detail": "Method Not Allowed"}, {"Allow": "POST"})

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_allowed  # noqa: N815 - the http.server names

    # ---- replies
    def _concurrency_headers(self) -> None:
        self.send_header("current-concurrent-requests", str(self.owner.in_flight))
        self.send_header("maximum-concurrent-requests", str(self.owner.max_concurrent))

    def _echoed(self, payload: Any) -> Any:
        return echoed(payload, self._key) if self.owner.echo_key and self._key else payload

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(self._echoed(payload)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self._concurrency_headers()
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _chunked(self, status: int, content_type: str, pieces: list[bytes], song_id: str,
                 failure: _Failure | None, audio_from: int = 0) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("song-id", song_id)
        self._concurrency_headers()
        self.end_headers()
        delay = failure.options.get("delay", 0.05) if failure and failure.kind == "slow" else 0.0
        cut = failure.options.get("after", 0) + audio_from if failure and failure.kind == "drop" else None
        sent = 0
        data = b"".join(pieces)
        size = self.owner.chunk_size
        for start in range(0, len(data), size):
            piece = data[start:start + size]
            if cut is not None and sent + len(piece) > cut:
                piece = piece[: max(0, cut - sent)]
                if piece:
                    self.wfile.write(b"%X\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.wfile.write(b"%X\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
            sent += len(piece)
            if delay:
                time.sleep(delay)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _refuse(self, failure: _Failure, body: Any) -> bool:
        kind, options = failure.kind, failure.options
        if kind == "rate_limit":
            headers = {}
            if "retry_after_ms" in options:
                headers["retry-after-ms"] = str(options["retry_after_ms"])
            else:
                headers["Retry-After"] = str(options.get("retry_after", 0))
            self._json(429, {"detail": {"status": "too_many_concurrent_requests",
                                        "message": "Too many concurrent requests."}}, headers)
        elif kind == "server_error":
            headers = {"Retry-After": str(options["retry_after"])} if "retry_after" in options else {}
            self._json(options.get("status", 500), {"detail": {"status": "internal_error",
                                                               "message": "Something went wrong."}}, headers)
        elif kind == "unauthorized":
            self._json(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key."}})
        elif kind == "limited_access":
            self._json(402, _LIMITED_ACCESS)
        elif kind == "no_permission":
            self._json(401, _MISSING_PERMISSION)
        elif kind == "forbidden":
            self._json(403, {"detail": {"status": "subscription_required", "message": "Subscription required."}})
        elif kind == "quota":
            self._json(401, {"detail": {"status": "quota_exceeded",
                                        "message": "This request exceeds your quota."}})
        elif kind == "invalid":
            self._json(422, {"detail": [{"loc": options.get("loc", ["body"]),
                                         "msg": options.get("msg", "invalid value"),
                                         "type": options.get("type", "value_error")}]})
        elif kind == "bad_prompt":
            suggestion = options.get("suggestion", "an upbeat song about the sea")
            self._json(400, {"detail": {"status": "bad_prompt", "message": "The prompt names an artist.",
                                        "data": {"prompt_suggestion": suggestion}}})
        elif kind == "bad_composition_plan":
            suggestion = options.get("suggestion") or _suggested_plan(body)
            self._json(400, {"detail": {"status": "bad_composition_plan",
                                        "message": "The plan uses copyrighted lyrics.",
                                        "data": {"composition_plan_suggestion": suggestion}}})
        else:
            return False
        return True

    def _read_body(self, cap: int) -> bytes | None:
        """The request's body, or None once a 400/411/413 has answered a body that cannot be read."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            self._json(411, {"detail": {"status": "length_required", "message": "Content-Length is required."}})
            return None
        field = (self.headers.get("Content-Length") or "0").strip()
        if not field.isdigit():  # "-1", "abc", "1e3", several values
            self.close_connection = True
            self._json(400, {"detail": {"status": "bad_request", "message": "Invalid Content-Length header."}})
            return None
        length = int(field)
        if length > cap:
            self.close_connection = True
            self._json(413, {"detail": {"status": "payload_too_large", "message": "Request body too large."}})
            return None
        return self.rfile.read(length)

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        try:
            self._post()
        except TimeoutError:  # the client stopped sending: answered as a server would
            self.close_connection = True
            if not self._replied:
                try:
                    self._json(408, {"detail": {"status": "request_timeout", "message": "Request timed out."}})
                except OSError:
                    pass
        except ConnectionError:
            self.close_connection = True  # the client left
        except Exception:  # a stand-in bug: answered as the API would, never a silent close
            self.close_connection = True
            if not self._replied:
                self._json(500, {"detail": {"status": "internal_error", "message": "Something went wrong."}})

    _replied = False
    _key: str | None = None  # the key the request was sent with

    def send_response(self, code: int, message: str | None = None) -> None:
        self._replied = True
        super().send_response(code, message)

    def _post(self) -> None:
        owner = self.owner
        self._replied = False
        with owner._lock:
            owner.in_flight += 1
        try:
            self._serve()
        finally:
            with owner._lock:
                owner.in_flight -= 1

    def _serve(self) -> None:
        owner = self.owner
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        raw = self._read_body(MAX_UPLOAD_BYTES if parts.path == UPLOAD_PATH else MAX_BODY_BYTES)
        if raw is None:
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        body: Any = None
        if parts.path == UPLOAD_PATH:
            body = _form(headers.get("content-type", ""), raw)
        else:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                body = None
        owner.requests.append(Recorded("POST", parts.path, query, headers, body))
        endpoint = "upload" if parts.path == UPLOAD_PATH else _ENDPOINT_OF_PATH.get(parts.path)
        if endpoint is None:
            self._json(404, {"detail": "Not Found"})
            return
        key = self._key = headers.get("xi-api-key")
        known = {owner.api_key} | owner.free_keys | owner.keys_without_music
        if not key or (owner.api_key is not None and key not in known):
            self._json(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key."}})
            return
        if key in owner.keys_without_music:
            self._json(401, _MISSING_PERMISSION)
            return
        if key in owner.free_keys:
            self._json(402, _LIMITED_ACCESS)
            return
        if query.get("enable_logging") not in (None, "true", "false"):
            self._json(422, {"detail": [{"loc": ["query", "enable_logging"], "msg": "Input should be a valid "
                                         "boolean", "type": "bool_parsing"}]})
            return
        failure = owner._next_failure()
        if failure is not None and self._refuse(failure, body):
            return
        if body is None:
            self._json(422, {"detail": [{"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"}]})
            return
        if endpoint == "plan":
            self._plan(body)
            return
        if endpoint == "upload":
            self._upload(body)
            return
        fmt = query.get("output_format")
        if fmt is not None and fmt not in limits.OUTPUT_FORMATS:
            self._json(422, {"detail": [{"loc": ["query", "output_format"], "msg": "Input should be a "
                                         "valid output format", "type": "enum"}]})
            return
        try:
            errors = validation_errors(body, endpoint)
        except RecursionError:
            errors = [{"loc": ["body"], "msg": "the body nests too deeply", "type": "json_invalid"}]
        if errors:
            self._json(422, {"detail": errors})
            return
        if not owner._take_slot():
            self._json(429, {"detail": {"status": "too_many_concurrent_requests",
                                        "message": "Too many concurrent requests."}})
            return
        try:
            self._generate(endpoint, body, fmt, failure)
        finally:
            owner._free_slot()

    def _generate(self, endpoint: str, body: Any, fmt: str | None, failure: _Failure | None) -> None:
        owner = self.owner
        if owner.generation_delay:
            time.sleep(owner.generation_delay)
        with owner._lock:
            owner.billed.append(body)
        song_id = uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(body, sort_keys=True)).hex[:20]
        audio = owner.audio_for(body, fmt)
        if endpoint != "detailed":
            self._chunked(200, _audio_type(fmt), [audio], song_id, failure)
            return
        boundary = "musicplan-" + uuid.uuid4().hex
        plan = body.get("composition_plan") or sample_plan(body.get("prompt", ""), body.get("music_length_ms"),
                                                           body.get("model_id", "music_v1"))
        meta: dict[str, Any] = {
            "composition_plan": plan,
            "song_metadata": {"title": "Stand-in Song", "description": "Made by musicplan.testing",
                              "genres": ["test"], "languages": ["en"], "is_explicit": False},
        }
        if body.get("with_timestamps"):
            meta["words_timestamps"] = sample_timestamps(plan)
        if body.get("with_waveform_visual"):
            meta["waveform_visual"] = waveform(len(audio))
        head = (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode()
                + json.dumps(self._echoed(meta), indent=2).encode()
                + f"\r\n--{boundary}\r\nContent-Type: {_audio_type(fmt)}\r\n"
                  f"Content-Disposition: attachment; filename=\"{owner.filename.replace(chr(34), '')}\"\r\n\r\n"
                  .encode())
        tail = f"\r\n--{boundary}--\r\n".encode()
        self._chunked(200, f"multipart/mixed; boundary={boundary}", [head, audio, tail], song_id, failure,
                      audio_from=len(head))

    def _plan(self, body: Any) -> None:
        prompt = body.get("prompt") if isinstance(body, dict) else None
        if not isinstance(prompt, str) or not prompt:
            self._json(422, {"detail": [{"loc": ["body", "prompt"], "msg": "Field required", "type": "missing"}]})
            return
        model = body.get("model_id") or limits.DEFAULT_MODEL
        if not isinstance(model, str) or model not in limits.MODELS:
            self._json(422, {"detail": [{"loc": ["body", "model_id"], "msg": "unknown model", "type": "enum"}]})
            return
        length = body.get("music_length_ms")
        if length is not None and (not isinstance(length, int) or isinstance(length, bool)):
            self._json(422, {"detail": [{"loc": ["body", "music_length_ms"], "msg": "Input should be a valid "
                                         "integer", "type": "int_type"}]})
            return
        if length is not None and not limits.LENGTH_MS_MIN <= length <= limits.LENGTH_MS_MAX:
            self._json(422, {"detail": [{"loc": ["body", "music_length_ms"], "msg": f"Input should be from "
                                         f"{limits.LENGTH_MS_MIN} to {limits.LENGTH_MS_MAX}",
                                         "type": "value_error"}]})
            return
        unknown = set(body) - {"prompt", "music_length_ms", "model_id", "source_composition_plan"}
        if unknown:
            self._json(422, {"detail": [{"loc": ["body", sorted(unknown)[0]], "msg": "Extra inputs are not "
                                         "permitted", "type": "extra_forbidden"}]})
            return
        source = body.get("source_composition_plan")
        if source is not None:
            errors = plan_errors(source, model, ["body", "source_composition_plan"])
            if errors:
                self._json(422, {"detail": errors})
                return
            self._json(200, reworked_plan(source, prompt))
            return
        self._json(200, sample_plan(prompt, length, model))

    def _upload(self, form: dict[str, Any]) -> None:
        audio = form.get("file")
        if not isinstance(audio, bytes) or not audio:
            self._json(422, {"detail": [{"loc": ["body", "file"], "msg": "Field required", "type": "missing"}]})
            return
        extract = form.get("extract_composition_plan")
        if extract not in (None, "true", "false", *limits.MODELS):
            self._json(422, {"detail": [{"loc": ["body", "extract_composition_plan"], "msg": "unknown model",
                                         "type": "enum"}]})
            return
        song_id = uuid.uuid5(uuid.NAMESPACE_URL, audio.hex()[:4096] + str(len(audio))).hex[:20]
        reply: dict[str, Any] = {"song_id": song_id}
        if extract not in (None, "false"):
            model = limits.DEFAULT_MODEL if extract == "true" else extract  # `true`: the deprecated form
            reply["composition_plan"] = sample_plan("uploaded track with words", 60_000, model)
        if form.get("with_timestamps") == "true":
            reply["words_timestamps"] = [{"word": "uploaded", "start_ms": 20_000, "end_ms": 20_600},
                                         {"word": "track", "start_ms": 20_600, "end_ms": 21_100}]
        if form.get("with_waveform_visual") == "true":
            reply["waveform_visual"] = waveform(len(audio))
        self._json(200, reply)


_LIMITED_ACCESS = {"detail": {"status": "limited_access",
                              "message": "Music API is not available for free users."}}
_MISSING_PERMISSION = {"detail": {"status": "missing_permissions",
                                  "message": "The API key you used is missing the permission music_generation "
                                             "to execute this operation."}}


_ECHOED_FIELDS = frozenset({"title", "description", "message", "word"})


def echoed(value: Any, key: str) -> Any:
    """``value`` (a reply) with ``key`` after every text a person reads: each string
    in a list (lyric lines, styles, genres) and each ``title``, ``description``,
    ``message`` and ``word``; never a code, an id or a name the reply is read by."""
    if isinstance(value, list):
        return [f"{item} {key}" if isinstance(item, str) else echoed(item, key) for item in value]
    if isinstance(value, dict):
        return {name: f"{item} {key}" if isinstance(item, str) and name in _ECHOED_FIELDS else echoed(item, key)
                for name, item in value.items()}
    return value


def waveform(audio_bytes: int) -> list[int]:
    """4 integers a second, -1000 to 1000 (the stand-in's audio "lasts" a second per 16 KiB)."""
    count = max(4, 4 * (audio_bytes // 16_384))
    rng = random.Random(audio_bytes)
    return [rng.randint(-1000, 1000) for _ in range(count)]


def _form(content_type: str, raw: bytes) -> dict[str, Any] | None:
    """A multipart/form-data body as {name: text, or bytes for a file}; None if it is not one."""
    from email.parser import BytesParser
    from email.policy import HTTP

    if not content_type.lower().startswith("multipart/form-data"):
        return None
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1")
                                                  + b"\r\n\r\n" + raw)
    if not message.is_multipart():
        return None
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            payload = b""
        if part.get_filename() is not None:
            out[name] = payload
        else:
            out[name] = payload.decode("utf-8", "replace")
    return out


def _api_loc(loc: tuple[Any, ...]) -> list[Any]:
    """A pydantic error's place as the API names it: without model and validator names."""
    return [part for part in loc if part not in _MODEL_NAMES
            and not (isinstance(part, str) and part.startswith("function-"))]


def plan_errors(plan: Any, model: str, prefix: list[Any]) -> list[dict[str, Any]]:
    """A 422's items for a plan that is not of ``model``'s shape or breaks its limits."""
    from pydantic import ValidationError

    from musicplan.spec.models import ChunkPlan, MusicPrompt

    shape = ChunkPlan if model in limits.CHUNK_MODELS else MusicPrompt
    try:
        shape.model_validate(plan)
    except ValidationError as exc:
        return [{"loc": [*prefix, *_api_loc(item["loc"])], "msg": item["msg"],
                 "type": item["type"]} for item in exc.errors()]
    return []


def reworked_plan(source: dict[str, Any], prompt: str) -> dict[str, Any]:
    """The stand-in's rework of a source plan: the same plan with the prompt's first words as a style."""
    plan = json.loads(json.dumps(source))
    style = " ".join(prompt.split()[:3]) or "reworked"
    if "chunks" in plan:
        for chunk in plan["chunks"]:
            if "text" in chunk:
                chunk["positive_styles"] = [*chunk.get("positive_styles", []), style][:limits.STYLES_PER_LIST_MAX]
    else:
        plan["positive_global_styles"] = [*plan["positive_global_styles"], style][:limits.STYLES_PER_LIST_MAX]
    return plan


def sample_timestamps(plan: Any) -> list[dict[str, Any]]:
    """The ``words_timestamps`` the stand-in answers for a plan: each section's (or
    chunk's) lyric words, as written, spread evenly over its time, sung for four
    fifths of their share."""
    from musicplan.write.lyrics import plan_lines

    words: list[dict[str, Any]] = []
    start = 0
    parts = (plan.get("sections") or plan.get("chunks") or []) if isinstance(plan, dict) else []
    for part in parts:
        if not isinstance(part, dict):
            continue
        duration = part.get("duration_ms")
        if not isinstance(duration, int):
            reference = part.get("range")
            begin, end = (reference.get("start_ms"), reference.get("end_ms")) if isinstance(reference, dict) \
                else (0, 0)
            duration = max(0, end - begin) if isinstance(begin, int) and isinstance(end, int) else 0
        key = "sections" if "sections" in plan else "chunks"
        sung = [word for line in plan_lines({key: [part]}) for word in line.split()]
        share = duration // max(1, len(sung))
        for index, word in enumerate(sung):
            at = start + index * share
            words.append({"word": word, "start_ms": at, "end_ms": at + share * 4 // 5})
        start += duration
    return words


def _tone(rate: int, samples: int, seed: str) -> bytes:
    import math
    import struct

    phase = random.Random(seed).random() * 2 * math.pi  # each body its own samples
    step = 2 * math.pi * 440 / rate
    return struct.pack(f"<{samples}h", *(round(12_000 * math.sin(phase + n * step)) for n in range(samples)))


def _suggested_plan(body: Any) -> Any:
    plan = json.loads(json.dumps(body.get("composition_plan"))) if isinstance(body, dict) else None
    if isinstance(plan, dict):
        for section in plan.get("sections", []):
            section["lines"] = ["La la la" for _ in section.get("lines", [])]
        for chunk in plan.get("chunks", []):
            if "text" in chunk:
                chunk["text"] = chunk["text"].split("\n")[0]
    return plan
