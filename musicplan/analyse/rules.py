"""Song model to meaning: every rule and limit of the format, checked where it is written.

``analyze`` reads the fields first (the model, tempo and meter decide what the
sections mean), then walks the sections once, resolving ``@repeat``, bars and
ranges, and reports each problem at the position song-format.md names. What it
returns is all the compiler needs, so nothing is worked out twice.
"""

from __future__ import annotations

import re

from musicplan.analyse.durations import Tempo, format_clock, to_ms
from musicplan.analyse.values import (
    TooLong,
    parse_beat,
    parse_boolean,
    parse_bpm,
    parse_meter,
    parse_seed,
    suggest_key,
)
from musicplan.base.diagnostics import Edit, Report, Span
from musicplan.base.record import Factory, Record
from musicplan.base.words import nearest
from musicplan.read import repairs
from musicplan.read.parse import parse_duration_value
from musicplan.read.written import (
    Adherence,
    Blank,
    Comment,
    Condition,
    Continuation,
    Duration,
    Field,
    Lyric,
    Repeat,
    Section,
    SetAside,
    SongModel,
    Source,
    StyleItem,
    StyleLine,
    TimeRange,
    UnknownDirective,
)
from musicplan.spec import limits
from musicplan.spec.vocabulary import ALIASES, FIELDS, fields_in_scope

_DIRECTIVES = ("@repeat", "@source", "@adherence", "@condition")
_TEMPO_FIELDS = frozenset({"bpm", "meter", "beat"})
# For what few songs hold: compiled (and cached) by `re` when first needed.
_BPM_WITH_UNIT = r"(?i)(\d+(?:\.\d+)?)\s*bpm"
_INLINE_DIRECTION = r"\{[^{}]*\}"
_PROMPT_ONLY = fields_in_scope("prompt")
_PLAN_ONLY = fields_in_scope("plan")


class Settings(Record):
    model: str = limits.DEFAULT_MODEL
    title: str | None = None
    prompt: str | None = None
    length_ms: int | None = None
    instrumental: bool | None = None
    seed: int | None = None
    respect_durations: bool | None = None
    finetune: str | None = None
    inpainting: bool | None = None
    timestamps: bool | None = None
    waveform: bool | None = None
    c2pa: bool | None = None
    output_format: str | None = None
    tempo: Tempo = Factory(lambda: Tempo(None))
    # Fields written but not read (a line set aside, a value already reported):
    # what depends on them is not reported again.
    unread: set[str] = Factory(set)
    unread_headings: list[str] = Factory(list)  # headings set aside, as written: see ``_may_be_called``

    @property
    def chunked(self) -> bool:
        return self.model in limits.CHUNK_MODELS


class Ms(Record):
    """A time range in milliseconds."""

    start: int
    end: int


class Resolved(Record):
    """One section as it will be sent."""

    section: Section
    positive: list[StyleItem]
    negative: list[StyleItem]
    lines: list[Lyric]
    duration_ms: int | None
    source: tuple[str, Ms, list[Ms]] | None = None
    adherence: str | None = None
    condition: tuple[str, Ms, str | None] | None = None
    reference: bool = False  # an audio reference chunk (chunk models)
    repeats: Resolved | None = None  # the earlier section its `@repeat` copies


class Analysis(Record):
    song: SongModel
    settings: Settings
    positive: list[StyleItem]
    negative: list[StyleItem]
    sections: list[Resolved]

    @property
    def is_prompt(self) -> bool:
        return self.settings.prompt is not None


def analyze(song: SongModel, report: Report, model: str | None = None) -> Analysis:
    settings, fields_by_key = _read_fields(song, report, model)
    positive: list[StyleItem] = []
    negative: list[StyleItem] = []
    for line in song.global_styles:
        (positive if line.positive else negative).extend(line.items)
    analysis = Analysis(song, settings, positive, negative, [])
    if settings.prompt is not None or "prompt" in fields_by_key:
        _check_prompt_song(song, report)
        return analysis
    if "prompt" in settings.unread and not song.sections:
        return analysis  # a prompt song whose prompt line was set aside
    _check_styles(positive, negative, report)
    analysis.sections = _resolve_sections(song, settings, positive, negative, report)
    _check_plan_song(song, analysis, fields_by_key, report)
    return analysis


# ---------------------------------------------------------------- fields

def _read_fields(song: SongModel, report: Report, model_override: str | None
                 ) -> tuple[Settings, dict[str, Field]]:
    settings = Settings()
    fields: list[Field] = []
    loose: list[Continuation] = []
    for line in song.header:
        if isinstance(line, Field):
            fields.append(line)
        elif isinstance(line, SetAside):
            settings.unread.add(line.word)
        elif isinstance(line, Continuation):
            loose.append(line)
    seen: dict[str, Field] = {}
    if loose:
        continued = {id(line) for item in fields for line in item.continuation}
        for line in loose:
            if id(line) not in continued:
                report.error("E111", line.span, "an indented line with nothing to continue",
                             "remove the indentation: only `prompt` continues on indented lines, "
                             "right after the `prompt:` line")
    # The tempo first: `length` may be given in bars above the `bpm` line.
    tempo_first = sorted(fields, key=lambda item: item.key not in _TEMPO_FIELDS)
    for item in tempo_first:
        spec = FIELDS.get(item.key)
        if spec is None:
            hint, target = suggest_key(item.raw_key)
            report.error("E200", item.key_span, f"unknown field `{item.raw_key}`", hint,
                         _key_fix(item, target, song))
            continue
        if item.key in seen:
            first = seen[item.key].key_span
            report.error("E201", item.key_span, f"`{item.key}` is given twice",
                         f"it was first set on line {first.line}; keep one of them")
            continue
        seen[item.key] = item
        if item.continuation and item.key != "prompt":
            report.error("E111", item.continuation[0].span,
                         f"only `prompt` may continue on indented lines, not `{item.key}`",
                         "remove the indentation, or put the text on the field's own line")
        _read_value(item, spec.kind, settings, report)
    if model_override is not None:
        settings.model = model_override
        settings.unread.discard("model")
    elif "model" not in seen:
        _model_unset(song, fields, settings.unread, report)
    if not settings.unread.isdisjoint(_TEMPO_FIELDS):
        settings.tempo.unreadable = True  # a tempo line was set aside
    if settings.finetune is not None and settings.model not in limits.FINETUNE_MODELS:
        report.warning("W008", seen["finetune"].key_span,
                       f"finetunes work with {' and '.join(limits.FINETUNE_MODELS)} only, not {settings.model}",
                       "remove `finetune`, or set `model: music_v1` to use it")
    _check_c2pa(seen, settings, report)
    return settings, seen


def _key_fix(item: Field, target: str | None, song: SongModel) -> tuple[Edit, ...]:
    """``model_id:`` -> ``model:``, ``tittle:`` -> ``title:``, unless the song sets that field already."""
    if target is None or any(other.key == target for other in song.fields):
        return ()
    fix = repairs.replace(item.key_span, target)
    if item.key == "music_length_ms" and item.value.isdigit():  # the API's length is in milliseconds
        fix += repairs.replace(item.value_span, f"{item.value}ms")
    return fix


def _model_unset(song: SongModel, fields: list[Field], settings_unread: set[str], report: Report) -> None:
    """The API's default model is deprecated: say so where the model would be set."""
    for item in fields:
        if ALIASES.get(item.key) == "model":
            return  # `model_id:` is an unknown field (E200) whose fix sets the model: one diagnostic is enough
    if "model" in settings_unread:  # (here only the words of lines set aside are: no model line was read)
        return  # a `model` line was set aside (already reported): it may well set the model
    if fields:
        span = fields[0].key_span
    elif song.sections:
        span = song.sections[0].heading.span
    else:
        span = Span.at(1, 1)
    report.warning("W007", span, f"the song does not set `model`, so it uses {limits.DEFAULT_MODEL}, "
                   "which the API has deprecated",
                   f"add `model: {limits.RECOMMENDED_MODEL}` to the header for the newest model, or "
                   f"`model: {limits.DEFAULT_MODEL}` to keep the old one on purpose")


_TRAILING_COMMENT = re.compile(r"[ \t]#")
_COMMENT_HINT = "`#` starts a comment only at the start of a line: put the comment on a line of its own"


def _read_value(item: Field, kind: str, settings: Settings, report: Report) -> None:
    comment = None if kind == "prompt" else _TRAILING_COMMENT.search(item.value)
    if comment is None:
        _read_typed_value(item, kind, settings, report)
        return
    before = len(report.diagnostics)
    _read_typed_value(item, kind, settings, report)
    # What looks like a comment after the value is part of it: say so, whatever went wrong.
    errors = [d for d in report.diagnostics[before:] if d.is_error]
    for diagnostic in errors:
        value = item.value[: comment.start()].rstrip(" \t")
        diagnostic.hint = f"{_COMMENT_HINT} (the value would be `{value}`)"
    if not errors and kind == "text" and re.search(r"[ \t]#[ \t]", item.value):
        column = item.value_span.column + comment.start() + 1
        trailing = item.value[comment.start():].strip(" \t")
        report.warning("W207", Span(item.value_span.line, column, item.value_span.line, item.value_span.end_column),
                       f"`{trailing}` is part of `{item.key}`, not a comment", _COMMENT_HINT)


def _read_typed_value(item: Field, kind: str, settings: Settings, report: Report) -> None:
    value, span = item.value, item.value_span
    if kind == "prompt":
        text = item.full_value
        if not text:
            report.error("E213", item.key_span, "the prompt is empty",
                         "write the prompt after `prompt:` or on indented lines below it")
        elif len(text) > limits.PROMPT_CHARS_MAX:
            report.error("E213", item.key_span,
                         f"the prompt has {len(text)} characters; the API takes at most "
                         f"{limits.PROMPT_CHARS_MAX}", "shorten the prompt")
        settings.prompt = text
        return
    if not value:
        report.error("E211", item.key_span, f"`{item.key}` has no value",
                     "write the value after the colon, or remove the line")
        return
    if kind == "text":
        if item.key == "finetune" and len(value) > limits.FINETUNE_CHARS_MAX:
            report.error("E218", span, f"the finetune id has {len(value)} characters; at most "
                         f"{limits.FINETUNE_CHARS_MAX} are allowed", "copy the finetune's id exactly")
        setattr(settings, item.key, value)
    elif kind == "model":
        if _one_of(value, limits.MODELS, "E204", "unknown model", span, report,
                   "models: " + ", ".join(limits.MODELS)):
            settings.model = value
        else:
            settings.unread.add("model")
    elif kind == "boolean":
        flag = parse_boolean(value)
        if flag is None:
            report.error("E202", span, f"`{value}` is not a yes/no value",
                         "write yes, no, true, false, on or off", repairs.replace(span, repairs.boolean(value)))
        else:
            setattr(settings, item.key, flag)
    elif kind == "seed":
        # Too many digits is out of range before it is worth turning into a number.
        seed = parse_seed(value) if len(value) <= len(str(limits.SEED_MAX)) else None
        if seed is None and not value.isdecimal():
            report.error("E203", span, f"`{value}` is not a seed: a seed is a whole number of 0 or more",
                         "e.g. `seed: 42`")
        elif seed is None or seed > limits.SEED_MAX:
            shown = value if len(value) <= 20 else value[:10] + "..."
            report.error("E217", span, f"seed {shown} is above {limits.SEED_MAX}",
                         f"the API takes seeds from 0 to {limits.SEED_MAX} (32 bits): use a smaller one")
        else:
            settings.seed = seed
    elif kind == "format":
        if _one_of(value, limits.OUTPUT_FORMATS, "E205", "unknown output format", span, report,
                   "formats look like mp3_44100_128, pcm_44100 or opus_48000_128", _format_guess(value)):
            settings.output_format = value
    elif kind in _TEMPO_FIELDS:
        _read_tempo(kind, value, span, settings.tempo, report)
    elif kind == "duration":
        dur = parse_duration_value(value, span.line, span.column, report)
        if dur is None:
            return
        ms = to_ms(Duration(dur.text, dur.kind, span), settings.tempo, report)
        if ms is None:
            return
        if not limits.LENGTH_MS_MIN <= ms <= limits.LENGTH_MS_MAX:
            report.error("E214", span, f"length {format_clock(ms)} is outside 0:03 to 10:00",
                         "a prompt song lasts from 3 seconds to 10 minutes")
        else:
            settings.length_ms = ms


def _read_tempo(kind: str, value: str, span: Span, tempo: Tempo, report: Report) -> None:
    """`bpm`, `meter` or `beat` into ``tempo``; one that can't be read leaves
    bars without a duration (and without a second error, see Tempo)."""
    try:
        if kind == "bpm":
            bpm = parse_bpm(value)
            if bpm is not None:
                tempo.bpm = bpm
                return
            unit = re.fullmatch(_BPM_WITH_UNIT, value)
            report.error("E206", span, f"`{value}` is not a tempo: bpm is a number above 0",
                         f"write the number alone: `bpm: {unit.group(1)}`" if unit
                         else "e.g. `bpm: 120` or `bpm: 92.5`", repairs.replace(span, unit.group(1) if unit else None))
        elif kind == "meter":
            meter = parse_meter(value)
            if meter is not None:
                tempo.meter = meter
                return
            report.error("E207", span, f"`{value}` is not a meter",
                         "write beats per bar and the beat's note value, e.g. 4/4, 3/4 or 6/8",
                         repairs.replace(span, repairs.meter(value)))
        else:
            beat = parse_beat(value)
            if beat is not None:
                tempo.beat = beat
                return
            report.error("E216", span, f"`{value}` is not a beat",
                         "write the note that `bpm` counts as a fraction of a whole note: "
                         "1/4 (a quarter), 3/8 (a dotted quarter), 1/8, 1/2")
    except TooLong:
        report.error({"bpm": "E206", "meter": "E207"}.get(kind, "E216"), span,
                     f"this `{kind}` has far more digits than it can", "e.g. `bpm: 120`, `meter: 6/8`, `beat: 1/4`")
    tempo.unreadable = True


def _format_guess(value: str) -> str | None:
    """A format without its bit rate (`mp3_44100`) means the common one, 128 kbps."""
    common = f"{value.lower().rstrip('_')}_128"
    return common if common in limits.OUTPUT_FORMATS else None


def _one_of(value: str, choices: tuple[str, ...], code: str, what: str, span: Span, report: Report,
            hint: str, guess: str | None = None) -> bool:
    """Whether ``value`` is one of ``choices``; if not, an error that names the
    nearest (or ``guess``)."""
    if value in choices:
        return True
    sure = repairs.certain(value, choices)
    guess = sure or guess or nearest(value, choices)
    report.error(code, span, f"{what} `{value}`", (f"did you mean `{guess}`? " if guess else "") + hint,
                 repairs.replace(span, sure))
    return False


def _check_c2pa(seen: dict[str, Field], settings: Settings, report: Report) -> None:
    fmt = settings.output_format
    if settings.c2pa and fmt is not None and not limits.is_mp3(fmt):
        report.error("E210", seen["c2pa"].span, f"C2PA signing needs an mp3 format, not `{fmt}`",
                     f"remove `c2pa`, or choose an mp3 format (line {seen['format'].key_span.line})")


# ---------------------------------------------------------------- prompt and plan songs

def _check_prompt_song(song: SongModel, report: Report) -> None:
    first_style = song.global_styles[0].span if song.global_styles else None
    first_heading = song.sections[0].heading.span if song.sections else None
    candidates = [s for s in (first_style, first_heading) if s is not None]
    if candidates:
        where = min(candidates)
        what = "style lines" if where == first_style else "sections"
        report.error("E212", where, f"a prompt song has no {what}",
                     "either remove `prompt` and write sections, or remove the style lines "
                     "and sections and describe the song in the prompt")
    for key in _PLAN_ONLY:
        for item in song.fields:
            if item.key == key:
                report.error("E209", item.key_span, f"`{key}` applies to songs with sections, not to a prompt song",
                             "remove it, or write the song as sections instead of a prompt")


def _check_plan_song(song: SongModel, analysis: Analysis, seen: dict[str, Field], report: Report) -> None:
    for key in _PROMPT_ONLY:
        item = seen.get(key)
        if key == "prompt":
            continue  # a plan song has no prompt, by definition
        if item is None or "prompt" in analysis.settings.unread:
            continue
        if key == "length":
            total = sum(r.duration_ms or 0 for r in analysis.sections)
            message = (f"`length` is for prompt songs; this plan's sections add up to "
                       f"{format_clock(total)}")
            hint = "remove `length`: the sections' durations set the length"
        else:
            message = f"`{key}` is for prompt songs"
            hint = ("remove it and add `- vocals` or `+ instrumental` to the global styles"
                    if key == "instrumental" else "remove it, or write the song as a prompt")
        report.error("E208", item.key_span, message, hint)
    if not song.sections and not analysis.settings.unread & {"prompt", "["}:
        report.error("E215", Span.at(1, 1),
                     "the song has no sections: write at least one, or a `prompt`",
                     "add a heading such as `[Verse 1] 0:20`, or a field `prompt: ...`")
    if analysis.settings.chunked and analysis.settings.respect_durations is not None:
        item = seen["respect_durations"]
        report.warning("W005", item.key_span,
                       f"`respect_durations` is ignored by {analysis.settings.model}",
                       "remove it: chunk plans always keep the chunks' durations")


# ---------------------------------------------------------------- styles

def _removal(items: list[StyleItem], index: int) -> tuple[Edit, ...]:
    """The edit that takes ``items[index]`` out of its line with one of its commas
    (none when it is alone on its line: the line would be left empty)."""
    item = items[index]
    line = item.span.line
    if index > 0 and items[index - 1].span.line == line:
        return (Edit(Span(line, items[index - 1].span.end_column, line, item.span.end_column), ""),)
    if index + 1 < len(items) and items[index + 1].span.line == line:
        return (Edit(Span(line, item.span.column, line, items[index + 1].span.column), ""),)
    return ()


class Listed(Record):
    """What stands before a section's own styles in the list that is sent (a
    chunk's global styles): how many, and the first of each by case-folded text.
    Worked out once, not once per section (3,000 chunks under 20,000 global
    styles took 41 s)."""

    count: int = 0
    seen: dict[str, StyleItem] = Factory(dict)

    @classmethod
    def of(cls, items: list[StyleItem]) -> Listed:
        seen: dict[str, StyleItem] = {}
        for item in items:
            seen.setdefault(item.text.casefold(), item)
        return cls(len(items), seen)


_NOTHING_BEFORE = (Listed(), Listed())


def _check_styles(positive: list[StyleItem], negative: list[StyleItem], report: Report,
                  copied: tuple[int, int] = (0, 0), before: tuple[Listed, Listed] = _NOTHING_BEFORE) -> None:
    """Empty items, the 50-per-list limit, repeats within a list and conflicts between lists.

    ``copied`` counts leading items copied from another section, and ``before``
    what precedes the lists when they are sent: both were reported already."""
    if len(positive) != copied[0]:  # else nothing of this section's own: all was checked where it was written
        _check_list(positive, copied[0], before[0], report)
    if len(negative) == copied[1]:
        return
    _check_list(negative, copied[1], before[1], report)
    positives = {item.text.casefold() for item in positive}
    for index, item in enumerate(negative):
        key = item.text.casefold()
        if index >= copied[1] and (key in positives or key in before[0].seen) and item.text.strip(" \t"):
            report.warning("W002", item.span,
                           f"style `{item.text}` is both wanted (+) and unwanted (-)",
                           "keep it on one side only")


def _check_list(items: list[StyleItem], skip: int, earlier: Listed, report: Report) -> None:
    """One list's empty items, its limit and its repeats, from its item ``skip`` on."""
    if (not skip and not earlier.seen and len(items) + earlier.count <= limits.STYLES_PER_LIST_MAX
            and len({item.text.casefold() for item in items}) == len(items)
            and "" not in {item.text.strip(" \t") for item in items}):
        return  # none empty, none twice, not too many: what nearly every list is
    seen: dict[str, StyleItem] = {}
    for item in items[:skip]:
        seen.setdefault(item.text.casefold(), item)
    earlier_seen = earlier.seen
    full = limits.STYLES_PER_LIST_MAX - earlier.count  # the index of the first item past the limit
    for index in range(skip, len(items)):
        item = items[index]
        text = item.text
        key = text.casefold()
        if not text.strip(" \t"):
            report.error("E106", item.span, "empty style",
                         "write a style between the quotes, or remove them")
            continue
        if index == full:
            report.error("E407", item.span,
                         f"more than {limits.STYLES_PER_LIST_MAX} styles in one list",
                         f"the API takes at most {limits.STYLES_PER_LIST_MAX} styles per list: "
                         "merge or drop some")
        first = (earlier_seen.get(key) if earlier_seen else None) or seen.get(key)
        if first is not None:
            report.warning("W001", item.span, f"style `{text}` is listed twice",
                           f"it is already on line {first.span.line}: remove one",
                           _removal(items, index))
        else:
            seen[key] = item


# ---------------------------------------------------------------- sections

def _resolve_sections(song: SongModel, settings: Settings, positive: list[StyleItem],
                      negative: list[StyleItem], report: Report) -> list[Resolved]:
    resolved: list[Resolved] = []
    latest: dict[str, Resolved] = {}  # each name's latest section, for `@repeat`
    # Chunks are sent with the global styles before their own.
    before = (Listed.of(positive), Listed.of(negative)) if settings.chunked else _NOTHING_BEFORE
    for index, section in enumerate(song.sections):
        if index == limits.SECTIONS_MAX:
            report.error("E400", section.heading.span,
                         f"more than {limits.SECTIONS_MAX} sections",
                         f"the API takes at most {limits.SECTIONS_MAX}: merge some sections")
        made = _resolve(section, latest, settings, before, report)
        resolved.append(made)
        heading = section.heading
        if heading.name_unread:  # `@repeat` of what it may have been called is not reported
            settings.unread_headings.append(heading.raw_name)
        latest[heading.name] = made
    _check_total(resolved, report)
    return resolved


def _ranges_ms(time_range: TimeRange, settings: Settings, report: Report) -> Ms | None:
    start = to_ms(time_range.start, settings.tempo, report, in_range=True)
    end = to_ms(time_range.end, settings.tempo, report, in_range=True)
    if start is None or end is None:
        return None
    if start >= end:
        report.error("E306", time_range.span, "a range's start must be below its end",
                     "write the earlier time first, e.g. 0:10-0:30")
        return None
    return Ms(start, end)


def _once(found: list, name: str, report: Report) -> list:
    for extra in found[1:]:
        report.error("E411", extra.span, f"`{name}` is given twice in this section",
                     f"a section takes at most one `{name}`: keep one")
    return found[:1]


def _may_be_called(raw: str, name: str) -> bool:
    """Whether a heading set aside as ``raw`` (its line) may have been called ``name``:
    what follows its ``[`` up to a space or the line's end (where the name ended is unknown)."""
    text = raw[1:].lstrip(" \t") if raw.startswith("[") else raw
    return bool(name) and text.startswith(name) and text[len(name):len(name) + 1] in ("", " ", "\t")


def _resolve(section: Section, latest: dict[str, Resolved], settings: Settings,
             before: tuple[Listed, Listed], report: Report) -> Resolved:
    heading = section.heading
    name = heading.name
    chunked = settings.chunked
    if heading.name_unread:
        pass  # the heading was set aside: its name is unknown, not missing
    elif not name and not chunked:
        report.error("E401", heading.span, "a section needs a name",
                     f"write a name between the brackets, e.g. `[Verse 1]` (an empty `[]` "
                     f"is allowed only for {' and '.join(limits.CHUNK_MODELS)})")
    elif len(name) > limits.SECTION_NAME_MAX:
        report.error("E401", heading.span,
                     f"the section name has {len(name)} characters; at most "
                     f"{limits.SECTION_NAME_MAX} are allowed", "shorten the name")

    style_lines: list[StyleLine] = []
    own_lyrics: list[Lyric] = []
    kinds: dict[type, list] = {}  # the rarer kinds of line: directives, lines set aside
    for line in section.lines:
        if type(line) is Lyric:
            own_lyrics.append(line)
        elif type(line) is StyleLine:
            style_lines.append(line)
        elif type(line) is Blank or type(line) is Comment:
            continue
        elif type(line) in kinds:
            kinds[type(line)].append(line)
        else:
            kinds[type(line)] = [line]
    repeats: list[Repeat] = []
    sources: list[Source] = []
    adherences: list[Adherence] = []
    conditions: list[Condition] = []
    if kinds:
        for directive in kinds.get(UnknownDirective, ()):
            sure = repairs.certain(directive.name, _DIRECTIVES)
            guess = sure or nearest(directive.name, _DIRECTIVES)
            report.error("E408", directive.span, f"unknown directive `{directive.name}`",
                         f"did you mean `{guess}`?" if guess else "directives: " + ", ".join(_DIRECTIVES),
                         repairs.replace(Span.at(directive.span.line, directive.span.column, len(directive.name)),
                                         sure))
        if Repeat in kinds:
            repeats = _once(kinds[Repeat], "@repeat", report)
        if Source in kinds:
            sources = _once(kinds[Source], "@source", report)
        if Adherence in kinds:
            adherences = _once(kinds[Adherence], "@adherence", report)
        if Condition in kinds:
            conditions = _once(kinds[Condition], "@condition", report)

    positive: list[StyleItem] = []
    negative: list[StyleItem] = []
    lines: list[Lyric] = []
    duration_ms: int | None = None
    copied = (0, 0)
    target: Resolved | None = None
    if repeats:
        repeat = repeats[0]
        target = latest.get(repeat.name)
        if target is None and not any(_may_be_called(raw, repeat.name) for raw in settings.unread_headings):
            names = list(latest)  # (else it may be a heading that was set aside)
            # Only a difference of case is certain: `Verse 1` or `Verse 2` is not.
            same = {name for name in names if name.casefold() == repeat.name.casefold()}
            guess = same.pop() if len(same) == 1 else nearest(repeat.name, names) if names else None
            report.error("E409", repeat.name_span,
                         f"no earlier section is called `{repeat.name}`",
                         f"did you mean `{guess}`?" if guess else
                         "`@repeat` copies a section above this one; names must match exactly",
                         repairs.replace(repeat.name_span, guess) if guess and guess.casefold() ==
                         repeat.name.casefold() and "\\" not in guess else ())
        elif target is not None:
            positive = _copied(target.positive, limits.STYLES_PER_LIST_MAX)
            negative = _copied(target.negative, limits.STYLES_PER_LIST_MAX)
            lines = _copied(target.lines, limits.LYRIC_LINES_MAX)
            duration_ms = target.duration_ms
            copied = (len(positive), len(negative))
        if own_lyrics:
            report.error("E410", own_lyrics[0].span,
                         "a section with `@repeat` takes its lyrics from the section it repeats",
                         "remove these lyric lines, or remove `@repeat` and write the section out")

    for style_line in style_lines:
        (positive if style_line.positive else negative).extend(style_line.items)
    if own_lyrics and not repeats:
        lines += own_lyrics
        _check_lyrics(own_lyrics, chunked, report)

    if heading.duration is not None:
        duration_ms = to_ms(heading.duration, settings.tempo, report)
    elif heading.duration_unread or (SetAside in kinds and any(
            line.word in ("@repeat", "@source") for line in kinds[SetAside])):
        pass  # what would give the duration was set aside (and reported)
    elif not repeats and not (chunked and sources):
        shown = heading.raw_name.strip(" \t")
        report.error("E402", heading.span, f"section `{name}` has no duration",
                     f"write one after the heading, e.g. `[{shown}] 0:20`"
                     + (f" or `[{shown}] 8 bars`" if settings.tempo.bpm is not None else ""))

    result = Resolved(section, positive, negative, lines, duration_ms, repeats=target)
    if adherences:
        result.adherence = _level(adherences[0].level, adherences[0].level_span,
                                  limits.ADHERENCE_LEVELS, "@adherence", report)
    if conditions:
        condition = conditions[0]
        strength = None
        if condition.strength is not None and condition.strength_span is not None:
            strength = _level(condition.strength, condition.strength_span,
                              limits.CONDITION_STRENGTHS, "strength", report)
        _check_song_id(condition.song_id, condition.id_span, report)
        ms = _ranges_ms(condition.range, settings, report)
        if ms is not None and not limits.CONDITION_MS_MIN <= ms.end - ms.start <= limits.CONDITION_MS_MAX:
            report.error("E417", condition.range.span,
                         f"a conditioning range lasts from {limits.CONDITION_MS_MIN} ms to "
                         f"{format_clock(limits.CONDITION_MS_MAX)}; this one lasts {format_clock(ms.end - ms.start)}",
                         "narrow or widen the range")
        elif ms is not None:
            result.condition = (condition.song_id, ms, strength)
    if (adherences or conditions) and not chunked and "model" not in settings.unread:
        for directive in adherences + conditions:
            keyword = "@adherence" if isinstance(directive, Adherence) else "@condition"
            report.error("E412", directive.span,
                         f"`{keyword}` works with {' and '.join(limits.CHUNK_MODELS)} only",
                         f"set `model: music_v2` or `model: music_v2_5`, or remove `{keyword}`")
    if sources:
        _resolve_source(sources[0], section, result, settings, report)

    if result.reference:
        result.positive, result.negative = [], []
    else:
        if chunked:
            _check_chunk_text(result, report)
        _check_styles(positive, negative, report, copied=copied, before=before)

    if duration_ms is not None and heading.duration is not None and not result.reference:
        if not limits.SECTION_MS_MIN <= duration_ms <= limits.SECTION_MS_MAX:
            report.error("E403", heading.duration.span,
                         f"section `{name}` lasts {format_clock(duration_ms)}; a section lasts "
                         "from 0:03 to 2:00", "change the duration, or split the section in two")
    return result


def _copied(items: list, limit: int) -> list:
    """What ``@repeat`` copies. A list already past its limit was reported
    where it passed it and can't be sent; copying it whole into each of a
    chain of repeats that add to it would cost time and memory quadratic in
    the chain (10,000 sections: 22 s), so its first ``limit + 1`` items stand for it."""
    return items[: limit + 1] if len(items) > limit else list(items)


def _level(value: str, span: Span, allowed: tuple[str, ...], what: str, report: Report) -> str | None:
    if _one_of(value, allowed, "E413", f"unknown `{what}` level", span, report, "levels: " + ", ".join(allowed)):
        return value
    return None


def _resolve_source(source: Source, section: Section, result: Resolved, settings: Settings,
                    report: Report) -> None:
    _check_song_id(source.song_id, source.id_span, report)
    main = _ranges_ms(source.range, settings, report)
    excepts: list[Ms] = []
    if len(source.excepts) > limits.EXCEPT_RANGES_MAX:
        report.error("E416", source.excepts[limits.EXCEPT_RANGES_MAX].span,
                     f"more than {limits.EXCEPT_RANGES_MAX} `except` ranges",
                     f"the API takes at most {limits.EXCEPT_RANGES_MAX}: merge neighbouring ranges")
    for time_range in source.excepts:
        ms = _ranges_ms(time_range, settings, report)
        if ms is None:
            continue
        if main is not None and not (main.start <= ms.start and ms.end <= main.end):
            report.error("E307", time_range.span, "an `except` range must lie inside the main range",
                         f"the main range runs from {format_clock(main.start)} to {format_clock(main.end)}")
        excepts.append(ms)
    if main is None:
        return
    result.source = (source.song_id, main, excepts)
    if not settings.chunked:
        return
    # Chunk models: a section of nothing but @source is an audio reference chunk.
    result.reference = True
    extra = [line for line in section.lines
             if isinstance(line, (StyleLine, Lyric, Repeat, Adherence, Condition))]
    if source.excepts:
        report.error("E414", source.excepts[0].span,
                     f"`except` is not available in {settings.model} audio references",
                     "remove the `except` ranges")
    if extra:
        report.error("E414", extra[0].span,
                     "a section with `@source` is an audio reference: it takes nothing else",
                     "move these lines to a section of their own")
    length = main.end - main.start
    if length < limits.AUDIO_REFERENCE_MS_MIN:
        report.error("E414", source.range.span,
                     f"an audio reference lasts at least {limits.AUDIO_REFERENCE_MS_MIN} ms",
                     "widen the range")
    duration = section.heading.duration
    if duration is not None and result.duration_ms is not None and result.duration_ms != length:
        report.error("E414", duration.span,
                     f"the heading says {format_clock(result.duration_ms)} but the range lasts "
                     f"{format_clock(length)}",
                     "remove the heading's duration: an audio reference lasts as long as its range")
    result.duration_ms = length
    result.lines = []


def _check_song_id(song_id: str, span: Span, report: Report) -> None:
    if not limits.SONG_ID_CHARS_MIN <= len(song_id) <= limits.SONG_ID_CHARS_MAX:
        report.error("E415", span, f"a song id has {limits.SONG_ID_CHARS_MIN} to {limits.SONG_ID_CHARS_MAX} "
                     f"characters; this one has {len(song_id)}",
                     "copy the id the API gave the song (the `song-id` of its reply, or `musicplan upload`)")


def _check_chunk_text(result: Resolved, report: Report) -> None:
    """A generation chunk's text (the `[label]` line and the lyric lines) fits the API's limit."""
    name = result.section.name
    size = len("\n".join(([f"[{name}]"] if name else []) + [line.text for line in result.lines]))
    if size > limits.CHUNK_TEXT_CHARS_MAX:
        report.error("E418", result.section.heading.span,
                     f"this chunk's text (its label and lyric lines) has {size} characters; at most "
                     f"{limits.CHUNK_TEXT_CHARS_MAX} are allowed", "split the section in two, or shorten the lyrics")


def _check_lyrics(lyrics: list[Lyric], chunked: bool, report: Report) -> None:
    texts = [lyric.text for lyric in lyrics]
    if (len(lyrics) <= limits.LYRIC_LINES_MAX and max(map(len, texts)) <= limits.LYRIC_LINE_CHARS_MAX
            and (chunked or "{" not in "".join(texts))):
        return  # what nearly every section is: nothing below would be said
    for index, lyric in enumerate(lyrics):
        if index == limits.LYRIC_LINES_MAX:
            report.error("E405", lyric.span, f"more than {limits.LYRIC_LINES_MAX} lyric lines in one section",
                         "split the section in two, or shorten the lyrics")
        if len(lyric.text) > limits.LYRIC_LINE_CHARS_MAX:
            column = min(lyric.content_column + limits.LYRIC_LINE_CHARS_MAX, lyric.span.end_column - 1)
            report.error("E406", Span(lyric.span.line, column, lyric.span.line, lyric.span.end_column),
                         f"this lyric line has {len(lyric.text)} characters; at most "
                         f"{limits.LYRIC_LINE_CHARS_MAX} are allowed",
                         "break it into two lines")
        match = None if chunked or "{" not in lyric.text else re.search(_INLINE_DIRECTION, lyric.text)
        if match:
            column = min(lyric.content_column + match.start(), lyric.span.end_column - 1)
            report.warning("W004", Span(lyric.span.line, column, lyric.span.line, column + len(match.group(0))),
                           f"`{match.group(0)}` is a performance direction inside the lyrics",
                           "music_v1 sings it: move it to a `+` style line of the section "
                           "(music_v2 and music_v2_5 read inline directions)")


def _check_total(resolved: list[Resolved], report: Report) -> None:
    if not resolved:
        return
    durations = [item.duration_ms for item in resolved]
    known = [ms for ms in durations if ms is not None]
    if len(known) == len(durations) and limits.SONG_MS_MIN <= sum(known) <= limits.SONG_MS_MAX and min(known) >= 0:
        return  # each total on the way is within 10:00 (none falls), the last at least 0:03
    total = 0
    for item in resolved:
        if item.duration_ms is None:
            continue
        before = total
        total += item.duration_ms
        if before <= limits.SONG_MS_MAX < total:
            report.error("E404", item.section.heading.span,
                         f"the song passes 10:00 here (it reaches {format_clock(total)})",
                         "a song lasts at most 10 minutes: shorten or drop sections")
    if all(item.duration_ms is not None for item in resolved) and total < limits.SONG_MS_MIN:
        report.error("E404", resolved[0].section.heading.span,
                     f"the song lasts {format_clock(total)}; a song lasts at least 0:03",
                     "lengthen the sections")
