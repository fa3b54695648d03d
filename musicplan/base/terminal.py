"""Text for a terminal: whether to colour it, and the one colour painter."""

from __future__ import annotations

import os
from typing import TextIO


def use_colour(stream: TextIO) -> bool:
    """Colour when ``stream`` is a terminal, unless NO_COLOR says no; FORCE_COLOR says yes."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, code: str, on: bool) -> str:
    """``text`` in the SGR style ``code`` (e.g. "1;31", bold red) when ``on``."""
    return f"\x1b[{code}m{text}\x1b[0m" if on else text
