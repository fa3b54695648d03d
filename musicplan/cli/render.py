"""`musicplan render` and `musicplan plan`: a song becomes audio; a prompt (and
with ``--from`` an existing song) becomes a song.

Exit codes beyond check's (``musicplan.base.exits``): 4 the API refused the
key (401: wrong, or without the music permission), 5 the account's quota,
plan or subscription does not cover the request (402 ``limited_access``,
403), 6 the API stayed unavailable or the download broke off. Each client
exception carries its own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from musicplan.base.diagnostics import Diagnostic, Report, Span
from musicplan.base.files import check_name, exists, is_folder, write_atomic
from musicplan.base.record import Factory, Record
from musicplan.cli.common import (
    STDIN,
    STDIN_NAME,
    Exit,
    Input,
    Snippets,
    Terminated,
    UsageError,
    config_options,
    emit,
    kept_unless_forced,
    onto_input,
    positive_int,
    read_inputs,
)
from musicplan.cli.config import options_of, settings_of
from musicplan.cli.report import SourceLines
from musicplan.remote.secret import redact
from musicplan.spec import limits


def _timeout(text: str) -> float:
    """Seconds, more than none and at most a day (a socket takes nothing else)."""
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from above 0 to 86400")
    return value


def _attempts(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of tries from 1 to 100")
    return value


def connection_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that calls the API."""
    parser.add_argument("--api-key", help="the API key (default: $ELEVENLABS_API_KEY)")
    parser.add_argument("--base-url", help="the API's address (default: $ELEVENLABS_BASE_URL or "
                                           "https://api.elevenlabs.io; regional: api.us, "
                                           "api.eu.residency, api.in.residency, api.sg.residency)")
    parser.add_argument("--attempts", type=_attempts, default=3,
                        help="tries for a request that started nothing (429, 503, no connection); default 3")
    parser.add_argument("--timeout", type=_timeout, default=600.0,
                        help="seconds to wait for the reply to go on (default 600)")
    parser.add_argument("--force", action="store_true",
                        help="replace files that exist (render: and render songs again even if unchanged)")
    parser.add_argument("--no-logging", action="store_true",
                        help="ask for zero retention (enable_logging=false; enterprise accounts only)")


def register(sub: Any) -> None:
    from musicplan.spec.limits import MODELS, OUTPUT_FORMATS, RECOMMENDED_MODEL

    render = sub.add_parser("render", help="submit songs and save their audio and metadata; "
                                           "songs unchanged since their last render are skipped")
    render.add_argument("song", metavar="SONG", nargs="+",
                        help="songs (or JSON bodies or plans), or folders of songs; - reads standard input")
    render.add_argument("-o", "--output", metavar="AUDIO",
                        help="where the audio goes, for one song (default: beside the song, named by its "
                             "title, else the file's name, with the format's extension); AUDIO.json gets "
                             "the metadata")
    render.add_argument("--endpoint", choices=("detailed", "stream", "compose"), default="detailed",
                        help="detailed (default: audio, the plan used, metadata and word timestamps), stream "
                             "(audio as it is made) or compose (audio only); fields an endpoint does not "
                             "take are dropped with a warning")
    render.add_argument("--format", choices=OUTPUT_FORMATS, help="output format (default: the song's `format`)")
    render.add_argument("--raw", action="store_true",
                        help="keep pcm, ulaw and alaw as bare samples (default: a WAV file)")
    render.add_argument("--keep-partial", action="store_true",
                        help="keep a broken-off download as AUDIO.part")
    render.add_argument("-j", "--jobs", type=positive_int, default=2, metavar="N",
                        help="songs in flight at once (default 2; the account's maximum-concurrent-requests "
                             "caps it)")
    render.add_argument("--dry-run", action="store_true",
                        help="check everything and say what would be sent and how many minutes of music "
                             "that is; send nothing")
    render.add_argument("--confirm-over", type=float, default=10.0, metavar="MINUTES",
                        help="on a terminal, ask before generating more than this many minutes (default 10)")
    render.add_argument("-y", "--yes", action="store_true", help="do not ask (see --confirm-over)")
    config_options(render)
    connection_options(render)
    render.set_defaults(run=cmd_render)

    plan = sub.add_parser("plan", help="ask the API to plan a song from a prompt, as a .song file")
    plan.add_argument("prompt", metavar="PROMPT")
    plan.add_argument("--length", help="the song's length, e.g. 2:30")
    plan.add_argument("--model", choices=MODELS,
                      help=f"the plan's model (default: the --from song's, else {RECOMMENDED_MODEL})")
    plan.add_argument("--from", dest="source", metavar="SONG",
                      help="rework this song: its plan is sent as source_composition_plan")
    plan.add_argument("-o", "--output", metavar="NEW.song", help="write the song here (default: standard output)")
    connection_options(plan)
    plan.set_defaults(run=cmd_plan)


class _Say:
    """Every line for the user passes here, so the key can never be printed, nor a server's escape sequences."""

    def __init__(self, stream: TextIO, key: str | None) -> None:
        self.stream = stream
        self.key = key

    def __call__(self, text: str) -> None:
        self.stream.write(self.clean(text) + "\n")

    def clean(self, text: str) -> str:
        """``text`` fit for the terminal: no key, and (much of it comes from a server)
        nothing that may act on the terminal."""
        from musicplan.base.terminal import printable

        return "\n".join(printable(line) for line in redact(text, self.key).split("\n"))


def _key(args: argparse.Namespace) -> str | None:
    """The key, stripped of surrounding whitespace; a key that cannot be sent is a usage error."""
    import os

    from musicplan.remote.client import BASE_URL_ENV, KEY_ENV, SetupError, check_base_url, check_key

    try:
        if args.base_url is not None:
            check_base_url(args.base_url)
        elif os.environ.get(BASE_URL_ENV):
            check_base_url(os.environ[BASE_URL_ENV], f"${BASE_URL_ENV}")
        key = args.api_key or os.environ.get(KEY_ENV)
        return check_key(key) if key and key.strip() else None
    except SetupError as exc:
        raise UsageError(str(exc)) from None


def _client(args: argparse.Namespace, key: str, notify: Any = None, **hooks: Any) -> Any:
    """A client for this run: ``notify`` is told of every wait in words; ``hooks`` go to the client."""
    from musicplan.remote.client import MusicClient, RetryPolicy

    return MusicClient(key, base_url=args.base_url, read_timeout=args.timeout,
                       retry=RetryPolicy(max_attempts=args.attempts, notify=notify),
                       enable_logging=not args.no_logging, **hooks)


def _default_target(item: Input, title: str | None, output_format: str | None, raw: bool = False) -> Path:
    from musicplan.remote.audio import extension
    from musicplan.remote.files import safe_filename

    stem = safe_filename(title) or (safe_filename(item.stem) if item.path != STDIN_NAME else None) or "song"
    folder = Path(item.path).parent if item.path != STDIN_NAME else Path(".")
    return folder / (stem + extension(output_format, raw))


def _failure(exc: BaseException, say: _Say, lines: SourceLines, analysis: Any, item: Input,
             body: dict[str, Any], force: bool, stderr: TextIO) -> int:
    from musicplan.cli import report
    from musicplan.remote.client import (
        ApiError,
        AuthenticationError,
        ContentRefused,
        MusicApiError,
        PermissionMissing,
        PlanRequired,
        QuotaError,
        RequestInvalid,
        Unavailable,
    )

    if not isinstance(exc, MusicApiError):
        raise exc
    if isinstance(exc, RequestInvalid):
        from musicplan.write.locate import locate

        found = []
        for error in exc.errors or [{"loc": ["body"], "msg": exc.message, "type": ""}]:
            loc = error["loc"]
            where = ".".join(str(part) for part in loc)
            span = locate(analysis, loc) if analysis is not None else Span.at(1, 1)
            found.append(Diagnostic(item.path, span, "error", "E600",
                                    f"the API refused this: {error.get('msg', 'invalid')}",
                                    f"the API's rule `{error.get('type', '')}` at {where}"))
        report.write_text(found, lines, stderr)
    elif isinstance(exc, ContentRefused):
        say(f"musicplan: the API refused the song ({exc.code}): {exc.message}")
        _save_suggestion(exc, say, item, body, force)
    elif isinstance(exc, PermissionMissing):
        say(f"musicplan: the API key lacks the music permission ({exc.status}): give it Music access in "
            "the ElevenLabs settings, or use another key")
    elif isinstance(exc, AuthenticationError):
        say(f"musicplan: the API refused the key ({exc.status} {exc.code or ''}): {exc.message}".replace(" )", ")"))
    elif isinstance(exc, PlanRequired) and exc.status == 402:
        say(f"musicplan: the Music API is for paid plans; this account cannot use it ({exc.status} "
            f"{exc.code or 'payment required'}): {exc.message}")
    elif isinstance(exc, PlanRequired):
        say(f"musicplan: the account's subscription does not allow this ({exc.status} "
            f"{exc.code or 'forbidden'}): {exc.message}")
    elif isinstance(exc, QuotaError):
        say(f"musicplan: the account's quota does not cover this ({exc.code or exc.status}): {exc.message}")
    elif isinstance(exc, Unavailable):
        limit = exc.concurrency.maximum if exc.concurrency is not None else None
        busy = (f" (the account's limit of {limit} concurrent requests is reached)"
                if exc.code == "too_many_concurrent_requests" and limit is not None else "")
        say(f"musicplan: the API stayed unavailable ({exc.status}): {exc.message}{busy}")
    elif isinstance(exc, ApiError):
        say(f"musicplan: the API refused the request ({exc.status}): {exc.message}")
    else:
        say(f"musicplan: {exc}")
    return exc.exit_code


def _save_suggestion(exc: Any, say: _Say, item: Input, body: dict[str, Any], force: bool) -> None:
    from musicplan.write.body import dumps
    from musicplan.write.decompile import decompile_text

    suggestion = exc.suggestion
    if suggestion is None:
        return
    key, kind = ("prompt", str) if exc.code == "bad_prompt" else ("composition_plan", dict)
    if not isinstance(suggestion, kind):
        return
    suggested = {k: v for k, v in body.items() if k not in ("prompt", "composition_plan")}
    suggested[key] = suggestion
    if key == "prompt":
        suggested = {k: v for k, v in suggested.items() if k not in ("seed", "respect_sections_durations")}
    result = decompile_text(dumps(suggested), "suggestion")
    if result.text is None:
        say("musicplan: the API's suggestion could not be turned into a song")
        return
    folder = Path(item.path).parent if item.path != STDIN_NAME else Path(".")
    target = folder / f"{item.stem}.suggested.song"
    if kept_unless_forced(str(target), force, say.stream):
        return
    write_atomic(target, "# Suggested by the Music API instead of the refused song.\n" + result.text)
    say(f"the API's suggestion is in {target}")


def _unwritable(paths: Sequence[Path], force: bool, source: str) -> str | None:
    """Why what a request brings could not be written where it would go (checked
    before anything is sent, so a generation or an upload is never paid for nothing)."""
    from musicplan.base.files import check_name

    for path in paths:
        if onto_input(path, [source]):
            return f"{path} would replace the input {source} itself"
        if is_folder(path):
            return f"{path} is a folder"
        if exists(path) and not force:  # a dangling link is written through, as the writer does
            return f"{path} exists (use --force to replace it)"
        real = Path(os.path.realpath(path))
        for name in (real, real.with_name(real.name + ".part")):
            try:
                check_name(name, path)
            except OSError as exc:
                return f"cannot write {path}: {exc.strerror}"
    return None


def _regular_or_new(path: Path) -> bool:
    import stat

    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return True


def _redact_file(path: Path, key: str | None) -> None:
    """A kept reply that is not audio (a page, JSON) may echo the key: it is not kept."""
    data = path.read_bytes()
    clean = redact(data.decode("latin-1"), key).encode("latin-1")
    if clean != data:
        write_atomic(path, clean)


class _Job(Record):
    """One song of a run, prepared: what would be sent, where it goes, and whether it need be.
    (A Record: this module is imported by every command, and a dataclass costs at import.)"""

    item: Input
    lines: Snippets
    diagnostics: list[Any] = Factory(list)
    analysis: Any = None
    title: str | None = None
    body: dict[str, Any] = Factory(dict)
    output_format: str | None = None
    target: Path = Path()
    meta: Path = Path()
    lyrics: Path | None = None  # AUDIO.lrc, for a detailed render with timestamps
    request_sha256: str = ""
    lock: Any = None  # the RenderLock of the song's folder (None for standard input)
    replace: bool = False  # the files may be replaced: --force, or they are this song's last render
    length_ms: int | None = None
    unchanged: dict[str, Any] | None = None  # the lock's entry, when the render can be skipped
    problem: tuple[int, str] | None = None  # found before sending: (exit code, message)

    @property
    def name(self) -> str:
        return self.item.path


def cmd_render(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from musicplan.cli import batch

    key = _key(args)
    say = _Say(stderr, key)
    inputs = read_inputs(args.song, stderr, excluded=settings_of(args).excluded)
    if not inputs.items:  # (what could not be read was said as it was read)
        if not inputs.unreadable:
            say(f"musicplan: no .song files in {', '.join(args.song)}")
        return Exit.USAGE
    if args.output and len(inputs.items) + inputs.unreadable > 1:
        say("musicplan: -o names the audio of one song; give one song, or leave -o out")
        return Exit.USAGE
    jobs = _prepare(args, inputs, say, stderr)
    to_send = [job for job in jobs if job.problem is None and job.unchanged is None]
    if args.dry_run:
        _preview(args, jobs, to_send, stdout)
        return _combined([job.problem[0] for job in jobs if job.problem], inputs.unreadable)
    for job in jobs:
        if job.unchanged is not None:
            say(f"{job.name}: unchanged since its render to {job.lock.audio_path(job.unchanged)} "
                f"(song id {job.unchanged.get('song_id') or 'unknown'}): not sent (--force renders it again)")
        elif job.problem is not None:
            say(job.problem[1])
    if to_send and not key:
        say("musicplan: no API key: pass --api-key or set ELEVENLABS_API_KEY")
        return Exit.USAGE
    total_ms = sum(job.length_ms or 0 for job in to_send)
    # Standard input that held a song cannot give the answer: then nothing asks.
    asking = not args.yes and STDIN not in args.song and _interactive(stderr)
    if to_send and total_ms > args.confirm_over * 60_000 and asking:
        stderr.write(f"This run generates {batch.minutes(total_ms)} minutes of music ({len(to_send)} "
                     f"song{'s' if len(to_send) != 1 else ''}), which is billed. Go on? [y/N] ")
        stderr.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            say("musicplan: nothing was sent")
            return Exit.PROBLEMS
    outcome = _run(args, key, to_send, say, stderr) if to_send else None
    codes = [job.problem[0] for job in jobs if job.problem]
    if outcome is not None:
        codes += [result.code for _, result in outcome.outcomes if result.code]
        if outcome.interrupted is not None:
            codes.append(Exit.TERMINATED if isinstance(outcome.interrupted, Terminated) else Exit.INTERRUPTED)
    if len(jobs) > 1:
        results = [result for _, result in outcome.outcomes] if outcome else []
        rendered = sum(1 for result in results if not result.code)
        skipped = sum(1 for job in jobs if job.unchanged is not None)
        failed = len(results) - rendered + len(jobs) - len(to_send) - skipped + inputs.unreadable
        left = f", {len(to_send) - len(results)} not sent (interrupted)" if len(results) < len(to_send) else ""
        say(f"{len(jobs) + inputs.unreadable} songs: {rendered} rendered, {skipped} unchanged, {failed} "
            f"failed{left}")
    return _combined(codes, inputs.unreadable)


def _combined(codes: list[int], unreadable: int) -> int:
    """0 when everything succeeded; else the failures' code when they agree, or 1."""
    found = set(codes) | ({Exit.USAGE} if unreadable else set())
    for interrupted in (Exit.TERMINATED, Exit.INTERRUPTED):
        if interrupted in found:
            return interrupted
    return found.pop() if len(found) == 1 else (Exit.PROBLEMS if found else Exit.OK)


def _interactive(stderr: TextIO) -> bool:
    try:
        return sys.stdin.isatty() and stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _prepare(args: argparse.Namespace, inputs: Any, say: _Say, stderr: TextIO) -> list[_Job]:
    """Compile and check every song, and find, before anything is sent, what each would
    send, where it would go, whether its last render is still good, and what is in the way."""
    from musicplan.cli import batch, report
    from musicplan.cli.lyrics import beside
    from musicplan.library import Song
    from musicplan.pipeline import check_bytes
    from musicplan.remote.client import drop_unsupported
    from musicplan.remote.lock import LockError, RenderLock, request_hash
    from musicplan.spec.vocabulary import ENDPOINTS, FIELD_OF_BODY_KEY

    lines = Snippets(inputs)
    locks: dict[Path, Any] = {}
    recorded: dict[Path, dict[str, Any]] = {}  # each folder's lock, read once: what decides each song
    targets: dict[Path, str] = {}
    jobs: list[_Job] = []
    for item in inputs.items:
        job = _Job(item, lines)
        jobs.append(job)
        checked = check_bytes(item.data, item.path, options_of(args, item.path), documents=True)
        job.diagnostics = checked.diagnostics
        if checked.analysis is None:
            job.problem = (Exit.PROBLEMS, f"{item.path}: not sent: it has errors (see above)")
            continue
        song = Song(checked.analysis, checked.diagnostics)
        job.analysis, job.title = song.analysis, song.title
        job.body, dropped = drop_unsupported(song.to_body(), args.endpoint)
        for name in dropped:
            where = "" if len(inputs.items) == 1 else f"{item.path}: "
            field = FIELD_OF_BODY_KEY.get(name, name)
            say(f"warning: {where}{ENDPOINTS[args.endpoint]} does not take `{name}` (the song's `{field}`): "
                "it is not sent")
        job.output_format = args.format or song.output_format
        job.target = Path(args.output) if args.output else _default_target(item, song.title, job.output_format,
                                                                           args.raw)
        job.meta = job.target.with_name(job.target.name + ".json")
        if args.endpoint == "detailed" and job.body.get("with_timestamps") and _regular_or_new(job.target):
            job.lyrics = beside(job.target, "lrc")
        job.length_ms = batch.length_ms(job.body)
        query = {"output_format": job.output_format} if job.output_format else {}
        job.request_sha256 = request_hash(job.body, args.endpoint, query)
        if item.path != STDIN_NAME:
            folder = Path(item.path).parent
            if folder not in locks:
                try:
                    locks[folder] = RenderLock(folder)
                    recorded[folder] = locks[folder].read()
                except LockError as exc:
                    locks[folder] = exc
                    say(f"{exc}\n  = hint: {exc.hint}")
            if isinstance(locks[folder], LockError):
                job.problem = (Exit.USAGE, f"{item.path}: not sent: its folder's {locks[folder].path} "
                                           "cannot be read (see above)")
                continue
            job.lock = locks[folder]
            if not args.force:
                job.unchanged = job.lock.unchanged(item.path, job.request_sha256, recorded[folder])
                if job.unchanged is not None:
                    continue
            last = job.lock.entry(item.path, recorded[folder])
            job.replace = args.force or (last is not None and _same(job.lock.audio_path(last), job.target))
        else:
            job.replace = args.force
        claimed = targets.setdefault(_resolved(job.target), item.path)
        if claimed != item.path:
            job.problem = (Exit.USAGE, f"{item.path}: not sent: {claimed} would write {job.target} too "
                                       "(give one of them another title)")
            continue
        # A device or pipe gets no sidecar.
        paths = (job.target, job.meta) if _regular_or_new(job.target) else (job.target,)
        problem = _unwritable(paths, job.replace, item.path)
        if problem is None and job.lyrics is not None and exists(job.lyrics) and not job.replace:
            problem = f"{job.lyrics} exists (use --force to replace it)"
        if problem is not None:
            where = "" if len(inputs.items) == 1 else f" for {item.path}"
            job.problem = (Exit.USAGE, f"musicplan: {problem}: nothing was sent{where}")
    # A song's warnings are shown when it is sent (or cannot be), not each time it is skipped.
    report.write_text([d for job in jobs if job.unchanged is None for d in job.diagnostics], lines, stderr)
    return jobs


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _same(a: Path, b: Path) -> bool:
    return _resolved(a) == _resolved(b)


def _preview(args: argparse.Namespace, jobs: list[_Job], to_send: list[_Job], stdout: TextIO) -> None:
    """What a run would do: nothing is sent."""
    from musicplan.analyse.durations import format_clock
    from musicplan.cli import batch
    from musicplan.spec.vocabulary import ENDPOINTS

    out: list[str] = []
    endpoint = ENDPOINTS[args.endpoint]
    if to_send:
        out.append(f"would send {len(to_send)} song{'s' if len(to_send) != 1 else ''} to {endpoint}:")
        for job in to_send:
            length = format_clock(job.length_ms) if job.length_ms is not None else "length chosen by the API"
            out.append(f"  {job.name} -> {job.target}  ({job.output_format or 'mp3_44100_128'}, {length})")
    unchanged = [job for job in jobs if job.unchanged is not None]
    if unchanged:
        out.append(f"unchanged, would be skipped: {len(unchanged)}")
        out += [f"  {job.name} ({job.lock.audio_path(job.unchanged)})" for job in unchanged]
    problems = [job for job in jobs if job.problem is not None]
    if problems:
        out.append(f"would not be sent: {len(problems)}")
        out += [f"  {job.problem[1]}" for job in problems if job.problem]
    total = sum(job.length_ms or 0 for job in to_send)
    unknown = sum(1 for job in to_send if job.length_ms is None)
    more = f", plus {unknown} of a length the API chooses" if unknown else ""
    out.append(f"total: {batch.minutes(total)} minutes ({format_clock(total)}) of music to generate{more}")
    out.append("nothing was sent (--dry-run)")
    stdout.write("\n".join(out) + "\n")


def _run(args: argparse.Namespace, key: str | None, jobs: list[_Job], say: _Say, stderr: TextIO) -> Any:
    """Render the jobs, up to --jobs at once, with a display of what each is doing."""
    import io
    import threading

    from musicplan.cli import batch
    from musicplan.cli.progress import Progress

    assert key is not None
    clients: set[Any] = set()
    stopping = threading.Event()
    guard = threading.Lock()

    def interrupt() -> None:
        stopping.set()
        with guard:
            for client in list(clients):
                client.close()  # the downloads in flight break off, and clean up after themselves

    with Progress(stderr, total=len(jobs), clean=_Say(stderr, key).clean) as progress:
        def work(job: _Job) -> batch.Outcome:
            try:
                return _render_one(args, key, job, progress, clients, guard, stopping)
            except Exception as exc:  # a bug of ours: the other songs go on
                progress.say(f"musicplan: {job.name}: internal error: {type(exc).__name__}: "
                             f"{redact(str(exc), key)}")
                return batch.Outcome(Exit.INTERNAL)

        def gave_up(job: _Job, outcome: batch.Outcome) -> None:
            said = io.StringIO()
            _failure(outcome.error, _Say(said, key), job.lines, job.analysis, job.item, job.body, args.force, said)
            progress.say(said.getvalue().rstrip("\n"))

        def busy(job: _Job, outcome: batch.Outcome, others: int) -> None:
            why = (f"{others} of ours in flight" if others else f"waiting {outcome.wait:.1f} s")
            progress.say(f"{job.name}: the account's concurrent requests are all in use (429 "
                         f"too_many_concurrent_requests, nothing billed): queued again, {why}")

        return batch.run(jobs, work, args.jobs, busy_tries=max(1, args.attempts), on_interrupt=interrupt,
                         busy=busy, gave_up=gave_up)


def _render_one(args: argparse.Namespace, key: str, job: _Job, progress: Any, clients: set[Any],
                guard: Any, stopping: Any) -> Any:
    """One song: the request, the audio into its file, the sidecar, the lyrics, the lock."""
    import io

    from musicplan.base.files import AtomicFile
    from musicplan.cli import batch
    from musicplan.remote.audio import AudioWriter
    from musicplan.remote.client import ConcurrencyLimited, NotAudio

    song = progress.song(job.name, Path(job.name).name)
    try:
        out = AtomicFile(job.target, force=job.replace, keep_partial=args.keep_partial)
    except OSError as exc:
        song.finish(f"musicplan: cannot write {job.target}: {exc.strerror or exc}: nothing was sent")
        return batch.Outcome(Exit.USAGE)
    writer = AudioWriter(out.handle, job.output_format, raw=args.raw, write=out.write)
    client = _client(args, key, retry_busy=False, on_retry=song.retrying)
    with guard:
        clients.add(client)
    song.waiting()
    try:
        with client:
            send = {"compose": client.compose, "detailed": client.compose_detailed,
                    "stream": client.stream}[args.endpoint]
            result = send(job.body, writer.write, output_format=job.output_format, progress=song.receiving)
        writer.finish()
        # The whole billed audio is here: if it cannot take its name, it is kept as .part.
        out.keep_partial = True
        out.commit()
    except BaseException as exc:
        if isinstance(exc, NotAudio):
            out.keep_partial = True  # what came instead of audio is worth a look
        kept = out.abort()
        if isinstance(exc, ConcurrencyLimited):
            song.withdraw()
            maximum = exc.concurrency.maximum if exc.concurrency else None
            return batch.Outcome(exc.exit_code, busy=True, wait=exc.wait, maximum=maximum, error=exc)
        said = io.StringIO()
        tell = _Say(said, key)
        code: int
        if isinstance(exc, OSError) and not isinstance(exc, FileExistsError):
            tell(f"musicplan: cannot write {job.target}: {exc.strerror or exc}")
            if kept is not None:
                tell(f"the audio is kept as {kept}")
            song.finish(said.getvalue().rstrip("\n"))
            return batch.Outcome(Exit.USAGE)
        if kept is not None and isinstance(exc, NotAudio):
            _redact_file(kept, key)
            tell(f"what arrived is kept as {kept}")
        elif kept is not None:
            tell(f"the partial download is kept as {kept}")
        if stopping.is_set():
            tell(f"musicplan: {job.name}: interrupted: nothing was written")
            code = Exit.INTERRUPTED
        elif isinstance(exc, FileExistsError):
            tell(f"musicplan: {exc}")
            code = Exit.USAGE
        else:
            code = _failure(exc, tell, job.lines, job.analysis, job.item, job.body, args.force, said)
        song.finish(said.getvalue().rstrip("\n"))
        return batch.Outcome(code)
    finally:
        with guard:
            clients.discard(client)
    line, kept_code = _keep(args, job, result, out.direct)
    song.finish(line)
    concurrency = result.concurrency
    maximum = concurrency.maximum if concurrency else None
    room = bool(concurrency and concurrency.current is not None and maximum is not None
                and concurrency.current < maximum)
    return batch.Outcome(kept_code, maximum=maximum, room=room)


def _keep(args: argparse.Namespace, job: _Job, result: Any, direct: bool) -> tuple[str, int]:
    """After the audio: the sidecar, the lyrics and the lock entry (none of them beside a
    device or pipe, ``direct``). Returns what to say and the exit code."""
    from musicplan.remote.files import safe_filename
    from musicplan.remote.lock import file_sha256, make_entry

    metadata: dict[str, Any] = {
        "song_id": result.song_id,
        "endpoint": args.endpoint,
        "output_format": job.output_format,
        "audio_file": job.target.name,
        "bytes": result.bytes_received,
        "content_type": result.content_type,
        "server_filename": safe_filename(result.filename, basename=True),
        "request": job.body,
    }
    if result.metadata is not None:
        for name in ("composition_plan", "song_metadata", "words_timestamps", "waveform_visual"):
            metadata[name] = result.metadata.get(name)
    summary = f"{job.target} ({result.bytes_received} bytes, song id {result.song_id or 'unknown'})"
    said = [f"warning: {warning}" for warning in result.warnings]
    if direct:
        return "\n".join([*said, f"wrote {summary} (no metadata file beside a device or pipe)"]), Exit.OK
    said.append(f"wrote {summary} and {job.meta}")
    try:
        # What came from the server holds no key: the client took it out of all it read.
        write_atomic(job.meta, json.dumps(metadata, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        return f"wrote {summary}, but cannot write {job.meta}: {exc.strerror or exc}", Exit.USAGE
    if job.lyrics is not None:
        said.append(_write_lyrics(job, metadata))
    if job.lock is not None and job.target.is_file():
        audio = Path(os.path.relpath(_resolved(job.target), _resolved(job.lock.folder))).as_posix()
        entry = make_entry(request_sha256=job.request_sha256, endpoint=args.endpoint,
                           output_format=job.output_format, song_id=result.song_id, audio=audio,
                           audio_sha256=file_sha256(job.target), audio_bytes=job.target.stat().st_size)
        try:
            job.lock.record(job.item.path, entry)
        except OSError as exc:
            said.append(f"musicplan: cannot record it in {job.lock.path}: {exc.strerror or exc} "
                        "(the next run will render it again)")
            return "\n".join(said), Exit.USAGE
    return "\n".join(line for line in said if line), Exit.OK


def _write_lyrics(job: _Job, metadata: dict[str, Any]) -> str:
    from musicplan.write.lyrics import from_reply, to_lrc

    assert job.lyrics is not None
    timed, problems = from_reply(metadata, job.body)
    notes = [f"warning: {job.name}: {problem}; left out of {job.lyrics}" for problem in problems]
    if not timed:
        return "\n".join([*notes, f"warning: {job.name}: the reply had no word timestamps: no {job.lyrics}"])
    try:
        write_atomic(job.lyrics, to_lrc(timed, job.title))
    except OSError as exc:
        return "\n".join([*notes, f"musicplan: cannot write {job.lyrics}: {exc.strerror or exc}"])
    return "\n".join([*notes, f"wrote {job.lyrics} ({len(timed)} lines)"])


def _comment(text: str) -> str:
    """``text`` as comment lines: any line break starts a new one, and no other
    control character is kept (a raw CR in a comment is a syntax error)."""
    import re
    import unicodedata

    lines = re.split(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]", text)
    clean = ("".join(" " if unicodedata.category(c) in ("Cc", "Cs") and c != "\t" else c for c in line)
             for line in lines)
    return "".join(f"# {line}".rstrip() + "\n" for line in clean)


def cmd_plan(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from musicplan.analyse.durations import Tempo, to_ms
    from musicplan.cli import report
    from musicplan.read.parse import parse_duration_value
    from musicplan.write.body import dumps
    from musicplan.write.decompile import decompile_text

    key = _key(args)
    say = _Say(stderr, key)
    length_ms = None
    if args.length:
        diag = Report("--length")
        dur = parse_duration_value(args.length, 1, 1, diag)
        if dur is not None:
            length_ms = to_ms(dur, Tempo(None), diag)
        if length_ms is None:
            say(f"musicplan: --length {args.length}: " + "; ".join(d.message for d in diag.diagnostics))
            return Exit.USAGE
    target = Path(args.output) if args.output and args.output != "-" else None
    if target is not None and is_folder(target):
        say(f"musicplan: {target} is a folder: nothing was sent")
        return Exit.USAGE
    try:
        if target is not None:
            check_name(target)
    except OSError as exc:
        say(f"musicplan: cannot write {target}: {exc.strerror}: nothing was sent")
        return Exit.USAGE
    if target is not None and args.source is not None and onto_input(target, [args.source]):
        say(f"musicplan: {target} would replace the input {args.source} itself: nothing was sent")
        return Exit.USAGE
    if kept_unless_forced(args.output, args.force, stderr):
        return Exit.USAGE
    source_plan, model = None, args.model
    if args.source is not None:
        found = _source_plan(args.source, args.model, stderr)
        if isinstance(found, int):
            return found
        source_plan, model = found
    model = model or limits.RECOMMENDED_MODEL  # the API's own default, music_v1, is deprecated
    if not key:
        say("musicplan: no API key: pass --api-key or set ELEVENLABS_API_KEY")
        return Exit.USAGE
    try:
        with _client(args, key, say) as client:
            plan = client.plan(args.prompt, music_length_ms=length_ms, model_id=model,
                               source_composition_plan=source_plan)
    except Exception as exc:  # every API failure has its exit code
        no_source = lambda path, number: ""  # noqa: E731 - a plan has no song text to show
        # A refused prompt's suggestion is saved beside the song that was asked for.
        asked = Input(str(target) if target is not None else STDIN_NAME, b"")
        return _failure(exc, say, no_source, None, asked, {}, args.force, stderr)
    result = decompile_text(dumps({"composition_plan": plan, "model_id": model}), "plan")
    report.write_text(result.diagnostics, lambda path, n: "", stderr)
    if result.text is None:
        say("musicplan: the returned plan breaks the format's rules (see above); nothing was written")
        return Exit.PROBLEMS
    said = f"Planned by the Music API from: {args.prompt}"
    if args.source is not None:
        said += f"\nreworking {args.source}"
    header = _comment(said)
    text = header + result.text
    code = emit(text, str(target) if target else None, stdout, stderr,
                sources=[args.source] if args.source is not None else [])
    if code == Exit.OK and target is not None:
        say(f"wrote {target}")
    return code


def _source_plan(path: str, model: str | None, stderr: TextIO) -> tuple[dict[str, Any], str] | int:
    """The plan of the song ``plan --from`` reworks (for ``model`` when given), and
    its model; an exit code after saying why there is none."""
    from musicplan.cli import report
    from musicplan.library import Song
    from musicplan.pipeline import Options, check_bytes

    inputs = read_inputs([path], stderr, folders=False)
    if inputs.unreadable:
        return Exit.USAGE
    item = inputs.items[0]
    checked = check_bytes(item.data, item.path, Options(model=model), documents=True)
    report.write_text(checked.diagnostics, Snippets(inputs), stderr)
    if checked.analysis is None:
        return Exit.PROBLEMS
    song = Song(checked.analysis, checked.diagnostics)
    if checked.analysis.is_prompt:
        stderr.write(f"musicplan: {item.path} is a prompt song: it has no plan to rework "
                     "(write its prompt into PROMPT instead)\n")
        return Exit.USAGE
    return song.to_plan(), song.model_id
