"""`musicplan lsp`: the language server for editors, over standard input and output."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from musicplan.cli.common import Exit


def register(sub: Any) -> None:
    lsp = sub.add_parser("lsp", help="run the language server for editors (needs musicplan[lsp])")
    lsp.add_argument("--stdio", action="store_true",
                     help="speak over standard input and output (the default and only transport)")
    lsp.set_defaults(run=cmd_lsp)


def cmd_lsp(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        from musicplan.lsp.server import serve
    except ImportError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in ("pygls", "lsprotocol", "cattrs"):
            raise
        stderr.write(f"musicplan: the language server needs pygls and lsprotocol ({missing} is missing): "
                     "install them with `pip install 'musicplan[lsp]'`\n")
        return Exit.USAGE
    serve()
    return Exit.OK
