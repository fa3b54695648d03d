"""What the language server's tests share: the songs they open, and the
conversions between `check`'s positions (1-based, code points) and the
protocol's (0-based, in the negotiated code units)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.song"))
SERVER = [sys.executable, "-m", "musicplan", "lsp"]

# Songs with problems, so that "the same diagnostics as check" compares something.
BROKEN = {
    "bare-number.song": "title: x\nmodel: music_v2\nbpm: 120\n\n[Verse] 20\n+ soft piano\nla la la\n",
    "emoji.song": "model: music_v1\n\n[😀 Verse 🎸] 20\n+ soft piano\n🎸🎸 {guitar solo} la la\n",
    "many.song": ("tittle: x\nmodel: music_v1\nseed: banana\n\n+ rock, pop\n[Intro] 8 bars\n"
                  "@repeat Nowhere\n@adherence loud\n[Verse] 1:5\nhello\n[Chorus]\n"),
    "empty-style.song": "model: music_v1\n+ rock,, pop\n[Verse] 0:20\nla\n",
    "prompt.song": "prompt:\n  a warm beat\nlength: 2:30\n\n[Verse] 0:20\n",
}


def units(text: str, encoding: str) -> int:
    """The length of ``text`` in the code units of ``encoding`` (utf-8, utf-16 or utf-32)."""
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def expected_range(item: dict, lines: list[str], encoding: str) -> dict:
    """`check --format json`'s place for a diagnostic, as the protocol's range."""
    def position(line: int, column: int) -> dict:
        text = lines[line - 1] if line - 1 < len(lines) else ""
        return {"line": line - 1, "character": units(text[: column - 1], encoding)}

    return {"start": position(item["line"], item["column"]),
            "end": position(item["end_line"], item["end_column"])}


def check_json(path: Path) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "musicplan", "check", "--format", "json", str(path)],
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def fmt_text(path: Path) -> str | None:
    """What `musicplan fmt -` prints for the file, or None when it refuses."""
    done = subprocess.run([sys.executable, "-m", "musicplan", "fmt", "-"], input=path.read_bytes(),
                          capture_output=True, check=False)
    return done.stdout.decode("utf-8") if done.returncode == 0 else None


def apply_edits(text: str, edits: list, encoding: str) -> str:
    """``text`` with protocol text edits applied (positions in ``encoding`` units)."""
    lines = text.split("\n")

    def offset(line: int, character: int) -> int:
        if line >= len(lines):
            return len(text)
        before = sum(len(item) + 1 for item in lines[:line])
        count = 0
        for index, char in enumerate(lines[line]):
            if count >= character:
                return before + index
            count += units(char, encoding)
        return before + len(lines[line])

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start = offset(edit.range.start.line, edit.range.start.character)
        end = offset(edit.range.end.line, edit.range.end.character)
        text = text[:start] + edit.new_text + text[end:]
    return text


# A song that exercises every feature: bars, a clock, seconds, a @repeat, a v2 directive.
FEATURES = """\
# A song for the editor features
title: Features
model: music_v2
bpm: 120

+ synthwave, driving bass

[Intro] 8 bars
+ ambient pads
@adherence high

[Verse 1] 0:20
Walking down the street

[Chorus] 15s
+ big vocals
Neon nights

[Chorus 2]
@repeat Chorus
+ key change
"""


def line_of(text: str, starts: str) -> int:
    """The 0-based number of the first line of ``text`` that starts with ``starts``
    (that is exactly ``starts`` without its end, when it ends in a line end)."""
    if starts.endswith("\n"):
        return text.split("\n").index(starts[:-1])
    return next(n for n, line in enumerate(text.split("\n")) if line.startswith(starts))
