"""`musicplan show`: a song's sections on a timeline, in the terminal or as SVG."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from musicplan.analyse.durations import format_clock
from musicplan.analyse.rules import Analysis
from musicplan.base.diagnostics import Diagnostic
from musicplan.base.terminal import paint

BAR_WIDTH = 40
_STYLES_SHOWN = 3


@dataclass
class Row:
    name: str
    start_ms: int
    duration_ms: int
    lyrics: int
    styles: list[str]
    first_line: int
    last_line: int


def rows(song: Analysis) -> list[Row]:
    out: list[Row] = []
    start = 0
    sections = song.sections
    for index, resolved in enumerate(sections):
        duration = resolved.duration_ms or 0
        first = resolved.section.heading.span.line
        following = sections[index + 1].section.heading.span.line - 1 if index + 1 < len(sections) else 10**9
        label = resolved.section.name or "(no label)"
        if resolved.reference:
            label += " (audio reference)"
        out.append(Row(label, start, duration, len(resolved.lines),
                       [item.text for item in resolved.positive][:_STYLES_SHOWN], first, following))
        start += duration
    return out


def _title(song: Analysis) -> str:
    return song.settings.title or song.song.path


def _bar(row: Row, total: int, width: int) -> str:
    if total <= 0:
        return ""
    offset = round(row.start_ms / total * width)
    length = max(1, round(row.duration_ms / total * width))
    length = min(length, width - offset) or 1
    return " " * offset + "█" * length + " " * max(0, width - offset - length)



def render_text(song: Analysis, diagnostics: list[Diagnostic], *, colour: bool = False,
                width: int = BAR_WIDTH) -> str:
    lines = [paint(f"{_title(song)}  ({song.settings.model})", "1", colour)]
    if song.is_prompt:
        length = song.settings.length_ms
        lines.append("a prompt song: the model plans its own sections"
                     + (f", {format_clock(length)} long" if length else ""))
        lines += [f"  ! {d.span.line}:{d.span.column} {d.severity}[{d.code}] {d.message}" for d in diagnostics]
        return "\n".join(lines) + "\n"
    table = rows(song)
    total = sum(r.duration_ms for r in table)
    name_width = min(24, max((len(r.name) for r in table), default=4))
    lines.append(f"  {'start':>8} {'length':>8}  {'':{width}}  {'section':<{name_width}} lyrics  styles")
    shown: set[int] = set()
    for row in table:
        bar = paint(_bar(row, total, width), "36", colour)
        name = row.name if len(row.name) <= name_width else row.name[: name_width - 1] + "…"
        styles = ", ".join(row.styles) or "-"
        lines.append(f"  {format_clock(row.start_ms):>8} {format_clock(row.duration_ms):>8}  {bar}  "
                     f"{name:<{name_width}} {row.lyrics:>6}  {styles}")
        for index, d in enumerate(diagnostics):
            if index not in shown and row.first_line <= d.span.line <= row.last_line:
                shown.add(index)
                lines.append(paint(f"{'':>20}! line {d.span.line}: {d.severity}[{d.code}] {d.message}",
                                    "33", colour))
    for index, d in enumerate(diagnostics):
        if index not in shown:
            lines.append(paint(f"{'':>20}! line {d.span.line}: {d.severity}[{d.code}] {d.message}", "33", colour))
    lines.append(f"  total {format_clock(total)} in {len(table)} section{'s' if len(table) != 1 else ''}")
    return "\n".join(lines) + "\n"


def render_svg(song: Analysis, diagnostics: list[Diagnostic]) -> str:
    """The same timeline as a standalone SVG picture."""
    table = rows(song)
    total = sum(r.duration_ms for r in table) or 1
    left, bar_width, row_height, top = 170, 560, 34, 56
    warnings_by_row: list[list[Diagnostic]] = [
        [d for d in diagnostics if r.first_line <= d.span.line <= r.last_line] for r in table]
    height = top + row_height * len(table) + 40 + 16 * sum(len(w) for w in warnings_by_row)
    width = left + bar_width + 40
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(_title(song))}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="22" font-size="16" font-weight="bold">{escape(_title(song))}</text>',
        f'<text x="10" y="42" fill="#555555">{escape(song.settings.model)}, total {format_clock(total)}, '
        f'{len(table)} sections</text>',
    ]
    y = top
    for row, found in zip(table, warnings_by_row, strict=False):
        x = left + row.start_ms / total * bar_width
        w = max(1.0, row.duration_ms / total * bar_width)
        out.append(f'<g class="section"><text x="10" y="{y + 16}">{escape(row.name)}</text>'
                   f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="18" rx="3" fill="#3b82f6">'
                   f"<title>{escape(row.name)}: {format_clock(row.start_ms)} to "
                   f"{format_clock(row.start_ms + row.duration_ms)}</title></rect>"
                   f'<text x="{x:.1f}" y="{y + 34 - 2}" font-size="10" fill="#333333">'
                   f"{format_clock(row.start_ms)} +{format_clock(row.duration_ms)}, {row.lyrics} lyrics"
                   f"{escape(' · ' + ', '.join(row.styles)) if row.styles else ''}</text></g>")
        y += row_height
        for d in found:
            out.append(f'<text x="10" y="{y + 10}" font-size="10" fill="#b45309" '
                       f"data-code={quoteattr(d.code)}>⚠ line {d.span.line}: {escape(d.code)} "
                       f"{escape(d.message)}</text>")
            y += 16
    out.append(f'<text x="10" y="{y + 24}" fill="#555555">total {format_clock(total)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
