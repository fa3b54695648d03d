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
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from musicplan.base.diagnostics import Diagnostic, Report, Span
from musicplan.base.files import check_name, exists, is_folder, write_atomic
from musicplan.cli.common import (
    STDIN_NAME,
    Exit,
    Input,
    Snippets,
    Terminated,
    UsageError,
    config_options,
    emit,
    onto_input,
    read_inputs,
)
from musicplan.cli.config import options_of
from musicplan.cli.report import SourceLines


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
    parser.add_argument("--force", action="store_true", help="replace files that exist")
    parser.add_argument("--no-logging", action="store_true",
                        help="ask for zero retention (enable_logging=false; enterprise accounts only)")


def register(sub: Any) -> None:
    from musicplan.spec.limits import MODELS, OUTPUT_FORMATS

    render = sub.add_parser("render", help="submit a song and save its audio and metadata")
    render.add_argument("song", metavar="SONG", help="the song, or a JSON body or plan; - reads standard input")
    render.add_argument("-o", "--output", metavar="AUDIO",
                        help="where the audio goes (default: the title, or the file's name, "
                             "with the format's extension); AUDIO.json gets the metadata")
    render.add_argument("--endpoint", choices=("detailed", "stream", "compose"), default="detailed")
    render.add_argument("--format", choices=OUTPUT_FORMATS, help="output format (default: the song's `format`)")
    render.add_argument("--keep-partial", action="store_true",
                        help="keep a broken-off download as AUDIO.part")
    config_options(render)
    connection_options(render)
    render.set_defaults(run=cmd_render)

    plan = sub.add_parser("plan", help="ask the API to plan a song from a prompt, as a .song file")
    plan.add_argument("prompt", metavar="PROMPT")
    plan.add_argument("--length", help="the song's length, e.g. 2:30")
    plan.add_argument("--model", choices=MODELS, help="the plan's model (default: the --from song's, else music_v1)")
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
        from musicplan.base.terminal import printable

        # Much of what is said comes from a server: nothing in it may act on the terminal.
        shown = "\n".join(printable(line) for line in redact(text, self.key).split("\n"))
        self.stream.write(shown + "\n")


def redact(text: str, key: str | None) -> str:
    """``text`` without the key, as written or as JSON escapes it."""
    if not key:
        return text
    for form in {key, json.dumps(key)[1:-1], json.dumps(key, ensure_ascii=False)[1:-1]}:
        text = text.replace(form, "***")
    return text


class _Progress:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.shown = 0.0

    def __call__(self, received: int) -> None:
        now = time.monotonic()
        if now - self.shown < 0.1:
            return
        self.shown = now
        elapsed = int(now - self.start)
        self.stream.write(f"\r{received / 1_000_000:8.2f} MB received, {elapsed // 60}:{elapsed % 60:02d} elapsed")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")


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


def _client(args: argparse.Namespace, key: str, say: Callable[[str], None]) -> Any:
    from musicplan.remote.client import MusicClient, RetryPolicy

    return MusicClient(key, base_url=args.base_url, read_timeout=args.timeout,
                       retry=RetryPolicy(max_attempts=args.attempts, notify=say), enable_logging=not args.no_logging)


def _default_target(item: Input, title: str | None, output_format: str | None) -> Path:
    from musicplan.remote.files import extension, safe_filename

    stem = safe_filename(title) or (safe_filename(item.stem) if item.path != STDIN_NAME else None) or "song"
    folder = Path(item.path).parent if item.path != STDIN_NAME else Path(".")
    return folder / (stem + extension(output_format))


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
        report.write_text([Diagnostic(d.path, d.span, d.severity, d.code, redact(d.message, say.key),
                                      redact(d.hint, say.key)) for d in found], lines, stderr)
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
    if exists(target) and not force:
        say(f"musicplan: {target} exists: the suggestion was not saved (use --force)")
        return
    write_atomic(target, "# Suggested by the Music API instead of the refused song.\n" + result.text)
    say(f"the API's suggestion is in {target}")


def _unwritable(target: Path, meta: Path, force: bool, source: str) -> str | None:
    """Why the audio and its metadata could not be written where they would go
    (checked before anything is sent, so a generation is never paid for nothing)."""
    import os

    from musicplan.base.files import check_name

    paths = (target, meta) if _regular_or_new(target) else (target,)  # a device or pipe gets no sidecar
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


def cmd_render(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from musicplan.base.files import AtomicFile
    from musicplan.cli import report
    from musicplan.library import Song
    from musicplan.pipeline import check_bytes
    from musicplan.remote.client import NotAudio, drop_unsupported
    from musicplan.remote.files import safe_filename
    from musicplan.spec.vocabulary import ENDPOINTS, FIELD_OF_BODY_KEY

    key = _key(args)
    say = _Say(stderr, key)
    inputs = read_inputs([args.song], stderr, folders=False)
    if inputs.unreadable:
        return Exit.USAGE
    item = inputs.items[0]
    checked = check_bytes(item.data, item.path, options_of(args, item.path), documents=True)
    lines = Snippets(inputs)
    report.write_text(checked.diagnostics, lines, stderr)
    if checked.analysis is None:
        return Exit.PROBLEMS
    song = Song(checked.analysis, checked.diagnostics)
    body, dropped = drop_unsupported(song.to_body(), args.endpoint)
    for name in dropped:
        field = FIELD_OF_BODY_KEY.get(name, name)
        say(f"warning: {ENDPOINTS[args.endpoint]} does not take `{name}` (the song's `{field}`): it is not sent")
    output_format = args.format or song.output_format
    target = Path(args.output) if args.output else _default_target(item, song.title, output_format)
    meta = target.with_name(target.name + ".json")
    problem = _unwritable(target, meta, args.force, item.path)
    if problem:
        say(f"musicplan: {problem}: nothing was sent")
        return Exit.USAGE
    if not key:
        say("musicplan: no API key: pass --api-key or set ELEVENLABS_API_KEY")
        return Exit.USAGE
    progress = _Progress(stderr) if getattr(stderr, "isatty", lambda: False)() else None
    try:
        out = AtomicFile(target, force=args.force, keep_partial=args.keep_partial)
    except OSError as exc:
        say(f"musicplan: cannot write {target}: {exc.strerror or exc}: nothing was sent")
        return Exit.USAGE
    try:
        with _client(args, key, say) as client:
            send = {"compose": client.compose, "detailed": client.compose_detailed,
                    "stream": client.stream}[args.endpoint]
            result = send(body, out.write, output_format=output_format, progress=progress)
        # The whole billed audio is here: if it cannot take its name, it is kept as .part.
        out.keep_partial = True
        out.commit()
    except BaseException as exc:
        if isinstance(exc, NotAudio):
            out.keep_partial = True  # what came instead of audio is worth a look
        kept = out.abort()
        if progress:
            progress.done()
        if isinstance(exc, OSError) and not isinstance(exc, FileExistsError):
            say(f"musicplan: cannot write {target}: {exc.strerror or exc}")
            if kept is not None:
                say(f"the audio is kept as {kept}")
            return Exit.USAGE
        if kept is not None and isinstance(exc, NotAudio):
            _redact_file(kept, key)
            say(f"what arrived is kept as {kept}")
        elif kept is not None:
            say(f"the partial download is kept as {kept}")
        if isinstance(exc, FileExistsError):
            say(f"musicplan: {exc}")
            return Exit.USAGE
        if isinstance(exc, KeyboardInterrupt):
            say("musicplan: interrupted: nothing was written")
            return Exit.TERMINATED if isinstance(exc, Terminated) else Exit.INTERRUPTED
        return _failure(exc, say, lines, song.analysis, item, body, args.force, stderr)
    if progress:
        progress.done()
    metadata: dict[str, Any] = {
        "song_id": result.song_id,
        "endpoint": args.endpoint,
        "output_format": output_format,
        "audio_file": target.name,
        "bytes": result.bytes_received,
        "content_type": result.content_type,
        "server_filename": safe_filename(result.filename, basename=True),
        "request": body,
    }
    if result.metadata is not None:
        for name in ("composition_plan", "song_metadata", "words_timestamps", "waveform_visual"):
            metadata[name] = result.metadata.get(name)
    for warning in result.warnings:
        say(f"warning: {warning}")
    summary = f"{target} ({result.bytes_received} bytes, song id {result.song_id or 'unknown'})"
    if out.direct:
        say(f"wrote {summary} (no metadata file beside a device or pipe)")
        return Exit.OK
    try:
        # A server may echo the key anywhere in what it sends: it is not written down.
        write_atomic(meta, redact(json.dumps(metadata, ensure_ascii=False, indent=2), key) + "\n")
    except OSError as exc:
        say(f"wrote {summary}, but cannot write {meta}: {exc.strerror or exc}")
        return Exit.USAGE
    say(f"wrote {summary} and {meta}")
    return Exit.OK


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
    if target is not None and exists(target) and not args.force:
        say(f"musicplan: {target} exists: nothing was sent (use --force to replace it)")
        return Exit.USAGE
    source_plan, model = None, args.model
    if args.source is not None:
        found = _source_plan(args.source, args.model, stderr)
        if isinstance(found, int):
            return found
        source_plan, model = found
    if not key:
        say("musicplan: no API key: pass --api-key or set ELEVENLABS_API_KEY")
        return Exit.USAGE
    try:
        with _client(args, key, say) as client:
            plan = client.plan(args.prompt, music_length_ms=length_ms, model_id=model,
                               source_composition_plan=source_plan)
    except Exception as exc:  # every API failure has its exit code
        no_source = lambda path, number: ""  # noqa: E731 - a plan has no song text to show
        return _failure(exc, say, no_source, None, Input(STDIN_NAME, b""), {}, args.force, stderr)
    model = model or ("music_v2" if "chunks" in plan else "music_v1")
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
