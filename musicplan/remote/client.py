"""A small typed client for the Music API, on httpx.

Generations cost money, so the rules are strict: a request is retried only
when it certainly never reached a generation (no connection could be made: a
refusal, an unknown host, TLS failing before the request was sent; or a 429
or 503 reply), never once it may have (a connection cut after the request was
sent, a 5xx from a gateway, a reply that began); the audio goes to a caller's
sink as it arrives; and the API key lives in one request header, never in a
repr, message or log, nor in anything read from a reply (a server that echoes
it has it taken out where the reply is read: ``remote.secret``).

Everything a server sends is bounded: waits (``Retry-After`` is capped, and
said), time (a reply slower than a floor is given up), memory (error, plan
and JSON bodies have caps; audio is asked for uncompressed and capped) and
depth (JSON too deep to read is a clean error).
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from musicplan.base.exits import Exit
from musicplan.remote.multipart import MultipartError, MultipartReader, boundary_of
from musicplan.remote.secret import redact, redact_json
from musicplan.spec import limits
from musicplan.spec.vocabulary import ENDPOINTS, UPLOAD_PATH, unsupported

DEFAULT_BASE_URL = "https://api.elevenlabs.io"
BASE_URLS = (
    DEFAULT_BASE_URL,
    "https://api.us.elevenlabs.io",
    "https://api.eu.residency.elevenlabs.io",
    "https://api.in.residency.elevenlabs.io",
    "https://api.sg.residency.elevenlabs.io",
)
KEY_ENV = "ELEVENLABS_API_KEY"
BASE_URL_ENV = "ELEVENLABS_BASE_URL"
PLAN_PATH = ENDPOINTS["plan"]
# Refusals that say no generation started: only these are asked again (an upload too:
# it is priced like a generation).
RETRY_STATUSES = frozenset({429, 503})
# The API unavailable (exit 6); the others may have started a generation, so they are not asked again.
UNAVAILABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Caps on what a server may make us hold or write (the longest song in the densest
# format, pcm_48000 for 10 minutes, is 58 MB).
MAX_AUDIO_BYTES = 256 * 1024 * 1024
MAX_JSON_PART = 16 * 1024 * 1024
MAX_PLAN_BYTES = 4 * 1024 * 1024
MAX_ERROR_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64  # deeper metadata is left out of AUDIO.json
_SONG_ID = re.compile(rf"[^\s,\x00-\x1f\x7f]{{{limits.SONG_ID_CHARS_MIN},{limits.SONG_ID_CHARS_MAX}}}")

Sink = Callable[[bytes], None]


class MusicApiError(Exception):
    """The root of everything the client raises; ``exit_code`` is what the
    command line exits with when it is not handled."""

    exit_code: Exit = Exit.PROBLEMS


class ApiError(MusicApiError):
    """The API refused the request. ``detail`` is the reply's ``detail``."""

    def __init__(self, status: int, message: str, detail: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail
        self.code = code


class AuthenticationError(ApiError):
    """401: the key is missing or wrong."""

    exit_code = Exit.AUTH


class PermissionMissing(AuthenticationError):
    """401 for a key that exists but was created without the music permission."""


class QuotaError(ApiError):
    """The account's quota or plan does not cover this request."""

    exit_code = Exit.QUOTA


class PlanRequired(QuotaError):
    """402 ``limited_access`` (the Music API is for paid plans) or 403 (the
    subscription does not include this endpoint or feature)."""


class RequestInvalid(ApiError):
    """422: the body broke a rule; ``errors`` are the API's ``{loc, msg, type}`` items."""

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The items as ``{loc: [str | int, ...], msg: str, type: str}``, whatever their shape was."""
        items = self.detail if isinstance(self.detail, list) else []
        return [_validation_item(item) for item in items[:100] if isinstance(item, dict)]


def _validation_item(item: dict[str, Any]) -> dict[str, Any]:
    loc = item.get("loc")
    parts = loc if isinstance(loc, list) else [loc] if isinstance(loc, (str, int)) else []
    clean = [p if isinstance(p, (str, int)) and not isinstance(p, bool) else str(p)[:100] for p in parts[:50]]
    msg, kind = item.get("msg"), item.get("type")
    return {"loc": clean or ["body"], "msg": msg[:1000] if isinstance(msg, str) else "invalid",
            "type": kind[:100] if isinstance(kind, str) else ""}


class ContentRefused(ApiError):
    """``bad_prompt`` or ``bad_composition_plan``; ``suggestion`` is what the API proposes."""

    @property
    def suggestion(self) -> Any:
        data = self.detail.get("data") if isinstance(self.detail, dict) else None
        if not isinstance(data, dict):
            return None
        return data.get("prompt_suggestion", data.get("composition_plan_suggestion"))


class Unavailable(ApiError):
    """Rate limited or a server error, and the retries ran out; ``concurrency`` is
    what the reply's headers said of the account's concurrent requests, if anything."""

    concurrency: Concurrency | None = None

    exit_code = Exit.UNAVAILABLE


class ConcurrencyLimited(Unavailable):
    """429 ``too_many_concurrent_requests`` from a client told not to retry it
    (``retry_busy=False``): the account's requests at once are all in use. It was
    refused, so nothing was billed; ``wait`` is how long the reply asks to wait."""

    def __init__(self, refused: ApiError, wait: float) -> None:
        super().__init__(refused.status, refused.message, refused.detail, refused.code)
        self.concurrency = getattr(refused, "concurrency", None)
        self.wait = wait


class NetworkError(MusicApiError):
    """The server could not be reached (after the retries), or the connection
    failed after the request was sent (not retried: it may have been billed)."""

    exit_code = Exit.UNAVAILABLE


class SetupError(MusicApiError, ValueError):
    """The key or the base URL cannot be used: a usage error, found before anything is sent."""

    exit_code = Exit.USAGE


class NotAudio(MusicApiError):
    """A 200 reply that holds no audio (an HTML page, JSON, nothing, a multipart
    reply without an audio part). What came is handed to the sink, so it can be kept."""

    exit_code = Exit.UNAVAILABLE

    def __init__(self, message: str, received: int) -> None:
        super().__init__(message)
        self.received = received


class DownloadInterrupted(MusicApiError):
    """The reply broke off after it had begun; it is not retried (it would be billed again)."""

    exit_code = Exit.UNAVAILABLE

    def __init__(self, message: str, received: int) -> None:
        super().__init__(message)
        self.received = received


@dataclass
class AudioResult:
    song_id: str | None
    content_type: str | None
    filename: str | None  # the server's suggested name, as sent: never use it as a path
    bytes_received: int
    attempts: int
    metadata: dict[str, Any] | None = None  # the detailed reply's JSON part (what of it is sound)
    warnings: list[str] = field(default_factory=list)  # what of the reply was left out, and why
    concurrency: Concurrency | None = None


@dataclass
class Concurrency:
    """The account's ``current-concurrent-requests`` of ``maximum-concurrent-requests``."""

    current: int | None
    maximum: int | None

    @classmethod
    def of(cls, headers: httpx.Headers) -> Concurrency | None:
        current, maximum = (_count(headers.get(name)) for name in
                            ("current-concurrent-requests", "maximum-concurrent-requests"))
        return cls(current, maximum) if current is not None or maximum is not None else None


def _count(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() and len(value) < 10 else None


@dataclass
class Upload:
    """What POST /v1/music/upload answered."""

    song_id: str
    composition_plan: dict[str, Any] | None
    words_timestamps: list[Any] | None
    waveform_visual: list[Any] | None
    attempts: int


@dataclass
class RetryPolicy:
    max_attempts: int = 3
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 60.0  # a server asking for longer is asked again after this
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    notify: Callable[[str], None] | None = None  # told of every wait, and why

    def backoff(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return delay * (0.5 + self.rng.random() / 2)  # jitter: between half and all of it

    def delay_for(self, response: httpx.Response | None, attempt: int) -> float:
        if response is not None:
            hinted = retry_after(response.headers)
            if hinted is not None:
                return min(hinted, self.max_retry_after)  # inf and year-9999 dates too
        return self.backoff(attempt)


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` or ``Retry-After`` (seconds or a date)."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return _seconds(float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return _seconds(float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
        return _seconds(when.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def _seconds(value: float) -> float | None:
    if math.isnan(value):
        return None
    return max(0.0, value)  # inf stays inf: the policy caps it


def check_key(key: str) -> str:
    """The key without the whitespace around it (``export KEY=$(cat key.txt)``
    keeps a newline); a key with anything but printable ASCII inside is refused,
    without showing it."""
    key = key.strip()
    if not key:
        raise SetupError(f"the API key is empty: pass --api-key or set {KEY_ENV}")
    if any(not " " < char < "\x7f" for char in key):
        raise SetupError("the API key holds a space, a control or a non-ASCII character; it is not shown "
                         "here: check how it was set (e.g. a key file with Windows line endings)")
    return key


def check_base_url(url: str, source: str = "--base-url") -> str:
    """An http(s) address with a host, a valid port and no query or fragment, without its trailing slash."""
    from urllib.parse import urlsplit

    def bad(why: str) -> SetupError:
        return SetupError(f"{source} {url!r}: {why} (e.g. {DEFAULT_BASE_URL})")

    if any(not " " < char < "\x7f" for char in url):
        raise bad("it holds a space, a control or a non-ASCII character")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise bad("its port is not a number from 0 to 65535") from None
    if parts.scheme not in ("http", "https"):
        raise bad("it must begin with https:// (or http://)")
    if not parts.hostname:
        raise bad("it names no host")
    if port == 0:
        raise bad("port 0 is no port")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise bad("it must not have a query (?...) or a fragment (#...)")
    if parts.username is not None or parts.password is not None:
        raise bad("it must not hold a user name or password")
    return url.rstrip("/")


class _Unsound(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _Unsound(f"{name} is not a JSON number")


def loads(raw: bytes, what: str, key: str | None = None) -> Any:
    """JSON from a server: UTF-8, no NaN or Infinity, nothing too deep or too long
    for Python to read, and without ``key`` in any string of it (a server may echo
    the key it was sent). Raises ``ValueError`` saying what is wrong with ``what``."""
    try:
        return redact_json(json.loads(raw.decode("utf-8"), parse_constant=_reject_constant), key)
    except UnicodeDecodeError:
        raise ValueError(f"{what} is not UTF-8") from None
    except RecursionError:
        raise ValueError(f"{what} nests too deeply to read") from None
    except ValueError as exc:
        raise ValueError(f"{what} is not valid JSON ({str(exc)[:120]})") from None


def unsound(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` cannot be written as JSON text (a lone surrogate, a number
    out of range, nesting past ``MAX_JSON_DEPTH``), or None when it can."""
    if depth > MAX_JSON_DEPTH:
        return "it nests too deeply"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "it holds a lone surrogate"
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "it holds a number out of range"
    if isinstance(value, dict):
        for key, item in value.items():
            why = unsound(key, depth + 1) or unsound(item, depth + 1)
            if why:
                return why
    elif isinstance(value, list):
        for item in value:
            why = unsound(item, depth + 1)
            if why:
                return why
    return None


def _error(response: httpx.Response, raw: bytes, key: str) -> ApiError:
    """The exception for a refusal; a server may echo the key in it: none of it carries the key."""
    status = response.status_code
    try:
        payload = loads(raw, "the error reply", key)
    except ValueError:
        payload = None
    detail = payload.get("detail") if isinstance(payload, dict) else None
    code = detail.get("status") if isinstance(detail, dict) else None
    message = detail.get("message") if isinstance(detail, dict) else None
    if not isinstance(message, str) or not message:
        message = redact(f"the API answered {status} {response.reason_phrase}".strip(), key)
    if status == 422:
        return RequestInvalid(status, "the API found the request invalid", detail, "validation_error")
    if code in ("bad_prompt", "bad_composition_plan"):
        return ContentRefused(status, message, detail, code)
    if status in (402, 403):
        return PlanRequired(status, message, detail, code)
    if code in ("quota_exceeded", "insufficient_credits", "payment_required"):
        return QuotaError(status, message, detail, code)
    if status == 401 and "permission" in f"{code or ''} {message}".lower():
        return PermissionMissing(status, message, detail, code)
    if status == 401:
        return AuthenticationError(status, message, detail, code)
    if status in UNAVAILABLE_STATUSES:
        refused = Unavailable(status, message, detail, code)
        refused.concurrency = Concurrency.of(response.headers)
        return refused
    return ApiError(status, message, detail, code)


class MusicClient:
    """One method per endpoint: ``compose``, ``compose_detailed``, ``stream``, ``plan``, ``upload``;
    ``enable_logging=False`` asks every call for zero retention."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        read_timeout: float = 600.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        stall_grace: float = 60.0,
        stall_floor: float = 1024.0,
        enable_logging: bool = True,
        retry_busy: bool = True,
        on_retry: Callable[[float, str], None] | None = None,
    ) -> None:
        """``stall_floor``: bytes a second a reply must average once it has run
        ``stall_grace`` seconds, or it is given up (``read_timeout`` bounds one wait only).
        ``retry_busy=False`` raises ``ConcurrencyLimited`` for a concurrency refusal
        instead of retrying it (a batch sends it again when a slot frees);
        ``on_retry(seconds, why)`` hears of each wait before a retry."""
        key = api_key or os.environ.get(KEY_ENV)
        if not key:
            raise SetupError(f"no API key: pass --api-key or set {KEY_ENV}")
        self._key = check_key(key)
        if not 0 < read_timeout <= 86_400:  # NaN, 0, negatives and infinities too: a socket takes none of them
            raise SetupError(f"read_timeout {read_timeout!r} is not a number of seconds from above 0 to 86400")
        self.base_url = check_base_url(base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
        self.retry = retry or RetryPolicy()
        self.stall_grace = stall_grace
        self.stall_floor = stall_floor
        # False asks for zero retention (enterprise accounts); a query parameter on every call.
        self._query = {} if enable_logging else {"enable_logging": "false"}
        self.retry_busy = retry_busy
        self.on_retry = on_retry
        # A short connect timeout; generations take minutes before the first byte.
        timeout = httpx.Timeout(connect=10.0, read=read_timeout, write=60.0, pool=10.0)
        # The reply's status and headers, dripped a byte at a time, could take hours under a per-read timeout.
        self.headers_deadline = read_timeout + stall_grace
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport,
                                  follow_redirects=False)

    def __repr__(self) -> str:
        return f"MusicClient(base_url={self.base_url!r}, api_key='***')"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MusicClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the one place a request is made
    def _wait(self, attempt: int, response: httpx.Response | None, why: str) -> None:
        policy = self.retry
        why = redact(why, self._key)  # a reason phrase a server wrote may echo the key
        delay = policy.delay_for(response, attempt)
        if policy.notify is not None:
            policy.notify(f"{why}: waiting {delay:.1f} s before attempt {attempt + 1} of {policy.max_attempts}")
        if self.on_retry is not None:
            self.on_retry(delay, why)
        policy.sleep(delay)

    def _send(self, path: str, body: dict[str, Any] | None, params: dict[str, str], audio: bool = False,
              form: Callable[[], tuple[dict[str, str], dict[str, Any]]] | None = None) -> tuple[httpx.Response, int]:
        """Send, retrying what never reached a generation; return the open 200 reply and the attempts it took.
        ``form`` gives (fields, files) for each attempt: multipart/form-data instead of the JSON ``body``."""
        policy = self.retry
        headers = {"xi-api-key": self._key}
        if audio:
            headers["accept-encoding"] = "identity"  # compressed audio saves nothing and can be a bomb
        for attempt in range(1, max(1, policy.max_attempts) + 1):
            last = attempt >= policy.max_attempts
            watch = _Watch(self.headers_deadline)
            content: dict[str, Any] = {"json": body}
            if form is not None:
                fields, files = form()
                content = {"data": fields, "files": files}
            request = self._http.build_request("POST", path, params={**params, **self._query}, headers=headers,
                                               extensions={"trace": watch}, **content)
            try:
                response = self._http.send(request, stream=True)
            except httpx.HTTPError as exc:
                watch.cancel()
                if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)) and not watch.sent:
                    # No connection was made (refused, no such host, TLS failed): nothing was sent.
                    if last:
                        raise NetworkError(f"cannot reach {self.base_url}: {self._why(exc)}") from None
                    self._wait(attempt, None, f"cannot reach {self.base_url} ({self._why(exc)})")
                    continue
                raise self._after_sending(exc, watch) from None
            watch.cancel()
            if response.status_code == 200:
                return response, attempt
            error = _error(response, self._head(response), self._key)
            if response.status_code == 429 and error.code == "too_many_concurrent_requests" and not self.retry_busy:
                raise ConcurrencyLimited(error, policy.delay_for(response, attempt))
            if response.status_code in RETRY_STATUSES and not last:
                code = f" ({error.code})" if error.code else ""
                self._wait(attempt, response, f"the API answered {response.status_code} "
                                              f"{response.reason_phrase}".rstrip() + code)
                continue
            raise error
        raise AssertionError("unreachable")

    def _redacted(self, text: str | None) -> str | None:
        """A header's text, without the key (a server may echo it anywhere)."""
        return redact(text, self._key) if text is not None else None

    def _why(self, exc: Exception) -> str:
        return redact(_why(exc), self._key)

    def _after_sending(self, exc: httpx.HTTPError, watch: _Watch) -> NetworkError:
        """What failed once the request may have reached the API: never asked again (it may be billed)."""
        if watch.expired:
            return NetworkError(f"the reply's status and headers did not arrive whole in "
                                f"{self.headers_deadline:.0f} s; not retried: the API may have received it")
        if isinstance(exc, httpx.TimeoutException):
            return NetworkError(f"no reply from {self.base_url} in time; not retried "
                                "(the song may still be generating)")
        return NetworkError(f"the connection to {self.base_url} failed after the request was sent "
                            f"({self._why(exc)}); not retried: the API may have received it")

    def _chunks(self, response: httpx.Response, received: list[int], cap: int | None = None) -> Iterator[bytes]:
        """The reply's bytes as they arrive, unbuffered; more than ``cap`` of them
        (``MAX_AUDIO_BYTES`` by default), or a reply slower than the floor, is broken off."""
        cap = MAX_AUDIO_BYTES if cap is None else cap
        start = time.monotonic()
        try:
            for chunk in response.iter_bytes():
                received[0] += len(chunk)
                if received[0] > cap:
                    raise DownloadInterrupted(f"the reply is larger than {cap // (1024 * 1024)} MiB, more "
                                              "than any song can be: broken off", received[0] - len(chunk))
                elapsed = time.monotonic() - start
                if elapsed > self.stall_grace and received[0] < self.stall_floor * elapsed:
                    raise DownloadInterrupted(
                        f"the reply stalled: {received[0]} bytes in {elapsed:.0f} s, under the floor of "
                        f"{self.stall_floor:.0f} bytes a second: broken off", received[0] - len(chunk))
                yield chunk
        except httpx.HTTPError as exc:
            raise DownloadInterrupted(f"the reply broke off ({type(exc).__name__})", received[0]) from None

    def _audio(self, endpoint: str, body: dict[str, Any], sink: Sink, output_format: str | None,
               progress: Callable[[int], None] | None) -> AudioResult:
        params = {"output_format": output_format} if output_format else {}
        response, attempts = self._send(ENDPOINTS[endpoint], body, params, audio=True)
        received = [0]
        try:
            content_type = response.headers.get("content-type")
            result = AudioResult(self._redacted(response.headers.get("song-id")), self._redacted(content_type),
                                 None, 0, attempts, concurrency=Concurrency.of(response.headers))
            if endpoint == "detailed" and boundary_of(content_type or "") is not None:
                self._read_detailed(response, sink, result, received, progress)
            elif not _is_audio(content_type):
                self._not_audio(response, sink, result.content_type)
            else:
                if endpoint == "detailed":
                    result.warnings.append("the reply is bare audio, without the detailed endpoint's JSON "
                                           "part: no metadata came")
                for chunk in self._chunks(response, received):
                    sink(chunk)
                    if progress:
                        progress(received[0])
                result.bytes_received = received[0]
                result.filename = self._redacted(_filename(response.headers.get("content-disposition")))
                if not received[0]:
                    raise NotAudio("the API answered 200 with no audio at all", 0)
            return result
        finally:
            response.close()

    def _head(self, response: httpx.Response) -> bytes:
        """What a reply that is no song (an error, a page) holds, up to ``MAX_ERROR_BYTES``
        and under the audio's stall floor, then closed: enough for any message; one too
        large, too slow or broken off gives what came."""
        data = bytearray()
        try:
            for chunk in self._chunks(response, [0], cap=MAX_ERROR_BYTES):
                data += chunk
        except DownloadInterrupted:
            pass
        finally:
            response.close()
        return bytes(data)

    def _not_audio(self, response: httpx.Response, sink: Sink, content_type: str | None) -> None:
        """Hand what came (up to a cap) to the sink, to be kept and looked at, and refuse it."""
        data = self._head(response)
        if data:
            sink(data)
        raise NotAudio(f"the API answered 200 with {content_type or 'no content type'} instead of audio",
                       len(data))

    def _read_detailed(self, response: httpx.Response, sink: Sink, result: AudioResult,
                       received: list[int], progress: Callable[[int], None] | None) -> None:
        boundary = boundary_of(response.headers.get("content-type", ""))
        if boundary is None:
            raise DownloadInterrupted("the detailed reply is not multipart/mixed", 0)
        handler = _DetailedParts(sink, self._key)
        reader = MultipartReader(boundary, handler)
        broke: str | None = None
        try:
            for chunk in self._chunks(response, received):
                reader.feed(chunk)
                if progress:
                    progress(handler.audio_bytes)
            reader.close()
        except (MultipartError, DownloadInterrupted) as exc:
            if not handler.audio_done:
                raise DownloadInterrupted(f"the reply is not well-formed: {exc}" if isinstance(exc, MultipartError)
                                          else str(exc), handler.audio_bytes) from None
            broke = str(exc)  # after the whole audio: the billed song is kept
        if not handler.audio_part or not handler.audio_bytes:
            raise NotAudio("the API's multipart reply holds no audio part", handler.audio_bytes)
        result.bytes_received = handler.audio_bytes
        result.filename = self._redacted(handler.filename)
        # The audio is whole and billed: metadata that is not sound is left out with a warning, never fatal.
        result.metadata, result.warnings = handler.metadata() if broke is None else (None, [])
        if broke is not None:
            result.warnings.append(f"the reply broke off after the whole audio ({broke}): its metadata is "
                                   "left out")
        result.content_type = self._redacted(handler.audio_type) or result.content_type

    # ---- the endpoints
    def compose(self, body: dict[str, Any], sink: Sink, *, output_format: str | None = None,
                progress: Callable[[int], None] | None = None) -> AudioResult:
        """POST /v1/music: the audio bytes."""
        return self._audio("compose", body, sink, output_format, progress)

    def compose_detailed(self, body: dict[str, Any], sink: Sink, *, output_format: str | None = None,
                         progress: Callable[[int], None] | None = None) -> AudioResult:
        """POST /v1/music/detailed: the audio, and the plan, metadata and timestamps used."""
        return self._audio("detailed", body, sink, output_format, progress)

    def stream(self, body: dict[str, Any], sink: Sink, *, output_format: str | None = None,
               progress: Callable[[int], None] | None = None) -> AudioResult:
        """POST /v1/music/stream: the audio in chunks as it is made."""
        return self._audio("stream", body, sink, output_format, progress)

    def plan(self, prompt: str, *, music_length_ms: int | None = None, model_id: str | None = None,
             source_composition_plan: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST /v1/music/plan: a composition plan for a prompt (costs no credits)."""
        body: dict[str, Any] = {"prompt": prompt}
        if music_length_ms is not None:
            body["music_length_ms"] = music_length_ms
        if source_composition_plan is not None:
            body["source_composition_plan"] = source_composition_plan
        if model_id is not None:
            body["model_id"] = model_id
        response, _ = self._send(PLAN_PATH, body, {})
        plan = self._json_reply(response, "plan")
        why = unsound(plan)
        if why:
            raise DownloadInterrupted(f"the plan reply cannot be used: {why}", 0)
        return plan

    def upload(self, audio: Any, filename: str, *, extract_plan: str | None = None,
               with_timestamps: bool = False, with_waveform_visual: bool = False) -> Upload:
        """POST /v1/music/upload: store an audio file for later plans (``@source``,
        ``@condition``); ``extract_plan`` (a model id) asks for its plan in that
        model's shape. ``audio`` is an open binary file (sent as it is read)."""
        fields: dict[str, str] = {}
        if extract_plan is not None:
            fields["extract_composition_plan"] = extract_plan
        if with_timestamps:
            fields["with_timestamps"] = "true"
        if with_waveform_visual:
            fields["with_waveform_visual"] = "true"
        start = audio.tell()

        def form() -> tuple[dict[str, str], dict[str, Any]]:
            audio.seek(start)  # a retried request sends the whole file again
            return fields, {"file": (filename, audio, "application/octet-stream")}

        # Priced like a generation: retried only when refused unread (429, 503), as generations are.
        response, attempts = self._send(UPLOAD_PATH, None, {}, form=form)
        reply = self._json_reply(response, "upload")
        song_id = reply.get("song_id")
        # The id is printed and written into songs: it must be one a song can hold.
        if not isinstance(song_id, str) or not _SONG_ID.fullmatch(song_id):
            raise DownloadInterrupted("the upload endpoint answered without a usable song id", 0)

        def part(name: str, kind: type) -> Any:
            value = reply.get(name)
            return value if isinstance(value, kind) and not unsound(value) else None

        return Upload(song_id, part("composition_plan", dict), part("words_timestamps", list),
                      part("waveform_visual", list), attempts)

    def _json_reply(self, response: httpx.Response, what: str) -> dict[str, Any]:
        """A JSON object reply, read whole up to ``MAX_PLAN_BYTES``."""
        received = [0]
        try:
            raw = b"".join(self._chunks(response, received, cap=MAX_PLAN_BYTES))
        finally:
            response.close()
        try:
            value = loads(raw, f"the {what} reply", self._key)
        except ValueError as exc:
            raise DownloadInterrupted(str(exc), len(raw)) from None
        if not isinstance(value, dict):
            raise DownloadInterrupted(f"the {what} endpoint did not answer with an object", len(raw))
        return value


class _Watch:
    """httpx's trace of one request: whether any of it was sent, and a deadline for
    the reply's status and headers, past which the connection is shut."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.sent = False
        self.expired = False
        self.stream: Any = None
        self.timer: threading.Timer | None = None

    def __call__(self, name: str, info: dict[str, Any]) -> None:
        if name in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self.stream = info.get("return_value")
        elif name == "http11.send_request_headers.started":
            self.sent = True
        elif name == "http11.receive_response_headers.started":
            self.timer = threading.Timer(self.deadline, self._expire)
            self.timer.daemon = True
            self.timer.start()
        elif name == "http11.receive_response_headers.complete":
            self.cancel()

    def _expire(self) -> None:
        self.expired = True
        sock = self.stream.get_extra_info("socket") if self.stream is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()


def _why(exc: Exception) -> str:
    """An httpx error in a few words (its text names no header, so never the key)."""
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _is_audio(content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind.startswith("audio/") or kind == "application/octet-stream"


def _filename(disposition: str | None) -> str | None:
    if not disposition:
        return None
    from email.message import Message

    message = Message()
    message["content-disposition"] = disposition
    name = message.get_filename()
    return name if isinstance(name, str) else None


def _part_header(headers: Any, name: str) -> str:
    # The email parser hands a non-ASCII value back as a Header object, not a str.
    value = headers.get(name)
    return str(value) if value is not None else ""


class _DetailedParts:
    """Routes the JSON part to memory and the audio part to the sink."""

    def __init__(self, sink: Sink, key: str) -> None:
        self.sink = sink
        self.key = key
        self.json_bytes = bytearray()
        self.audio_bytes = 0
        self.audio_type: str | None = None
        self.filename: str | None = None
        self.too_large = False
        self.audio_part = False  # an audio part has begun
        self.audio_done = False  # ... and its closing boundary has come: the audio is whole
        self.in_audio = False

    def start_part(self, headers: Any) -> Sink:
        content_type = _part_header(headers, "content-type").lower()
        self.in_audio = False
        if content_type.startswith("application/json"):
            return self._json
        if (content_type and not _is_audio(content_type)) or self.audio_part:
            return self._ignore  # a part that is no audio, or a second audio part, is not the song
        self.audio_part = self.in_audio = True
        self.audio_type = _part_header(headers, "content-type") or None
        self.filename = _filename(_part_header(headers, "content-disposition") or None)
        return self._audio

    def _ignore(self, data: bytes) -> None:
        pass

    def _json(self, data: bytes) -> None:
        if len(self.json_bytes) + len(data) > MAX_JSON_PART:
            self.too_large = True  # the audio still counts: the metadata is left out
            return
        self.json_bytes += data

    def _audio(self, data: bytes) -> None:
        self.audio_bytes += len(data)
        self.sink(data)

    def end_part(self) -> None:
        if self.in_audio:
            self.audio_done = True

    def metadata(self) -> tuple[dict[str, Any] | None, list[str]]:
        """The JSON part's fields that can be written as JSON, and a warning for what is left out."""
        if self.too_large:
            return None, [f"the reply's JSON part is larger than {MAX_JSON_PART // (1024 * 1024)} MiB: "
                          "its metadata is left out"]
        if not self.json_bytes:
            return None, []
        try:
            value = loads(bytes(self.json_bytes), "the reply's JSON part", self.key)
        except ValueError as exc:
            return None, [f"{exc}: its metadata is left out"]
        if not isinstance(value, dict):
            return None, ["the reply's JSON part is not an object: its metadata is left out"]
        sound: dict[str, Any] = {}
        warnings = []
        for key, item in value.items():
            why = unsound(key) or unsound(item, 1)
            if why:
                warnings.append(f"the reply's `{key.encode('utf-8', 'replace').decode()}` is left out: {why}")
            else:
                sound[key] = item
        return sound, warnings


def drop_unsupported(body: dict[str, Any], endpoint: str) -> tuple[dict[str, Any], list[str]]:
    """The body without the fields ``endpoint`` does not take, and their names."""
    dropped = [key for key in unsupported(endpoint) if key in body]
    return {k: v for k, v in body.items() if k not in dropped}, dropped
