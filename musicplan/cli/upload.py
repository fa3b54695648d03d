"""`musicplan upload AUDIO`: an audio file becomes a song id the API can reuse
(``@source``, ``@condition``), and with ``--plan MODEL`` the track's own plan
as a .song to edit; ``--timestamps`` keeps the transcribed words beside it.

POST /v1/music/upload is priced like a generation, so it is sent once the
outputs are known to be writable, retried only when it was refused unread, and
nothing is overwritten without ``--force``. The song id goes to standard output
(for scripts); everything else to standard error. Exit codes as ``render``'s.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from musicplan.base.files import is_file, is_folder, write_atomic
from musicplan.cli.common import Exit, Input
from musicplan.cli.render import _client, _failure, _key, _Say, _unwritable, connection_options


def register(sub: Any) -> None:
    from musicplan.spec.limits import MODELS

    upload = sub.add_parser("upload", help="upload a track for inpainting; print its song id, "
                                           "optionally write its plan as a .song")
    upload.add_argument("audio", metavar="AUDIO", help="the audio file (mp3, wav, ...)")
    upload.add_argument("--plan", metavar="MODEL", choices=MODELS,
                        help="also extract the track's composition plan in this model's shape "
                             f"({', '.join(MODELS)}) and write it as a .song")
    upload.add_argument("--timestamps", action="store_true",
                        help="keep the transcribed words with their times in AUDIO-stem.words.json")
    upload.add_argument("-o", "--output", metavar="NEW.song",
                        help="where --plan writes the song (default: beside AUDIO, named after it)")
    connection_options(upload)
    upload.set_defaults(run=cmd_upload)


def cmd_upload(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    key = _key(args)
    say = _Say(stderr, key)
    audio = Path(args.audio)
    if not is_file(audio):
        say(f"musicplan: {audio}: " + ("is a folder: upload takes one audio file" if is_folder(audio)
                                      else "no such file"))
        return Exit.USAGE
    if args.output and not args.plan:
        say("musicplan: -o names the song --plan writes: add --plan MODEL (music_v1, music_v2, music_v2_5)")
        return Exit.USAGE
    song_target = Path(args.output) if args.output else audio.with_suffix(".song")
    words_target = audio.with_name(audio.stem + ".words.json")
    targets = ([song_target] if args.plan else []) + ([words_target] if args.timestamps else [])
    if args.plan:  # where an extracted plan that breaks the format's rules is kept instead
        targets.append(song_target.with_suffix(".plan.json"))
    for path in targets:
        if not is_folder(path.parent):
            say(f"musicplan: cannot write {path}: no such folder")
            return Exit.USAGE
    problem = _unwritable(targets, args.force, str(audio))
    if problem is not None:
        say(f"musicplan: {problem}: nothing was sent")
        return Exit.USAGE
    if not key:
        say("musicplan: no API key: pass --api-key or set ELEVENLABS_API_KEY")
        return Exit.USAGE
    try:
        with audio.open("rb") as data, _client(args, key, say) as client:
            result = client.upload(data, audio.name, extract_plan=args.plan, with_timestamps=args.timestamps)
    except OSError as exc:
        say(f"musicplan: cannot read {audio}: {exc.strerror or exc}")
        return Exit.USAGE
    except Exception as exc:  # every API failure has its exit code
        no_source = lambda path, number: ""  # noqa: E731 - an upload has no song text to show
        return _failure(exc, say, no_source, None, Input(str(audio), b""), {}, args.force, stderr)
    stdout.write(result.song_id + "\n")
    stdout.flush()
    code: int = Exit.OK
    if args.timestamps:
        code = max(code, _save_words(result, audio, words_target, say))
    if args.plan:
        code = max(code, _save_plan(result, audio, args.plan, song_target, say, stderr))
    return code


def _save_words(result: Any, audio: Path, target: Path, say: _Say) -> int:
    if result.words_timestamps is None:
        say("warning: the API sent no words for this track (an instrumental?): "
            f"{target} was not written")
        return Exit.OK
    words = {"song_id": result.song_id, "audio_file": audio.name, "words_timestamps": result.words_timestamps}
    try:
        write_atomic(target, json.dumps(words, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        say(f"musicplan: cannot write {target}: {exc.strerror or exc}")
        return Exit.USAGE
    say(f"wrote the transcribed words to {target}")
    return Exit.OK


def _save_plan(result: Any, audio: Path, model: str, target: Path, say: _Say, stderr: TextIO) -> int:
    from musicplan.cli import report
    from musicplan.write.body import dumps
    from musicplan.write.decompile import decompile_text

    plan = result.composition_plan
    if plan is None:
        say("musicplan: the API sent no plan for this track: no song was written")
        return Exit.PROBLEMS
    decompiled = decompile_text(dumps({"composition_plan": plan, "model_id": model}), str(target))
    report.write_text(decompiled.diagnostics, lambda path, number: "", stderr)
    if decompiled.text is None:
        # The upload was paid for: keep what came back, even if no song can say it.
        raw = target.with_suffix(".plan.json")
        try:
            write_atomic(raw, dumps(plan))
        except OSError as exc:
            say(f"musicplan: the plan breaks the format's rules and cannot be saved: {exc.strerror or exc}")
            return Exit.PROBLEMS
        say(f"musicplan: the plan breaks the format's rules (see above); it is kept as JSON in {raw}")
        return Exit.PROBLEMS
    from musicplan.spec.limits import CHUNK_MODELS

    song_id = result.song_id
    header = (f"# The plan of {audio.name}, extracted by the Music API ({model}).\n"
              f"# Its song id is {song_id}: keep a part of the track as it is with\n"
              f"#   @source {song_id} 0:00-0:20\n")
    if model in CHUNK_MODELS:
        header += (f"# or follow its sound in a new section with\n"
                   f"#   @condition {song_id} 0:00-0:20 strength high\n")
    try:
        write_atomic(target, header + decompiled.text)
    except OSError as exc:
        say(f"musicplan: cannot write {target}: {exc.strerror or exc}")
        return Exit.USAGE
    say(f"wrote the track's plan to {target}")
    return Exit.OK
