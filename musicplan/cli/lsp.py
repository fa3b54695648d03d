"""`musicplan lsp`: the language server for editors, over standard input and output."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from musicplan.cli.common import Exit, lint_options

if TYPE_CHECKING:
    from musicplan.pipeline import Options


def register(sub: Any) -> None:
    lsp = sub.add_parser("lsp", help="run the language server for editors (needs the lsp extra: pip install '.[lsp]')")
    lsp.add_argument("--stdio", action="store_true",
                     help="speak over standard input and output (the default and only transport)")
    lint_options(lsp)  # each file's settings as `check` reads them, these over them
    lsp.set_defaults(run=cmd_lsp)


def cmd_lsp(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        from musicplan.lsp.server import serve
    except ImportError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in ("pygls", "lsprotocol", "cattrs"):
            raise
        stderr.write(f"musicplan: the language server needs pygls and lsprotocol ({missing} is missing): "
                     "install them with the lsp extra: `pip install '.[lsp]'` in a clone of musicplan "
                     "(or `pip install 'musicplan[lsp]'` where it is published)\n")
        return Exit.USAGE
    from musicplan.cli.config import Settings

    Settings(args)  # a bad --ignore, --enable or --config is a usage error now, not in the editor

    def options_for(path: str) -> Options:
        # Read afresh for each document opened or saved, so that edits to a settings file count.
        return Settings(args).options(path)

    serve(options_for)
    return Exit.OK
