"""`musicplan import`: a lyric sheet (Suno-style tags, ChordPro, plain lyrics) to a `.song`."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from musicplan.cli.common import Exit, Snippets, UsageError, emit, kept_unless_forced, text_or_exit

FORMATS = ("suno", "chordpro", "text")


def register(sub: Any) -> None:
    from musicplan.spec.limits import MODELS, RECOMMENDED_MODEL

    imp = sub.add_parser("import", help="turn a lyric sheet (Suno-style, ChordPro, plain text) into a .song",
                         description="Read a lyric sheet and write a canonical .song that passes `check`, "
                                     "with durations guessed from the sung lines (each marked by a comment).")
    imp.add_argument("file", metavar="FILE", help="the sheet; - reads standard input")
    imp.add_argument("--from", dest="kind", choices=FORMATS,
                     help="the sheet's format (default: guessed from the extension and the content)")
    imp.add_argument("-o", "--output", metavar="SONG", help="write the song here (default: standard output)")
    imp.add_argument("--length", metavar="DUR",
                     help="the song's length to share out, e.g. 2:30 or 150s (default: the sheet's own, or 3:00)")
    imp.add_argument("--bpm", metavar="N", help="the tempo: durations fall on whole bars")
    imp.add_argument("--model", choices=MODELS, help=f"the model to write for (default: {RECOMMENDED_MODEL})")
    imp.add_argument("--style", metavar="STYLES", help='a style prompt for the whole song, e.g. "indie folk, '
                                                       'warm male vocals"')
    imp.add_argument("--force", action="store_true", help="replace SONG if it exists")
    imp.set_defaults(run=cmd_import)


def _options(args: argparse.Namespace) -> Any:
    from musicplan.importers.sheet import parse_length, split_styles, tempo
    from musicplan.importers.to_song import DEFAULT_MODEL, Options

    length = None
    if args.length is not None:
        length = parse_length(args.length)
        if length is None:
            raise UsageError(f"--length: `{args.length}` is not a duration: write e.g. 2:30, 150s or 2m30s")
    bpm = tempo(args.bpm) if args.bpm is not None else None
    if args.bpm is not None and bpm != args.bpm.strip():
        raise UsageError(f"--bpm: `{args.bpm}` is not a tempo: write beats a minute up to 999, e.g. 92")
    return Options(args.model or DEFAULT_MODEL, length, bpm, split_styles(args.style or ""))


def cmd_import(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from musicplan.cli import report
    from musicplan.importers.to_song import ImportBug, import_text

    options = _options(args)
    if kept_unless_forced(args.output, args.force, stderr):
        return Exit.USAGE
    one = text_or_exit(args.file, stderr)
    if isinstance(one, int):
        return one
    assert one.text is not None  # (text_or_exit answers with a code when there is none)
    try:
        result = import_text(one.text, one.path, args.kind, options)
    except ImportBug as exc:
        stderr.write(f"musicplan: {exc}. This is a bug in musicplan: please report it with the sheet.\n")
        return Exit.INTERNAL
    report.write_text(result.diagnostics, Snippets(one.inputs), stderr)
    if result.text is None:
        return Exit.PROBLEMS
    return emit(result.text, args.output, stdout, stderr, sources=[args.file])
