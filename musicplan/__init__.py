"""musicplan: write songs for the ElevenLabs Music API as .song text.

    >>> import musicplan
    >>> song = musicplan.loads("[Intro] 0:10\\n+ ambient pads\\n")
    >>> song.to_body()["composition_plan"]["sections"][0]["duration_ms"]
    10000
"""

from __future__ import annotations

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
__version__ = "0.2.0"

__all__ = [
    "Diagnostic", "Edit", "Song", "SongError", "Span", "check", "decompile", "fix", "format", "load", "loads",
    "__version__",
]

if TYPE_CHECKING:
    from typing import Any

    from musicplan.base.diagnostics import Diagnostic, Edit, SongError, Span
    from musicplan.library import Song, check, decompile, fix, format, load, loads

# Imported on first use, so that `import musicplan` (and --version) stays cheap.
_LAZY = {
    "Diagnostic": "base.diagnostics", "Edit": "base.diagnostics", "SongError": "base.diagnostics",
    "Span": "base.diagnostics",
    "Song": "library", "check": "library", "decompile": "library", "fix": "library", "format": "library",
    "load": "library",
    "loads": "library",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'musicplan' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"musicplan.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
