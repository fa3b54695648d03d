"""Hypothesis strategies: hostile song text, and valid request bodies to write as songs."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from musicplan.spec import limits

# Characters that mean something somewhere in the format, and some that don't.
SPECIAL = list("#+-[]@\\:,\"{}' \t") + ["\r\n", "\n", "\r", "\ufeff", "é", "東", "\u2028", "\x00"]

FRAGMENTS = [
    "title: x", "prompt:", "prompt: p", "  cont", "length: 2:30", "bpm: 120", "meter: 3/4",
    "model: music_v2", "seed: 5", "[V] 0:10", "[V]", "[]", "[a\\]b] 8 bars", "@repeat V",
    "@source s 0:00-0:05", "@source s 0:00-0:05 except 0:01-0:02", "@adherence high",
    "@condition s 0:00-0:05 strength low", "+ a, \"b, c\"", "- x", "la la", "\\# l", "# c", "",
    "20", "1m30s", "0:75", "2 bars", "except", "strength", "+", "-", "\"", "@", "\\",
    # Lines the parser sets aside, and what could depend on them.
    "[V] 1m 30s", "[V] 8 Bars", "[V] 20S", "la\rla", "[X 0:10", ": orphan", "bpm 120", "bpm: 120bpm",
    "[V] 4 bars", "@repeat X", "[X] 0:1O", "+ a,,b", "@source", "length: 1m 30s",
]

# Numbers past the 4,300 digits Python's int() converts, and tiny ones that
# grow huge when multiplied (a tempo near zero times many bars).
HUGE = "9" * 4400
FRAGMENTS += [
    f"[V] {HUGE}s", f"[V] {HUGE}:00", f"[V] {HUGE} bars", f"seed: {HUGE}", f"bpm: {HUGE}", f"meter: {HUGE}/8",
    f"beat: 1/{HUGE}", f"length: {HUGE}ms", f"@source s 0:00-{HUGE}s", f"@condition s {HUGE}ms-0:05",
    "bpm: 0.00000000000000000000000000001", f"[V] {'9' * 29} bars", "[V] 1.000000000000000000001 bars",
    # Tempo fields and what they time.
    "meter: 6/8", "meter: 12/8", "beat: 1/4", "beat: 3/8", "beat: 0/4", "beat: quarter", "[V] 1:5",
    # What a writer did not mean (song-format.md): each must get a warning, not a crash.
    "seed: 42", "model_id: music_v2", "Love: it hurts", "- Walking down the street, feeling fine",
    "- I love you, baby", "- drums, heavy guitar", "+ “big, layered vocals”, drums", "+ 'warm, soft' pads",
    "+ tight drums  # verse only", "I [C]see the [G]light", "\\[Am7]Rain", "instrumental: yes",
    "prompt: [Verse] la, [Chorus] yeah", "- singing", "- vocals", "+ instrumental",
    # Text a terminal would act on.
    "title: \x1b[31mred\x07", "[\x1b[2J] 0:10", "+ \u202eevil", "la \x1b]0;title\x07 la", "la \x9b la",
]
# Characters no UTF-8 file holds but a Python string passed to `loads` may.
SPECIAL += ["\ud800", "\udfff", "\x1b", "\x07", "\x9b", "\u202e", "\ufffe"]


@st.composite
def repeat_chains(draw: Any) -> str:
    """Sections that repeat the one before, or the first, past the 30-section
    limit at times, with styles added along the way and `@source` among them
    (in a chunk model, a repeat with a source and no duration crashed the checker)."""
    count = draw(st.integers(1, 80))
    model = draw(st.sampled_from(["", "model: music_v2\n"]))
    parts = [model, "[S0] 0:10\n+ a0\nla la\n"]
    for index in range(1, count):
        target = draw(st.sampled_from([index - 1, 0]))
        lines = [f"[S{index}]" + draw(st.sampled_from(["", " 0:05", " 4 bars"])), f"@repeat S{target}"]
        if draw(st.booleans()):
            lines.append(f"+ a{index}")
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["@source s 0:00-0:05", "@repeat S0", "la", "@adherence high"])))
        parts.append("\n".join(lines) + "\n")
    return "".join(parts)


hostile_text = st.one_of(
    st.lists(st.sampled_from(SPECIAL) | st.characters(), max_size=200).map("".join),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=25).map("\n".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("\n".join),
    repeat_chains(),
)

# Strings a song can hold: no line breaks, no surrounding whitespace, not empty.
_NO_BREAKS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n")
HOSTILE_STARTS = ["#", "+", "-", "[", "@", "\\", "\"", "]", ",", "{", ":"]


def _clean(text: str) -> str:
    return text.strip(" \t")


def writable(max_size: int, min_size: int = 1) -> st.SearchStrategy[str]:
    base = st.text(alphabet=_NO_BREAKS, min_size=min_size, max_size=max_size)
    hostile = st.tuples(st.sampled_from(HOSTILE_STARTS), st.text(alphabet=_NO_BREAKS, max_size=max_size - 1)
                        ).map("".join)
    return (base | hostile).map(_clean).filter(lambda s: min_size <= len(s) <= max_size)


styles = st.lists(writable(30), max_size=6)
durations = st.integers(limits.SECTION_MS_MIN, 60_000)
ranges = st.tuples(st.integers(0, 100_000), st.integers(1, 60_000)).map(
    lambda t: {"start_ms": t[0], "end_ms": t[0] + t[1]})
reference_ranges = st.tuples(st.integers(0, 100_000), st.integers(limits.SECTION_MS_MIN, 60_000)).map(
    lambda t: {"start_ms": t[0], "end_ms": t[0] + t[1]})
condition_ranges = st.tuples(st.integers(0, 100_000),
                             st.integers(limits.CONDITION_MS_MIN, limits.CONDITION_MS_MAX)).map(
    lambda t: {"start_ms": t[0], "end_ms": t[0] + t[1]})
song_ids = st.from_regex(r"[A-Za-z0-9_]{1,20}", fullmatch=True)


@st.composite
def source_from(draw: Any) -> dict[str, Any]:
    main = draw(ranges)
    out: dict[str, Any] = {"song_id": draw(song_ids), "range": main}
    span = main["end_ms"] - main["start_ms"]
    if span >= 2 and draw(st.booleans()):
        start = main["start_ms"] + draw(st.integers(0, span - 2))
        end = draw(st.integers(start + 1, main["end_ms"]))
        out["negative_ranges"] = [{"start_ms": start, "end_ms": end}]
    return out


@st.composite
def v1_section(draw: Any) -> dict[str, Any]:
    section: dict[str, Any] = {
        "section_name": draw(writable(limits.SECTION_NAME_MAX)),
        "positive_local_styles": draw(styles),
        "negative_local_styles": draw(styles),
        "duration_ms": draw(durations),
        "lines": draw(st.lists(writable(80), max_size=6)),
    }
    if draw(st.integers(0, 4)) == 0:
        section["source_from"] = draw(source_from())
    return section


@st.composite
def v1_body(draw: Any) -> dict[str, Any]:
    plan = {
        "positive_global_styles": draw(styles),
        "negative_global_styles": draw(styles),
        "sections": draw(st.lists(v1_section(), min_size=1, max_size=8)),
    }
    body: dict[str, Any] = {"composition_plan": plan, "model_id": "music_v1"}
    if draw(st.booleans()):
        body["seed"] = draw(st.integers(0, limits.SEED_MAX))
    for key in ("finetune_id",):
        if draw(st.booleans()):
            body[key] = draw(st.from_regex(r"[a-z0-9_]{1,12}", fullmatch=True))
    for key in ("respect_sections_durations", "store_for_inpainting", "with_timestamps", "with_waveform_visual",
                "sign_with_c2pa"):
        if draw(st.booleans()):
            body[key] = draw(st.booleans())
    return body


@st.composite
def prompt_body(draw: Any) -> dict[str, Any]:
    lines = draw(st.lists(writable(60), min_size=1, max_size=4))
    body: dict[str, Any] = {"prompt": "\n".join(lines)}
    if draw(st.booleans()):
        body["music_length_ms"] = draw(st.integers(limits.LENGTH_MS_MIN, limits.LENGTH_MS_MAX))
    body["model_id"] = draw(st.sampled_from(limits.MODELS))
    if draw(st.booleans()):
        body["force_instrumental"] = draw(st.booleans())
    return body


@st.composite
def v1_plan(draw: Any) -> dict[str, Any]:
    return draw(v1_body())["composition_plan"]


def _chunk_text(draw: Any) -> str:
    lines = draw(st.lists(writable(60), max_size=5))
    if draw(st.booleans()):
        lines = [f"[{draw(writable(40))}]"] + lines
    return "\n".join(lines)


@st.composite
def generation_chunk(draw: Any, shared: tuple[list[str], list[str]]) -> dict[str, Any]:
    positive = shared[0] + draw(styles)
    negative = shared[1] + draw(styles)
    chunk: dict[str, Any] = {"text": _chunk_text(draw), "duration_ms": draw(durations),
                             "positive_styles": positive}
    if negative:
        chunk["negative_styles"] = negative
    if draw(st.booleans()):
        chunk["context_adherence"] = draw(st.sampled_from(limits.ADHERENCE_LEVELS))
    if draw(st.booleans()):
        chunk["conditioning_ref"] = {"song_id": draw(song_ids), "range": draw(condition_ranges)}
        if draw(st.booleans()):
            chunk["condition_strength"] = draw(st.sampled_from(limits.CONDITION_STRENGTHS))
    return chunk


@st.composite
def chunk_plan(draw: Any) -> dict[str, Any]:
    shared = (draw(styles), draw(styles))
    chunks = draw(st.lists(
        generation_chunk(shared) | st.fixed_dictionaries({"song_id": song_ids, "range": reference_ranges}),
        min_size=1, max_size=6))
    return {"chunks": chunks}


@st.composite
def chunk_body(draw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"composition_plan": draw(chunk_plan()),
                            "model_id": draw(st.sampled_from(limits.CHUNK_MODELS))}
    if draw(st.booleans()):
        body["seed"] = draw(st.integers(0, limits.SEED_MAX))
    return body


@st.composite
def messy(draw: Any, text: str, comments: bool = True, blanks: bool = True) -> str:
    """The same song written untidily: spacing, case, needless quotes and escapes,
    extra blank lines and (optionally) comments. It means exactly what ``text`` means."""
    out: list[str] = []
    in_header = True
    lines = text.split("\n")
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.startswith("["):
            in_header = False
        pad = draw(st.sampled_from(["", " ", "\t", "  "]))
        tail = draw(st.sampled_from(["", " ", "\t "]))
        if in_header and ":" in line and not line.startswith(("+", "-", "#", " ")):
            key, _, value = line.partition(":")
            value = value.strip(" \t")
            line = f"{key.upper() if draw(st.booleans()) else key} {':'}{pad}{value}"
        elif line.startswith(("+ ", "- ")) and "\"" not in line and draw(st.booleans()):
            line = line[0] + "  " + line[2:].replace(", ", " ,  ")
        elif not in_header and line and line[0] not in "#+-[@\\" and draw(st.booleans()):
            line = "\\" + line  # a needless escape: `\a` reads as `a`
        if line and not line.startswith("  ") and (not in_header or line[0] in "+-#["):
            line = pad + line
        out.append(line + tail if line else line)
        if blanks and not following.startswith("  ") and draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(["", "   ", "\t"])))
        if comments and not following.startswith("  ") and draw(st.integers(0, 6)) == 0:
            out.append("# " + draw(st.text(alphabet=_NO_BREAKS, max_size=20)))
    return "\n".join(out)


# ---- JSON the API refuses, or that a song cannot hold

_STRING_MUTATIONS = ["\ud800", "\udc00 x", "   ", " padded ", "a\r\nb", "\x1b[31m", "bpm: 120", "", "a\rb"]


def _mutate(value: Any, draw: Any) -> Any:
    """``value`` with one string, number or key somewhere changed to something hostile."""
    if isinstance(value, dict) and value:
        key = draw(st.sampled_from(sorted(value)))
        if draw(st.integers(0, 6)) == 0:
            extra = draw(st.sampled_from(["condition_strength", "\ud800", "durationMs", "start_ms"]))
            return {**value, extra: draw(st.sampled_from(["ultra", "high", -1, None]))}
        return {**value, key: _mutate(value[key], draw)}
    if isinstance(value, list) and value:
        index = draw(st.integers(0, len(value) - 1))
        return value[:index] + [_mutate(value[index], draw)] + value[index + 1:]
    if isinstance(value, str):
        return draw(st.sampled_from(_STRING_MUTATIONS))
    if isinstance(value, int) and not isinstance(value, bool):
        return draw(st.sampled_from([-5000, -1, 0, 10**40, 2**31, 3.5]))
    return value


@st.composite
def hostile_json(draw: Any) -> str:
    """A valid body or plan with a few hostile changes, as JSON text; at times a
    number of thousands of digits is spliced into the text itself."""
    import json

    body = draw(st.one_of(v1_body(), chunk_body(), prompt_body(), v1_plan(), chunk_plan()))
    for _ in range(draw(st.integers(1, 3))):
        body = _mutate(body, draw)
    text = json.dumps(body, ensure_ascii=draw(st.booleans()))
    if draw(st.integers(0, 4)) == 0:
        text = text.replace("10000", HUGE, 1).replace(": 0", ": " + HUGE, 1)
    return text
