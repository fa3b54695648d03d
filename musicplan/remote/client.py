"""A small typed client for the Music API, on httpx.

Generations cost money, so the rules are strict: a request is retried only
while it was refused (429, 408, 5xx) or never reached the server, never once a
successful reply has begun; the audio goes to a caller's sink as it arrives;
and the API key lives in one request header, never in a repr, message or log.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from musicplan.base.exits import Exit
from musicplan.remote.multipart import MultipartError, MultipartReader, boundary_of
from musicplan.spec.vocabulary import unsupported

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
ENDPOINTS = {"compose": "/v1/music", "detailed": "/v1/music/detailed", "stream": "/v1/music/stream"}
PLAN_PATH = "/v1/music/plan"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_MAX_JSON_PART = 64 * 1024 * 1024

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
    """401 or 403: the key is missing, wrong, or lacks a permission."""

    exit_code = Exit.AUTH


class QuotaError(ApiError):
    """The account's quota or plan does not cover this request."""

    exit_code = Exit.QUOTA


class RequestInvalid(ApiError):
    """422: the body broke a rule; ``errors`` are the API's ``{loc, msg, type}`` items."""

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [e for e in self.detail if isinstance(e, dict)] if isinstance(self.detail, list) else []


class ContentRefused(ApiError):
    """``bad_prompt`` or ``bad_composition_plan``; ``suggestion`` is what the API proposes."""

    @property
    def suggestion(self) -> Any:
        data = self.detail.get("data") if isinstance(self.detail, dict) else None
        if not isinstance(data, dict):
            return None
        return data.get("prompt_suggestion", data.get("composition_plan_suggestion"))


class Unavailable(ApiError):
    """Rate limited or a server error, and the retries ran out."""

    exit_code = Exit.UNAVAILABLE


class NetworkError(MusicApiError):
    """The server could not be reached (after the retries)."""

    exit_code = Exit.UNAVAILABLE


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
    metadata: dict[str, Any] | None = None  # the detailed reply's JSON part


@dataclass
class RetryPolicy:
    max_attempts: int = 3
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 600.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return delay * (0.5 + self.rng.random() / 2)  # jitter: between half and all of it

    def delay_for(self, response: httpx.Response | None, attempt: int) -> float:
        if response is not None:
            hinted = retry_after(response.headers)
            if hinted is not None:
                return min(hinted, self.max_retry_after)
        return self.backoff(attempt)


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` or ``Retry-After`` (seconds or a date)."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error(response: httpx.Response, raw: bytes) -> ApiError:
    status = response.status_code
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        payload = None
    detail = payload.get("detail") if isinstance(payload, dict) else None
    code = detail.get("status") if isinstance(detail, dict) else None
    message = detail.get("message") if isinstance(detail, dict) else None
    if not isinstance(message, str) or not message:
        message = f"the API answered {status} {response.reason_phrase}".strip()
    if status == 422:
        return RequestInvalid(status, "the API found the request invalid", detail, "validation_error")
    if code in ("bad_prompt", "bad_composition_plan"):
        return ContentRefused(status, message, detail, code)
    if code in ("quota_exceeded", "insufficient_credits", "payment_required") or status == 402:
        return QuotaError(status, message, detail, code)
    if status in (401, 403):
        return AuthenticationError(status, message, detail, code)
    if status in RETRY_STATUSES:
        return Unavailable(status, message, detail, code)
    return ApiError(status, message, detail, code)


class MusicClient:
    """One method per endpoint: ``compose``, ``compose_detailed``, ``stream``, ``plan``."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        read_timeout: float = 600.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        key = api_key or os.environ.get(KEY_ENV)
        if not key:
            raise ValueError(f"no API key: pass --api-key or set {KEY_ENV}")
        self._key = key
        self.base_url = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
        self.retry = retry or RetryPolicy()
        # A short connect timeout; generations take minutes before the first byte.
        timeout = httpx.Timeout(connect=10.0, read=read_timeout, write=60.0, pool=10.0)
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
    def _send(self, path: str, body: dict[str, Any], params: dict[str, str]) -> tuple[httpx.Response, int]:
        """Send, retrying refusals; return the open 200 reply and the attempts it took."""
        policy = self.retry
        for attempt in range(1, max(1, policy.max_attempts) + 1):
            last = attempt >= policy.max_attempts
            request = self._http.build_request("POST", path, json=body, params=params,
                                               headers={"xi-api-key": self._key})
            try:
                response = self._http.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as exc:
                # Refused or cut before any reply: the request did not produce a song.
                if last:
                    raise NetworkError(f"cannot reach {self.base_url}: {type(exc).__name__}") from None
                policy.sleep(policy.delay_for(None, attempt))
                continue
            except httpx.TimeoutException:
                # The server may be generating: asking again could bill twice.
                raise NetworkError(f"no reply from {self.base_url} in time; not retried "
                                   "(the song may still be generating)") from None
            if response.status_code == 200:
                return response, attempt
            try:
                raw = response.read()
            except httpx.HTTPError:
                raw = b""
            finally:
                response.close()
            if response.status_code in RETRY_STATUSES and not last:
                policy.sleep(policy.delay_for(response, attempt))
                continue
            raise _error(response, raw)
        raise AssertionError("unreachable")

    @staticmethod
    def _chunks(response: httpx.Response, received: list[int]) -> Iterator[bytes]:
        try:
            for chunk in response.iter_bytes():  # as they arrive, unbuffered
                received[0] += len(chunk)
                yield chunk
        except httpx.HTTPError as exc:
            raise DownloadInterrupted(f"the reply broke off ({type(exc).__name__})", received[0]) from None

    def _audio(self, endpoint: str, body: dict[str, Any], sink: Sink, output_format: str | None,
               progress: Callable[[int], None] | None) -> AudioResult:
        params = {"output_format": output_format} if output_format else {}
        response, attempts = self._send(ENDPOINTS[endpoint], body, params)
        received = [0]
        try:
            content_type = response.headers.get("content-type")
            result = AudioResult(response.headers.get("song-id"), content_type, None, 0, attempts)
            if endpoint == "detailed":
                self._read_detailed(response, sink, result, received, progress)
            else:
                for chunk in self._chunks(response, received):
                    sink(chunk)
                    if progress:
                        progress(received[0])
                result.bytes_received = received[0]
                result.filename = _filename(response.headers.get("content-disposition"))
            return result
        finally:
            response.close()

    def _read_detailed(self, response: httpx.Response, sink: Sink, result: AudioResult,
                       received: list[int], progress: Callable[[int], None] | None) -> None:
        boundary = boundary_of(response.headers.get("content-type", ""))
        if boundary is None:
            raise DownloadInterrupted("the detailed reply is not multipart/mixed", 0)
        handler = _DetailedParts(sink)
        reader = MultipartReader(boundary, handler)
        try:
            for chunk in self._chunks(response, received):
                reader.feed(chunk)
                if progress:
                    progress(handler.audio_bytes)
            reader.close()
        except MultipartError as exc:
            raise DownloadInterrupted(f"the reply is not well-formed: {exc}", handler.audio_bytes) from None
        result.bytes_received = handler.audio_bytes
        result.filename = handler.filename
        result.metadata = handler.metadata()
        result.content_type = handler.audio_type or result.content_type

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
        try:
            raw = response.read()
        except httpx.HTTPError as exc:
            raise DownloadInterrupted(f"the plan broke off ({type(exc).__name__})", 0) from None
        finally:
            response.close()
        try:
            plan = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise DownloadInterrupted("the plan endpoint did not answer with JSON", len(raw)) from None
        if not isinstance(plan, dict):
            raise DownloadInterrupted("the plan endpoint did not answer with a plan", len(raw))
        return plan


def _filename(disposition: str | None) -> str | None:
    if not disposition:
        return None
    from email.message import Message

    message = Message()
    message["content-disposition"] = disposition
    name = message.get_filename()
    return name if isinstance(name, str) else None


class _DetailedParts:
    """Routes the JSON part to memory and the audio part to the sink."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.json_bytes = bytearray()
        self.audio_bytes = 0
        self.audio_type: str | None = None
        self.filename: str | None = None

    def start_part(self, headers: Any) -> Sink:
        content_type = (headers.get("content-type") or "").lower()
        if content_type.startswith("application/json"):
            return self._json
        self.audio_type = headers.get("content-type")
        self.filename = _filename(headers.get("content-disposition"))
        return self._audio

    def _json(self, data: bytes) -> None:
        if len(self.json_bytes) + len(data) > _MAX_JSON_PART:
            raise MultipartError("the JSON part is too large")
        self.json_bytes += data

    def _audio(self, data: bytes) -> None:
        self.audio_bytes += len(data)
        self.sink(data)

    def end_part(self) -> None:
        pass

    def metadata(self) -> dict[str, Any] | None:
        if not self.json_bytes:
            return None
        try:
            value = json.loads(bytes(self.json_bytes).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise MultipartError("the JSON part is not JSON") from None
        return value if isinstance(value, dict) else None


def drop_unsupported(body: dict[str, Any], endpoint: str) -> tuple[dict[str, Any], list[str]]:
    """The body without the fields ``endpoint`` does not take, and their names."""
    dropped = [key for key in unsupported(endpoint) if key in body]
    return {k: v for k, v in body.items() if k not in dropped}, dropped
