"""The `musicplan` command: check and compile songs.

Exit codes: 0 no errors; 1 errors (or warnings under --strict, or files that
`fmt --check` would change, or a song the API refused); 2 a usage error or a
file that can't be read (or would be overwritten without --force); 3 a bug in
musicplan caught before it could do harm; 4, 5, 6 for `render` and `plan`:
the key was refused, the quota is used up, the API stayed unavailable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence, TextIO

from .record import Factory, Record
from . import __version__
from .diagnostics import Report
from .source import from_text

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
STDIN = "-"
STDIN_NAME = "<stdin>"


class UsageError(Exception):
    pass


class Input(Record):
    path: str  # as shown in diagnostics
    data: bytes

    @property
    def stem(self) -> str:
        return "stdin" if self.path == STDIN_NAME else Path(self.path).stem


class Inputs(Record):
    items: list[Input] = Factory(list)
    unreadable: int = 0


def _expand(paths: Sequence[str]) -> list[str]:
    out: list[str] = []
    for path in paths:
        if path != STDIN and Path(path).is_dir():
            out += sorted(str(p) for p in Path(path).rglob("*.song"))
        else:
            out.append(path)
    return out


def read_inputs(paths: Sequence[str], stderr: TextIO, *, folders: bool = True) -> Inputs:
    """Read every file (``-`` is standard input); with ``folders``, a folder
    stands for the songs in it. What can't be read is said on ``stderr``."""
    inputs = Inputs()
    for path in _expand(paths) if folders else paths:
        try:
            if path == STDIN:
                inputs.items.append(Input(STDIN_NAME, sys.stdin.buffer.read()))
            else:
                inputs.items.append(Input(path, Path(path).read_bytes()))
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            stderr.write(f"musicplan: cannot read {path}: {reason}\n")
            inputs.unreadable += 1
    return inputs


class _Lines:
    """Source lines for the snippets under text diagnostics."""

    def __init__(self, inputs: Inputs) -> None:
        self.texts = {item.path: item.data for item in inputs.items}
        self.cache: dict[str, list[str]] = {}

    def __call__(self, path: str, number: int) -> str:
        if path not in self.cache:
            text = from_text(self.texts.get(path, b"").decode("utf-8", errors="replace"), path).text
            self.cache[path] = [line.rstrip("\r") for line in text.split("\n")]
        lines = self.cache[path]
        return lines[number - 1] if 1 <= number <= len(lines) else ""


def _codes(args: argparse.Namespace, name: str) -> frozenset[str]:
    values = getattr(args, name, None) or []
    return frozenset(code.strip().upper() for value in values for code in value.split(",") if code.strip())


def _analyse(inputs: Inputs, model: str | None, args: argparse.Namespace, *, documents: bool = False):
    from .song import check_bytes, check_document

    from .song import collector_paused

    check = check_document if documents else check_bytes
    ignore, enable = _codes(args, "ignore"), _codes(args, "enable")
    with collector_paused():  # for the whole batch: songs make no cycles worth collecting
        return [(item, *check(item.data, item.path, model, ignore=ignore, enable=enable)) for item in inputs.items]


PARALLEL_MIN = 200  # below this many files, starting processes costs more than it saves
_WORK: list[Input] = []


def _check_range(job: tuple[int, int, frozenset[str], frozenset[str]]) -> list[list]:
    from .song import collector_paused, check_document

    start, end, ignore, enable = job
    with collector_paused():
        return [check_document(item.data, item.path, ignore=ignore, enable=enable)[1] for item in _WORK[start:end]]


def _jobs(args: argparse.Namespace, files: int) -> int:
    import os

    if args.jobs is not None:
        return max(1, args.jobs)
    if files < PARALLEL_MIN or not hasattr(os, "fork"):
        return 1
    return min(os.cpu_count() or 1, 8)


def _diagnose_all(inputs: Inputs, args: argparse.Namespace) -> list:
    """Every file's diagnostics, in order; many files are split across processes
    forked after the parser is loaded, the first share checked here meanwhile."""
    jobs = _jobs(args, len(inputs.items))
    if jobs == 1:
        return [found for _, _, found in _analyse(inputs, None, args, documents=True)]
    from .grammar import parser

    parser()
    global _WORK
    _WORK = inputs.items
    step = -(-len(_WORK) // jobs)
    ignore, enable = _codes(args, "ignore"), _codes(args, "enable")
    ranges = [(start, min(start + step, len(_WORK)), ignore, enable) for start in range(0, len(_WORK), step)]
    parts = _fork_map(_check_range, ranges)
    _WORK = []
    return [found for part in parts for found in part]


def _fork_map(func: Any, jobs: list) -> list:
    """``[func(job) for job in jobs]``, all but the first in forked children that
    send their pickled results back through a pipe (lighter to start than a
    multiprocessing pool). A child that fails has its job redone here."""
    import os
    import pickle

    children = []
    for job in jobs[1:]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_end)
            code = 1
            try:
                with os.fdopen(write_end, "wb") as out:
                    out.write(pickle.dumps(func(job)))
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        children.append((pid, read_end, job))
    results = [func(jobs[0])]
    for pid, read_end, job in children:
        with os.fdopen(read_end, "rb") as source:
            data = source.read()
        _, status = os.waitpid(pid, 0)
        results.append(pickle.loads(data) if status == 0 and data else func(job))
    return results


def _failed(diagnostics: list, strict: bool) -> bool:
    return any(d.is_error or strict for d in diagnostics)


def cmd_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from . import report

    inputs = read_inputs(args.files, stderr)
    diagnostics = [d for found in _diagnose_all(inputs, args) for d in found]
    if args.format == "json":
        report.write_json(diagnostics, stdout)
    elif args.format == "github":
        report.write_github(diagnostics, stdout)
    else:
        report.write_text(diagnostics, _Lines(inputs), stdout)
        errors = sum(d.is_error for d in diagnostics)
        stdout.write(report.summary(len(inputs.items), errors, len(diagnostics) - errors) + "\n")
    if inputs.unreadable:
        return EXIT_USAGE
    return EXIT_PROBLEMS if _failed(diagnostics, args.strict) else EXIT_OK


def cmd_compile(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from . import report
    from .atomic import write_atomic

    if args.output and args.out_dir:
        raise UsageError("give either -o or --out-dir, not both")
    inputs = read_inputs(args.files, stderr)
    if inputs.unreadable:
        return EXIT_USAGE
    if not inputs.items:
        raise UsageError("no songs to compile (a folder is searched for *.song files)")
    if len(inputs.items) > 1 and not args.out_dir:
        raise UsageError("several songs need --out-dir DIR (each is written as DIR/STEM.json)")
    if args.out_dir:
        stems = [item.stem for item in inputs.items]
        clash = sorted({s for s in stems if stems.count(s) > 1})
        if clash:
            raise UsageError(f"two songs would both be written as {clash[0]}.json in {args.out_dir}")
    results = _analyse(inputs, args.model, args)
    diagnostics = [d for _, _, found in results for d in found]
    report.write_text(diagnostics, _Lines(inputs), stderr)
    if _failed(diagnostics, args.strict):
        return EXIT_PROBLEMS
    outputs: list[tuple[Input, str]] = []
    for item, song, _ in results:
        assert song is not None
        if args.plan and song.is_prompt:
            stderr.write(f"musicplan: {item.path} is a prompt song: it has no plan for --plan\n")
            return EXIT_USAGE
        outputs.append((item, song.to_json(plan=args.plan)))
    try:
        if args.out_dir:
            out_dir = Path(args.out_dir)
            out_dir.mkdir(parents=True, exist_ok=True)
            for item, text in outputs:
                write_atomic(out_dir / f"{item.stem}.json", text)
        else:
            return _emit(outputs[0][1], args.output, stdout, stderr)
    except OSError as exc:
        stderr.write(f"musicplan: cannot write {exc.filename or 'output'}: {exc.strerror}\n")
        return EXIT_USAGE
    return EXIT_OK


def cmd_fmt(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from . import report
    from .atomic import write_atomic
    from .formatter import FormatChangedMeaning, format_source
    from .source import decode

    inputs = read_inputs(args.files, stderr)
    problems = changed = 0
    lines = _Lines(inputs)
    for item in inputs.items:
        diag = Report(item.path)
        source = decode(item.data, item.path, diag)
        try:
            result = format_source(source) if source is not None else None
        except FormatChangedMeaning:
            stderr.write(f"musicplan: formatting {item.path} would change what it means; it is left "
                         "untouched. This is a bug in musicplan: please report it with the file.\n")
            return EXIT_INTERNAL
        found = diag.sorted() if result is None else result.diagnostics
        report.write_text(found, lines, stderr)
        if result is None or result.text is None:
            problems += 1
            continue
        assert source is not None
        if item.path == STDIN_NAME:
            stdout.write(result.text)
            continue
        original = item.data.decode("utf-8")
        if result.text == original:
            continue
        changed += 1
        if args.diff:
            import difflib

            def lines(text: str) -> list[str]:
                # Only LF ends a line in a song (str.splitlines would also split at \x1e, \u2028...).
                return text.split("\n")

            stdout.writelines(line + "\n" for line in difflib.unified_diff(
                lines(original), lines(result.text), fromfile=item.path, tofile=item.path, lineterm=""))
        elif args.check:
            stdout.write(f"would reformat {item.path}\n")
        else:
            try:
                write_atomic(item.path, result.text)
            except OSError as exc:
                stderr.write(f"musicplan: cannot rewrite {item.path}: {exc.strerror or exc}\n")
                problems += 1
                continue
            stderr.write(f"reformatted {item.path}\n")
    if inputs.unreadable:
        return EXIT_USAGE
    if problems or ((args.check or args.diff) and changed):
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_decompile(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from . import report
    from .decompiler import decompile_text
    from .source import decode

    inputs = read_inputs([args.file], stderr, folders=False)
    if inputs.unreadable:
        return EXIT_USAGE
    item = inputs.items[0]
    diag = Report(item.path)
    source = decode(item.data, item.path, diag)
    result = decompile_text(source.text, item.path) if source is not None else None
    found = diag.sorted() if result is None else result.diagnostics
    report.write_text(found, _Lines(inputs), stderr)
    if result is None or result.text is None:
        return EXIT_PROBLEMS
    return _emit(result.text, args.output, stdout, stderr)


def _emit(text: str, output: str | None, stdout: TextIO, stderr: TextIO) -> int:
    """``text`` to the file ``output`` (atomically) or, without one, to standard output."""
    from .atomic import write_atomic

    try:
        if output and output != STDIN:
            write_atomic(output, text)
        else:
            stdout.write(text)
    except OSError as exc:
        stderr.write(f"musicplan: cannot write {exc.filename or output}: {exc.strerror}\n")
        return EXIT_USAGE
    return EXIT_OK


def cmd_show(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from . import report
    from .timeline import render_svg, render_text

    inputs = read_inputs([args.song], stderr, folders=False)
    if inputs.unreadable:
        return EXIT_USAGE
    ((item, song, diagnostics),) = _analyse(inputs, None, args)
    if song is None:
        report.write_text(diagnostics, _Lines(inputs), stderr)
        return EXIT_PROBLEMS
    stdout.write(render_text(song, diagnostics, colour=report.use_colour(stdout)))
    return _emit(render_svg(song, diagnostics), args.svg, stdout, stderr) if args.svg else EXIT_OK


def _lint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ignore", action="append", metavar="CODE",
                        help="silence a warning code for this run (repeat, or separate with commas)")
    parser.add_argument("--enable", action="append", metavar="CODE",
                        help="turn on a lint that is off by default (W104, W105)")


def _lazy(name: str):
    """A command from musicplan.render, imported only when it runs."""

    def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
        from . import render

        return getattr(render, name)(args, stdout, stderr)

    return run


def _api_commands(sub: Any) -> None:
    from .limits import MODELS, OUTPUT_FORMATS

    def connection(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--api-key", help="the API key (default: $ELEVENLABS_API_KEY)")
        parser.add_argument("--base-url", help="the API's address (default: $ELEVENLABS_BASE_URL or "
                                               "https://api.elevenlabs.io; regional: api.us, "
                                               "api.eu.residency, api.in.residency, api.sg.residency)")
        parser.add_argument("--attempts", type=int, default=3,
                            help="tries for a refused request (429, 408, 5xx, no connection); default 3")
        parser.add_argument("--timeout", type=float, default=600.0,
                            help="seconds to wait for the reply to go on (default 600)")
        parser.add_argument("--force", action="store_true", help="replace files that exist")

    render = sub.add_parser("render", help="submit a song and save its audio and metadata")
    render.add_argument("song", metavar="SONG", help="the song; - reads standard input")
    render.add_argument("-o", "--output", metavar="AUDIO",
                        help="where the audio goes (default: the title, or the file's name, "
                             "with the format's extension); AUDIO.json gets the metadata")
    render.add_argument("--endpoint", choices=("detailed", "stream", "compose"), default="detailed")
    render.add_argument("--format", choices=OUTPUT_FORMATS, help="output format (default: the song's `format`)")
    render.add_argument("--keep-partial", action="store_true",
                        help="keep a broken-off download as AUDIO.part")
    connection(render)
    render.set_defaults(run=_lazy("cmd_render"))

    plan = sub.add_parser("plan", help="ask the API to plan a song from a prompt, as a .song file")
    plan.add_argument("prompt", metavar="PROMPT")
    plan.add_argument("--length", help="the song's length, e.g. 2:30")
    plan.add_argument("--model", choices=MODELS)
    plan.add_argument("-o", "--output", metavar="NEW.song", help="write the song here (default: standard output)")
    connection(plan)
    plan.set_defaults(run=_lazy("cmd_plan"))


def _parser() -> argparse.ArgumentParser:
    from .limits import MODELS

    parser = argparse.ArgumentParser(
        prog="musicplan",
        description="Check and compile .song files for the ElevenLabs Music API.",
        epilog="exit codes: 0 no errors, 1 errors (or warnings with --strict), "
               "2 usage error or unreadable file, 3 a musicplan bug caught, "
               "4 key refused, 5 quota used up, 6 API unavailable or download broken off",
    )
    parser.add_argument("--version", action="version", version=f"musicplan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="check songs (and JSON bodies or plans) and report every problem")
    check.add_argument("files", nargs="+", metavar="FILE",
                       help="songs, .json bodies or plans, or directories; - reads standard input")
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="how to print diagnostics (default: text)")
    check.add_argument("--strict", action="store_true", help="warnings fail too")
    check.add_argument("--jobs", type=int, metavar="N",
                       help=f"processes to use (default: one per core from {PARALLEL_MIN} files on)")
    _lint_options(check)
    check.set_defaults(run=cmd_check)

    comp = sub.add_parser("compile", help="compile songs to request JSON")
    comp.add_argument("files", nargs="+", metavar="FILE", help="songs; - reads standard input")
    comp.add_argument("-o", "--output", metavar="OUT", help="write the JSON here (one song)")
    comp.add_argument("--out-dir", metavar="DIR", help="write each song as DIR/STEM.json")
    comp.add_argument("--plan", action="store_true", help="write the bare composition_plan")
    comp.add_argument("--model", choices=MODELS, help="compile for this model instead of the song's")
    comp.add_argument("--strict", action="store_true", help="warnings fail too")
    _lint_options(comp)
    comp.set_defaults(run=cmd_compile)

    fmt = sub.add_parser("fmt", help="rewrite songs in the canonical layout")
    fmt.add_argument("files", nargs="+", metavar="FILE", help="songs or directories; - reads standard input")
    mode = fmt.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="change nothing; exit 1 naming files that would change")
    mode.add_argument("--diff", action="store_true", help="change nothing; print a unified diff")
    fmt.set_defaults(run=cmd_fmt)

    dec = sub.add_parser("decompile", help="turn a JSON body or plan into .song text")
    dec.add_argument("file", metavar="FILE.json", help="a request body or plan; - reads standard input")
    dec.add_argument("-o", "--output", metavar="FILE.song", help="write the song here")
    dec.set_defaults(run=cmd_decompile)

    show = sub.add_parser("show", help="draw a song's sections on a timeline")
    show.add_argument("song", metavar="SONG", help="the song; - reads standard input")
    show.add_argument("--svg", metavar="FILE", help="also write the timeline as an SVG picture")
    _lint_options(show)
    show.set_defaults(run=cmd_show)

    _api_commands(sub)
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
        return EXIT_USAGE
    try:
        return args.run(args, stdout, stderr)
    except UsageError as exc:
        stderr.write(f"musicplan: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # A closed pipe (`| head`) is not an error of ours; keep Python quiet on exit.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def run() -> None:
    sys.exit(main())
