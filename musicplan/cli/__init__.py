"""The `musicplan` command: a thin shell over the library, a module per family
of commands (``songs``: check, compile; ``formatting``: fmt, decompile; ``importing``: import;
``show``; ``render``: render, plan; ``lyrics``; ``lsp``: the language server; ``upload``).
Exit codes: ``musicplan.base.exits``."""

from __future__ import annotations

import argparse
import errno
import io
import os
import signal
import sys
from collections.abc import Iterable, Sequence

from musicplan import __version__
from musicplan.cli.common import Exit, Terminated, UsageError

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from typing import Any, TextIO

# Each command and the module of its family. Only the family of the command being
# run is imported: `check` on every commit need not load render's or upload's code
# (tests/test_cli_details.py holds this table to what the families register).
COMMANDS = {
    "check": "songs", "compile": "songs", "fmt": "formatting", "decompile": "formatting",
    "import": "importing", "show": "show", "render": "render", "plan": "render", "lyrics": "lyrics",
    "lsp": "lsp", "upload": "upload",
}


def _families(argv: Sequence[str]) -> list[str]:
    """The families to register: the named command's alone, else all (for help and errors)."""
    command = next((word for word in argv if not word.startswith("-")), None)
    if command in COMMANDS and not {"-h", "--help"} & set(argv[: argv.index(command)]):
        return [COMMANDS[command]]
    return list(dict.fromkeys(COMMANDS.values()))


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it (COLUMNS,
    else standard output's terminal, else 80), without importing shutil (and
    with it lzma and bz2) on every run."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """An argument parser (and, through ``add_subparsers``, each command's) whose
    help is formatted by ``_Formatter`` unless a command asks for another."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def _parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="musicplan",
        description="Check and compile .song files for the ElevenLabs Music API.",
        epilog="exit codes: 0 no errors, 1 errors (or warnings with --strict), "
               "2 usage error or unreadable file, 3 a musicplan bug caught, "
               "4 key refused (wrong, or without the music permission), 5 quota, plan or "
               "subscription does not cover it (402, 403), 6 API unavailable or download broken off, "
               "130 Ctrl-C, 143 SIGTERM (both clean up)",
    )
    parser.add_argument("--version", action="version", version=f"musicplan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from importlib import import_module

    for family in _families(argv):
        import_module(f"musicplan.cli.{family}").register(sub)
    return parser


class _Guarded:
    """Standard output or error whose reader may be gone (``| head``) or whose
    disk may be full (``> /dev/full``): the first failure is remembered, what
    follows is dropped, and the command still finishes with its own result."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream: Any = stream if stream is not None else io.StringIO()
        # Started with the stream closed (`>&-`): Python gives None; every write fails.
        self.failure: OSError | None = None if stream is not None else OSError(errno.EBADF, "it is closed")

    def write(self, text: str) -> int:
        if self.failure is None:
            try:
                try:
                    self.stream.write(text)
                except UnicodeEncodeError:  # a stream that is not UTF-8 (PYTHONIOENCODING=ascii, LC_ALL=C)
                    self._write_utf8(text)
            except OSError as exc:
                self._failed(exc)
        return len(text)

    def _write_utf8(self, text: str) -> None:
        # Songs and JSON are UTF-8 whatever the locale says: written as such, never escaped or lost.
        buffer = getattr(self.stream, "buffer", None)
        if buffer is None:
            encoding = getattr(self.stream, "encoding", None) or "ascii"
            self.stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
            return
        self.stream.flush()
        buffer.write(text.encode("utf-8", "surrogateescape"))
        buffer.flush()

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self.failure is None:
            try:
                self.stream.flush()
            except OSError as exc:
                self._failed(exc)

    def __getattr__(self, name: str) -> Any:  # isatty, encoding, fileno...
        return getattr(self.stream, name)

    def _failed(self, exc: OSError) -> None:
        self.failure = exc
        # What is still buffered would fail again when Python flushes it on exit.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())
        except (OSError, ValueError, AttributeError):
            pass


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated()


def _on_sigterm() -> Any:
    """Make SIGTERM clean up like Ctrl-C; return the handler to restore (None off the main thread)."""
    try:
        return signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # signals are set on the main thread only
        return None


def main(argv: Sequence[str] | None = None) -> int:
    stdout, stderr = _Guarded(sys.stdout), _Guarded(sys.stderr)
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help
        return int(exc.code or 0)
    if not getattr(args, "command", None):
        parser.print_help(stderr)
        return Exit.USAGE
    previous = _on_sigterm()
    try:
        code = int(args.run(args, stdout, stderr))
    except UsageError as exc:
        stderr.write(f"musicplan: {exc}\n")
        code = Exit.USAGE
    except Terminated:
        code = Exit.TERMINATED
    except KeyboardInterrupt:
        code = Exit.INTERRUPTED
    except BrokenPipeError:  # a write past the guard (a library's own): as the shells count it
        stdout._failed(BrokenPipeError())
        code = Exit.PIPE
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    stdout.flush()
    failure = stdout.failure
    if failure is None or isinstance(failure, BrokenPipeError):
        # A reader that left early (`| head`) is no error of ours; the result's own code stands.
        return code
    stderr.write(f"musicplan: cannot write to standard output: {failure.strerror or failure}\n")
    return code if code not in (Exit.OK, Exit.PROBLEMS) else Exit.USAGE


def run() -> None:
    sys.exit(main())
