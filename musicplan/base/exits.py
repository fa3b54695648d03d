"""The exit codes every command shares, in one place (scripts rely on them)."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    PROBLEMS = 1  # errors, warnings under --strict, files fmt would change, a song the API refused
    USAGE = 2  # a usage error, an unreadable file, a file that would be replaced without --force
    INTERNAL = 3  # a musicplan bug caught before it could do harm
    AUTH = 4  # the API refused the key
    QUOTA = 5  # the account's quota or plan does not cover the request
    UNAVAILABLE = 6  # the API stayed unavailable, or the download broke off
    INTERRUPTED = 130  # Ctrl-C, as the shells count it
    PIPE = 141  # standard output's reader left before it was written (as the shells count SIGPIPE)
    TERMINATED = 143  # SIGTERM, as the shells count it (temporary files were cleaned up)
