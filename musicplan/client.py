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
    Concurrency,
    ContentRefused,
    DownloadInterrupted,
    MusicApiError,
    MusicClient,
    NetworkError,
    PermissionMissing,
    PlanRequired,
    QuotaError,
    RequestInvalid,
    RetryPolicy,
    Unavailable,
    Upload,
)

__all__ = [
    "BASE_URL_ENV", "BASE_URLS", "DEFAULT_BASE_URL", "KEY_ENV", "ApiError", "AudioResult",
    "AuthenticationError", "Concurrency", "ContentRefused", "DownloadInterrupted", "MusicApiError", "MusicClient",
    "NetworkError", "PermissionMissing", "PlanRequired", "QuotaError", "RequestInvalid", "RetryPolicy",
    "Unavailable", "Upload",
]
