"""Songwriting lints: what the API accepts but a songwriter would regret.

Each is a warning with a stable code (docs/diagnostics.md says why it matters
and how to fix it), silenced by a comment on the line before (above a
heading, for the whole section), ``# musicplan: ignore W101``, or for a run
by ``--ignore W101`` (see ``silencing``).
"""

from __future__ import annotations

import re
from math import ceil, floor

from musicplan.analyse.durations import Tempo, format_clock, round_half_up
from musicplan.analyse.rules import Analysis, Resolved
from musicplan.base.diagnostics import Edit, Report
from musicplan.read.written import (
    Adherence,
    Condition,
    Lyric,
    Repeat,
    SetAside,
    Source,
    StyleItem,
    StyleLine,
    UnknownDirective,
)
from musicplan.spec import limits

TYPE_CHECKING = False  # as typing's: true for type checkers (fractions is imported where a tempo is read)
if TYPE_CHECKING:
    from fractions import Fraction

WORDS_PER_SECOND_MAX = 4.0  # fast pop verses run near 3; past 4 words blur (rap aside)
SHORT_SECTION_RATIO = 0.25
OFF_BY_DEFAULT = frozenset({"W104", "W105"})

# Only these make a section instrumental (song-format.md): spoken word and rap
# are written under `- singing` (ElevenLabs' own docs write a voiceover so).
_INSTRUMENTAL_POSITIVE = r"(?i)\b(instrumental|no vocals)\b"
# Before a pattern is tried (compiled by `re` when first needed), what it cannot
# match without, in lower case: parts of its words whose letters (unlike `i` and
# `s`) match nothing but their two cases.
_INSTRUMENTAL_PARTS = ("trumental", "no voca")
_VOCALS_NEGATIVE = re.compile(r"^\s*(vocals|voice|voices)\s*$", re.I)
_SELF_NEGATING = re.compile(r"^\s*(no|without|not)\s+\S", re.I)
_STYLE_BPM = r"(?i)\b(\d+(?:\.\d+)?)\s*bpm\b"  # tried on styles with `bpm` in them
# Letters past Latin Extended-B are another script (compiled by `re` for the first style not in ASCII).
_BEYOND_LATIN = r"[^\x00-\u024f]"


def lint(analysis: Analysis, report: Report, enable: frozenset[str] = frozenset()) -> None:
    """Report the lints; those off by default only when ``enable`` names them."""
    if analysis.is_prompt:
        return
    tempo = analysis.settings.tempo
    short, bars = "W104" in enable, "W105" in enable
    durations = [r.duration_ms for r in analysis.sections if r.duration_ms] if short else []
    global_cause = _no_voice(analysis.positive, analysis.negative)
    for resolved in analysis.sections:
        _density(resolved, report)
        _instrumental(global_cause, resolved, report)
        _empty(resolved, report)
        if short:
            _short(resolved, durations, report)
        if bars:
            _bars(resolved, tempo, report)
    _styles(analysis, report)


def _density(resolved: Resolved, report: Report) -> None:
    if not resolved.duration_ms or not resolved.lines:
        return
    words = len(" ".join([lyric.text for lyric in resolved.lines]).split())  # sung words are what spaces separate
    rate = words / (resolved.duration_ms / 1000)
    if rate > WORDS_PER_SECOND_MAX:
        seconds = resolved.duration_ms / 1000
        report.warning("W101", resolved.section.heading.span,
                       f"{words} words in {seconds:g} s is {rate:.1f} words a second: too dense to sing",
                       f"keep under {WORDS_PER_SECOND_MAX:g} words a second: lengthen the section "
                       f"to at least {words / WORDS_PER_SECOND_MAX:.0f} s, or cut lyrics")


def _no_voice(positive: list, negative: list) -> tuple[str, StyleItem] | None:
    """The first style that asks for no voice, with its sign."""
    for item in positive:
        lowered = item.text.lower()
        if (_INSTRUMENTAL_PARTS[0] in lowered or _INSTRUMENTAL_PARTS[1] in lowered) \
                and re.search(_INSTRUMENTAL_POSITIVE, item.text):
            return "+", item
    for item in negative:
        if _VOCALS_NEGATIVE.match(item.text):
            return "-", item
    return None


def _instrumental(global_cause: tuple[str, StyleItem] | None, resolved: Resolved, report: Report) -> None:
    if not resolved.lines or resolved.reference:
        return
    found = global_cause or _no_voice(resolved.positive, resolved.negative)
    if found is None:
        return
    sign, cause = found
    own = resolved.section.lyrics
    where = own[0].span if own else resolved.section.heading.span
    report.warning("W102", where,
                   f"lyrics in a section the styles make instrumental (`{sign} {cause.text}`, line {cause.span.line})",
                   "remove the lyrics, or the style that asks for no vocals")


_CONTENT = (StyleLine, Lyric, Repeat, Source, Adherence, Condition, UnknownDirective)


def _empty(resolved: Resolved, report: Report) -> None:
    section = resolved.section
    for line in section.lines:
        if isinstance(line, _CONTENT):
            return  # styles, lyrics or a directive
    if section.heading.name_unread or section.of(SetAside):
        return  # its content may be the line that was set aside
    report.warning("W103", section.heading.span,
                   f"section `{section.name}` has no styles, lyrics or source: the model gets only its name",
                   "add a `+` line saying what happens here (e.g. `+ soft piano, build-up`)")


def _short(resolved: Resolved, durations: list[int], report: Report) -> None:
    if len(durations) < 3 or not resolved.duration_ms:
        return
    from statistics import median  # W104 is off by default: not imported on every run

    typical = median(durations)
    if resolved.duration_ms < typical * SHORT_SECTION_RATIO:
        report.warning("W104", resolved.section.heading.span,
                       f"section `{resolved.section.name}` lasts {resolved.duration_ms / 1000:g} s, "
                       f"under a quarter of the song's typical {typical / 1000:g} s",
                       "a very short section rarely has room to sound like itself: merge or lengthen it")


def _bars(resolved: Resolved, tempo: Tempo, report: Report) -> None:
    duration = resolved.section.heading.duration
    bar_ms = tempo.bar_ms
    if bar_ms is None or duration is None or duration.kind == "bars" or not resolved.duration_ms:
        return
    bars = resolved.duration_ms / bar_ms
    if abs(bars - round(bars)) * bar_ms <= 1:  # within a millisecond is a whole number of bars
        return
    report.warning("W105", duration.span,
                   f"{duration.text} is {float(bars):.2f} bars at {float(tempo.bpm or 0):g} bpm: not a whole number",
                   _whole_bars_hint(bars, bar_ms))


def _whole_bars_hint(bars: Fraction, bar_ms: Fraction) -> str:
    """The nearest whole number of bars that a section may last, if any."""
    fits = [n for n in (floor(bars), ceil(bars))
            if n >= 1 and limits.SECTION_MS_MIN <= round_half_up(n * bar_ms) <= limits.SECTION_MS_MAX]
    if not fits:
        return (f"no whole number of bars lasts from 0:03 to 2:00 at this tempo "
                f"(a bar is {float(bar_ms) / 1000:g} s): time the section in seconds on purpose, "
                "or silence W105")
    best = min(fits, key=lambda n: abs(n - bars))
    return (f"use {best} bar{'s' if best != 1 else ''} ({format_clock(round_half_up(best * bar_ms))}), "
            "so the section ends on a bar line")


def _styles(analysis: Analysis, report: Report) -> None:
    """W106, W107 and W108, in one pass over every style the song writes (a
    style that `@repeat` copies, once)."""
    bpm = analysis.settings.tempo.bpm
    _style_lints(analysis.positive, True, bpm, report)
    _style_lints(analysis.negative, False, bpm, report)
    for resolved in analysis.sections:
        positive, negative = resolved.positive, resolved.negative
        target = resolved.repeats
        if target is not None:  # what `@repeat` copied from it was linted there
            copied = {id(item) for item in target.positive} | {id(item) for item in target.negative}
            positive = [item for item in positive if id(item) not in copied]
            negative = [item for item in negative if id(item) not in copied]
        if positive:
            _style_lints(positive, True, bpm, report)
        if negative:
            _style_lints(negative, False, bpm, report)


def _style_lints(items: list[StyleItem], positive: bool, bpm: Fraction | None, report: Report) -> None:
    for item in items:
        text = item.text
        if not positive:
            if _SELF_NEGATING.match(text):
                rest = text.split(None, 1)[-1]
                report.warning("W106", item.span, f"`- {text}` is a double negative: it asks for what it names",
                               f"write `- {rest}` to keep it out",
                               () if item.quoted else (Edit(item.span, rest),))
        elif bpm is not None and "bpm" in text.lower():
            match = re.search(_STYLE_BPM, text)
            if match and abs(float(match.group(1)) - float(bpm)) > 0.5:
                report.warning("W107", item.span,
                               f"style `{text}` says {match.group(1)} bpm but the song's `bpm` is {float(bpm):g}",
                               "make them agree: bars are timed by `bpm`, the music by the style")
        if text.isascii():
            continue  # ASCII is all Latin
        if any(ch.isalpha() for ch in re.findall(_BEYOND_LATIN, text)):
            report.warning("W108", item.span, f"style `{text}` is not in English",
                           "the API reads styles best in English (lyrics may be in any language)")
