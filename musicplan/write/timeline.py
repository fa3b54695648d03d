"""`musicplan show`: a song's sections on a timeline, in the terminal or as SVG.

Names, styles and messages come from the song's text: they are shown with
controls and escape sequences escaped (a terminal would act on them, and XML
1.0 cannot hold them at all)."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from musicplan.analyse.durations import format_clock
from musicplan.analyse.rules import Analysis
from musicplan.base.diagnostics import Diagnostic
from musicplan.base.terminal import paint, printable

BAR_WIDTH = 40
_STYLES_SHOWN = 3
_PROMPT_SHOWN = 300  # characters of a prompt drawn in the SVG


@dataclass
class Row:
    name: str
    start_ms: int
    duration_ms: int
    lyrics: int
    styles: list[str]
    first_line: int
    last_line: int
    reference: bool = False


def rows(song: Analysis) -> list[Row]:
    out: list[Row] = []
    start = 0
    sections = song.sections
    for index, resolved in enumerate(sections):
        duration = resolved.duration_ms or 0
        first = resolved.section.heading.span.line
        following = sections[index + 1].section.heading.span.line - 1 if index + 1 < len(sections) else 10**9
        label = printable(resolved.section.name) or "(no label)"
        out.append(Row(label, start, duration, len(resolved.lines),
                       [printable(item.text) for item in resolved.positive][:_STYLES_SHOWN], first, following,
                       resolved.reference))
        start += duration
    return out


def _title(song: Analysis) -> str:
    return printable(song.settings.title or song.song.path)


def _said(d: Diagnostic) -> str:
    return f"line {d.span.line}: {d.severity}[{d.code}] {printable(d.message)}"


def _header_lines(song: Analysis) -> int:
    """The last line before the first heading: diagnostics there are the header's."""
    return song.sections[0].section.heading.span.line - 1 if song.sections else 10**9


def _bar(row: Row, total: int, width: int) -> str:
    if total <= 0:
        return ""
    offset = round(row.start_ms / total * width)
    length = max(1, round(row.duration_ms / total * width))
    length = min(length, width - offset) or 1
    return " " * offset + "█" * length + " " * max(0, width - offset - length)


def _prompt_summary(song: Analysis) -> str:
    length = song.settings.length_ms
    return ("a prompt song: the model plans its own sections"
            + (f", {format_clock(length)} long" if length else ""))


def render_text(song: Analysis, diagnostics: list[Diagnostic], *, colour: bool = False,
                width: int = BAR_WIDTH) -> str:
    lines = [paint(f"{_title(song)}  ({song.settings.model})", "1", colour)]
    if song.is_prompt:
        lines.append(_prompt_summary(song))
        lines += [f"  ! {d.span.line}:{d.span.column} {d.severity}[{d.code}] {printable(d.message)}"
                  for d in diagnostics]
        return "\n".join(lines) + "\n"
    table = rows(song)
    total = sum(r.duration_ms for r in table)
    name_width = min(24, max((len(r.name) for r in table), default=4))
    lines.append(f"  {'start':>8} {'length':>8}  {'':{width}}  {'section':<{name_width}} lyrics  styles")
    shown: set[int] = set()
    for row in table:
        bar = paint(_bar(row, total, width), "36", colour)
        label = row.name + (" (audio reference)" if row.reference else "")
        name = label if len(label) <= name_width else label[: name_width - 1] + "…"
        styles = ", ".join(row.styles) or "-"
        lines.append(f"  {format_clock(row.start_ms):>8} {format_clock(row.duration_ms):>8}  {bar}  "
                     f"{name:<{name_width}} {row.lyrics:>6}  {styles}")
        for index, d in enumerate(diagnostics):
            if index not in shown and row.first_line <= d.span.line <= row.last_line:
                shown.add(index)
                lines.append(paint(f"{'':>20}! {_said(d)}", "33", colour))
    for index, d in enumerate(diagnostics):
        if index not in shown:
            lines.append(paint(f"{'':>20}! {_said(d)}", "33", colour))
    lines.append(f"  total {format_clock(total)} in {len(table)} section{'s' if len(table) != 1 else ''}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- SVG

_CHAR_PX = 6.2  # the mean advance of a 10-12 px sans-serif character, to fit text without measuring it
_LEFT, _BAR_WIDTH, _ROW, _TOP, _MARGIN = 170, 560, 34, 56, 10


def _fit(text: str, pixels: float, size: float = 12) -> str:
    """``text`` cut with an ellipsis to fit ``pixels`` at font size ``size``."""
    most = max(1, int(pixels / (_CHAR_PX * size / 12)))
    return text if len(text) <= most else text[: most - 1] + "…"


def _note(y: float, d: Diagnostic, width: float) -> str:
    return (f'<text x="{_MARGIN}" y="{y:.0f}" font-size="10" fill="#b45309" data-code={quoteattr(d.code)}>'
            f"{escape(_fit('⚠ ' + _said(d), width - 2 * _MARGIN, 10))}</text>")


def _svg(width: int, height: float, title: str, subtitle: str, body: list[str]) -> str:
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>',
        f'<text x="{_MARGIN}" y="22" font-size="16" font-weight="bold">{escape(_fit(title, width - 20, 16))}</text>',
        f'<text x="{_MARGIN}" y="42" fill="#555555">{escape(subtitle)}</text>',
        *body,
        "</svg>",
    ]) + "\n"


def _caption(row: Row, x: float, w: float, y: float, width: int) -> str:
    """The times, lyric count and styles under a bar: from the bar's start
    rightwards, or (when that would pass the right edge) ending at the bar's end."""
    text = f"{format_clock(row.start_ms)} +{format_clock(row.duration_ms)}"
    text += " · audio reference" if row.reference else f", {row.lyrics} lyrics"
    if row.styles:
        text += " · " + ", ".join(row.styles)
    room_right = width - _MARGIN - x
    room_left = x + w - _LEFT
    if len(text) * _CHAR_PX * 10 / 12 <= room_right or room_right >= room_left:
        return (f'<text x="{x:.1f}" y="{y:.0f}" font-size="10" fill="#333333">'
                f"{escape(_fit(text, room_right, 10))}</text>")
    return (f'<text x="{x + w:.1f}" y="{y:.0f}" font-size="10" fill="#333333" text-anchor="end">'
            f"{escape(_fit(text, room_left, 10))}</text>")


def _prompt_svg(song: Analysis, diagnostics: list[Diagnostic], width: int, title: str) -> str:
    prompt = printable(song.settings.prompt or "")
    lines = [prompt[i:i + 100] for i in range(0, min(len(prompt), _PROMPT_SHOWN), 100)]
    body = [f'<text x="{_MARGIN}" y="{70 + 16 * i}" fill="#333333">{escape(line)}</text>'
            for i, line in enumerate(lines)]
    y = 70.0 + 16 * len(lines)
    for d in diagnostics:
        body.append(_note(y, d, width))
        y += 16
    return _svg(width, y + 10, title, f"{song.settings.model}, {_prompt_summary(song)}", body)


def render_svg(song: Analysis, diagnostics: list[Diagnostic]) -> str:
    """The same timeline as a standalone SVG picture."""
    width = _LEFT + _BAR_WIDTH + 40
    title = _title(song)
    if song.is_prompt:
        return _prompt_svg(song, diagnostics, width, title)
    table = rows(song)
    total = sum(r.duration_ms for r in table) or 1
    header_end = _header_lines(song)
    header_notes = [d for d in diagnostics if d.span.line <= header_end]
    by_row: list[list[Diagnostic]] = [
        [d for d in diagnostics if r.first_line <= d.span.line <= r.last_line] for r in table]
    body: list[str] = []
    y = float(_TOP)
    for d in header_notes:
        body.append(_note(y + 10, d, width))
        y += 16
    for row, found in zip(table, by_row, strict=True):
        x = _LEFT + row.start_ms / total * _BAR_WIDTH
        w = max(1.0, row.duration_ms / total * _BAR_WIDTH)
        colour = "#94a3b8" if row.reference else "#3b82f6"
        body.append(
            f'<g class="section"><text x="{_MARGIN}" y="{y + 16:.0f}">{escape(_fit(row.name, _LEFT - 2 * _MARGIN))}'
            f"</text>"
            f'<rect x="{x:.1f}" y="{y + 4:.0f}" width="{w:.1f}" height="18" rx="3" fill="{colour}">'
            f"<title>{escape(row.name)}: {format_clock(row.start_ms)} to "
            f"{format_clock(row.start_ms + row.duration_ms)}</title></rect>"
            f"{_caption(row, x, w, y + _ROW - 2, width)}</g>")
        y += _ROW
        for d in found:
            body.append(_note(y + 10, d, width))
            y += 16
    sections = f"{len(table)} section{'s' if len(table) != 1 else ''}"
    length = format_clock(sum(r.duration_ms for r in table))
    body.append(f'<text x="{_MARGIN}" y="{y + 24:.0f}" fill="#555555">total {length}</text>')
    subtitle = f"{song.settings.model}, total {length}, {sections}"
    return _svg(width, y + 40, title, subtitle, body)
