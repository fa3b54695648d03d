"""A `Sheet` to canonical `.song` text: cues placed for the model, long lines
and sections split to the API's limits, a chorus sung again as `@repeat`, and
durations guessed by spreading the song's length over the sections by their
sung lines (in whole bars when the tempo is known), each marked as a guess.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from statistics import median

from musicplan.analyse.durations import Tempo, format_clock, round_half_up
from musicplan.analyse.misread import sung_field
from musicplan.base.diagnostics import Diagnostic, Report, SongError, Span
from musicplan.base.record import Factory, Record
from musicplan.importers import chordpro, plain, suno
from musicplan.importers.sheet import Sheet, SheetSection, split_styles, warn
from musicplan.library import format as format_song
from musicplan.spec.limits import (
    CHUNK_MODELS,
    LYRIC_LINE_CHARS_MAX,
    LYRIC_LINES_MAX,
    RECOMMENDED_MODEL,
    SECTION_MS_MAX,
    SECTION_MS_MIN,
    SECTION_NAME_MAX,
    SECTIONS_MAX,
    SONG_MS_MAX,
    SONG_MS_MIN,
    STYLES_PER_LIST_MAX,
)
from musicplan.write.text import heading_name, lyric_text, style_item, style_rows

DEFAULT_MODEL = RECOMMENDED_MODEL
DEFAULT_LENGTH_MS = 180_000
# A chunk's text (label and lines) may hold 6000 characters; leave the label room.
CHUNK_TEXT_BUDGET = 5_800
READERS = {"suno": suno.read, "chordpro": chordpro.read, "text": plain.read}
KIND_NAMES = {"suno": "a Suno-style sheet", "chordpro": "a ChordPro file", "text": "plain lyrics"}


class Options(Record):
    model: str = DEFAULT_MODEL
    length_ms: int | None = None  # the song's length; else the sheet's own; else about 3 minutes
    bpm: str | None = None
    styles: list[str] = Factory(list)  # a style prompt given beside the sheet


class Imported(Record):
    text: str | None  # None when the sheet could not be made a song
    diagnostics: list[Diagnostic]
    kind: str


class ImportBug(Exception):
    """The song made from a sheet does not check clean: a musicplan bug."""


# ---- the format

_CHORDPRO_EXTENSIONS = (".cho", ".chopro", ".chordpro", ".crd", ".pro")
_CHORDPRO_DIRECTIVE = re.compile(
    r"(?im)^\s*\{\s*(title|t|subtitle|st|artist|start_of_\w+|so[cvbt]|eo[cvbt]|chorus|comment|c|ci|key|"
    r"tempo|time|capo|define|new_song|ns)\s*[:}\s]")
_INLINE_CHORD = re.compile(r"\w\[[A-G][#b]?[^\]\s]{0,8}\]|\[[A-G][#b]?[^\]\s]{0,8}\]\w")
_TAG_LINE = re.compile(r"(?m)^\s*(?:#+\s*|[*_]{1,3})?\[[^\[\]]+\][*_]{0,3}\s*$")


def guess_format(text: str, filename: str | None = None) -> str:
    """`suno`, `chordpro` or `text`, from the name's extension, else from the content:
    ChordPro directives or chords inside words, then whole-line `[tags]`."""
    if filename and filename.lower().endswith(_CHORDPRO_EXTENSIONS):
        return "chordpro"
    if _CHORDPRO_DIRECTIVE.search(text) or _INLINE_CHORD.search(text):
        return "chordpro"
    if _TAG_LINE.search(text):
        return "suno"
    return "text"


def import_text(text: str, path: str = "<sheet>", kind: str | None = None,
                options: Options | None = None) -> Imported:
    """Read a lyric sheet (``kind`` guessed when not given) and write it as a song."""
    options = options or Options()
    kind = kind or guess_format(text, path)
    report = Report(path)
    sheet = READERS[kind](text.lstrip("\ufeff"), report)
    song = to_song(sheet, options, report, path)
    return Imported(song, report.sorted(), kind)


# ---- sections as the song will have them

class Part(Record):
    name: str
    line: int
    lines: list[tuple[str, str, int]] = Factory(list)  # ("lyric" | "comment", text, source line)
    styles: list[str] = Factory(list)
    negative: list[str] = Factory(list)
    sung: int = 0  # lines of the sheet sung here, for its share of the length
    repeat_of: str | None = None

    @property
    def lyrics(self) -> list[str]:
        return [text for kind, text, _ in self.lines if kind == "lyric"]


_DIRECTION = re.compile(r"\{([^{}]*)\}")


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item and item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return out


def _split_long(text: str, line: int, report: Report) -> list[str]:
    if len(text) <= LYRIC_LINE_CHARS_MAX:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > LYRIC_LINE_CHARS_MAX:
        cut = rest.rfind(" ", 0, LYRIC_LINE_CHARS_MAX + 1)
        cut = cut if cut > 0 else LYRIC_LINE_CHARS_MAX
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    pieces.append(rest)
    warn(report, "I006", line, f"a sung line of {len(text)} characters was split in {len(pieces)}",
         f"the API takes lines of at most {LYRIC_LINE_CHARS_MAX} characters: check where the break fell")
    return [piece for piece in pieces if piece]


def _part(section: SheetSection, chunks: bool, report: Report) -> Part:
    """The section with its cues placed: inline `{direction}`s for the chunk
    models, local styles for music_v1 (whose lyrics must be singable only)."""
    part = Part(section.name.strip() or "Section", section.line, styles=list(section.styles),
                negative=list(section.negative), sung=len(section.sung), repeat_of=section.repeat_of)
    for item in section.items:
        if item.kind == "comment":
            part.lines.append(("comment", item.text, item.line))
            continue
        text = item.text if item.kind == "lyric" else "{" + item.text + "}"
        if not chunks:
            part.styles += [style for found in _DIRECTION.findall(text) for style in split_styles(found)]
            text = " ".join(_DIRECTION.sub(" ", text).split())
        for piece in _split_long(text, item.line, report) if text else []:
            part.lines.append(("lyric", piece, item.line))
    if len(part.name) > SECTION_NAME_MAX:
        warn(report, "I010", section.line, f"the section name `{part.name[:30]}...` was cut to "
             f"{SECTION_NAME_MAX} characters", "give the section a shorter name")
        part.name = part.name[:SECTION_NAME_MAX].rstrip()
    part.styles = _unique(part.styles)
    part.negative = _unique(part.negative)
    return part


def _split_big(part: Part, chunks: bool, report: Report) -> list[Part]:
    """Parts of at most 30 lyric lines (and, for the chunk models, 6000 characters)."""
    groups: list[list[tuple[str, str, int]]] = [[]]
    count = chars = 0
    for entry in part.lines:
        size = len(entry[1]) + 1 if entry[0] == "lyric" else 0
        if entry[0] == "lyric" and (count == LYRIC_LINES_MAX or (chunks and chars + size > CHUNK_TEXT_BUDGET)):
            groups.append([])
            count = chars = 0
        groups[-1].append(entry)
        if entry[0] == "lyric":
            count, chars = count + 1, chars + size
    if len(groups) == 1:
        return [part]
    warn(report, "I007", part.line, f"`{part.name}` has {len(part.lyrics)} lines: split in {len(groups)} sections",
         f"a section holds at most {LYRIC_LINES_MAX} lines: move the break where the music turns")
    out = []
    for index, lines in enumerate(groups, start=1):
        name = part.name if index == 1 else f"{part.name[:SECTION_NAME_MAX - 10]} (part {index})"
        sung = sum(1 for kind, _, _ in lines if kind == "lyric")
        out.append(Part(name, lines[0][2] if index > 1 else part.line, lines, list(part.styles),
                        list(part.negative), sung))
    return out


class _Sung(Record):
    """What a section sounds like once its `@repeat` is resolved."""

    lyrics: list[str]
    styles: list[str]
    negative: list[str]
    sung: int


def _repeats(parts: list[Part], report: Report) -> None:
    """`@repeat NAME` for a section that sings an earlier one again: when the sheet
    says so, or when its lyrics match those of the latest earlier section of
    that name exactly (the repeat adds styles, it cannot take any away)."""
    latest: dict[str, _Sung] = {}  # by name, the most recent last
    for part in parts:
        target = latest.get(part.repeat_of) if part.repeat_of is not None else None
        if part.repeat_of is not None and target is None:
            warn(report, "I005", part.line, f"nothing called `{part.repeat_of}` above to sing again: "
                 f"`{part.name}` is kept as a section of its own",
                 "write its lyrics out, or name the section it repeats as the sheet names it")
            part.repeat_of = None
        if part.repeat_of is None and part.lyrics:
            for name, earlier in reversed(list(latest.items())):
                if (earlier.lyrics == part.lyrics and set(earlier.styles) <= set(part.styles)
                        and set(earlier.negative) <= set(part.negative)):
                    part.repeat_of, target = name, earlier
                    break
        if target is not None:
            part.sung = target.sung
            part.lines = [entry for entry in part.lines if entry[0] == "comment"]
            part.styles = [s for s in part.styles if s not in target.styles]
            part.negative = [s for s in part.negative if s not in target.negative]
            sung = _Sung(target.lyrics, target.styles + part.styles, target.negative + part.negative, target.sung)
        else:
            sung = _Sung(part.lyrics, part.styles, part.negative, part.sung)
        latest.pop(part.name, None)
        latest[part.name] = sung


# ---- durations

def bar_ms(bpm: Fraction, meter: str) -> Fraction:
    """A bar's length, by the rule the checker times `N bars` with (song-format.md, Durations)."""
    numerator, denominator = (int(n) for n in meter.split("/"))
    return Tempo(bpm, (numerator, denominator)).bar_ms or Fraction(0)


def spread(total: int, weights: list[float], low: int, high: int) -> list[int]:
    """``total`` units shared in proportion to ``weights``, each share between
    ``low`` and ``high``; the shares add up to ``total`` when it is within reach."""
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        if not free:
            break
        left = total - sum(fixed.values())
        weight = sum(weights[i] for i in free)
        ideal = {i: left * weights[i] / weight for i in free}
        under = [i for i in free if ideal[i] < low]
        over = [i for i in free if ideal[i] > high]
        if not under and not over:
            fixed.update(ideal)
            break
        fixed.update({i: float(low) for i in under} if under else {i: float(high) for i in over})
    shares = [min(high, max(low, math.floor(fixed[i]))) for i in range(len(weights))]
    order = sorted(range(len(weights)), key=lambda i: (fixed[i] - math.floor(fixed[i])), reverse=True)
    while sum(shares) < total and any(shares[i] < high for i in order):
        for i in order:
            if sum(shares) < total and shares[i] < high:
                shares[i] += 1
    while sum(shares) > total and any(shares[i] > low for i in order):
        for i in reversed(order):
            if sum(shares) > total and shares[i] > low:
                shares[i] -= 1
    return shares


class Timing(Record):
    unit_ms: Fraction  # a bar, or a second
    bars: bool  # the unit is a bar
    shares: list[int]
    total_ms: int  # the song's length, as near what was asked as the limits allow


def _timing(parts: list[Part], wanted_ms: int, asked: bool, bpm: str | None, meter: str, line: int,
            report: Report) -> Timing:
    """Shares of the song's length; ``asked`` when the length is the writer's
    (not the default), so that a length that cannot be kept is said."""
    if not SONG_MS_MIN <= wanted_ms <= SONG_MS_MAX:
        clamped = min(SONG_MS_MAX, max(SONG_MS_MIN, wanted_ms))
        warn(report, "I008", line, f"a song of {format_clock(wanted_ms)} is beyond the API's "
             f"{format_clock(SONG_MS_MIN)} to {format_clock(SONG_MS_MAX)}: made {format_clock(clamped)}",
             "ask for a length within the API's limits")
        wanted_ms = clamped
    unit, bars = Fraction(1000), False
    if bpm is not None and Fraction(bpm) > 0:
        bar = bar_ms(Fraction(bpm), meter)
        if math.ceil(SECTION_MS_MIN / bar) * bar <= SECTION_MS_MAX and \
                len(parts) * math.ceil(SECTION_MS_MIN / bar) * bar <= SONG_MS_MAX:
            unit, bars = bar, True
    low, high = math.ceil(SECTION_MS_MIN / unit), math.floor(SECTION_MS_MAX / unit)
    # Each section's length is rounded to the millisecond: leave the song room for that.
    most = min(len(parts) * high, math.floor((SONG_MS_MAX - len(parts)) / unit))
    units = min(most, max(len(parts) * low, round(wanted_ms / unit)))
    if asked and abs(units * unit - wanted_ms) > unit:
        reason = "at least" if units == len(parts) * low else "at most"
        warn(report, "I008", line, f"{len(parts)} sections cannot share {format_clock(wanted_ms)}: "
             f"the song lasts {format_clock(round(units * unit))}",
             f"each section lasts {reason} {format_clock(round((low if reason == 'at least' else high) * unit))}"
             "; ask for another length or join sections")
    sung = [part.sung for part in parts if part.sung]
    # An instrumental section gets half of what a typical sung one does, and at least two lines' worth.
    fair = max(2.0, median(sung) / 2) if sung else 1.0
    weights = [float(part.sung) if part.sung else fair for part in parts]
    shares = _even_repeats(parts, spread(units, weights, low, high), low, high)
    return Timing(unit, bars, shares, round(units * unit))


def _even_repeats(parts: list[Part], shares: list[int], low: int, high: int) -> list[int]:
    """A section sung again lasts as long as the first time; the units that
    costs or frees are taken from or given to the other sections, largest first."""
    latest: dict[str, int] = {}
    owed = 0  # units the repeats took beyond their shares
    for index, part in enumerate(parts):
        if part.repeat_of is not None and part.repeat_of in latest:
            owed += shares[latest[part.repeat_of]] - shares[index]
            shares[index] = shares[latest[part.repeat_of]]
        latest[part.name] = index
    sung_again = {name for part in parts if part.repeat_of for name in (part.repeat_of, part.name)}
    others = sorted((i for i, part in enumerate(parts) if part.name not in sung_again), key=lambda i: -shares[i])
    step = 1 if owed > 0 else -1
    while owed and any(low < shares[i] if step > 0 else shares[i] < high for i in others):
        for i in others:
            if owed and (low < shares[i] if step > 0 else shares[i] < high):
                shares[i] -= step
                owed -= step
    return shares


# ---- text

def _lyric(text: str) -> str:
    # A sung `bpm: 120` would read as a misplaced field (W201): the escape says it is sung.
    return "\\" + text if sung_field(text) and not lyric_text(text).startswith("\\") else lyric_text(text)


def _style_lines(sign: str, items: list[str]) -> list[str]:
    return [f"{sign} " + ", ".join(row) for row in style_rows([style_item(item) for item in items])]


def _capped(items: list[str], room: int, where: str, line: int, report: Report) -> list[str]:
    if len(items) <= room:
        return items
    warn(report, "I009", line, f"{len(items) - room} style(s) of {where} left out: a list holds "
         f"{STYLES_PER_LIST_MAX}", "keep the styles that matter most")
    return items[:max(room, 0)]


def _about(ms: int) -> str:
    return format_clock(round(ms / 1000) * 1000)


def _duration(units: int, timing: Timing) -> str:
    if timing.bars:
        return f"{units} bar{'s' if units != 1 else ''}"
    return format_clock(round_half_up(units * timing.unit_ms))


def _guess_note(part: Part, units: int, timing: Timing) -> str:
    lasting = f" (about {_about(round(units * timing.unit_ms))})" if timing.bars else ""
    if part.repeat_of is not None:
        return f"# guessed{lasting}: sings `{part.repeat_of}` again"
    if part.sung:
        return f"# guessed{lasting}: {part.sung} sung line{'s' if part.sung != 1 else ''}"
    return f"# guessed{lasting}: an instrumental share"


def _header(sheet: Sheet, options: Options, path: str, timing: Timing, bpm: str | None,
            styles: list[str], negative: list[str]) -> list[str]:
    source = "standard input" if path in ("-", "<stdin>") else path.replace("\\", "/").rsplit("/", 1)[-1]
    how = f"{_about(timing.total_ms)} shared by sung lines{', in whole bars' if timing.bars else ''}"
    out = [f"# Imported by `musicplan import` from {source} ({KIND_NAMES[sheet.kind]}).",
           f"# Durations are guesses ({how}): adjust them to the music."]
    out += [f"# {comment}" if comment else "#" for comment in sheet.comments]
    if sheet.title:
        out.append(f"title: {' '.join(sheet.title.split())}")
    out.append(f"model: {options.model}")
    if bpm is not None:
        out.append(f"bpm: {bpm}")
    if sheet.meter and sheet.meter != "4/4":
        out.append(f"meter: {sheet.meter}")
    return out + [""] + _style_lines("+", styles) + _style_lines("-", negative)


def to_song(sheet: Sheet, options: Options, report: Report, path: str = "<sheet>") -> str | None:
    """The song's canonical text, or None after an error in ``report``."""
    chunks = options.model in CHUNK_MODELS
    parts = [piece for section in sheet.sections
             for piece in _split_big(_part(section, chunks, report), chunks, report)]
    if not parts:
        report.error("E701", Span.at(1, 1), "nothing to import: the sheet has no lyrics and no sections",
                     "write the lyrics in stanzas, or tag the sections (`[Verse 1]`, `[Chorus]`)")
        return None
    if len(parts) > SECTIONS_MAX:
        report.error("E700", Span.at(parts[SECTIONS_MAX].line, 1),
                     f"the sheet makes {len(parts)} sections: a song holds {SECTIONS_MAX}",
                     "join short stanzas, or split the sheet into two songs")
        return None
    _repeats(parts, report)
    bpm = options.bpm or sheet.bpm
    wanted = options.length_ms or sheet.duration_ms or DEFAULT_LENGTH_MS
    asked = options.length_ms is not None or sheet.duration_ms is not None
    timing = _timing(parts, wanted, asked, bpm, sheet.meter or "4/4", parts[0].line, report)
    first_line = sheet.sections[0].line if sheet.sections else 1
    styles = _capped(_unique(sheet.styles + options.styles), STYLES_PER_LIST_MAX, "the song", first_line, report)
    negative = _capped(_unique(sheet.negative), STYLES_PER_LIST_MAX, "the song", first_line, report)
    lines = _header(sheet, options, path, timing, bpm, styles, negative)
    for part, units in zip(parts, timing.shares, strict=True):
        # The chunk models add the song's styles to each section's: the total is what counts.
        room_plus = STYLES_PER_LIST_MAX - (len(styles) if chunks else 0)
        room_minus = STYLES_PER_LIST_MAX - (len(negative) if chunks else 0)
        local = _capped(part.styles, room_plus, f"`{part.name}`", part.line, report)
        local_negative = _capped(part.negative, room_minus, f"`{part.name}`", part.line, report)
        if not (part.lines or local or local_negative or part.repeat_of):
            local = ["instrumental"]  # a section with nothing in it gives the model only its name
        lines += ["", _guess_note(part, units, timing), f"[{heading_name(part.name)}] {_duration(units, timing)}"]
        if part.repeat_of is not None:
            lines.append(f"@repeat {part.repeat_of}")
        lines += _style_lines("+", local) + _style_lines("-", local_negative)
        lines += [f"# {text}" if kind == "comment" else _lyric(text) for kind, text, _ in part.lines]
    return _canonical("\n".join(lines) + "\n", path)


def _canonical(text: str, path: str) -> str:
    """The text as `fmt` writes it; a song that does not check is our bug, not the sheet's."""
    try:
        return format_song(text, path)
    except SongError as exc:
        raise ImportBug(f"the song made from {path} does not check: {exc}") from exc
