"""Text for a terminal: whether to colour it, the one colour painter, and
song text made safe to show (escape sequences and controls escaped)."""

from __future__ import annotations

import os
import re

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
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


# What a terminal would act on rather than show: C0 and C1 controls (escape
# sequences start with one), DEL, the bidirectional overrides that reorder
# what is shown, line and paragraph separators, and lone surrogates (from
# JSON), which no stream can encode.
# (A pattern, compiled by `re` when first needed: printable ASCII, what nearly
# every diagnostic is, is told apart without it.)
_UNSHOWABLE = ("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
               "\ud800-\udfff\ufffe\uffff]")


def escaped_char(ch: str) -> str:
    """One character as ``\\xNN`` or ``\\uNNNN`` when it is not to be shown raw."""
    if " " <= ch <= "~" or not re.match(_UNSHOWABLE, ch):
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with what a terminal would act on shown as escapes, e.g. ``\\x1b``."""
    if (text.isascii() and text.isprintable()) or not re.search(_UNSHOWABLE, text):
        return text
    return re.sub(_UNSHOWABLE, lambda match: escaped_char(match.group(0)), text)
