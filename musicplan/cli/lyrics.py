"""`musicplan lyrics`: a render's sidecar (AUDIO.json with ``words_timestamps``) → AUDIO.lrc, AUDIO.srt.

The files go beside the audio and are named as its other files are
(``Neon Nights.mp3`` → ``Neon Nights.mp3.json``, ``Neon Nights.mp3.lrc``), so
that one audio's files sort together and never meet another format's (a
player that looks for ``Neon Nights.lrc`` needs it renamed). A sidecar read
from standard input (``-``) has no audio beside it: its lyrics go to standard
output unless ``-o`` says where. Exit codes: 0
written, 1 the sidecar has no usable timestamps or is not JSON, 2 a usage
error, an unreadable sidecar or a file that exists (without ``--force``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from musicplan.cli.common import STDIN, Exit, emit, kept_unless_forced, text_or_exit


def register(sub: Any) -> None:
    lyrics = sub.add_parser("lyrics", help="lyrics on a timeline (LRC, SRT) from a render's AUDIO.json")
    lyrics.add_argument("sidecar", metavar="AUDIO.json",
                        help="the metadata render wrote beside the audio (- reads standard input)")
    lyrics.add_argument("--lrc", action="store_true", help="write enhanced LRC (the default)")
    lyrics.add_argument("--srt", action="store_true", help="write SRT subtitles")
    lyrics.add_argument("-o", "--output", metavar="FILE",
                        help="write here instead (- for standard output); with one format only")
    lyrics.add_argument("--force", action="store_true", help="replace files that exist")
    lyrics.set_defaults(run=cmd_lyrics)


def beside(audio: Path, kind: str) -> Path:
    """AUDIO.lrc, AUDIO.srt: a file that belongs to ``audio``, named as AUDIO.json is."""
    return audio.with_name(f"{audio.name}.{kind}")


def audio_of(sidecar: Path, metadata: dict[str, Any]) -> Path:
    """The audio a sidecar describes: its ``audio_file``, else the sidecar's name without ``.json``."""
    from musicplan.remote.files import safe_filename

    name = safe_filename(metadata.get("audio_file") if isinstance(metadata.get("audio_file"), str) else None,
                         basename=True)
    return sidecar.with_name(name or sidecar.name.removesuffix(".json"))


def cmd_lyrics(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from musicplan.write.lyrics import from_reply, to_lrc, to_srt

    kinds = [kind for kind, wanted in (("lrc", args.lrc), ("srt", args.srt)) if wanted] or ["lrc"]
    output = args.output or (STDIN if args.sidecar == STDIN else None)
    if output and len(kinds) > 1:
        said = "-o takes" if args.output else "standard input's lyrics go to standard output (or -o):"
        stderr.write(f"musicplan: {said} one format: give --lrc or --srt, not both\n")
        return Exit.USAGE
    one = text_or_exit(args.sidecar, stderr)
    if isinstance(one, int):
        return one
    assert one.text is not None  # (text_or_exit answers with a code when there is none)
    sidecar = Path(one.path)
    try:
        metadata = json.loads(one.text)
    except json.JSONDecodeError as exc:
        stderr.write(f"{sidecar}:{exc.lineno}:{exc.colno}: error: not JSON: {exc.msg}\n"
                     "  = hint: give the AUDIO.json that `musicplan render` wrote\n")
        return Exit.PROBLEMS
    except RecursionError:
        stderr.write(f"{sidecar}:1:1: error: the JSON nests too deeply to be a render's metadata\n")
        return Exit.PROBLEMS
    if not isinstance(metadata, dict) or "words_timestamps" not in metadata or metadata["words_timestamps"] is None:
        stderr.write(f"musicplan: {sidecar} has no words_timestamps: render with `timestamps: yes` "
                     "on the detailed endpoint to get them\n")
        return Exit.PROBLEMS
    request = metadata.get("request")
    lines, problems = from_reply(metadata, request if isinstance(request, dict) else None)
    for problem in problems:
        stderr.write(f"musicplan: warning: {sidecar}: {problem}; left out\n")
    if not lines:
        stderr.write(f"musicplan: {sidecar} holds no timed words: nothing to write\n")
        return Exit.PROBLEMS
    audio = audio_of(sidecar, metadata)
    song_metadata = metadata.get("song_metadata")
    title = song_metadata.get("title") if isinstance(song_metadata, dict) else None
    outputs = {kind: (output or str(beside(audio, kind))) for kind in kinds}
    if any(kept_unless_forced(target, args.force, stderr) for target in outputs.values()):
        return Exit.USAGE
    for kind, target in outputs.items():
        content = to_lrc(lines, title if isinstance(title, str) else None) if kind == "lrc" else to_srt(lines)
        code = emit(content, target, stdout, stderr, sources=[args.sidecar])
        if code != Exit.OK:
            return code
        if target != STDIN:
            stderr.write(f"wrote {target} ({len(lines)} lines)\n")
    return Exit.OK
