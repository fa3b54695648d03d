"""The API key → ``***`` in what a server sends back: text, and JSON once parsed.

A server may echo the key it was sent (in a message, a title, a lyric line, a
word). The client takes it out of every reply it reads, once, where it reads
it, so that nothing made from a reply (a song, a sidecar, lyrics, the lock, a
message) can carry it. Light on purpose: the command line's printing uses
``redact`` too, and must not import httpx for it.
"""

from __future__ import annotations

import json
from typing import Any

MASK = "***"


def redact(text: str, key: str | None) -> str:
    """``text`` without the key, as written or as JSON escapes it."""
    if not key:
        return text
    for form in {key, json.dumps(key)[1:-1], json.dumps(key, ensure_ascii=False)[1:-1]}:
        text = text.replace(form, MASK)
    return text


def redact_json(value: Any, key: str | None) -> Any:
    """``value`` (parsed JSON) with the key taken out of every string in it, the
    names of objects too: parsing has undone any escaping a server hid it in.
    Changed in place, without recursion (a reply nests as deep as the parser allows)."""
    if isinstance(value, str):
        return redact(value, key)
    if not key or not isinstance(value, (dict, list)):
        return value
    stack: list[dict[Any, Any] | list[Any]] = [value]
    while stack:
        container = stack.pop()
        if isinstance(container, dict):
            pairs = list(container.items())
            container.clear()
            for name, item in pairs:
                container[redact(name, key) if isinstance(name, str) else name] = _clean(item, key, stack)
        else:
            for index, item in enumerate(container):
                container[index] = _clean(item, key, stack)
    return value


def _clean(item: Any, key: str, stack: list[Any]) -> Any:
    """A string without the key; a container is left to the walk (put on ``stack``)."""
    if isinstance(item, str):
        return redact(item, key)
    if isinstance(item, (dict, list)):
        stack.append(item)
    return item
