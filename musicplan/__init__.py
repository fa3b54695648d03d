"""musicplan: write songs for the ElevenLabs Music API as .song text.

    >>> import musicplan
    >>> song = musicplan.loads("[Intro] 0:10\\n+ ambient pads\\n")
    >>> song.to_body()["composition_plan"]["sections"][0]["duration_ms"]
    10000
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Diagnostic", "Song", "SongError", "Span", "check", "load", "loads", "__version__"]

if TYPE_CHECKING:
    from .diagnostics import Diagnostic, SongError, Span
    from .song import Song, check, load, loads

# Imported on first use, so that `import musicplan` (and --version) stays cheap.
_LAZY = {
    "Diagnostic": "diagnostics", "SongError": "diagnostics", "Span": "diagnostics",
    "Song": "song", "check": "song", "load": "song", "loads": "song",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'musicplan' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
