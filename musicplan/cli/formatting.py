"""`musicplan fmt` and `musicplan decompile`: songs to their canonical text, JSON to songs."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from musicplan.cli.common import (
    STDIN_NAME,
    Exit,
    Snippets,
    config_options,
    emit,
    kept_unless_forced,
    read_inputs,
    text_or_exit,
)
from musicplan.cli.config import settings_of


def register(sub: Any) -> None:
    from musicplan.spec.limits import MODELS

    fmt = sub.add_parser("fmt", help="rewrite songs in the canonical layout")
    fmt.add_argument("files", nargs="+", metavar="FILE", help="songs or directories; - reads standard input")
    mode = fmt.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="change nothing; exit 1 naming files that would change")
    mode.add_argument("--diff", action="store_true", help="change nothing; print a unified diff")
    fmt.add_argument("-v", "--verbose", action="store_true",
                     help="also print the songs' warnings (by default fmt says only what it rewrote "
                          "and why a song could not be formatted: warnings are `check`'s job)")
    config_options(fmt)
    fmt.set_defaults(run=cmd_fmt)

    dec = sub.add_parser("decompile", help="turn a JSON body or plan into .song text")
    dec.add_argument("file", metavar="FILE.json", help="a request body or plan; - reads standard input")
    dec.add_argument("-o", "--output", metavar="FILE.song", help="write the song here")
    dec.add_argument("--force", action="store_true", help="replace FILE.song if it exists")
    dec.add_argument("--model", choices=MODELS,
                     help="the model the song is for (default: the body's model_id; a bare chunk plan: music_v2)")
    dec.set_defaults(run=cmd_decompile)


def _lines(text: str) -> list[str]:
    """The lines of ``text``, each with its LF (the last may have none). Only LF
    ends a line in a song: str.splitlines would also split at \x1e, \u2028..."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def unified_diff(original: str, formatted: str, path: str) -> str:
    """A diff that ``git apply`` and ``patch -p1`` take: a relative path is
    named ``a/PATH`` and ``b/PATH`` as git names it (an absolute one as it is,
    since git applies no patch to one), and a last line without a line break
    is marked so."""
    import difflib
    import os.path

    name = path[2:] if path.startswith("./") else path
    before, after = (name, name) if os.path.isabs(name) else (f"a/{name}", f"b/{name}")
    out: list[str] = []
    for line in difflib.unified_diff(_lines(original), _lines(formatted), before, after):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _seen_before(path: str, seen: set[tuple[int, int]]) -> bool:
    import os

    if path == STDIN_NAME:
        return False
    try:
        info = os.stat(path)
    except OSError:
        return False
    key = (info.st_dev, info.st_ino)
    if key in seen:
        return True
    seen.add(key)
    return False


def cmd_fmt(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from musicplan.base.diagnostics import Report
    from musicplan.base.files import write_atomic
    from musicplan.cli import report
    from musicplan.read.source import decode
    from musicplan.write.fmt import FormatChangedMeaning, format_source

    inputs = read_inputs(args.files, stderr, excluded=settings_of(args).excluded)
    problems = changed = 0
    snippets = Snippets(inputs)
    seen: set[tuple[int, int]] = set()
    for item in inputs.items:
        if _seen_before(item.path, seen):  # named twice (`fmt . a.song`, hard links): formatted once
            continue
        diag = Report(item.path)
        source = decode(item.data, item.path, diag)
        try:
            result = format_source(source) if source is not None else None
        except FormatChangedMeaning:
            stderr.write(f"musicplan: formatting {item.path} would change what it means; it is left "
                         "untouched. This is a bug in musicplan: please report it with the file.\n")
            return Exit.INTERNAL
        found = diag.sorted() if result is None else result.diagnostics
        report.write_text([d for d in found if d.is_error or args.verbose], snippets, stderr)
        if result is None or result.text is None:
            problems += 1
            continue
        if item.path == STDIN_NAME and not (args.check or args.diff):
            stdout.write(result.text)
            continue
        original = item.data.decode("utf-8")
        if result.text == original:
            continue
        changed += 1
        if args.diff:
            stdout.write(unified_diff(original, result.text, item.path))
        elif args.check:
            stdout.write(f"would reformat {item.path}\n")
        else:
            try:
                # Only if the file still holds what was read: an edit saved meanwhile is not lost.
                write_atomic(item.path, result.text, expect=item.data, regular_only=True)
            except OSError as exc:
                stderr.write(f"musicplan: cannot rewrite {item.path}: {exc.strerror or exc}\n")
                problems += 1
                continue
            stderr.write(f"reformatted {item.path}\n")
    if inputs.unreadable:
        return Exit.USAGE
    if problems or ((args.check or args.diff) and changed):
        return Exit.PROBLEMS
    return Exit.OK


def cmd_decompile(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from musicplan.cli import report
    from musicplan.write.decompile import decompile_text

    # A song written by hand, comments and all, is never replaced by a decompiled one unasked.
    if kept_unless_forced(args.output, args.force, stderr):
        return Exit.USAGE
    one = text_or_exit(args.file, stderr)
    if isinstance(one, int):
        return one
    assert one.text is not None  # (text_or_exit answers with a code when there is none)
    result = decompile_text(one.text, one.path, args.model)
    report.write_text(result.diagnostics, Snippets(one.inputs), stderr)
    if result.text is None:
        return Exit.PROBLEMS
    return emit(result.text, args.output, stdout, stderr, sources=[args.file])
