"""`musicplan render` and `musicplan plan`: a song becomes audio; a prompt becomes a song.

Exit codes beyond check's: 4 the API refused the key (401/403), 5 the
account's quota is used up, 6 the API stayed unavailable or the download
broke off.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Callable, TextIO

from .atomic import write_atomic
from .cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, STDIN_NAME, Input, _emit, _Lines, read_inputs
from .diagnostics import Diagnostic, Report, Span

EXIT_AUTH = 4
EXIT_QUOTA = 5
EXIT_UNAVAILABLE = 6


class _Say:
    """Every line for the user passes here, so the key can never be printed."""

    def __init__(self, stream: TextIO, key: str | None) -> None:
        self.stream = stream
        self.key = key

    def __call__(self, text: str) -> None:
        self.stream.write(redact(text, self.key) + "\n")


def redact(text: str, key: str | None) -> str:
    return text.replace(key, "***") if key else text


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
    import os

    from .client import KEY_ENV

    return args.api_key or os.environ.get(KEY_ENV)


def _client(args: argparse.Namespace, key: str):
    from .client import MusicClient, RetryPolicy

    return MusicClient(key, base_url=args.base_url, read_timeout=args.timeout,
                       retry=RetryPolicy(max_attempts=args.attempts))


def _default_target(item: Input, title: str | None, output_format: str | None) -> Path:
    from .client import extension
    from .download import safe_filename

    stem = safe_filename(title) or (safe_filename(item.stem) if item.path != STDIN_NAME else None) or "song"
    folder = Path(item.path).parent if item.path != STDIN_NAME else Path(".")
    return folder / (stem + extension(output_format))


def _failure(exc: BaseException, say: _Say, lines: Callable[[str, int], str], analysis: Any, item: Input,
             body: dict[str, Any], force: bool, stderr: TextIO) -> int:
    from . import report
    from .client import (
        ApiError,
        AuthenticationError,
        ContentRefused,
        DownloadInterrupted,
        NetworkError,
        QuotaError,
        RequestInvalid,
        Unavailable,
    )

    if isinstance(exc, RequestInvalid):
        from .sourcemap import locate

        found = []
        for error in exc.errors or [{"loc": ["body"], "msg": exc.message, "type": ""}]:
            loc = error.get("loc") or ["body"]
            where = ".".join(str(part) for part in loc)
            span = locate(analysis, loc) if analysis is not None else Span.at(1, 1)
            found.append(Diagnostic(item.path, span, "error", "E600",
                                    f"the API refused this: {error.get('msg', 'invalid')}",
                                    f"the API's rule `{error.get('type', '')}` at {where}"))
        report.write_text([Diagnostic(d.path, d.span, d.severity, d.code, redact(d.message, say.key),
                                      redact(d.hint, say.key)) for d in found], lines, stderr)
        return EXIT_PROBLEMS
    if isinstance(exc, ContentRefused):
        say(f"musicplan: the API refused the song ({exc.code}): {exc.message}")
        _save_suggestion(exc, say, item, body, force)
        return EXIT_PROBLEMS
    if isinstance(exc, AuthenticationError):
        say(f"musicplan: the API refused the key ({exc.status} {exc.code or ''}): {exc.message}".replace(" )", ")"))
        return EXIT_AUTH
    if isinstance(exc, QuotaError):
        say(f"musicplan: the account's quota does not cover this ({exc.code or exc.status}): {exc.message}")
        return EXIT_QUOTA
    if isinstance(exc, Unavailable):
        say(f"musicplan: the API stayed unavailable ({exc.status}): {exc.message}")
        return EXIT_UNAVAILABLE
    if isinstance(exc, (NetworkError, DownloadInterrupted)):
        say(f"musicplan: {exc}")
        return EXIT_UNAVAILABLE
    if isinstance(exc, ApiError):
        say(f"musicplan: the API refused the request ({exc.status}): {exc.message}")
        return EXIT_PROBLEMS
    raise exc


def _save_suggestion(exc: Any, say: _Say, item: Input, body: dict[str, Any], force: bool) -> None:
    from .compiler import dumps
    from .decompiler import decompile_text

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
    if target.exists() and not force:
        say(f"musicplan: {target} exists: the suggestion was not saved (use --force)")
        return
    write_atomic(target, "# Suggested by the Music API instead of the refused song.\n" + result.text)
    say(f"the API's suggestion is in {target}")


def cmd_render(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from . import report
    from .client import drop_unsupported
    from .download import AtomicFile, safe_filename
    from .song import check_bytes

    key = _key(args)
    say = _Say(stderr, key)
    inputs = read_inputs([args.song], stderr, folders=False)
    if inputs.unreadable:
        return EXIT_USAGE
    item = inputs.items[0]
    song, diagnostics = check_bytes(item.data, item.path)
    lines = _Lines(inputs)
    report.write_text(diagnostics, lines, stderr)
    if song is None:
        return EXIT_PROBLEMS
    body, dropped = drop_unsupported(song.to_body(), args.endpoint)
    for name in dropped:
        say(f"warning: the {args.endpoint} endpoint does not take `{name}`: it is not sent")
    output_format = args.format or song.output_format
    target = Path(args.output) if args.output else _default_target(item, song.title, output_format)
    meta = target.with_name(target.name + ".json")
    for path in (target, meta):
        if path.exists() and not args.force:
            say(f"musicplan: {path} exists: nothing was sent (use --force to replace it)")
            return EXIT_USAGE
    if not key:
        say("musicplan: no API key: pass --api-key or set ELEVENLABS_API_KEY")
        return EXIT_USAGE
    progress = _Progress(stderr) if getattr(stderr, "isatty", lambda: False)() else None
    try:
        out = AtomicFile(target, force=args.force, keep_partial=args.keep_partial)
    except OSError as exc:
        say(f"musicplan: cannot write {target}: {exc.strerror or exc}")
        return EXIT_USAGE
    try:
        with _client(args, key) as client:
            send = {"compose": client.compose, "detailed": client.compose_detailed,
                    "stream": client.stream}[args.endpoint]
            result = send(body, out.write, output_format=output_format, progress=progress)
        out.commit()
    except BaseException as exc:
        kept = out.abort()
        if progress:
            progress.done()
        if kept is not None:
            say(f"the partial download is kept as {kept}")
        if isinstance(exc, FileExistsError):
            say(f"musicplan: {exc}")
            return EXIT_USAGE
        if isinstance(exc, KeyboardInterrupt):
            say("musicplan: interrupted: nothing was written")
            return 130
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
        for name in ("composition_plan", "song_metadata", "words_timestamps"):
            metadata[name] = result.metadata.get(name)
    summary = f"{target} ({result.bytes_received} bytes, song id {result.song_id or 'unknown'})"
    try:
        write_atomic(meta, json.dumps(metadata, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        say(f"wrote {summary}, but cannot write {meta}: {exc.strerror or exc}")
        return EXIT_USAGE
    say(f"wrote {summary} and {meta}")
    return EXIT_OK


def cmd_plan(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from . import report
    from .compiler import dumps
    from .decompiler import decompile_text
    from .durations import Tempo, to_ms
    from .syntax import parse_duration_value

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
            return EXIT_USAGE
    target = Path(args.output) if args.output and args.output != "-" else None
    if target is not None and target.exists() and not args.force:
        say(f"musicplan: {target} exists: nothing was sent (use --force to replace it)")
        return EXIT_USAGE
    if not key:
        say("musicplan: no API key: pass --api-key or set ELEVENLABS_API_KEY")
        return EXIT_USAGE
    try:
        with _client(args, key) as client:
            plan = client.plan(args.prompt, music_length_ms=length_ms, model_id=args.model)
    except Exception as exc:  # every API failure has its exit code
        no_source = lambda path, number: ""  # noqa: E731 - a plan has no song text to show
        return _failure(exc, say, no_source, None, Input(STDIN_NAME, b""), {}, args.force, stderr)
    model = args.model or ("music_v2" if "chunks" in plan else "music_v1")
    result = decompile_text(dumps({"composition_plan": plan, "model_id": model}), "plan")
    report.write_text(result.diagnostics, lambda path, n: "", stderr)
    if result.text is None:
        say("musicplan: the returned plan breaks the format's rules (see above); nothing was written")
        return EXIT_PROBLEMS
    header = "".join(f"# {line}\n" for line in f"Planned by the Music API from: {args.prompt}".split("\n"))
    text = header + result.text
    code = _emit(text, str(target) if target else None, stdout, stderr)
    if code == EXIT_OK and target is not None:
        say(f"wrote {target}")
    return code
