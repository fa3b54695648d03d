"""`musicplan show`: a song to its timeline, in the terminal or as SVG."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from musicplan.cli.common import Exit, Snippets, emit, lint_options, read_inputs
from musicplan.cli.config import options_of


def register(sub: Any) -> None:
    show = sub.add_parser("show", help="draw a song's sections on a timeline")
    show.add_argument("song", metavar="SONG", help="the song, or a JSON body or plan; - reads standard input")
    show.add_argument("--svg", metavar="FILE", help="also write the timeline as an SVG picture")
    lint_options(show)
    show.set_defaults(run=cmd_show)


def cmd_show(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from musicplan.base.terminal import use_colour
    from musicplan.cli import report
    from musicplan.pipeline import check_bytes
    from musicplan.write.timeline import render_svg, render_text

    inputs = read_inputs([args.song], stderr, folders=False)
    if inputs.unreadable:
        return Exit.USAGE
    item = inputs.items[0]
    checked = check_bytes(item.data, item.path, options_of(args, item.path), documents=True)
    if checked.analysis is None:
        report.write_text(checked.diagnostics, Snippets(inputs), stderr)
        return Exit.PROBLEMS
    stdout.write(render_text(checked.analysis, checked.diagnostics, colour=use_colour(stdout)))
    if not args.svg:
        return Exit.OK
    return emit(render_svg(checked.analysis, checked.diagnostics), args.svg, stdout, stderr, sources=[args.song])
