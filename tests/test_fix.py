"""Fixes: edits carried by diagnostics whose hint is the one right change,
applied by `musicplan.fix` and `check --fix`, never where two changes are possible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from strategies import hostile_text

import musicplan
from musicplan.base.diagnostics import Edit, Span
from musicplan.cli import main
from musicplan.write.fix import apply

HEADER = "model: music_v1\n"

# (what was written, what the writer meant): one certain fix each, or several.
MEANT = [
    ("tittle: Neon\n[A] 0:10\n+ x\n", "title: Neon\n[A] 0:10\n+ x\n"),
    ("TITEL: Neon\n[A] 0:10\n+ x\n", "title: Neon\n[A] 0:10\n+ x\n"),
    ("model_id: music_v2\n[A] 0:10\n+ x\n", "model: music_v2\n[A] 0:10\n+ x\n"),
    ("force_instrumental: true\nprompt: calm piano\n", "instrumental: true\nprompt: calm piano\n"),
    ("music_length_ms: 30000\nprompt: calm piano\n", "length: 30000ms\nprompt: calm piano\n"),
    ("[A] 1:5\n+ x\n", "[A] 1:05\n+ x\n"),
    ("[A] 1:5.25\n+ x\n", "[A] 1:05.25\n+ x\n"),
    ("[A] 0:90\n+ x\n", "[A] 1:30\n+ x\n"),  # ninety seconds, as the hint says
    ("bpm: 120\n[A] 8Bars\n+ x\n", "bpm: 120\n[A] 8bars\n+ x\n"),  # as the hint says
    ("bpm: 120\n[A] 8 Measures\n+ x\n", "bpm: 120\n[A] 8 bars\n+ x\n"),
    ("[A] 20 sec\n+ x\n", "[A] 20s\n+ x\n"),
    ("[A] 20 seconds\n+ x\n", "[A] 20s\n+ x\n"),
    ("[A] 1 min\n+ x\n", "[A] 1m\n+ x\n"),
    ("[A] 1m30\n+ x\n", "[A] 1m30s\n+ x\n"),
    ("[A] :10\n+ x\n", "[A] 0:10\n+ x\n"),
    ("[A] 0:10.\n+ x\n", "[A] 0:10\n+ x\n"),
    ("prompt: calm\nlength: 2 min\n", "prompt: calm\nlength: 2m\n"),
    ("prompt: calm\ninstrumental: y\n", "prompt: calm\ninstrumental: yes\n"),
    ("prompt: calm\ninstrumental: nope\n", "prompt: calm\ninstrumental: no\n"),
    ("bpm: 120 BPM\n[A] 0:10\n+ x\n", "bpm: 120\n[A] 0:10\n+ x\n"),
    ("bpm: 90\nmeter: 3:4\n[A] 4 bars\n+ x\n", "bpm: 90\nmeter: 3/4\n[A] 4 bars\n+ x\n"),
    ("model: Music-V2\n[A] 0:10\n+ x\n", "model: music_v2\n[A] 0:10\n+ x\n"),
    ("format: MP3-44100-128\n[A] 0:10\n+ x\n", "format: mp3_44100_128\n[A] 0:10\n+ x\n"),
    ("model: music_v2\n[A] 0:10\n+ x\n@adherence High\n", "model: music_v2\n[A] 0:10\n+ x\n@adherence high\n"),
    ("[Chorus] 0:10\n+ x\n[B] 0:10\n@repaet Chorus\n", "[Chorus] 0:10\n+ x\n[B] 0:10\n@repeat Chorus\n"),
    ("[Chorus] 0:10\n+ x\n[B]\n@repeat chorus\n", "[Chorus] 0:10\n+ x\n[B]\n@repeat Chorus\n"),
    ("[A] 0:10\n+ pads,,strings\n", "[A] 0:10\n+ pads,strings\n"),
    ("[A] 0:10\n+ pads, strings,\n", "[A] 0:10\n+ pads, strings\n"),
    ("- no drums\n[A] 0:10\n+ x\n", "- drums\n[A] 0:10\n+ x\n"),
    ("+ synth, bass, Synth\n[A] 0:10\n+ x\n", "+ synth, bass\n[A] 0:10\n+ x\n"),
    ("+ pads\n+ pads, bass\n[A] 0:10\n+ x\n", "+ pads\n+ bass\n[A] 0:10\n+ x\n"),
    ("+ \u201cbig, layered\u201d vocals, drums\n[A] 0:10\n+ x\n", '+ "big, layered vocals", drums\n[A] 0:10\n+ x\n'),
    # Several at once, some only after another (the key first, then its value), comments kept.
    ("# draft 2\ntittle: Neon\nmodel_id: Music-V2\nbpm: 100\n# the intro\n[Intro] 8 Measures\n+ pads,,strings\n",
     "# draft 2\ntitle: Neon\nmodel: music_v2\nbpm: 100\n# the intro\n[Intro] 8 bars\n+ pads,strings\n"),
    ("\ufefftittle: BOM\r\n[A] 20 sec\r\n+ x\r\n", "\ufefftitle: BOM\r\n[A] 20s\r\n+ x\r\n"),
]

# Mistakes with two possible meanings (or none): the hint names them, nothing is changed.
AMBIGUOUS = [
    "[A] 20\n+ x\n",  # 20s or 0:20
    "[A] 0.10\n+ x\n",
    "model: v2\n[A] 0:10\n+ x\n",  # music_v2 or music_v2_5
    "model: music_v25\n[A] 0:10\n+ x\n",
    "format: mp3_44100_12\n[A] 0:10\n+ x\n",  # ..._128 or ..._192
    "tittle: A\ntitle: B\n[A] 0:10\n+ x\n",  # which title?
    "colour: red\n[A] 0:10\n+ x\n",
    "prompt: calm\ninstrumental: maybe\n",
    "[Verse 1] 0:10\n+ x\n[Verse 2] 0:10\n+ y\n[V] 0:10\n@repeat verse\n",
    "[A] 0:10\n+ ,pads\n",
    "[A] 20 sec # a comment\n+ x\n",
    "+ pads\n+ pads\n[A] 20\n+ x\n",  # the repeated style is alone on its line: no empty `+` is left
]


def _errors(text: str) -> list[str]:
    return [d.code for d in musicplan.check(text) if d.is_error]


@pytest.mark.parametrize("written,meant", MEANT, ids=[m[0].split("\n")[0][:30] for m in MEANT])
def test_a_certain_mistake_is_fixed_to_what_was_meant(written, meant):
    assert _errors(written) or any(d.fix for d in musicplan.check(written)), "the case has a mistake"
    fixed = musicplan.fix(written)
    assert fixed == meant
    assert _errors(fixed) == []
    assert musicplan.loads(fixed).to_body() == musicplan.loads(meant).to_body()
    assert musicplan.fix(fixed) == fixed  # nothing more to do


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_an_ambiguous_mistake_is_left_untouched(text):
    found = [d for d in musicplan.check(text) if d.is_error]
    assert found and all(not d.fix for d in found)
    assert musicplan.fix(text) == text


def test_a_hint_with_two_candidates_names_both():
    (d,) = [d for d in musicplan.check("[A] 20\n+ x\n") if d.code == "E302"]
    assert "`20s`" in d.hint and "`0:20`" in d.hint and d.fix == ()


def test_fixes_are_data_in_the_json_output(tmp_path, capsys):
    path = tmp_path / "s.song"
    path.write_text("tittle: Neon\n[A] 20\n+ x\n", encoding="utf-8")
    main(["check", "--format", "json", str(path)])
    found = {d["code"]: d for d in json.loads(capsys.readouterr().out)}
    assert found["E200"]["fix"] == [{"line": 1, "column": 1, "end_line": 1, "end_column": 7, "text": "title"}]
    assert "fix" not in found["E302"]


def test_json_documents_carry_no_fixes(tmp_path):
    # The rules' edits are song text; a JSON body's mistakes are at JSON positions.
    body = {"model_id": "Music-V2", "composition_plan": {"chunks": []}}
    found = musicplan.check(json.dumps(body))
    assert found and all(d.fix == () for d in found)


def test_edits_apply_by_line_and_column():
    text = "ab\ncdé\nf"
    assert apply(text, [Edit(Span(2, 3, 2, 4), "E"), Edit(Span(1, 1, 1, 1), ">")]) == ">ab\ncdE\nf"
    assert apply(text, [Edit(Span(1, 3, 2, 1), " ")]) == "ab cdé\nf"
    with pytest.raises(ValueError):
        apply(text, [Edit(Span(1, 1, 1, 3), ""), Edit(Span(1, 2, 1, 3), "")])
    with pytest.raises(ValueError):
        apply(text, [Edit(Span(1, 9, 1, 9), "")])


@settings(max_examples=150, deadline=None)
@given(hostile_text)
def test_fix_never_raises_and_a_second_run_changes_nothing(text):
    fixed = musicplan.fix(text)
    assert musicplan.fix(fixed) == fixed


# ---------------------------------------------------------------- check --fix

MESSY = "# keep me\ntittle: Demo\nmodel: music_v1\n\n[Intro] 20 sec\n+ pads,,strings\n\n[Outro] 20\n+ x\n"
MESSY_FIXED = "# keep me\ntitle: Demo\nmodel: music_v1\n\n[Intro] 20s\n+ pads,strings\n\n[Outro] 20\n+ x\n"


def test_check_fix_rewrites_files_and_reports_what_is_fixed_and_left(tmp_path, capsys):
    path, clean = tmp_path / "messy.song", tmp_path / "clean.song"
    path.write_text(MESSY, encoding="utf-8")
    clean.write_text("title: C\nmodel: music_v1\n[A] 0:10\n+ x\n", encoding="utf-8")
    before = clean.stat().st_mtime_ns
    assert main(["check", "--fix", str(path), str(clean)]) == 1  # `[Outro] 20` is left
    out = capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == MESSY_FIXED
    assert clean.stat().st_mtime_ns == before  # nothing to fix: not rewritten
    assert f"{path}:2:1: fixed[E200] unknown field `tittle`: wrote `title`" in out
    assert "fixed[E106] empty style: removed the extra text" in out
    assert f"{path}:8:9: error[E302]" in out
    assert out.rstrip().endswith("checked 2 files: fixed 3 problems in 1 file, 1 error and 0 warnings left")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_check_fix_exits_0_when_nothing_is_left(tmp_path, capsys):
    path = tmp_path / "s.song"
    path.write_text("tittle: x\nmodel: music_v1\n[A] 20 sec\n+ x\n", encoding="utf-8")
    assert main(["check", "--fix", str(path)]) == 0
    assert "no problems left" in capsys.readouterr().out


def test_check_fix_diff_shows_the_edits_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "messy.song"
    path.write_text(MESSY, encoding="utf-8")
    assert main(["check", "--fix", "--diff", str(path)]) == 1
    captured = capsys.readouterr()
    assert path.read_text(encoding="utf-8") == MESSY
    assert "-tittle: Demo\n+title: Demo\n" in captured.out
    assert "-[Intro] 20 sec\n-+ pads,,strings\n+[Intro] 20s\n++ pads,strings\n" in captured.out
    assert captured.out.startswith(f"--- {path}\n+++ {path}\n")
    assert "would fix 3 problems in 1 file" in captured.err
    # What no fix can mend is not passed over in silence.
    assert "1 error and 0 warnings would be left" in captured.err
    clean = tmp_path / "clean.song"
    clean.write_text("title: C\n[A] 0:10\n+ x\n", encoding="utf-8")
    assert main(["check", "--fix", "--diff", str(clean)]) == 0
    assert capsys.readouterr().out == ""


def test_check_fix_on_standard_input_writes_the_fixed_song(monkeypatch, capsys):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MESSY.encode("utf-8"))))
    assert main(["check", "--fix", "-"]) == 1
    captured = capsys.readouterr()
    assert captured.out == MESSY_FIXED
    assert "fixed[E200]" in captured.err and "error[E302]" in captured.err


def test_what_is_left_after_fixing_standard_input_is_shown_in_the_fixed_text(monkeypatch, capsys):
    # The snippet under a warning left is the line as fixed, not as it was read.
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"tittle: x\n[Intro] 20 sec\n+ pads\n")))
    assert main(["check", "--fix", "-"]) == 0
    err = capsys.readouterr().err
    assert "warning[W007]" in err and "1 | title: x" in err and "tittle" not in err.split("warning[W007]")[1]


def test_check_fix_leaves_json_alone(tmp_path, capsys):
    path = tmp_path / "plan.json"
    text = json.dumps({"model_id": "Music-V2", "prompt": "calm", "music_length_ms": 1})
    path.write_text(text, encoding="utf-8")
    assert main(["check", "--fix", str(path)]) == 1
    assert path.read_text(encoding="utf-8") == text


def test_the_fixed_file_keeps_its_permissions(tmp_path, capsys):
    path = Path(tmp_path / "s.song")
    path.write_text("tittle: x\n[A] 0:10\n+ x\n", encoding="utf-8")
    path.chmod(0o640)
    assert main(["check", "--fix", str(path)]) == 0
    assert path.stat().st_mode & 0o777 == 0o640


def test_check_fix_on_a_folder_of_songs_gives_what_the_writers_meant(tmp_path, capsys):
    # Each mistaken song comes out checking clean and compiling to the JSON the
    # writer meant; each ambiguous one is left byte for byte as it was.
    meant, ambiguous = {}, {}
    for number, (written, intended) in enumerate(MEANT):
        path = tmp_path / f"meant{number}.song"
        path.write_text(written, encoding="utf-8", newline="")
        meant[path] = intended
    for number, text in enumerate(AMBIGUOUS):
        path = tmp_path / f"ambiguous{number}.song"
        path.write_text(text, encoding="utf-8", newline="")
        ambiguous[path] = text
    assert main(["check", "--fix", "--no-config", str(tmp_path)]) == 1  # the ambiguous ones are left
    capsys.readouterr()
    for path, intended in meant.items():
        assert path.read_bytes().decode("utf-8") == intended, path.name
        assert main(["compile", "--no-config", str(path)]) == 0, capsys.readouterr().err
        assert json.loads(capsys.readouterr().out) == musicplan.loads(intended).to_body()
    for path, text in ambiguous.items():
        assert path.read_bytes().decode("utf-8") == text


def test_the_proof_catches_a_fix_that_changes_the_comments(monkeypatch):
    # A fix that turned its own line into a comment passes the line-by-line
    # check (the line was one a fix was about): the comments must tell.
    from musicplan.write import fix as fixing

    real = fixing.apply
    monkeypatch.setattr(fixing, "apply", lambda text, edits: real(text, edits).replace("title: x", "# title: x"))
    with pytest.raises(fixing.FixChangedMeaning, match="the comments changed"):
        fixing.fix_text("tittle: x\n[V] 0:10\nla\n")

