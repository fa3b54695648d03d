"""The public home of the Music API client (``from musicplan.client import MusicClient``);
it lives in ``musicplan.remote.client``."""

from musicplan.remote.client import (
    BASE_URL_ENV,
    BASE_URLS,
    DEFAULT_BASE_URL,
    KEY_ENV,
    ApiError,
    AudioResult,
    AuthenticationError,
    ContentRefused,
    DownloadInterrupted,
    MusicApiError,
    MusicClient,
    NetworkError,
    QuotaError,
    RequestInvalid,
    RetryPolicy,
    Unavailable,
)

__all__ = [
    "BASE_URL_ENV", "BASE_URLS", "DEFAULT_BASE_URL", "KEY_ENV", "ApiError", "AudioResult",
    "AuthenticationError", "ContentRefused", "DownloadInterrupted", "MusicApiError", "MusicClient", "NetworkError",
    "QuotaError", "RequestInvalid", "RetryPolicy", "Unavailable",
]
