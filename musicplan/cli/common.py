"""What every command shares: exit codes, reading inputs, writing outputs, the
source lines under diagnostics, and the lint options of a run."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable, Sequence

from musicplan.base.exits import Exit
from musicplan.base.files import exists, is_folder
from musicplan.base.record import Factory, Record
from musicplan.read.source import from_text

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from pathlib import Path  # imported where a folder is walked: checking files needs no pathlib
    from typing import Any, TextIO

__all__ = ["STDIN", "STDIN_NAME", "Exit", "Input", "Inputs", "OneText", "Snippets", "Terminated", "UsageError",
           "cannot_write", "codes_of", "config_options", "emit", "failed", "kept_unless_forced", "lint_options",
           "onto_input", "positive_int", "read_inputs", "read_text", "text_or_exit"]

STDIN = "-"
STDIN_NAME = "<stdin>"


class UsageError(Exception):
    """A command was called wrongly: said on standard error, exit 2."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it cleans up as on Ctrl-C (exit 143)."""


class Input(Record):
    path: str  # as shown in diagnostics
    data: bytes

    @property
    def stem(self) -> str:
        from pathlib import Path

        return "stdin" if self.path == STDIN_NAME else Path(self.path).stem


class Inputs(Record):
    items: list[Input] = Factory(list)
    unreadable: int = 0


SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__"})


def _skipped(folder: Path) -> bool:
    """Folders a walk never enters: hidden ones, node_modules and virtual environments."""
    return folder.name.startswith(".") or folder.name in SKIPPED_FOLDERS or exists(folder / "pyvenv.cfg")


def walk(root: Path, excluded: Callable[[Path], bool] = lambda path: False) -> list[str]:
    """The songs under ``root``, in order, without the folders a walk skips or
    ``excluded`` names (files too may be excluded)."""
    from pathlib import Path

    found: list[str] = []
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(name for name in subfolders
                               if not _skipped(here / name) and not excluded(here / name))
        found += (str(here / name) for name in sorted(files)
                  if name.endswith(".song") and not excluded(here / name))
    return found


def _expand(paths: Sequence[str], excluded: Callable[[Path], bool]) -> list[str]:
    out: list[str] = []
    for path in paths:
        if path != STDIN and is_folder(path):
            from pathlib import Path

            out += walk(Path(path), excluded)
        else:
            out.append(path)
    return out


MAX_INPUT_BYTES = 64 * 1024 * 1024  # far past any song or body; /dev/zero is not read to the end


_FIRST_READ = 64 * 1024  # a song in one read (asking for the cap at once allocates it, 64 MiB, for every file)


def _read_capped(handle: Any) -> bytes:
    limit = MAX_INPUT_BYTES + 1
    data = handle.read(min(_FIRST_READ, limit))
    if len(data) == _FIRST_READ < limit:  # a short read is the end of the file
        data += handle.read(limit - len(data))
    if len(data) > MAX_INPUT_BYTES:
        raise OSError(errno.EFBIG, f"it is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB, too large for a song")
    return data


def read_inputs(paths: Sequence[str], stderr: TextIO, *, folders: bool = True,
                excluded: Callable[[Path], bool] = lambda path: False) -> Inputs:
    """Read every file (``-`` is standard input); with ``folders``, a folder
    stands for the songs in it (see ``walk``). What can't be read is said on ``stderr``."""
    inputs = Inputs()
    for path in _expand(paths, excluded) if folders else paths:
        try:
            if path == STDIN:
                if sys.stdin is None:  # started with it closed (`<&-`)
                    raise OSError(errno.EBADF, "it is closed")
                inputs.items.append(Input(STDIN_NAME, _read_capped(sys.stdin.buffer)))
            else:
                with open(path, "rb") as handle:
                    inputs.items.append(Input(path, _read_capped(handle)))
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            stderr.write(f"musicplan: cannot read {path}: {reason}\n")
            inputs.unreadable += 1
    return inputs


class Snippets:
    """The source lines shown under text diagnostics, split once per file."""

    def __init__(self, inputs: Inputs | None = None) -> None:
        self.texts = {item.path: item.data for item in inputs.items} if inputs else {}
        self.cache: dict[str, list[str]] = {}

    def __call__(self, path: str, number: int) -> str:
        if path not in self.cache:
            text = from_text(self.texts.get(path, b"").decode("utf-8", errors="replace"), path).text
            self.cache[path] = text.split("\n")
        lines = self.cache[path]
        return lines[number - 1].rstrip("\r") if 1 <= number <= len(lines) else ""


class OneText(Record):
    """One file read and decoded for a single-file command."""

    inputs: Inputs
    path: str  # as shown in diagnostics
    text: str | None  # None when the bytes are not UTF-8
    diagnostics: list  # why there is no text


def read_text(path: str, stderr: TextIO) -> OneText | None:
    """One file (``-`` is standard input) as text; None when it can't be read (said on ``stderr``)."""
    from musicplan.base.diagnostics import Report
    from musicplan.read.source import decode

    inputs = read_inputs([path], stderr, folders=False)
    if inputs.unreadable:
        return None
    item = inputs.items[0]
    diag = Report(item.path)
    source = decode(item.data, item.path, diag)
    return OneText(inputs, item.path, source.text if source is not None else None, diag.sorted())


def text_or_exit(path: str, stderr: TextIO) -> OneText | int:
    """``read_text``, or the exit code when there is no text to go on with: 2 when
    the file cannot be read (said on ``stderr``), 1 when it is not UTF-8 (its
    E001s shown there), as for every command that checks a file."""
    from musicplan.cli import report

    one = read_text(path, stderr)
    if one is None:
        return Exit.USAGE
    if one.text is None:
        report.write_text(one.diagnostics, Snippets(one.inputs), stderr)
        return Exit.PROBLEMS
    return one


def onto_input(output: str | Path, sources: Sequence[str]) -> str | None:
    """The input that ``output`` is (the same file, through any link), or None."""
    import os

    for source in sources:
        try:
            if source in (STDIN, STDIN_NAME):
                # `compile - < a.json -o a.json`: standard input may be the very file.
                if sys.stdin is not None and os.path.samestat(os.fstat(sys.stdin.fileno()), os.stat(output)):
                    return "(standard input)"
            elif os.path.samefile(output, source):
                return source
        except (OSError, ValueError, AttributeError):  # one does not exist (or stdin is no file): not one file
            continue
    return None


def cannot_write(exc: OSError, path: str | Path | None, stderr: TextIO) -> Exit:
    """Say that ``path`` (as the user gave it) could not be written, and why."""
    stderr.write(f"musicplan: cannot write {exc.filename or path}: {exc.strerror or exc}\n")
    return Exit.USAGE


def emit(text: str, output: str | None, stdout: TextIO, stderr: TextIO, sources: Sequence[str] = ()) -> Exit:
    """``text`` to the file ``output`` (atomically) or, without one, to standard
    output. An output that is one of the ``sources`` read is refused."""
    from musicplan.base.files import write_atomic

    if output and output != STDIN:
        source = onto_input(output, sources)
        if source is not None:
            stderr.write(f"musicplan: {output} would replace the input {source} itself: nothing was written "
                         "(choose another output)\n")
            return Exit.USAGE
    try:
        if output and output != STDIN:
            write_atomic(output, text)
        else:
            stdout.write(text)
    except OSError as exc:
        return cannot_write(exc, output, stderr)
    return Exit.OK


def kept_unless_forced(output: str | None, force: bool, stderr: TextIO) -> bool:
    """Whether ``output`` is a file that is there and must not be replaced unasked
    (said on ``stderr``); a device or pipe (`/dev/null`, `/dev/stdout`) is written to."""
    from musicplan.base.files import is_file

    if not output or output == STDIN or force or not is_file(output):
        return False
    stderr.write(f"musicplan: {output} exists: nothing was written (use --force to replace it)\n")
    return True


def positive_int(text: str) -> int:
    """An argparse type: a whole number of 1 or more (`--jobs 0` is a usage error, not one job)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number of 1 or more")
    return value


def lint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ignore", action="append", metavar="CODE",
                        help="silence a warning code for this run (repeat, or separate with commas)")
    parser.add_argument("--enable", action="append", metavar="CODE",
                        help="turn on a lint that is off by default (W104, W105)")
    config_options(parser)


def config_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--config", metavar="FILE",
                       help="read settings from this pyproject.toml or musicplan.toml only "
                            "(default: the nearest one above each file)")
    where.add_argument("--no-config", action="store_true", help="read no settings file")


def codes_of(args: argparse.Namespace, name: str) -> frozenset[str]:
    """The codes given to ``--ignore`` or ``--enable``: a usage error names one
    that does not exist or is an error, with the nearest warning code."""
    values = getattr(args, name, None) or []
    codes = frozenset(code.strip().upper() for value in values for code in value.split(",") if code.strip())
    if not codes:
        return codes
    from musicplan.base.codes import refusal

    for code in sorted(codes):
        reason = refusal(code)
        if reason:
            raise UsageError(f"--{name} {code}: {reason}")
    return codes


def failed(diagnostics: Sequence, strict: bool) -> bool:
    return any(d.is_error or strict for d in diagnostics)
