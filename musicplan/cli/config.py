"""A project's settings file to each file's run options, the command line over them.

Settings live in ``[tool.musicplan]`` of a ``pyproject.toml``, or at the top
level of a ``musicplan.toml`` (for projects without one). As ruff does, each
file takes the nearest settings file in its folder or above it (a
``pyproject.toml`` without ``[tool.musicplan]`` does not count; of the two in
one folder, ``musicplan.toml`` wins); standard input takes the working
folder's. ``--config FILE`` names one for every file, ``--no-config`` reads none.

    [tool.musicplan]
    ignore = ["W101"]            # warning codes silenced
    enable = ["W104", "W105"]    # lints that are off by default, turned on
    strict = true                # warnings fail too
    exclude = ["drafts", "vendor/*.song"]   # skipped by folder walks
    model = "music_v2_5"         # what `compile --model` would say

    [tool.musicplan.per-file-ignores]
    "raps/*.song" = ["W101"]

Globs are relative to the settings file's folder; one without a ``/`` matches
a file or folder name anywhere below it. An unknown key, an unknown code or a
value of the wrong type is a usage error that names the file and the line.
``tomllib`` is imported only when there is a settings file to read.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re

from musicplan.base.files import is_file
from musicplan.base.record import Record
from musicplan.cli.common import STDIN_NAME, UsageError, codes_of

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from pathlib import Path  # imported where a settings file is read: a run without one needs no pathlib
    from typing import Any

    from musicplan.pipeline import Options

KEYS = ("ignore", "enable", "strict", "exclude", "model", "per-file-ignores")
SETTINGS_FILE = "musicplan.toml"
_NONE: frozenset[str] = frozenset()


class ConfigError(UsageError):
    """A settings file that cannot be used: ``path:line:column: message``, exit 2."""

    def __init__(self, path: Path, line: int, column: int, message: str, hint: str = "") -> None:
        self.path, self.line, self.column, self.message, self.hint = path, line, column, message, hint
        super().__init__(f"{path}:{line}:{column}: {message}" + (f" ({hint})" if hint else ""))


class Config(Record):
    """One settings file's choices; ``path`` None for the empty settings."""

    path: Path | None = None
    ignore: frozenset[str] = _NONE
    enable: frozenset[str] = _NONE
    strict: bool | None = None
    exclude: tuple[str, ...] = ()
    model: str | None = None
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()

    @property
    def root(self) -> Path | None:
        return self.path.parent if self.path is not None else None

    def ignored_for(self, path: Path) -> frozenset[str]:
        root = self.root
        if root is None:
            return _NONE
        found: set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if matches(pattern, path, root):
                found |= codes
        return frozenset(found)

    def excludes(self, path: Path) -> bool:
        root = self.root
        return root is not None and any(matches(pattern, path, root) for pattern in self.exclude)


def matches(pattern: str, path: Path, root: Path) -> bool:
    """Whether ``path`` (a file or folder) matches a glob of the settings file in
    ``root``: ``*`` stays within a folder's name, ``**`` spans folders, and a glob
    without ``/`` matches a name anywhere below ``root``."""
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return False
    pattern = pattern.removeprefix("./").rstrip("/")
    parts = relative.split("/")
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in parts)
    return _match_parts(pattern.split("/"), parts)


def _match_parts(pattern: list[str], parts: list[str]) -> bool:
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_match_parts(pattern[1:], parts[skip:]) for skip in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], pattern[0]) and _match_parts(pattern[1:], parts[1:])


# ---------------------------------------------------------------- finding and reading

def _has_table(text: str) -> bool:
    # Cheap before parsing: most pyproject.toml files say nothing of musicplan.
    return "tool.musicplan" in text or re.search(r"^\s*\[\s*tool\s*\.\s*musicplan\b", text, re.M) is not None


def find(folder: str) -> str | None:
    """The settings file nearest ``folder`` (an absolute path): in it or the closest folder above."""
    candidate = folder
    while True:
        own = os.path.join(candidate, SETTINGS_FILE)
        if is_file(own):
            return own
        pyproject = os.path.join(candidate, "pyproject.toml")
        if is_file(pyproject):
            try:
                with open(pyproject, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                text = ""
            if _has_table(text):
                return pyproject
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return None
        candidate = parent


def _toml() -> Any:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found]
    return tomllib


def load(path: Path) -> Config:
    """Read and check one settings file (ConfigError names what is wrong, and where)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, 1, 1, f"cannot read it: {getattr(exc, 'strerror', None) or exc}") from None
    toml = _toml()
    try:
        document = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        last = text.split("\n")
        line, column = (int(where.group(1)), int(where.group(2))) if where else (len(last), len(last[-1]) + 1)
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc)) or "not valid TOML"
        raise ConfigError(path, line, column, f"not valid TOML: {message}") from None
    table_name = "[tool.musicplan]" if path.name == "pyproject.toml" else None
    lines = _Lines(path, text, table_name)
    table = document
    if table_name:
        tool = document.get("tool", {})
        table = tool.get("musicplan", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise lines.error("`tool.musicplan` is not a table", "musicplan", table="[tool]",
                              hint="write the settings under a `[tool.musicplan]` heading")
    return _read(table, lines)


class _Lines:
    """Where a key or a code stands in the TOML text (tomllib keeps no positions)."""

    def __init__(self, path: Path, text: str, table: str | None) -> None:
        self.path, self.table = path, table
        self.lines = text.split("\n")

    def _region(self, table: str | None) -> tuple[int, int]:
        """The lines of ``table`` (None: the top level, before the first table)."""
        start = 0
        if table is not None:
            wanted = re.sub(r"\s+", "", table)
            heads = [i for i, line in enumerate(self.lines) if re.sub(r"\s+", "", line.split("#")[0]) == wanted]
            if not heads:
                return 0, len(self.lines)
            start = heads[0] + 1
        end = next((i for i in range(start, len(self.lines)) if re.match(r"\s*\[", self.lines[i])),
                   len(self.lines))
        return start, end

    def error(self, message: str, key: str, code: str | None = None, table: str | None = "",
              hint: str = "") -> ConfigError:
        table = self.table if table == "" else table
        start, end = self._region(table)
        pattern = re.compile(rf"""\s*(["']?){re.escape(key)}\1\s*=""")
        line = next((i for i in range(start, end) if pattern.match(self.lines[i])), None)
        if line is None:
            return ConfigError(self.path, max(start, 1), 1, message, hint)
        column = len(self.lines[line]) - len(self.lines[line].lstrip()) + 1
        if code is not None:
            for i in range(line, end):
                found = re.search(rf"""["']{re.escape(code)}["']""", self.lines[i])
                if found:
                    return ConfigError(self.path, i + 1, found.start() + 1, message, hint)
        return ConfigError(self.path, line + 1, column, message, hint)


def _strings(value: Any, key: str, lines: _Lines, table: str | None = "") -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise lines.error(f"`{key}` is a list of strings", key, table=table, hint=f'e.g. {key} = ["W101"]'
                          if key != "exclude" else 'e.g. exclude = ["drafts"]')
    return value


def _codes(value: Any, key: str, lines: _Lines, table: str | None = "") -> frozenset[str]:
    from musicplan.base.codes import refusal

    codes = _strings(value, key, lines, table)
    for code in codes:
        reason = refusal(code)
        if reason:
            raise lines.error(f"`{key}`: {reason}", key, code, table)
    return frozenset(code.strip().upper() for code in codes)


def _read(table: Any, lines: _Lines) -> Config:
    from musicplan.base.words import nearest

    where = lines.table or "the file"
    if not isinstance(table, dict):
        raise ConfigError(lines.path, 1, 1, f"{where} is not a table")
    for key in table:
        if key not in KEYS:
            guess = nearest(key.replace("_", "-"), KEYS)
            raise lines.error(f"unknown key `{key}` in {where}", key,
                              hint=f"did you mean `{guess}`?" if guess else "keys: " + ", ".join(KEYS))
    config = Config(lines.path)
    if "ignore" in table:
        config.ignore = _codes(table["ignore"], "ignore", lines)
    if "enable" in table:
        config.enable = _codes(table["enable"], "enable", lines)
    if "strict" in table:
        if not isinstance(table["strict"], bool):
            raise lines.error("`strict` is true or false", "strict")
        config.strict = table["strict"]
    if "exclude" in table:
        config.exclude = tuple(_strings(table["exclude"], "exclude", lines))
    if "model" in table:
        from musicplan.spec.limits import MODELS

        if table["model"] not in MODELS:
            raise lines.error(f"unknown model `{table['model']}`", "model", hint="models: " + ", ".join(MODELS))
        config.model = table["model"]
    if "per-file-ignores" in table:
        config.per_file_ignores = _per_file(table["per-file-ignores"], lines)
    return config


def _per_file(value: Any, lines: _Lines) -> tuple[tuple[str, frozenset[str]], ...]:
    if not isinstance(value, dict):
        raise lines.error("`per-file-ignores` is a table of globs and codes", "per-file-ignores",
                          hint='[tool.musicplan.per-file-ignores] then "raps/*.song" = ["W101"]')
    sub = f"{lines.table[:-1]}.per-file-ignores]" if lines.table else "[per-file-ignores]"
    return tuple((pattern, _codes(codes, pattern, lines, sub)) for pattern, codes in value.items())


# ---------------------------------------------------------------- a run's settings

class Settings:
    """The command line's choices and the settings files found for a run's
    files, read once per folder."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.ignore = codes_of(args, "ignore")
        self.enable = codes_of(args, "enable")
        self.strict: bool | None = getattr(args, "strict", None)
        self.model: str | None = getattr(args, "model", None)
        self.isolated = bool(getattr(args, "no_config", False))
        named = getattr(args, "config", None)
        if named:
            from pathlib import Path

            self.named: Config | None = load(Path(named))
        else:
            self.named = None
        self._by_folder: dict[str, Config] = {}
        self._by_file: dict[str, Config] = {}
        self._options: dict[str | None, Options] = {}

    def config_for(self, path: str | Path | None) -> Config:
        """The settings that govern ``path`` (None: standard input, the working folder's)."""
        if self.named is not None:
            return self.named
        if self.isolated:
            return Config()
        # Keyed by the folder's name: a catalogue's thousand songs share a few
        # folders, and making a Path of each costs more than checking the song.
        key = os.path.dirname(os.path.abspath(path)) if path is not None else os.getcwd()
        if key not in self._by_folder:
            found = find(key)
            if found is None:
                self._by_folder[key] = Config()
            else:
                if found not in self._by_file:
                    from pathlib import Path

                    self._by_file[found] = load(Path(found))
                self._by_folder[key] = self._by_file[found]
        return self._by_folder[key]

    def options(self, path: str | None) -> Options:
        """The pipeline's options for one file: the settings file's, then the
        command line's over them (``--enable`` takes back a file's ``ignore``,
        ``--ignore`` a file's ``enable``)."""
        from musicplan.pipeline import Options

        made = self._options.get(path)
        if made is not None:  # (asked again to judge the file's diagnostics)
            return made
        on_disk = path if path not in (None, STDIN_NAME) else None
        config = self.config_for(on_disk)
        if on_disk and config.per_file_ignores:
            from pathlib import Path

            ignore = config.ignore | config.ignored_for(Path(on_disk))
        else:
            ignore = config.ignore
        strict = self.strict if self.strict is not None else bool(config.strict)
        made = self._options[path] = Options(self.model or config.model, (ignore - self.enable) | self.ignore,
                                             (config.enable - self.ignore) | self.enable, strict=strict)
        return made

    def excluded(self, path: Path) -> bool:
        """Whether a folder walk skips ``path`` (the ``exclude`` of its settings)."""
        return self.config_for(path).excludes(path)


def settings_of(args: argparse.Namespace) -> Settings:
    """The run's settings (command line and settings files), made once per command."""
    found = getattr(args, "settings", None)
    if found is None:
        found = args.settings = Settings(args)
    return found


def options_of(args: argparse.Namespace, path: str | None = None) -> Options:
    """The pipeline's options for one file (None: standard input) from the
    command line over the settings file that governs it."""
    return settings_of(args).options(path)
