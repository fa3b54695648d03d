"""Importing lyric sheets: Suno-style tags, ChordPro and plain stanzas become
songs that check clean, keep every sung line in order, carry the sheet's
section names and last the length asked for; what is left out is said."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import musicplan
from musicplan import format as format_text
from musicplan.importers.sheet import repeat_note, stanza_label
from musicplan.importers.to_song import (
    Options,
    bar_ms,
    guess_format,
    import_text,
    spread,
)

SHEETS = Path(__file__).resolve().parent / "sheets"
PROPERTY = settings()  # the profile (conftest.py) sets how many inputs


def imported(name: str, **options):
    path = SHEETS / name
    result = import_text(path.read_text(encoding="utf-8"), str(path), options=Options(**options))
    assert result.text is not None, result.diagnostics
    return result


def plan_sections(text: str) -> list[tuple[str, int, list[str]]]:
    """(name, duration, sung lines) per section of the compiled song, repeats resolved,
    inline `{directions}` left out: what the API is asked to sing."""
    plan = musicplan.loads(text).to_plan()
    out = []
    for section in plan.get("sections") or plan["chunks"]:
        if "text" in section:
            label, *lines = section["text"].split("\n")
            name = label[1:-1]
        else:
            name, lines = section["section_name"], section["lines"]
        sung = [" ".join(re.sub(r"\{[^{}]*\}", " ", line).split()) for line in lines]
        out.append((name, section["duration_ms"], [line for line in sung if line]))
    return out


def sung(text: str) -> list[str]:
    return [line for _, _, lines in plan_sections(text) for line in lines]


def total_ms(text: str) -> int:
    return sum(duration for _, duration, _ in plan_sections(text))


def assert_clean(text: str) -> None:
    assert [d for d in musicplan.check(text) if d.is_error] == [], text
    assert format_text(text) == text, "the import is already canonical"


# ---- Suno-style sheets

SUNO_SECTIONS = ["Intro", "Verse 1", "Pre-Chorus", "Chorus", "Verse 2", "Chorus", "Guitar Solo", "Bridge",
                 "Chorus", "Outro"]


def suno_sung_lines() -> list[str]:
    # Every line of the sheet below its header that is not a tag, with in-line tags taken out.
    lines = (SHEETS / "paper-lanterns.txt").read_text(encoding="utf-8").splitlines()[4:]
    kept = [" ".join(re.sub(r"\[[^\]]*\]", " ", line).split()) for line in lines
            if line.strip() and not re.fullmatch(r"\[[^\]]*\]", line.strip())]
    return [line for line in kept if line]


@pytest.mark.parametrize("model", ["music_v2_5", "music_v2", "music_v1"])
def test_a_suno_sheet_keeps_its_sections_and_every_sung_line(model):
    result = imported("paper-lanterns.txt", model=model)
    assert result.kind == "suno"
    text = result.text
    assert_clean(text)
    assert [d for d in musicplan.check(text)] == [], "a clean sheet imports without warnings too"
    assert [name for name, _, _ in plan_sections(text)] == SUNO_SECTIONS
    assert sung(text) == suno_sung_lines()
    assert f"model: {model}" in text
    assert "title: Paper Lanterns" in text
    song = musicplan.loads(text)
    body = song.to_body()
    assert body["model_id"] == model
    # The style prompt became the global styles, `Exclude:` the negative ones.
    styles = text.split("\n[", 1)[0]
    assert "+ dreamy indie pop, female vocals, warm analog synths, 92 bpm" in styles
    assert "- heavy distortion, screamed vocals" in styles


def test_suno_cues_are_inline_directions_for_v2_and_local_styles_for_v1():
    v2 = imported("paper-lanterns.txt").text
    v1 = imported("paper-lanterns.txt", model="music_v1").text
    assert "{whispered}" in v2 and "If the river keeps a secret {echo}" in v2
    verse2_v1 = v1.split("[Verse 2]", 1)[1].split("\n[", 1)[0]
    assert "+ whispered" in verse2_v1 and "{" not in v1
    assert "\n+ echo\n" in v1.split("[Bridge]", 1)[1]
    # A tag's own description (`[Pre-Chorus: soft, building]`) is a local style for every model.
    for text in (v1, v2):
        assert "[Pre-Chorus] " in text and "+ soft, building" in text.split("[Pre-Chorus]", 1)[1]


def test_a_chorus_sung_again_word_for_word_becomes_a_repeat():
    text = imported("paper-lanterns.txt").text
    assert text.count("@repeat Chorus") == 2
    assert text.count("Light it up, let it go") == 1
    # The last chorus adds its tag's styles to what it repeats.
    last = text.rsplit("[Chorus]", 1)[1].split("\n[", 1)[0]
    assert "@repeat Chorus" in last and "+ key change, full band" in last
    # Sung again, it lasts as long as the first time.
    for options in ({}, {"length_ms": 100_000}, {"bpm": "133"}):
        choruses = {d for name, d, _ in plan_sections(imported("paper-lanterns.txt", **options).text)
                    if name == "Chorus"}
        assert len(choruses) == 1, options


def test_a_suno_sheet_with_a_tempo_falls_on_whole_bars_and_lasts_the_length_asked():
    text = imported("paper-lanterns.txt", length_ms=150_000).text
    bar = bar_ms(Fraction(92), "4/4")
    durations = [duration for _, duration, _ in plan_sections(text)]
    assert all(re.search(r"\] \d+ bars?$", line) for line in text.splitlines() if line.startswith("["))
    assert abs(sum(durations) - 150_000) <= bar / 2 + len(durations)  # and each bar rounded to the ms
    assert all(3_000 <= d <= 120_000 for d in durations)


def test_every_guessed_duration_is_marked():
    text = imported("kitchen-radio.txt").text
    lines = text.splitlines()
    headings = [i for i, line in enumerate(lines) if line.startswith("[")]
    assert headings and all(lines[i - 1].startswith("# guessed") for i in headings)


# ---- ChordPro

def test_a_chordpro_file_is_read_with_its_settings_and_without_its_chords():
    result = imported("harbour-lights.cho")
    assert result.kind == "chordpro"
    text = result.text
    assert_clean(text)
    assert [name for name, _, _ in plan_sections(text)] == [
        "Intro", "Verse 1", "Chorus", "Verse 2", "Chorus", "Bridge", "Final chorus"]
    assert sung(text) == [
        "The boats come home at evening", "With the gulls along the rail", "I count them from the window",
        "Every mast and every sail", "Harbour lights, harbour lights", "Bring my sailor home tonight",
        "The tide goes out at midnight", "And it takes the moon along", "I hum the words you taught me",
        "Half a prayer and half a song", "Harbour lights, harbour lights", "Bring my sailor home tonight",
        "If the fog rolls in forever", "I will light a lamp instead", "Harbour lights, harbour lights",
        "Bring my sailor home tonight"]
    assert "title: Harbour Lights" in text and "bpm: 84" in text and "meter: 3/4" in text
    assert "+ key of A minor" in text  # {key: Am}
    assert "+ gang vocals" in text.split("[Chorus]", 1)[1]  # {comment: gang vocals}
    assert "# Harbour Lights: a waltz for the ferry crossing" in text  # `#` comments kept
    assert "# artist: The Tidewater Band" in text  # kept for the writer, not sent
    assert "Tidewater" not in musicplan.loads(text).to_json()
    # {duration: 2:40} is the length spread, in whole bars of 3/4 at 84 bpm.
    assert abs(total_ms(text) - 160_000) <= bar_ms(Fraction(84), "3/4") / 2 + 7


def test_chordpro_what_is_left_out_is_reported_at_its_line():
    result = imported("harbour-lights.cho")
    found = {(d.code, d.span.line) for d in result.diagnostics}
    assert all(d.severity == "warning" for d in result.diagnostics)
    assert ("I003", 4) in found  # {artist}
    assert ("I002", 10) in found  # {textfont}
    assert ("I002", 38) in found  # the tab block
    assert {("I001", 13), ("I001", 17), ("I001", 25), ("I001", 30), ("I001", 43)} <= found  # chords
    chords = next(d for d in result.diagnostics if d.code == "I001" and d.span.line == 17)
    assert "Am" in chords.message and "E7" in chords.message and "17, 18, 19, 20" in chords.message
    assert all(d.hint for d in result.diagnostics)


def test_chordpro_chorus_directive_repeats_the_latest_chorus():
    text = imported("harbour-lights.cho").text
    final = text.split("[Final chorus]", 1)[1]
    assert "@repeat Chorus" in final


def test_chordpro_labels_written_as_comments_name_the_stanza_below():
    sheet = ("{title: Salt Road}\n\n{c: Verse 1}\n[G]Walking the salt road\n[D]home\n\n"
             "{c: Chorus}\nOh the [C]salt road\nTakes me [G]home\n\n{c: Chorus}\n")
    result = import_text(sheet, "salt.cho")
    assert [name for name, _, _ in plan_sections(result.text)] == ["Verse 1", "Chorus", "Chorus"]
    assert "@repeat Chorus" in result.text
    assert sung(result.text) == ["Walking the salt road", "home", "Oh the salt road", "Takes me home"] + [
        "Oh the salt road", "Takes me home"]


# ---- plain text

def test_plain_stanzas_become_verses_and_the_recurring_one_the_chorus():
    result = imported("kitchen-radio.txt")
    assert result.kind == "text"
    text = result.text
    assert_clean(text)
    assert [name for name, _, _ in plan_sections(text)] == ["Verse 1", "Chorus", "Verse 2", "Chorus", "Verse 3"]
    lines = [line.strip() for line in (SHEETS / "kitchen-radio.txt").read_text(encoding="utf-8").splitlines()]
    assert sung(text) == [line for line in lines if line]
    assert text.count("@repeat Chorus") == 1
    assert total_ms(text) == 180_000  # about 3 minutes, in whole seconds without a tempo


def test_plain_labels_and_repeat_notes():
    sheet = ("Title: Porch Light\n\nVerse 1:\nThe porch light hums\nThe moths come round\n\n"
             "Chorus:\nLeave it on\nLeave it on for me\n\nVerse 2:\nThe screen door sings\nThe night comes down\n\n"
             "(Repeat Chorus)\n")
    text = import_text(sheet, "porch.txt", "text").text
    assert "title: Porch Light" in text
    assert [name for name, _, _ in plan_sections(text)] == ["Verse 1", "Chorus", "Verse 2", "Chorus"]
    assert sung(text) == ["The porch light hums", "The moths come round", "Leave it on", "Leave it on for me",
                          "The screen door sings", "The night comes down", "Leave it on", "Leave it on for me"]


def test_repeat_notes_sing_a_section_again_as_often_as_they_say():
    plain = "Verse 1:\nthe road\n\nChorus x2:\nhey ho\nlet us go\n\nVerse 2:\nthe end\n\n(Repeat Chorus)\n"
    text = import_text(plain, "notes.txt").text
    assert [name for name, _, _ in plan_sections(text)] == ["Verse 1", "Chorus", "Chorus", "Verse 2", "Chorus"]
    assert sung(text) == ["the road", "hey ho", "let us go", "hey ho", "let us go", "the end", "hey ho", "let us go"]
    chordpro = "{c: Chorus}\nOh la [G]la\n\n{c: Verse 2}\nSecond verse\n\n{c: Repeat Chorus}\n\n{c: Chorus x2}\n"
    text = import_text(chordpro, "notes.cho").text
    assert [name for name, _, _ in plan_sections(text)] == ["Chorus", "Verse 2"] + ["Chorus"] * 3
    assert text.count("@repeat Chorus") == 3


def test_a_style_prompt_below_the_lyrics_is_still_the_style():
    sheet = "[Verse]\nla la\nStyle: sung, not a setting\n\nStyle: garage rock, raw vocals\n"
    result = import_text(sheet, "late-style.txt")
    assert "+ garage rock, raw vocals" in result.text
    assert sung(result.text) == ["la la", "Style: sung, not a setting"]


def test_tags_dressed_up_by_chat_tools_are_still_tags():
    sheet = "**[Verse 1]**\nla la\n\n## [Chorus]\nhey\n"
    result = import_text(sheet, "chat.txt")
    assert result.kind == "suno"
    assert [name for name, _, _ in plan_sections(result.text)] == ["Verse 1", "Chorus"]


def test_a_style_that_names_someone_is_kept_as_a_comment_and_not_sent():
    result = import_text("Style: dream pop, in the style of Some Band, airy vocals\n\n[Verse]\nla la\n", "x.txt")
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("I003", 1)]
    assert "+ dream pop, airy vocals" in result.text
    assert "Some Band" not in musicplan.loads(result.text).to_json()


def test_plain_lines_that_would_read_as_something_else_are_escaped():
    sheet = ("# one in the city\n- ooh, and\n+1 more night\n@ midnight\n[spoken] hey\n\\ slash\n"
             "bpm: 120 in my heart\nseed: 42\n")
    result = import_text(sheet, "odd.txt", "text")
    assert_clean(result.text)
    assert sung(result.text) == [line.strip() for line in sheet.splitlines()]
    assert musicplan.check(result.text) == [], "not even W201 for the sung `seed: 42`"
    assert "\n\\seed: 42\n" in result.text and "\nbpm: 120 in my heart\n" in result.text


def test_chord_lines_in_plain_text_are_left_out_with_a_warning():
    sheet = "Am        G\nDown by the water\nC         F\nI waited for you\n"
    result = import_text(sheet, "chords.txt", "text")
    assert sung(result.text) == ["Down by the water", "I waited for you"]
    (warning,) = [d for d in result.diagnostics if d.code == "I001"]
    assert warning.span.line == 1 and "Am" in warning.message and "F" in warning.message


# ---- lengths and limits

def test_length_requested_is_spread_in_proportion_to_sung_lines():
    text = imported("kitchen-radio.txt", length_ms=100_000).text
    assert total_ms(text) == 100_000
    sheet = "one\ntwo\nthree\nfour\nfive\nsix\n\nseven\neight\n"
    short = import_text(sheet, "x.txt", "text", Options(length_ms=80_000)).text
    assert [d for _, d, _ in plan_sections(short)] == [60_000, 20_000]


def test_a_length_the_sections_cannot_share_is_stretched_and_said():
    sheet = "\n\n".join(f"line {i}" for i in range(5))
    result = import_text(sheet, "five.txt", "text", Options(length_ms=5_000))
    assert total_ms(result.text) == 15_000  # five sections of at least 3 s
    assert [d.code for d in result.diagnostics] == ["I008"]
    long = import_text("one\n", "one.txt", "text", Options(length_ms=900_000))
    assert total_ms(long.text) == 120_000  # one section holds two minutes at most
    assert {d.code for d in long.diagnostics} == {"I008"}


def test_a_section_over_thirty_lines_is_split_and_keeps_every_line():
    lines = [f"line number {i}" for i in range(45)]
    result = import_text("\n".join(lines), "long.txt", "text")
    assert_clean(result.text)
    assert [name for name, _, _ in plan_sections(result.text)] == ["Verse 1", "Verse 1 (part 2)"]
    assert sung(result.text) == lines
    assert [d.code for d in result.diagnostics] == ["I007"]


def test_a_line_over_two_hundred_characters_is_split_at_a_space():
    line = " ".join(["lalala"] * 50)
    result = import_text(line + "\n", "long.txt", "text")
    assert_clean(result.text)
    assert " ".join(sung(result.text)) == line
    assert [d.code for d in result.diagnostics] == ["I006"]


def test_a_chunk_stays_under_six_thousand_characters():
    lines = [f"{i:02d} " + "la " * 65 + "la" for i in range(30)]  # 30 lines of 199 characters
    v2 = import_text("\n".join(lines), "wide.txt", "text", Options(model="music_v2"))
    assert_clean(v2.text)
    assert len(plan_sections(v2.text)) == 2 and sung(v2.text) == lines
    assert all(len(chunk["text"]) <= 6000 for chunk in musicplan.loads(v2.text).to_plan()["chunks"])
    v1 = import_text("\n".join(lines), "wide.txt", "text", Options(model="music_v1"))
    assert len(plan_sections(v1.text)) == 1  # a music_v1 section has no such limit


def test_a_cue_that_opens_a_block_is_a_section_and_an_ending_closes_the_last():
    sheet = "[Verse]\nla la\n\n[Spoken Word]\nyou said it would last\n\n[Outro]\nbye\n\n[End]\n"
    v1 = import_text(sheet, "cues.txt", options=Options(model="music_v1")).text
    assert [name for name, _, _ in plan_sections(v1)] == ["Verse", "Spoken Word", "Outro"]
    assert "+ spoken word\nyou said it would last" in v1 and "+ end\nbye" in v1


def test_too_many_sections_or_nothing_at_all_is_an_error():
    many = import_text("\n\n".join(f"stanza {i}" for i in range(31)), "many.txt", "text")
    assert many.text is None and [d.code for d in many.diagnostics] == ["E700"]
    assert many.diagnostics[0].span.line == 61
    empty = import_text("\n\n", "empty.txt", "text")
    assert empty.text is None and [d.code for d in empty.diagnostics] == ["E701"]


def test_spread_keeps_each_share_within_bounds_and_adds_up():
    shares = spread(100, [1, 1, 20], 3, 40)
    assert sum(shares) == 100 and max(shares) == 40 and min(shares) >= 3


def test_a_compound_meter_counts_its_dotted_beats():
    sheet = "{title: Rowing}\n{time: 6/8}\n{tempo: 60}\n\nPull the oar\nPull again\n\nThe shore is far\n"
    text = import_text(sheet, "rowing.cho", options=Options(length_ms=60_000)).text
    assert_clean(text)
    # A 6/8 bar at 60 bpm is two dotted-quarter beats of a second: 2 s (song-format.md, Durations).
    assert [d for _, d, _ in plan_sections(text)] == [40_000, 20_000]
    assert "[Verse 1] 20 bars" in text and "[Verse 2] 10 bars" in text


def test_bars_follow_the_meter():
    assert bar_ms(Fraction(120), "4/4") == 2000
    assert bar_ms(Fraction(120), "3/4") == 1500
    assert bar_ms(Fraction(120), "6/8") == 1000  # two dotted-quarter beats


# ---- the format

@pytest.mark.parametrize(("name", "kind"), [
    ("paper-lanterns.txt", "suno"), ("harbour-lights.cho", "chordpro"), ("kitchen-radio.txt", "text")])
def test_the_format_is_guessed_from_the_content(name, kind):
    text = (SHEETS / name).read_text(encoding="utf-8")
    assert guess_format(text, "sheet") == kind
    assert guess_format("Down by the water\n", "song.chopro") == "chordpro"


def test_person_names_are_warned_about_and_not_sent():
    result = import_text("Artist: Some Singer\nStyle: soul\n\n[Verse]\nla la la\n", "x.txt")
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("I003", 1)]
    assert "# Artist: Some Singer" in result.text
    assert "Some Singer" not in musicplan.loads(result.text).to_json()


# ---- any stanzas at all

_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ,.'!?é東", min_size=1, max_size=40)
_LINE = st.tuples(st.sampled_from(["", "#", "-", "+", "@", "\\", "- ", ":", "\"", "'"]), _WORDS).map(
    lambda parts: " ".join((parts[0] + parts[1]).split())).filter(
    lambda line: line and stanza_label(line) is None and repeat_note(line) is None
    and not line.lower().startswith("title"))
_SHEET = st.lists(st.lists(_LINE, min_size=1, max_size=35), min_size=1, max_size=12)


@PROPERTY
@given(_SHEET, st.sampled_from(["music_v1", "music_v2", "music_v2_5"]), st.none() | st.integers(3_000, 600_000))
def test_any_stanzas_import_to_a_song_that_checks_clean_and_keeps_every_line(stanzas, model, length):
    sheet = "\n\n".join("\n".join(lines) for lines in stanzas)
    result = import_text(sheet, "random.txt", "text", Options(model=model, length_ms=length))
    assert result.text is not None
    assert [d for d in musicplan.check(result.text) if d.is_error] == []
    assert sung(result.text) == [line for lines in stanzas for line in lines]


# ---- the command

def test_import_writes_the_song_and_says_what_it_left_out(tmp_path, capsys):
    from musicplan.cli import main

    out = tmp_path / "harbour.song"
    assert main(["import", str(SHEETS / "harbour-lights.cho"), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{SHEETS / 'harbour-lights.cho'}:4:1: warning[I003]" in captured.err
    assert f"{SHEETS / 'harbour-lights.cho'}:17:5: warning[I001]" in captured.err  # at the first chord
    assert musicplan.load(out).title == "Harbour Lights"
    assert main(["check", str(out)]) == 0


def test_import_refuses_to_replace_a_file_without_force(tmp_path, capsys):
    from musicplan.cli import main

    out = tmp_path / "song.song"
    out.write_text("keep me", encoding="utf-8")
    assert main(["import", str(SHEETS / "kitchen-radio.txt"), "-o", str(out)]) == 2
    assert "use --force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"
    assert main(["import", str(SHEETS / "kitchen-radio.txt"), "-o", str(out), "--force"]) == 0
    assert "[Verse 1]" in out.read_text(encoding="utf-8")


def test_import_writes_into_a_pipe_without_force(tmp_path):

    from fifos import read_fifo

    from musicplan.cli import main

    fifo = tmp_path / "pipe"
    with read_fifo(fifo) as received:
        assert main(["import", str(SHEETS / "kitchen-radio.txt"), "-o", str(fifo)]) == 0
    assert b"[Verse 1]" in received[0] and fifo.is_fifo()


def test_import_reads_standard_input_and_takes_its_options(monkeypatch, capsys):
    import io

    from musicplan.cli import main

    sheet = (SHEETS / "kitchen-radio.txt").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(sheet)))
    code = main(["import", "-", "--from", "text", "--length", "2:00", "--bpm", "120", "--model", "music_v1",
                 "--style", "folk, warm male vocals"])
    text = capsys.readouterr().out
    assert code == 0
    assert "model: music_v1" in text and "bpm: 120" in text and "+ folk, warm male vocals" in text
    assert total_ms(text) == 120_000  # 60 bars of 2 s


@pytest.mark.parametrize("args", [["--length", "soon"], ["--bpm", "fast"], ["--bpm", "0"], ["--bpm", "1" * 40],
                                  ["--from", "midi"]])
def test_import_usage_errors_exit_2(args, capsys):
    from musicplan.cli import main

    assert main(["import", str(SHEETS / "kitchen-radio.txt"), *args]) == 2
    assert capsys.readouterr().out == ""


def test_import_of_nothing_exits_1_with_a_diagnostic(tmp_path, capsys):
    from musicplan.cli import main

    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    assert main(["import", str(empty)]) == 1
    assert "error[E701]" in capsys.readouterr().err


def _block_after(readme: str, marker: str) -> str:
    """The fenced block that follows the line ending in ``marker``."""
    after = readme.split(marker, 1)[1]
    return after.split("```\n", 1)[1].split("\n```", 1)[0] + "\n"


@pytest.mark.parametrize(("name", "command"), [
    ("night-bus.txt", "`musicplan import night-bus.txt`:"),
    ("lantern.cho", "`musicplan import lantern.cho --length 1:30 --model music_v1` writes the song"),
    ("sparrow.txt", "`musicplan import sparrow.txt --length 1:00`:")])
def test_the_readme_shows_what_import_writes(tmp_path, capsys, name, command):
    from musicplan.cli import main

    readme = (SHEETS.parent.parent / "README.md").read_text(encoding="utf-8")
    sheet = tmp_path / name
    sheet.write_text(_block_after(readme, f"`{name}`:" if name != "sparrow.txt" else "`sparrow.txt` (the "),
                     encoding="utf-8")
    args = command.split("`")[1].split()[2:]
    assert main(["import", str(sheet), *args[1:]]) == 0
    assert capsys.readouterr().out == _block_after(readme, command)


_FRAGMENTS = [
    "[Verse 1]", "[Chorus]", "[Chorus: big drums]", "[Guitar Solo]", "[End]", "[]", "[Am]la [G]la", "{soc}",
    "{eoc}", "{sov: Verse 9}", "{chorus}", "{chorus: Last}", "{c: Chorus}", "{c: soft, slow}", "{title: x}",
    "{tempo: 0}", "{tempo: 0.001}", "{tempo: " + "1" * 40 + "}", "BPM: 120.0000001", "{tempo: 900}",
    "{tempo: 45}", "{time: 6/8}", "{time: 12/8}", "{time: 3/8}", "{time: 0/4}", "{duration: 0}",
    "{duration: 99:00}", "{start_of_tab}", "{end_of_tab}", "{artist: someone}", "{define: Am 0 0 2}",
    "Style: a, b", "Title:", "BPM: 10", "Exclude: c", "Chorus:", "Verse", "(Repeat Chorus)", "Chorus x2",
    "{c: Repeat Chorus}", "**[Bridge]**", "Am  G", "# c", "", "", "la la", "\\x", "{x}", "[x] y {z}",
    "bpm: 120", "seed: 42", "- ooh", "x" * 250,
]
_ANY_SHEET = st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=30), max_size=60).map("\n".join)


@PROPERTY
@given(_ANY_SHEET | st.text(), st.sampled_from(["suno", "chordpro", "text"]),
       st.sampled_from(["music_v1", "music_v2_5"]), st.none() | st.integers(0, 2_000_000))
def test_any_text_imports_to_a_clean_song_or_a_diagnostic_never_a_crash(text, kind, model, length):
    result = import_text(text, "any.txt", kind, Options(model=model, length_ms=length))
    if result.text is None:
        assert {d.code for d in result.diagnostics if d.is_error} <= {"E700", "E701"}
        assert any(d.is_error for d in result.diagnostics)
    else:
        assert [d for d in musicplan.check(result.text) if d.is_error] == []
    assert all(d.span.line >= 1 and d.span.column >= 1 and d.hint for d in result.diagnostics)


def test_chorus_sings_the_latest_chorus_again_whatever_its_label():
    import musicplan
    from musicplan.importers.to_song import import_text

    sheet = ("{title: Label}\n{start_of_verse}\nWe walk the line\n{end_of_verse}\n"
             '{start_of_chorus: label="Refrain"}\nHold on, hold on\n{end_of_chorus}\n{chorus}\n')
    result = import_text(sheet, "label.cho")
    assert "@repeat Refrain" in result.text
    assert not [d for d in result.diagnostics if d.code == "I005"]
    assert not [d for d in musicplan.check(result.text) if d.is_error]


def test_a_plain_sheets_own_settings_on_its_first_lines_are_not_sung():
    import musicplan
    from musicplan.importers.to_song import import_text

    sheet = ("Title: Small Hours\nStyle: folk, warm guitar\nArtist: Someone Famous\n\n"
             "Small hours calling\nI hear them still\n")
    result = import_text(sheet, "small.txt")
    song = musicplan.loads(result.text)
    sung = [line.text for section in song.analysis.sections for line in section.lines]
    assert sung == ["Small hours calling", "I hear them still"]
    assert song.title == "Small Hours" and "I003" in {d.code for d in result.diagnostics}
