"""A title or a server's file name to a safe local file name."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_SPACES = re.compile(r"\s+")
_MAX_NAME = 120  # characters
_MAX_NAME_BYTES = 200


def safe_filename(name: str | None, *, basename: bool = False) -> str | None:
    """A name that is only a name: no directories, no control or reserved
    characters, no leading dots. None when nothing usable is left. With
    ``basename`` (a name a server sent) only its last path component is kept;
    otherwise (a title) separators become spaces."""
    if not name:
        return None
    if basename:
        name = re.split(r"[/\\]", name)[-1]
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub(" ", name)
    name = _SPACES.sub(" ", name).strip(" .")
    name = name[:_MAX_NAME]
    # File systems count bytes (255 in a name): keep room for ".mp3.json" and ".part".
    while len(name.encode("utf-8", "surrogatepass")) > _MAX_NAME_BYTES:
        name = name[:-1]
    name = name.rstrip(" .")
    return name or None

