"""A misspelt word to the nearest known one, for "did you mean" hints."""

from __future__ import annotations

from collections.abc import Sequence


def nearest(word: str, choices: Sequence[str]) -> str | None:
    # difflib is imported here: it is needed only when something is misspelt.
    import difflib

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None
