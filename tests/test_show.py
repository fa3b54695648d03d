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
