"""The song as written to warnings for what its writer almost surely did not
mean (song-format.md, "Warnings for what a writer did not mean"): text the
format reads one way that was written to be read another.

These look at the text as written, so only songs get them: a JSON plan says
what it means outright.
"""

from __future__ import annotations

import re

from musicplan.analyse.rules import Analysis
from musicplan.analyse.values import TooLong, parse_beat, parse_boolean, parse_bpm, parse_meter, parse_seed
from musicplan.base.diagnostics import Edit, Report, Span
from musicplan.read.written import Field, Lyric, SongModel, StyleItem, StyleLine
from musicplan.spec import limits
from musicplan.spec.vocabulary import ALIASES, BODY_KEYS, FIELD_OF_BODY_KEY, FIELDS

# The patterns below are for text that few songs hold: kept as text, each is
# compiled (and cached) by `re` the first time a song needs it, not on every run.
_KEY_VALUE = r"([A-Za-z_][A-Za-z_ ]*?)[ \t]*:[ \t]*(.*)"
# Chord names as lead sheets write them: C, Am, F#m7, Bbmaj7, Dsus4, G/B, C#dim.
_CHORD = (r"\[([A-G](?:#|b)?(?:maj|min|m|dim|aug|sus|add)?\d{0,2}(?:sus\d|add\d)?"
          r"(?:/[A-G](?:#|b)?)?)\]")
# Quotes that look like `"` to a writer but are not the format's quote.
_OPENING = "“”„‘’‚'«»‹›「『"
# A closing quote; `'` only where it ends a word's quote, not inside one (`80's`).
_CLOSING = r"[”“’‘»«›‹」』]|'(?![A-Za-z0-9])"
# What a style must hold for a warning about it: a quote of either kind, or `#`.
_SUSPECT = frozenset(_OPENING + "”“’‘»«›‹」』'#")
# Section tags in a prompt that ask for a voice.
_SUNG_TAG = r"(?i)\[[ \t]*(?:verse|chorus|pre-?chorus|hook|refrain|bridge|rap|vocals?)\b[^\[\]\n]{0,60}\]"

# A `-` line that reads as a sung line: the marks of a sentence, weighed.
_PRONOUN = (r"(?i)\b(?:i|i'm|i've|i'll|i'd|me|my|you|you're|your|we|we're|our|us|she|he|they|them|"
            r"her|him|his)\b")
_CONTRACTION = r"[A-Za-z]['’](?:m|re|s|t|ll|ve|d)\b"
# A verb in -ing going somewhere (`walking down`, `dancing in`); not `building
# up`, `fading out`, `building to`, which describe music.
_GERUND_GOING = (r"(?i)\b\w+ing\s+(?:down|through|into|on|in|away|home|along|across|with|"
                 r"the|my|your|our)\b")
BULLET_SCORE = 3
# Names people reach for that are also words a lyric may start with.
_WORDS = frozenset({"name"})


def misreadings(analysis: Analysis, report: Report) -> None:
    song = analysis.song
    if analysis.is_prompt:
        _prompt_tags(song, analysis.settings.instrumental, report)
    for style in song.global_styles:
        _style_line(style, report)
    for section in song.sections:
        for line in section.lines:
            if type(line) is Lyric:
                if ":" in line.text or "[" in line.text:  # else neither a field nor a chord
                    _lyric(line, report)
            elif type(line) is StyleLine:
                _style_line(line, report)
                if not line.positive:
                    _bulleted_lyric(line, report)


# ---------------------------------------------------------------- lyrics

def _field_name(key: str) -> str | None:
    """The song field a lyric's ``key:`` names: a field, or the API's name for one."""
    key = key.lower().strip()
    if key in FIELDS:
        return key
    if key in BODY_KEYS:
        return FIELD_OF_BODY_KEY.get(key, key)
    if key in ALIASES and key not in _WORDS:  # `tempo: 120`; not `Name: ...`, which is sung
        return ALIASES[key]
    return None


def _plausible(field: str, value: str) -> bool:
    """Whether ``value`` reads as a value of ``field`` (so `Model: she walks` is a lyric)."""
    kind = FIELDS[field].kind if field in FIELDS else "text"
    try:
        if kind == "boolean":
            return parse_boolean(value) is not None
        if kind == "seed":
            return parse_seed(value) is not None
        if kind == "bpm":
            return parse_bpm(value) is not None
        if kind == "meter":
            return parse_meter(value) is not None
        if kind == "beat":
            return parse_beat(value) is not None
    except TooLong:
        return True
    if kind == "model":
        return value in limits.MODELS
    if kind == "format":
        return value in limits.OUTPUT_FORMATS
    if kind == "duration":
        return bool(re.fullmatch(r"[\d:.]+\s*(?:ms|m|s|bars?)?|\d+m[\d.]+s", value))
    return bool(value)


def sung_field(text: str) -> str | None:
    """The header field a lyric line reads as (`bpm: 120` → `bpm`), or None.
    An escape (`\\bpm: 120`) says it is sung: the printer keeps such an escape."""
    match = re.fullmatch(_KEY_VALUE, text) if ":" in text else None
    field = _field_name(match.group(1)) if match else None
    return field if match and field and _plausible(field, match.group(2).strip()) else None


def _lyric(lyric: Lyric, report: Report) -> None:
    text = lyric.text
    field = None if lyric.escaped else sung_field(text)
    if field:
        report.warning("W201", lyric.span, f"`{text}` is sung as a lyric, not read as the field `{field}`",
                       "fields belong in the header, before the first heading")
    if "[" in text:
        chord = re.search(_CHORD, text)
        if chord:
            column = lyric.content_column + chord.start()
            report.warning("W205", Span.at(lyric.span.line, column, len(chord.group(0))),
                           f"`{chord.group(0)}` is a chord name: it would be sung",
                           "chords are not sung: drop them, or describe the harmony in a style")


def _bulleted_lyric(line: StyleLine, report: Report) -> None:
    if any(item.quoted for item in line.items):
        return  # quotes are the writer saying "this is one style"
    words = [item.text.split() for item in line.items]
    if sum(len(w) for w in words) < 3:
        return
    text = ", ".join(item.text for item in line.items)
    score = 0
    if re.search(_PRONOUN, text):
        score += 2
    if re.search(_CONTRACTION, text) or any(item.text.rstrip().endswith((".", "!", "?")) for item in line.items):
        score += 2
    if text[:1].isupper():
        score += 1
    if any(len(w) >= 4 for w in words):
        score += 1
    if re.search(_GERUND_GOING, text):
        score += 1
    if score >= BULLET_SCORE:
        report.warning("W202", line.span, f"`- {text}` reads as a lyric, but it is a list of unwanted styles",
                       "escape it as a lyric (`\\-`) or write it without the dash")


# ---------------------------------------------------------------- styles

def _style_line(line: StyleLine, report: Report) -> None:
    items = line.items
    for item in items:
        if not item.quoted and not _SUSPECT.isdisjoint(item.text):
            break
    else:
        return  # no quote and no `#` in any unquoted style: nothing to warn about
    # The index of the next item that closes a quote, for each item: one pass from the right.
    closers: list[int | None] = [None] * len(items)
    following: int | None = None
    for index in range(len(items) - 1, -1, -1):
        closers[index] = following
        if not items[index].quoted and re.search(_CLOSING, items[index].text):
            following = index
    inside_until = -1  # the items up to here were reported with the quote they stand in
    for index, item in enumerate(items):
        if item.quoted:
            continue
        _hash(item, report)
        text = item.text
        end = closers[index]
        if index <= inside_until or end is None or text[:1] not in _OPENING or re.compile(_CLOSING).search(text, 1):
            continue
        inside_until = end
        closer = items[end]
        quoted = f'"{_between(items[index:end + 1])}"'
        report.warning("W203", item.span.to(closer.span),
                       f"`{text[0]}` does not quote a style: `{text}` … `{closer.text}` "
                       f"is sent as {end - index + 1} styles, split at its commas",
                       f"only `\"` quotes a style: write `{quoted}`", (Edit(item.span.to(closer.span), quoted),))


def _between(items: list[StyleItem]) -> str:
    """The items from the opening quote to the closing one, as one quoted style's text."""
    joined = ", ".join(item.text for item in items)[1:]
    end = max(m.start() for m in re.finditer(_CLOSING, joined))
    return (joined[:end] + joined[end + 1:]).replace("\\", "\\\\").replace('"', '\\"')


def _hash(item: StyleItem, report: Report) -> None:
    at = item.text.find(" #")
    if at < 0:
        at = item.text.find("\t#")
    if at < 0:
        return
    column = item.span.column + at + 1
    report.warning("W204", Span(item.span.line, column, item.span.line, item.span.end_column),
                   f"`{item.text[at + 1:]}` is sent as part of the style `{item.text}`",
                   "`#` starts a comment only at the start of a line: put the comment on a line of its own")


# ---------------------------------------------------------------- prompt songs

def _prompt_tags(song: SongModel, instrumental: bool | None, report: Report) -> None:
    if not instrumental:
        return
    prompt = next((item for item in song.fields if isinstance(item, Field) and item.key == "prompt"), None)
    if prompt is None:
        return
    places = [(prompt.value, prompt.value_span)] + [(c.text, c.span) for c in prompt.continuation]
    for text, span in places:
        tag = re.search(_SUNG_TAG, text)
        if tag:
            report.warning("W206", Span.at(span.line, span.column + tag.start(), len(tag.group(0))),
                           f"the prompt asks for `{tag.group(0)}` but `instrumental` forbids vocals",
                           "the tags ask for vocals that `instrumental` forbids: remove `instrumental: yes`, "
                           "or the tags")
            return
