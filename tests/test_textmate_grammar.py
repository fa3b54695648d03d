"""The TextMate grammar (editors/song.tmLanguage.json) tokenizes real .song lines into the right scopes.

The grammar is run the way VS Code runs it, by vscode-textmate on the Oniguruma engine, through
editors/tokenize.js; this test turns its tokens into assertions about each line's kind.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EDITORS = ROOT / "editors"
GRAMMAR = EDITORS / "song.tmLanguage.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.song"))

Token = tuple[str, list[str]]


def tokenize(text: str) -> list[list[Token]]:
    """Each line's tokens, as (text, scopes), from vscode-textmate."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("the grammar tests need Node.js: install node (20 or newer), then run `npm ci` in editors/")
    if not (EDITORS / "node_modules" / "vscode-textmate").is_dir():
        pytest.fail(f"the grammar tests need vscode-textmate: run `npm ci` in {EDITORS}")
    done = subprocess.run(
        [node, str(EDITORS / "tokenize.js"), str(GRAMMAR)],
        input=text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [[(t["text"], t["scopes"]) for t in line] for line in json.loads(done.stdout)]


def scopes_of(tokens: list[Token], text: str) -> list[str]:
    """The scopes of the token that is exactly `text` (the first such token on the line)."""
    for token_text, scopes in tokens:
        if token_text == text:
            return scopes
    raise AssertionError(f"no token {text!r} among {[t for t, _ in tokens]}")


def body(*lines: str) -> list[list[Token]]:
    """Tokens of `lines` placed after a heading, dropping the heading's own line."""
    return tokenize("\n".join(["[Verse] 0:20", *lines]) + "\n")[1:]


@pytest.fixture(scope="module")
def examples() -> dict[str, tuple[list[str], list[list[Token]]]]:
    """Each example's lines and tokens, each file read from the grammar's start state."""
    out = {}
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        out[path.name] = (text.splitlines(), tokenize(text))
    return out


def kind(line: str, in_body: bool, in_prompt: bool) -> str:
    """The spec's line kind (song-format.md, "Line kinds"), from the first non-blank character."""
    stripped = line.strip()
    if not stripped:
        return "blank"
    first = stripped[0]
    if first == "#":
        return "comment"
    if first in "+-":
        return "style"
    if first == "[":
        return "heading"
    if in_body and first == "@":
        return "directive"
    if in_body:
        return "lyric"
    if in_prompt and line[:1] in (" ", "\t"):
        return "continuation"
    return "field"


EXPECTED_SCOPE = {
    "comment": "comment.line.number-sign.song",
    "style": "meta.style.",
    "heading": "meta.heading.song",
    "directive": "meta.directive.",
    "lyric": "meta.lyric.song",
    "continuation": "meta.field.prompt.song",
    "field": "support.type.property-name.song",
}


def test_every_example_line_gets_the_scope_of_its_kind(examples) -> None:
    assert examples, "no examples found"
    checked = 0
    for name, (lines, tokens) in examples.items():
        assert len(tokens) == len(lines), name
        in_body = in_prompt = False
        for number, (line, line_tokens) in enumerate(zip(lines, tokens, strict=False), start=1):
            what = kind(line, in_body, in_prompt)
            if what == "heading":
                in_body = True
            if what == "field":
                in_prompt = line.split(":", 1)[0].strip().lower() == "prompt"
            elif what not in ("continuation", "comment"):
                in_prompt = False
            if what == "blank":
                continue
            visible = [scopes for text, scopes in line_tokens if text.strip()]
            wanted = EXPECTED_SCOPE[what]
            assert any(s.startswith(wanted) for s in visible[0]), (name, number, line, what, visible[0])
            # Inside the body every line carries the scope that runs from the first heading on.
            assert ("meta.sections.song" in visible[0]) == in_body, (name, number, line)
            checked += 1
    assert checked > 100


def test_no_example_has_an_invalid_token(examples) -> None:
    for name, (lines, tokens) in examples.items():
        for number, line_tokens in enumerate(tokens, start=1):
            bad = [text for text, scopes in line_tokens if any(s.startswith("invalid") for s in scopes)]
            assert not bad, (name, number, lines[number - 1], bad)


def test_fields_and_their_values() -> None:
    text = (
        "title: Neon Nights\nModel: music_v2_5\nseed: 42\nbpm: 120\nmeter: 6/8\nlength: 2:30\n"
        "instrumental: YES\nformat: mp3_44100_128\nc2pa: maybe\n"
    )
    title, model, seed, bpm, meter, length, instrumental, fmt, c2pa = tokenize(text)
    assert "support.type.property-name.song" in scopes_of(title, "title")
    assert "punctuation.separator.key-value.song" in scopes_of(title, ":")
    assert "string.unquoted.value.song" in scopes_of(title, "Neon Nights")
    assert "support.type.property-name.song" in scopes_of(model, "Model")  # keys are case-insensitive
    assert "support.constant.model.song" in scopes_of(model, "music_v2_5")
    assert "constant.numeric.song" in scopes_of(seed, "42")
    assert "constant.numeric.song" in scopes_of(bpm, "120")
    assert "constant.numeric.fraction.song" in scopes_of(meter, "6/8")
    assert "constant.numeric.duration.song" in scopes_of(length, "2:30")
    assert "constant.language.boolean.song" in scopes_of(instrumental, "YES")
    assert "support.constant.format.song" in scopes_of(fmt, "mp3_44100_128")
    assert "invalid.illegal.value.song" in scopes_of(c2pa, "maybe")


def test_prompt_continues_on_indented_lines_only() -> None:
    lines = tokenize("prompt:\n  warm beat,\n  # skipped\n  \\# not a comment\n\n  stray\ntitle: x\n")
    assert "string.unquoted.prompt.song" in scopes_of(lines[1], "warm beat,")
    assert "comment.line.number-sign.song" in scopes_of(lines[2], "#")
    assert "constant.character.escape.song" in scopes_of(lines[3], "\\#")
    # A blank line ends the prompt: an indented line after it is text in the header, an error.
    assert "invalid.illegal.lyric-in-header.song" in scopes_of(lines[5], "stray")
    assert "support.type.property-name.song" in scopes_of(lines[6], "title")


def test_text_before_the_first_heading_is_no_lyric() -> None:
    lines = tokenize("Walking down the street\n@repeat Chorus\n[Verse] 0:20\nWalking down the street\n")
    assert "invalid.illegal.lyric-in-header.song" in scopes_of(lines[0], "Walking down the street")
    assert "invalid.illegal.lyric-in-header.song" in scopes_of(lines[1], "@repeat Chorus")
    assert "meta.lyric.song" in scopes_of(lines[3], "Walking down the street")


def test_fields_after_the_first_heading_are_lyrics() -> None:
    (line,) = body("bpm: 120")
    assert "meta.lyric.song" in scopes_of(line, "bpm: 120")
    assert not any(s.startswith("support.type") for s in scopes_of(line, "bpm: 120"))


@pytest.mark.parametrize(
    "duration",
    ["0:20", "1:05.5", "10:00", "20s", "1.25s", "20000ms", "2m", "1m30s", "1m7.5s", "8 bars", "1 bar", "4.5 bars"],
)
def test_heading_durations(duration: str) -> None:
    (line,) = tokenize(f"[Verse 1] {duration}\n")
    assert "punctuation.definition.heading.begin.song" in scopes_of(line, "[")
    assert "entity.name.section.song" in scopes_of(line, "Verse 1")
    assert "punctuation.definition.heading.end.song" in scopes_of(line, "]")
    assert "constant.numeric.duration.song" in scopes_of(line, duration)


def test_heading_errors_and_escapes() -> None:
    bare, trailing, escaped, unclosed, empty = tokenize(
        "[Verse] 20\n[Chorus] 0:20 # loud\n[Pickin' [x\\]] 8 bars\n[Open 0:20\n[] 0:15\n"
    )
    assert "invalid.illegal.bare-number.song" in scopes_of(bare, "20")
    assert "invalid.illegal.after-heading.song" in scopes_of(trailing, "0:20 # loud")
    assert "entity.name.section.song" in scopes_of(escaped, "Pickin' [x")
    assert "constant.character.escape.song" in scopes_of(escaped, "\\]")
    assert "constant.numeric.duration.song" in scopes_of(escaped, "8 bars")
    assert "invalid.illegal.unclosed-heading.song" in scopes_of(unclosed, "[Open 0:20")
    assert "constant.numeric.duration.song" in scopes_of(empty, "0:15")


def test_style_items_quoted_and_unquoted() -> None:
    (positive,) = tokenize('+ "big, layered \\"vocals\\"", four-on-the-floor drums, 80\'s\n')
    assert "keyword.operator.style.positive.song" in scopes_of(positive, "+")
    assert "punctuation.definition.string.begin.song" in scopes_of(positive, '"')
    assert "string.quoted.double.style.song" in scopes_of(positive, "big, layered ")
    assert "constant.character.escape.song" in scopes_of(positive, '\\"')
    assert "string.unquoted.style.song" in scopes_of(positive, "four-on-the-floor drums")
    assert "string.unquoted.style.song" in scopes_of(positive, "80's")
    assert "punctuation.separator.style.song" in scopes_of(positive, ",")
    (negative, junk) = tokenize('- acoustic guitar, back\\slash\n+ "quoted" junk, next\n')
    assert "keyword.operator.style.negative.song" in scopes_of(negative, "-")
    assert "string.unquoted.style.song" in scopes_of(negative, "back\\slash")
    assert "invalid.illegal.after-quoted-style.song" in scopes_of(junk, "junk")
    assert "string.unquoted.style.song" in scopes_of(junk, "next")


def test_directives_and_their_arguments() -> None:
    repeat, adherence, bad_level, source, condition, unknown = body(
        "@repeat Chorus \\ all together",
        "@adherence high",
        "@adherence loud",
        "@source song_8f2a1c 0:08-0:30 except 0:15-0:17, 0:24.5 - 0:26",
        "@condition song_4c1d9e 0:00-0:20 strength xhigh",
        "@sorce x",
    )
    assert "keyword.control.directive.repeat.song" in scopes_of(repeat, "repeat")
    assert "punctuation.definition.directive.song" in scopes_of(repeat, "@")
    assert "entity.name.section.reference.song" in scopes_of(repeat, "Chorus \\ all together")
    assert "constant.language.level.song" in scopes_of(adherence, "high")
    assert "invalid.illegal.level.song" in scopes_of(bad_level, "loud")
    assert "keyword.control.directive.source.song" in scopes_of(source, "source")
    assert "string.unquoted.song-id.song" in scopes_of(source, "song_8f2a1c")
    for duration in ("0:08", "0:30", "0:15", "0:17", "0:24.5", "0:26"):
        assert "constant.numeric.duration.song" in scopes_of(source, duration)
    assert "keyword.operator.range.song" in scopes_of(source, "-")
    assert "keyword.other.except.song" in scopes_of(source, "except")
    assert "punctuation.separator.range.song" in scopes_of(source, ",")
    assert "string.unquoted.song-id.song" in scopes_of(condition, "song_4c1d9e")
    assert "keyword.other.strength.song" in scopes_of(condition, "strength")
    assert "constant.language.level.song" in scopes_of(condition, "xhigh")
    assert "invalid.illegal.unknown-directive.song" in scopes_of(unknown, "sorce")


def test_lyrics_escapes_and_directions() -> None:
    hashed, plus, backslash, directed, emoji, comment = body(
        "\\# one in the city",
        "\\+1 more night",
        "\\\\ falling slow \\\\",
        "{guitar solo} then we sing",
        "😀 smile {soft} again",
        "  # a comment, indented",
    )
    assert "constant.character.escape.song" in scopes_of(hashed, "\\#")
    assert not any(s.startswith("comment") for s in scopes_of(hashed, "\\#"))
    assert "constant.character.escape.song" in scopes_of(plus, "\\+")
    assert not any(s.startswith("meta.style") for s in scopes_of(plus, "\\+"))
    assert "constant.character.escape.song" in scopes_of(backslash, "\\\\")
    # Only a backslash at the start escapes: the one at the end is lyric text.
    assert "constant.character.escape.song" not in scopes_of(backslash, " falling slow \\\\")
    assert "punctuation.definition.direction.begin.song" in scopes_of(directed, "{")
    assert "markup.italic.direction.song" in scopes_of(directed, "guitar solo")
    assert "meta.lyric.song" in scopes_of(directed, " then we sing")
    assert "markup.italic.direction.song" in scopes_of(emoji, "soft")
    assert "comment.line.number-sign.song" in scopes_of(comment, "#")


def test_a_hash_inside_a_line_is_no_comment() -> None:
    (style,) = body("+ tight drums  # verse only")
    assert not any(s.startswith("comment") for _, scopes in style for s in scopes)


def test_language_configuration() -> None:
    config = json.loads((EDITORS / "language-configuration.json").read_text(encoding="utf-8"))
    assert config["comments"]["lineComment"] == "#"
    assert ["[", "]"] in config["brackets"] and ["{", "}"] in config["brackets"]
    start = re.compile(config["folding"]["markers"]["start"])
    end = re.compile(config["folding"]["markers"]["end"])
    # A section folds from its heading to the blank line that ends it.
    for path in EXAMPLES:
        for line in path.read_text(encoding="utf-8").splitlines():
            assert bool(start.search(line)) == line.lstrip().startswith("["), (path.name, line)
            assert bool(end.search(line)) == (not line.strip()), (path.name, line)


def test_vscode_extension_contributes_the_grammar_and_configuration() -> None:
    manifest = json.loads((EDITORS / "vscode" / "package.json").read_text(encoding="utf-8"))
    grammar = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    (language,) = manifest["contributes"]["languages"]
    assert language["extensions"] == [".song"]
    (contributed,) = manifest["contributes"]["grammars"]
    assert contributed["scopeName"] == grammar["scopeName"] == "source.song"
    assert contributed["language"] == language["id"]
    # The packaged copies come from editors/ (vscode:prepublish), so both paths must be the copied ones.
    copier = (EDITORS / "vscode" / "copy-shared.js").read_text(encoding="utf-8")
    assert contributed["path"].lstrip("./") in copier.replace("', '", "/")
    assert language["configuration"].lstrip("./") in copier
    assert manifest["contributes"]["configuration"]["properties"]["musicplan.path"]["default"] == "musicplan"


def test_every_field_of_the_vocabulary_is_highlighted_with_its_kind_of_value() -> None:
    from musicplan.spec import limits
    from musicplan.spec.vocabulary import FIELDS

    samples = {"boolean": ("yes", "constant.language.boolean.song"),
               "model": (limits.MODELS[-1], "support.constant.model.song"),
               "format": (limits.OUTPUT_FORMATS[0], "support.constant.format.song"),
               "seed": ("42", "constant.numeric.song"), "bpm": ("92.5", "constant.numeric.song"),
               "meter": ("6/8", "constant.numeric.fraction.song"), "beat": ("3/8", "constant.numeric.fraction.song"),
               "duration": ("2:30", "constant.numeric.duration.song")}
    keys = [key for key, spec in FIELDS.items() if spec.kind != "prompt"]
    lines = tokenize("".join(f"{key}: {samples.get(FIELDS[key].kind, ('words', ''))[0]}\n" for key in keys))
    for key, tokens in zip(keys, lines, strict=True):
        value, scope = samples.get(FIELDS[key].kind, ("words", "string.unquoted.value.song"))
        assert "support.type.property-name.song" in scopes_of(tokens, key), key
        assert scope in scopes_of(tokens, value), (key, scopes_of(tokens, value))
