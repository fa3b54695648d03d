"""The `musicplan` command: a thin shell over the library, a module per family
of commands (``songs``: check, compile; ``formatting``: fmt, decompile; ``importing``: import;
``show``; ``render``: render, plan; ``lyrics``; ``lsp``: the language server). Exit codes: ``musicplan.base.exits``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from musicplan import __version__
from musicplan.cli import formatting, importing, lsp, lyrics, render, show, songs
from musicplan.cli.common import Exit, UsageError

_FAMILIES = (songs, formatting, importing, show, render, lyrics, lsp)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="musicplan",
        description="Check and compile .song files for the ElevenLabs Music API.",
        epilog="exit codes: 0 no errors, 1 errors (or warnings with --strict), "
               "2 usage error or unreadable file, 3 a musicplan bug caught, "
               "4 key refused, 5 quota used up, 6 API unavailable or download broken off",
    )
    parser.add_argument("--version", action="version", version=f"musicplan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for family in _FAMILIES:
        family.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    stdout, stderr = sys.stdout, sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help
        return int(exc.code or 0)
    if not getattr(args, "command", None):
        parser.print_help(stderr)
        return Exit.USAGE
    try:
        return int(args.run(args, stdout, stderr))
    except UsageError as exc:
        stderr.write(f"musicplan: {exc}\n")
        return Exit.USAGE
    except KeyboardInterrupt:
        return Exit.INTERRUPTED
    except BrokenPipeError:
        # A closed pipe (`| head`) is not an error of ours; keep Python quiet on exit.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return Exit.OK


def run() -> None:
    sys.exit(main())
