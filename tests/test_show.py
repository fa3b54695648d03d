"""`musicplan show`: the timeline in the terminal and as SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import musicplan
from musicplan.analyse.durations import format_clock
from musicplan.cli import main

SONG = "title: T & <Co>\nbpm: 120\n[Intro] 8 bars\n+ pads\n[Verse] 0:20\nla la\nla\n[Empty] 0:10\n"


def test_terminal_timeline(tmp_path, capsys):
    path = tmp_path / "t.song"
    path.write_text(SONG, encoding="utf-8")
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out.split("\n")
    assert out[0] == "T & <Co>  (music_v1)"
    intro, verse, empty = (next(line for line in out if f" {name} " in line) for name in ("Intro", "Verse", "Empty"))
    assert intro.split()[:2] == ["0:00", "0:16"] and "pads" in intro
    assert verse.split()[:2] == ["0:16", "0:20"] and verse.split()[-1] == "-"
    assert " 2 " in verse  # lyric lines
    assert empty.split()[:2] == ["0:36", "0:10"]
    # Bars are proportional: 16 s, 20 s and 10 s of 46 s on 40 columns.
    assert [line.count("█") for line in (intro, verse, empty)] == [14, 17, 9]
    warning = out[out.index(empty) + 1]
    assert "W103" in warning and "line 8" in warning
    assert "total 0:46 in 3 sections" in out[-2]


def test_svg_is_well_formed_and_holds_every_section_and_time(tmp_path):
    path = tmp_path / "t.song"
    path.write_text(SONG, encoding="utf-8")
    svg = tmp_path / "t.svg"
    assert main(["show", str(path), "--svg", str(svg)]) == 0
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = "".join(root.itertext())
    for name, start, length in (("Intro", 0, 16_000), ("Verse", 16_000, 20_000), ("Empty", 36_000, 10_000)):
        assert name in text and format_clock(start) in text and format_clock(length) in text
    assert "T & <Co>" in text and "W103" in text
    assert len(root.findall(".//{http://www.w3.org/2000/svg}g")) == 3


def test_examples_render(examples, tmp_path):
    from musicplan.write.timeline import render_svg, render_text

    for path in examples:
        song = musicplan.load(path)
        assert song.title in render_text(song.analysis, song.warnings)
        ET.fromstring(render_svg(song.analysis, song.warnings).split("\n", 1)[1])


def test_a_song_with_errors_is_not_drawn(tmp_path, capsys):
    path = tmp_path / "bad.song"
    path.write_text("[A] 20\n", encoding="utf-8")
    assert main(["show", str(path)]) == 1
    assert "E302" in capsys.readouterr().err


def _svg(tmp_path, text: str) -> ET.Element:
    path = tmp_path / "s.song"
    path.write_text(text, encoding="utf-8")
    svg = tmp_path / "s.svg"
    assert main(["show", str(path), "--svg", str(svg)]) == 0
    return ET.parse(svg).getroot()  # raises on XML that is not well formed


def test_control_characters_in_names_are_escaped_in_the_terminal_and_the_svg(tmp_path, capsys):
    song = "title: T\x1b[31m\x07\n[Verse \x1b[31m\x07 \x01] 0:10\n+ pads \x1b[2J, \u202eevil\nla la\n"
    root = _svg(tmp_path, song)
    out = capsys.readouterr().out
    assert "\x1b" not in out.replace("\x1b[", "") and "\\x1b" in out and "\\x07" in out and "\\u202e" in out
    text = "".join(root.itertext())
    assert "\\x1b" in text and "\\x01" in text and "\x1b" not in text


def test_a_prompt_song_is_drawn_as_one(tmp_path):
    root = _svg(tmp_path, "title: Lo-fi\nprompt: a warm lo-fi beat, soft piano\nlength: 2:30\n")
    text = "".join(root.itertext())
    assert "a prompt song" in text and "2:30" in text and "a warm lo-fi beat" in text
    assert "0:00.001" not in text and "0 sections" not in text


def test_header_warnings_are_drawn(tmp_path):
    root = _svg(tmp_path, "model: music_v1\n+ drums, drums\n[A] 0:10\n+ x\n")
    codes = [el.get("data-code") for el in root.iter("{http://www.w3.org/2000/svg}text") if el.get("data-code")]
    assert codes == ["W001"]


def _ends(root: ET.Element) -> list[float]:
    """Where each text ends, estimated as the renderer's fit does."""
    from musicplan.write.timeline import _CHAR_PX

    found = []
    for el in root.iter("{http://www.w3.org/2000/svg}text"):
        size = float(el.get("font-size", "12"))
        x = float(el.get("x"))
        advance = len(el.text or "") * _CHAR_PX * size / 12
        anchored_end = el.get("text-anchor") == "end"
        found.append((x if anchored_end else x + advance, x - advance if anchored_end else x))
    return found


def test_captions_stay_inside_the_picture(tmp_path):
    styles = "+ " + ", ".join(f"a rather long style number {i}" for i in range(3))
    root = _svg(tmp_path, f"[A] 2:00\n+ x\n[B] 0:05\n{styles}\nla\n[C] 0:03\n{styles}\n")
    width = float(root.get("width"))
    for end, start in _ends(root):
        assert end <= width and start >= 0


def test_an_audio_reference_label_stays_clear_of_its_bar(tmp_path):
    song = ("model: music_v2\n[Intro] 0:10\n+ pads\n[a reference with a long name indeed] \n"
            "@source abc123 0:00-0:08\n[Outro] 0:10\n+ pads\n")
    root = _svg(tmp_path, song)
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        label = group.find("{http://www.w3.org/2000/svg}text")
        bar = group.find("{http://www.w3.org/2000/svg}rect")
        from musicplan.write.timeline import _CHAR_PX

        assert float(label.get("x")) + len(label.text) * _CHAR_PX <= float(bar.get("x"))
    assert "audio reference" in "".join(root.itertext())
