"""Duration text to milliseconds, exactly (fractions), rounded half up; the
tempo (bpm, meter, beat) to the length of a bar."""

from __future__ import annotations

import re

from musicplan.analyse.values import MAX_DIGITS, digits_ok
from musicplan.base.diagnostics import Report, Span
from musicplan.base.record import Record
from musicplan.read import repairs
from musicplan.read.written import Duration

# fractions (with decimal) is imported where a tempo is read: a song without one needs neither.
TYPE_CHECKING = False  # as typing's: true for type checkers
if TYPE_CHECKING:
    from fractions import Fraction

MAX_DECIMALS = 3
# Past this no duration means anything to the API (whose limits are minutes);
# it is refused as far too long rather than computed and printed in full.
FAR_TOO_LONG_MS = 10**10
_NUMBER = r"(\d+)(?:\.(\d+))?"
_CLOCK = re.compile(r"(\d+):(\d+)(?:\.(\d+))?")
_MINSEC = rf"(\d+)m{_NUMBER}s"  # rarely written: compiled (and cached) by `re` when first needed
_BARS = re.compile(rf"{_NUMBER}[ \t]*bars?")


class Tempo(Record):
    """What bars are timed by. ``unreadable`` is set when `bpm`, `meter` or
    `beat` was written but could not be read: that is reported at the field,
    so bars then have no duration, and nothing more is said about them."""

    bpm: Fraction | None
    meter: tuple[int, int] = (4, 4)
    beat: Fraction | None = None  # the counted note, as a fraction of a whole note
    unreadable: bool = False

    @property
    def counted_note(self) -> Fraction:
        """`beat` if set; else the note metronome markings count: the 1/M note,
        or in a compound meter (N a multiple of 3 above 3) the dotted 3/M."""
        if self.beat is not None:
            return self.beat
        from fractions import Fraction

        beats, unit = self.meter
        return Fraction(3, unit) if beats > 3 and beats % 3 == 0 else Fraction(1, unit)

    @property
    def beats_per_bar(self) -> Fraction:
        from fractions import Fraction

        beats, unit = self.meter
        return Fraction(beats, unit) / self.counted_note

    @property
    def bar_ms(self) -> Fraction | None:
        """One bar in milliseconds, exactly; None without a tempo."""
        if self.bpm is None:
            return None
        return self.beats_per_bar * 60_000 / self.bpm


def round_half_up(value: Fraction) -> int:
    return int((value * 2 + 1) // 2)


def _decimal(whole: str, frac: str | None) -> Fraction:
    from fractions import Fraction

    frac = (frac or "").rstrip("0")
    if not frac:
        return Fraction(int(whole))
    return Fraction(int(whole + frac), 10 ** len(frac))


def _whole_ms(minutes: int, seconds: str, frac: str | None) -> int:
    # At most three decimals: exact in whole milliseconds, no rounding needed.
    return minutes * 60_000 + int(seconds) * 1000 + int((frac or "").ljust(3, "0"))


def format_clock(ms: int) -> str:
    """Milliseconds as ``M:SS`` or ``M:SS.fff`` (what the decompiler writes);
    a negative value (from JSON) as ``-M:SS``."""
    if ms < 0:
        return "-" + format_clock(-ms)
    minutes, rest = divmod(ms, 60_000)
    seconds, millis = divmod(rest, 1000)
    text = f"{minutes}:{seconds:02d}"
    return f"{text}.{millis:03d}" if millis else text


def _clock_hint(minutes: str, seconds: str) -> str:
    """What a wrong ``M:SS`` most likely meant: `1:5` is 1:05, `0:90` is 1:30."""
    total = int(minutes) * 60 + int(seconds)
    if len(seconds) == 1:
        return f"write two digits of seconds: `{int(minutes)}:0{seconds}`"
    return f"write `{total // 60}:{total % 60:02d}`: past 59 seconds comes the next minute"


def bare_number_readings(text: str) -> tuple[str, str]:
    """What a duration without a unit (`20`) may have meant: seconds, or a clock of as many seconds."""
    whole, _, frac = text.partition(".")
    return f"{text}s", format_clock(round_half_up(_decimal(whole, frac) * 1000))


def _clock_fix(minutes: str, seconds: str, frac: str | None) -> str:
    """The ``M:SS`` that the hint names, as the fix writes it (the decimals kept)."""
    total = int(minutes) * 60 + int(seconds)
    return f"{total // 60}:{total % 60:02d}" + (f".{frac}" if frac else "")


def _too_precise(frac: str | None, text: str, span: Span, report: Report) -> bool:
    if frac and len(frac) > MAX_DECIMALS:
        report.error("E303", span, f"`{text}` has more than {MAX_DECIMALS} decimals",
                     "durations are counted in whole milliseconds: use at most 3 decimals")
        return True
    return False


def _bars_ms(whole: str, frac: str | None, tempo: Tempo) -> int:
    """``whole.frac`` bars in milliseconds, rounded half up: ``bar_ms`` worked out
    in whole numbers (a bar's Fractions cost more than the rest of a section)."""
    bpm = tempo.bpm
    assert bpm is not None
    beats, unit = tempo.meter
    beat = tempo.beat
    if beat is not None:  # the counted note, as counted_note says
        note_top, note_bottom = beat.numerator, beat.denominator
    else:
        note_top, note_bottom = (3 if beats > 3 and beats % 3 == 0 else 1), unit
    frac = (frac or "").rstrip("0")
    # bars * bar_ms = w / 10**k * (beats / unit) / note * 60_000 / bpm
    top = int(whole + frac) * beats * note_bottom * 60_000 * bpm.denominator
    bottom = 10 ** len(frac) * unit * note_top * bpm.numerator
    return (2 * top + bottom) // (2 * bottom)


def to_ms(duration: Duration, tempo: Tempo, report: Report, *, in_range: bool = False) -> int | None:
    """The duration in milliseconds, or None after reporting why it has none."""
    text, span, kind = duration.text, duration.span, duration.kind
    if len(text) > MAX_DIGITS and not digits_ok(text):
        report.error("E308", span, f"`{text}` is far longer than any song",
                     "a section lasts 0:03 to 2:00 and a song at most 10:00")
        return None
    value: int
    if kind == "clock":
        match = _CLOCK.fullmatch(text)
        assert match
        minutes, seconds, frac = match.groups()
        if len(seconds) != 2 or int(seconds) > 59:
            report.error("E301", span, f"`{text}`: the seconds of `M:SS` run from 00 to 59",
                         _clock_hint(minutes, seconds), repairs.replace(span, _clock_fix(minutes, seconds, frac)))
            return None
        if frac and _too_precise(frac, text, span, report):
            return None
        value = _whole_ms(int(minutes), seconds, frac)
    elif kind == "seconds":
        whole, _, frac = text[:-1].partition(".")
        if frac and _too_precise(frac, text, span, report):
            return None
        value = _whole_ms(0, whole, frac)
    elif kind == "millis":
        value = int(text[:-2])
    elif kind == "number":
        seconds, clock = bare_number_readings(text)
        report.error("E302", span, f"`{text}` has no unit",
                     f"write `{seconds}` for seconds or `{clock}` for minutes and seconds")
        return None
    elif kind == "minutes":
        value = int(text[:-1]) * 60_000
    elif kind == "minsec":
        match = re.fullmatch(_MINSEC, text)
        assert match
        minutes, whole, frac = match.groups()
        if frac and _too_precise(frac, text, span, report):
            return None
        value = _whole_ms(int(minutes), whole, frac)
    else:  # bars
        if in_range:
            report.error("E304", span, "bars are not allowed in ranges",
                         "write the range in time, e.g. 0:10-0:30")
            return None
        if tempo.unreadable:
            return None  # the field that would time it is reported already
        if tempo.bpm is None:
            report.error("E305", span, f"`{text}` needs a tempo: set `bpm` in the header",
                         "add a field such as `bpm: 120` before the first heading, "
                         "or give the duration in time, e.g. 0:16")
            return None
        match = _BARS.fullmatch(text)
        assert match
        value = _bars_ms(match.group(1), match.group(2), tempo)
    if value < 0 and in_range:  # only JSON writes a negative time
        report.error("E309", span, f"a range cannot start or end before 0:00 (`{value}` ms)",
                     "times in a song run from 0:00: `start_ms` and `end_ms` are 0 or more")
        return None
    if value > FAR_TOO_LONG_MS:
        report.error("E308", span, f"`{text}` is far longer than any song",
                     "a section lasts 0:03 to 2:00 and a song at most 10:00")
        return None
    return value
