"""Word timestamps and a plan's lyric lines → lyrics on a timeline: enhanced LRC and SRT.

The detailed endpoint answers ``with_timestamps`` with ``words_timestamps``, a
flat list of ``{word, start_ms, end_ms}`` as the API heard them sung; the plan
(the one the API says it used, else the one sent) has the lines as written.
The words are aligned to the lines' words (compared without case and
punctuation, in order, so repeated choruses line up), and each line becomes an
LRC line ``[mm:ss.xx] <mm:ss.xx> word <mm:ss.xx> word ... <mm:ss.xx>`` (each
word's start, and the last word's end) and an SRT cue. The words shown are
the API's, with its times; the lines are the song's. A word the alignment
cannot place joins the line of its neighbour across the shorter pause; a line
no word was heard in is left out, since nothing says when it was sung. When
the plan has no lyric lines at all, lines break at pauses instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from typing import Any, NamedTuple, TypeGuard

PAUSE_MS = 1_000  # without lyric lines, a pause this long starts a new line
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_LABEL = re.compile(r"^\s*\[[^\]]*\]\s*$")
_DIRECTION = re.compile(r"\{[^}]*\}")
_SPACE = re.compile(r"\s+")


class Word(NamedTuple):
    text: str
    start_ms: int
    end_ms: int


class TimedLine(NamedTuple):
    words: tuple[Word, ...]

    @property
    def start_ms(self) -> int:
        return self.words[0].start_ms

    @property
    def end_ms(self) -> int:
        return max(self.words[-1].end_ms, self.words[-1].start_ms)

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


def read_words(value: Any) -> tuple[list[Word], list[str]]:
    """``words_timestamps`` as the reply holds it → the words, and a problem for
    each item that is not ``{word, start_ms, end_ms}`` (those are left out)."""
    if not isinstance(value, list):
        return [], ["`words_timestamps` is not a list"]
    words: list[Word] = []
    problems: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            problems.append(f"`words_timestamps[{index}]` is not {{word, start_ms, end_ms}}")
            continue
        text, start, end = item.get("word"), item.get("start_ms"), item.get("end_ms")
        if not isinstance(text, str) or not _is_ms(start) or not _is_ms(end):
            problems.append(f"`words_timestamps[{index}]` is not {{word, start_ms, end_ms}}")
            continue
        clean = _SPACE.sub(" ", text).strip()
        if clean:
            words.append(Word(clean, round(start), round(end)))
    return words, problems


def _is_ms(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 10**9


def plan_lines(plan: Any) -> list[str]:
    """The lyric lines of a ``music_v1`` plan (sections' lines) or a chunk plan
    (the chunks' text without its ``[label]`` line and ``{directions}``)."""
    lines: list[str] = []
    if not isinstance(plan, dict):
        return lines
    for section in plan.get("sections") or []:
        if isinstance(section, dict):
            lines += [line for line in section.get("lines") or [] if isinstance(line, str)]
    for chunk in plan.get("chunks") or []:
        text = chunk.get("text") if isinstance(chunk, dict) else None
        if not isinstance(text, str):
            continue
        for number, line in enumerate(text.split("\n")):
            if number == 0 and _LABEL.match(line):
                continue
            line = _SPACE.sub(" ", _DIRECTION.sub(" ", line)).strip()
            if line:
                lines.append(line)
    return [line for line in lines if _tokens(line)]


def _norm(text: str) -> str:
    return "".join(_TOKEN.findall(text.casefold()))


def _tokens(line: str) -> list[str]:
    return [norm for norm in (_norm(part) for part in line.split()) if norm]


def timed_lines(words: Sequence[Word], lines: Sequence[str]) -> list[TimedLine]:
    """The words grouped by the lyric line they were sung in, in order."""
    words = sorted(words, key=lambda word: word.start_ms)
    if not words:
        return []
    owner: list[int] = []  # the line of each lyric token
    tokens: list[str] = []
    for number, line in enumerate(lines):
        found = _tokens(line)
        tokens += found
        owner += [number] * len(found)
    if not tokens:
        return _by_pauses(words)
    heard = [_norm(word.text) for word in words]
    line_of: list[int | None] = [None] * len(words)
    matcher = SequenceMatcher(None, tokens, heard, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(j2 - j1):
                line_of[j1 + k] = owner[i1 + k]
        elif tag == "replace":
            for k in range(j2 - j1):  # spread the words over the written ones they replace
                line_of[j1 + k] = owner[i1 + k * (i2 - i1) // (j2 - j1)]
        elif tag == "insert":
            _place_between(words, line_of, j1, j2, owner[i1 - 1] if i1 > 0 else None,
                           owner[i1] if i1 < len(owner) else None)
    groups: dict[int, list[Word]] = {}
    for word, placed in zip(words, line_of, strict=True):
        groups.setdefault(placed if placed is not None else 0, []).append(word)
    return [TimedLine(tuple(groups[key])) for key in sorted(groups)]


def _place_between(words: Sequence[Word], line_of: list[int | None], j1: int, j2: int,
                   before: int | None, after: int | None) -> None:
    """Words heard where nothing was written: with the line before or after them,
    split at the longest pause when those lines differ."""
    if before is None or after is None or before == after:
        for j in range(j1, j2):
            line_of[j] = before if before is not None else after
        return
    # Boundaries j1..j2 (between word j-1 and word j); the longest pause wins.
    def pause(j: int) -> int:
        if j <= 0 or j >= len(words):
            return -1
        return words[j].start_ms - words[j - 1].end_ms

    split = max(range(j1, j2 + 1), key=pause)
    for j in range(j1, j2):
        line_of[j] = before if j < split else after


def _by_pauses(words: Sequence[Word]) -> list[TimedLine]:
    lines: list[list[Word]] = [[words[0]]]
    for previous, word in zip(words, words[1:], strict=False):  # each word with the one before
        if word.start_ms - previous.end_ms >= PAUSE_MS:
            lines.append([])
        lines[-1].append(word)
    return [TimedLine(tuple(line)) for line in lines]


def lrc_time(ms: int) -> str:
    """``mm:ss.xx`` (hundredths, rounded down, as LRC counts)."""
    hundredths = ms // 10
    return f"{hundredths // 6000:02d}:{hundredths // 100 % 60:02d}.{hundredths % 100:02d}"


def srt_time(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _tag(value: str) -> str:
    return _SPACE.sub(" ", value).replace("]", ")").replace("[", "(").strip()


def to_lrc(lines: Iterable[TimedLine], title: str | None = None) -> str:
    out = [f"[ti:{_tag(title)}]"] if title and _tag(title) else []
    out.append("[re:musicplan]")
    for line in lines:
        timed = " ".join(f"<{lrc_time(word.start_ms)}> {word.text}" for word in line.words)
        out.append(f"[{lrc_time(line.start_ms)}] {timed} <{lrc_time(line.end_ms)}>")
    return "\n".join(out) + "\n"


def to_srt(lines: Iterable[TimedLine]) -> str:
    cues = [f"{number}\n{srt_time(line.start_ms)} --> {srt_time(line.end_ms)}\n{line.text}\n"
            for number, line in enumerate(lines, 1)]
    return "\n".join(cues)


def from_reply(metadata: dict[str, Any], request: dict[str, Any] | None = None) -> tuple[list[TimedLine], list[str]]:
    """A detailed reply's JSON part (or a render sidecar) → the timed lines and the
    problems met. The plan is the one the reply says was used, else the request's."""
    words, problems = read_words(metadata.get("words_timestamps"))
    plan = metadata.get("composition_plan")
    if not plan_lines(plan) and isinstance(request, dict):
        plan = request.get("composition_plan")
    return timed_lines(words, plan_lines(plan)), problems
