"""`musicplan check` and `musicplan compile`: files to diagnostics, songs to request JSON."""

from __future__ import annotations

import argparse

from musicplan.cli.common import (
    STDIN_NAME,
    Exit,
    Input,
    Inputs,
    Snippets,
    UsageError,
    cannot_write,
    emit,
    failed,
    lint_options,
    onto_input,
    positive_int,
    read_inputs,
)
from musicplan.cli.config import options_of, settings_of

TYPE_CHECKING = False  # as typing's: true for type checkers; at run time typing is not imported (3 ms)
if TYPE_CHECKING:
    from typing import Any, TextIO

PARALLEL_MIN = 200  # below this many files, starting processes costs more than it saves
_WORK: list[Input] = []


def register(sub: Any) -> None:
    from musicplan.spec.limits import MODELS

    check = sub.add_parser("check", help="check songs (and JSON bodies or plans) and report every problem")
    check.add_argument("files", nargs="+", metavar="FILE",
                       help="songs, .json bodies or plans, or directories; - reads standard input")
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="how to print diagnostics (default: text)")
    check.add_argument("--strict", action=argparse.BooleanOptionalAction, default=None,
                       help="warnings fail too (--no-strict overrides a settings file's `strict`)")
    check.add_argument("--jobs", type=positive_int, metavar="N",
                       help=f"processes to use (default: one per core from {PARALLEL_MIN} files on)")
    check.add_argument("--fix", action="store_true",
                       help="apply every fix that is certainly meant, rewriting the files atomically; "
                            "report what was fixed and what is left")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes --fix would make as a unified diff, changing nothing "
                            "(implies --fix)")
    lint_options(check)
    check.set_defaults(run=cmd_check)

    comp = sub.add_parser("compile", help="compile songs to request JSON")
    comp.add_argument("files", nargs="+", metavar="FILE",
                      help="songs or JSON bodies and plans (checked, then written as a body); "
                           "- reads standard input")
    comp.add_argument("-o", "--output", metavar="OUT", help="write the JSON here (one song)")
    comp.add_argument("--out-dir", metavar="DIR", help="write each song as DIR/STEM.json")
    comp.add_argument("--plan", action="store_true", help="write the bare composition_plan")
    comp.add_argument("--model", choices=MODELS,
                      help="compile for this model instead of the song's (default: the settings file's `model`)")
    comp.add_argument("--strict", action=argparse.BooleanOptionalAction, default=None,
                      help="warnings fail too (--no-strict overrides a settings file's `strict`)")
    lint_options(comp)
    comp.set_defaults(run=cmd_compile)


def _check_range(job: tuple[int, int, list[Any]]) -> list[list]:
    from musicplan.pipeline import check_bytes, collector_paused

    start, end, options = job
    with collector_paused():
        return [check_bytes(item.data, item.path, options[index], documents=True).diagnostics
                for index, item in enumerate(_WORK[start:end], start)]


def _most_jobs() -> int:
    """As many processes as help: two per core, and few enough that their pipes
    stay well below the open-file limit (each child holds one end in this process)."""
    import os

    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY or soft < 0:
            soft = 1 << 16
    except (ImportError, OSError, ValueError):
        soft = 256
    return max(1, min(2 * (os.cpu_count() or 1), 64, (soft - 32) // 4))


def _cores() -> int:
    """The cores this process may run on (its affinity, where the system says), else all."""
    import os

    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _jobs(args: argparse.Namespace, files: int) -> int:
    import os

    if args.jobs is not None:
        return max(1, min(args.jobs, files, _most_jobs()))
    if files < PARALLEL_MIN or not hasattr(os, "fork"):
        return 1
    return min(_cores(), 8)


def diagnose_all(inputs: Inputs, args: argparse.Namespace, options: list[Any] | None = None) -> list[list]:
    """Every file's diagnostics, in order (``options``: each file's, else worked
    out here); many files are split across processes forked after the parser's
    tables are loaded, the first share checked here meanwhile."""
    from musicplan.pipeline import collector_paused

    global _WORK
    if options is None:
        options = [options_of(args, item.path) for item in inputs.items]
    jobs = _jobs(args, len(inputs.items))
    _WORK = inputs.items
    try:
        if jobs == 1:
            return _check_range((0, len(_WORK), options))
        # The first song is checked before the fork: what is made on first use
        # (the parser's scanners, each record's __init__, patterns) is then made
        # once, not again in every process (a tenth of the CPU time on 1,000 songs).
        first = _check_range((0, 1, options))
        step = -(-(len(_WORK) - 1) // jobs)
        ranges = [(start, min(start + step, len(_WORK)), options) for start in range(1, len(_WORK), step)]
        # Paused from before the fork: a collection in either process would touch
        # (and so copy) every page of the objects the two still share.
        with collector_paused():
            return first + [found for part in _fork_map(_check_range, ranges) for found in part]
    finally:
        _WORK = []


def _fork_map(func: Any, jobs: list) -> list:
    """``[func(job) for job in jobs]``, all but the first in forked children that
    send their pickled results back through a pipe (lighter to start than a
    multiprocessing pool). A child that fails has its job redone here."""
    import os
    import pickle

    children = []
    local = [0]  # the indexes of the jobs done here
    for index in range(1, len(jobs)):
        try:
            read_end, write_end = os.pipe()
        except OSError:  # out of file descriptors: this one is done here
            local.append(index)
            continue
        try:
            pid = os.fork()
        except OSError:  # out of processes
            os.close(read_end)
            os.close(write_end)
            local.append(index)
            continue
        if pid == 0:  # the child
            os.close(read_end)
            code = 1
            try:
                with os.fdopen(write_end, "wb") as out:
                    out.write(pickle.dumps(func(jobs[index])))
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        children.append((pid, read_end, index))
    results: list = [None] * len(jobs)
    for index in local:
        results[index] = func(jobs[index])
    for pid, read_end, index in children:
        with os.fdopen(read_end, "rb") as source:
            data = source.read()
        _, status = os.waitpid(pid, 0)
        results[index] = pickle.loads(data) if status == 0 and data else func(jobs[index])
    return results


def cmd_check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from musicplan.cli import report

    if args.fix or args.diff:
        return cmd_fix(args, stdout, stderr)
    inputs = read_inputs(args.files, stderr, excluded=settings_of(args).excluded)
    options = [options_of(args, item.path) for item in inputs.items]
    found = diagnose_all(inputs, args, options)
    diagnostics = [d for each in found for d in each]
    if args.format == "json":
        report.write_json(diagnostics, stdout)
    elif args.format == "github":
        report.write_github(diagnostics, stdout)
    else:
        report.write_text(diagnostics, Snippets(inputs), stdout)
        errors = sum(d.is_error for d in diagnostics)
        stdout.write(report.summary(len(inputs.items), errors, len(diagnostics) - errors, inputs.unreadable) + "\n")
    if inputs.unreadable:
        return Exit.USAGE
    return Exit.PROBLEMS if any(failed(each, each_options.strict) for each, each_options in
                                zip(found, options, strict=True)) else Exit.OK


def any_failed(inputs: Inputs, found: list[list], args: argparse.Namespace) -> bool:
    """Whether a file's diagnostics fail the run, each under its own `strict`."""
    return any(failed(each, options_of(args, item.path).strict) for item, each in zip(inputs.items, found, strict=True))


def cmd_compile(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from musicplan.base.files import write_atomic
    from musicplan.cli import report
    from musicplan.library import Song
    from musicplan.pipeline import check_bytes, collector_paused

    if args.output and args.out_dir:
        raise UsageError("give either -o or --out-dir, not both")
    inputs = read_inputs(args.files, stderr, excluded=settings_of(args).excluded)
    if inputs.unreadable:
        return Exit.USAGE
    if not inputs.items:
        raise UsageError("no songs to compile (a folder is searched for *.song files)")
    if len(inputs.items) > 1 and not args.out_dir:
        raise UsageError("several songs need --out-dir DIR (each is written as DIR/STEM.json)")
    if args.out_dir:
        stems = [item.stem for item in inputs.items]
        clash = sorted({s for s in stems if stems.count(s) > 1})
        if clash:
            raise UsageError(f"two songs would both be written as {clash[0]}.json in {args.out_dir}")
    with collector_paused():  # for the whole batch: songs make no cycles worth collecting
        results = [(item, check_bytes(item.data, item.path, options_of(args, item.path), documents=True))
                   for item in inputs.items]
    diagnostics = [d for _, checked in results for d in checked.diagnostics]
    report.write_text(diagnostics, Snippets(inputs), stderr)
    if any_failed(inputs, [checked.diagnostics for _, checked in results], args):
        return Exit.PROBLEMS
    outputs: list[tuple[Input, str]] = []
    for item, checked in results:
        assert checked.analysis is not None  # no errors were reported
        song = Song(checked.analysis, checked.diagnostics)
        if args.plan and song.is_prompt:
            stderr.write(f"musicplan: {item.path} is a prompt song: it has no plan for --plan\n")
            return Exit.USAGE
        outputs.append((item, song.to_json(plan=args.plan)))
    sources = [item.path for item in inputs.items]
    if not args.out_dir:
        return emit(outputs[0][1], args.output, stdout, stderr, sources=sources)
    from pathlib import Path

    out_dir = Path(args.out_dir)
    for item, _ in outputs:
        target = out_dir / f"{item.stem}.json"
        source = onto_input(target, sources)
        if source is not None:
            raise UsageError(f"{target} would replace the input {source} itself: nothing was written "
                             "(choose another --out-dir)")
    target = out_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for item, text in outputs:
            target = out_dir / f"{item.stem}.json"
            write_atomic(target, text)
    except OSError as exc:
        return cannot_write(exc, target, stderr)
    return Exit.OK


def _fix_one(item: Input, options: Any) -> tuple[Any, str | None]:
    """A song's fixes (None for what --fix does not rewrite: JSON, or bytes that are not text)."""
    from musicplan.base.diagnostics import Report
    from musicplan.pipeline import check_bytes, is_json
    from musicplan.read.source import BOM, decode
    from musicplan.write.fix import Fixed, fix_source

    source = decode(item.data, item.path, Report(item.path))
    if source is None or is_json(item.path, item.data):
        return Fixed("", [], check_bytes(item.data, item.path, options, documents=True).diagnostics), None
    fixed = fix_source(source, options)
    bom = BOM if item.data.startswith(b"\xef\xbb\xbf") else ""
    return fixed, bom + fixed.text


def cmd_fix(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """`check --fix` and `check --fix --diff`."""
    from musicplan.base.files import write_atomic
    from musicplan.cli import report
    from musicplan.cli.formatting import unified_diff
    from musicplan.write.fix import FixChangedMeaning

    inputs = read_inputs(args.files, stderr, excluded=settings_of(args).excluded)
    left: list = []
    found: list[list] = []
    after = Inputs()  # each input as it is after fixing, for the snippets under what is left
    fixes = files = 0
    out = stderr if any(item.path == STDIN_NAME for item in inputs.items) and not args.diff else stdout
    for item in inputs.items:
        try:
            fixed, text = _fix_one(item, options_of(args, item.path))
        except FixChangedMeaning as exc:
            stderr.write(f"musicplan: fixing {item.path} would change more than the fixes ({exc}); it is "
                         "left untouched. This is a bug in musicplan: please report it with the file.\n")
            return Exit.INTERNAL
        left += fixed.left
        found.append(fixed.left)
        after.items.append(item if text is None or args.diff else Input(item.path, text.encode("utf-8")))
        if item.path == STDIN_NAME and not args.diff:
            stdout.write(text if text is not None else item.data.decode("utf-8", errors="replace"))
        if not fixed.changed or text is None:
            continue
        fixes += len(fixed.fixed)
        files += 1
        if args.diff:
            original = item.data.decode("utf-8")
            stdout.write(unified_diff(original, text, item.path))
            continue
        if item.path != STDIN_NAME:
            try:
                # Only if the file still holds what was read: an edit saved meanwhile is not lost.
                write_atomic(item.path, text, expect=item.data, regular_only=True)
            except OSError as exc:
                stderr.write(f"musicplan: cannot rewrite {item.path}: {exc.strerror or exc}\n")
                inputs.unreadable += 1
                after.items[-1] = item
                continue
        if args.format == "text":
            for d in fixed.fixed:
                wrote = ", ".join(f"wrote `{edit.text}`" if edit.text else "removed the extra text" for edit in d.fix)
                out.write(f"{d.path}:{d.span.line}:{d.span.column}: fixed[{d.code}] {d.message}: {wrote}\n")
    if args.diff:
        errors = sum(d.is_error for d in left)
        rest = (f"; {_count(errors, 'error')} and {_count(len(left) - errors, 'warning')} would be left "
                "(musicplan check shows them)") if left else ""
        stderr.write(f"would fix {_count(fixes, 'problem')} in {_count(files, 'file')}{rest}\n")
        return Exit.USAGE if inputs.unreadable else Exit.PROBLEMS if fixes else Exit.OK
    if args.format == "json":
        report.write_json(left, stdout)
    elif args.format == "github":
        report.write_github(left, stdout)
    else:
        if fixes:
            out.write("\n")
        report.write_text(left, Snippets(after), out)
        errors = sum(d.is_error for d in left)
        rest = f"{_count(errors, 'error')} and {_count(len(left) - errors, 'warning')} left" if left else \
            "no problems left"
        out.write(f"checked {_count(len(inputs.items), 'file')}: fixed {_count(fixes, 'problem')} "
                  f"in {_count(files, 'file')}, {rest}\n")
    if inputs.unreadable:
        return Exit.USAGE
    return Exit.PROBLEMS if any_failed(inputs, found, args) else Exit.OK


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"

