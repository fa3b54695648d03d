"""The command line people know from ruff and black: codes checked, folder
walks that skip what they should, JSON taken wherever a song is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import musicplan
from musicplan.cli import main

SONG = "model: music_v2_5\ntitle: Plan\n+ synthwave\n\n[Intro] 0:10\n+ pads\n\n[Verse] 20s\nla la la\n"


def _plans(tmp_path: Path) -> dict[str, Path]:
    """The same song as a request body, a bare plan, and a music_v1 body and plan."""
    v2 = musicplan.loads(SONG)
    v1 = musicplan.loads(SONG.replace("music_v2_5", "music_v1"))
    out = {}
    for name, value in (("body", v2.to_body()), ("chunk-plan", v2.to_plan()),
                        ("v1-body", v1.to_body()), ("v1-plan", v1.to_plan())):
        out[name] = tmp_path / f"{name}.json"
        out[name].write_text(json.dumps(value, indent=2), encoding="utf-8")
    return out


# ---------------------------------------------------------------- silencing

@pytest.mark.parametrize("flag,code,expected", [
    ("--ignore", "BANANA", "unknown code `BANANA`"),
    ("--ignore", "W999", "did you mean W900"),
    ("--ignore", "W1O1", "did you mean W101"),
    ("--ignore", "E302", "E302 (number without a unit) is an error: only warnings"),
    ("--enable", "W109,W104", "unknown code `W109`"),
])
def test_unknown_or_error_codes_are_usage_errors(tmp_path, capsys, flag, code, expected):
    path = tmp_path / "s.song"
    path.write_text(SONG, encoding="utf-8")
    for command in (["check"], ["compile"], ["show"]):
        assert main([*command, flag, code, str(path)]) == 2
        err = capsys.readouterr().err
        assert expected in err and err.startswith(f"musicplan: {flag} ")


def test_known_codes_in_any_case_are_taken(tmp_path, capsys):
    path = tmp_path / "s.song"
    path.write_text("model: music_v1\n- no drums\n[A] 0:10\n+ x\n", encoding="utf-8")
    assert main(["check", "--strict", "--ignore", "w106", str(path)]) == 0
    assert main(["check", "--strict", str(path)]) == 1


# ---------------------------------------------------------------- folder walks

def test_folder_walks_skip_hidden_folders_node_modules_and_virtual_environments(tmp_path, capsys):
    good = "model: music_v1\n[A] 0:10\n+ x\n"
    bad = "[A] 20\n"
    (tmp_path / "songs" / "deep").mkdir(parents=True)
    (tmp_path / "songs" / "deep" / "one.song").write_text(good, encoding="utf-8")
    (tmp_path / "two.song").write_text(good, encoding="utf-8")
    for skipped in (".git", ".cache", "node_modules/pkg", "venv/lib", "songs/.hidden"):
        (tmp_path / skipped).mkdir(parents=True)
        (tmp_path / skipped / "bad.song").write_text(bad, encoding="utf-8")
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip().endswith("checked 2 files: no problems")
    # A skipped folder named on the command line is still walked.
    assert main(["check", str(tmp_path / "node_modules")]) == 1
    assert "checked 1 file: 1 error" in capsys.readouterr().out


def test_a_venv_is_recognised_by_its_pyvenv_cfg_not_its_name(tmp_path, capsys):
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "a.song").write_text("[A] 0:10\n+ x\n", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 0
    assert "checked 1 file" in capsys.readouterr().out


# ---------------------------------------------------------------- JSON everywhere

def test_compile_takes_bodies_and_plans_of_either_shape(tmp_path, capsys):
    plans = _plans(tmp_path)
    for name, path in plans.items():
        assert main(["compile", str(path)]) == 0, capsys.readouterr().err
        compiled = json.loads(capsys.readouterr().out)
        expected = musicplan.loads(SONG if "v1" not in name else SONG.replace("music_v2_5", "music_v1"))
        if name == "chunk-plan":  # a bare chunk plan does not say which chunk model it is for
            assert compiled == {**expected.to_body(), "model_id": "music_v2"}
        else:
            assert compiled == expected.to_body(), name


def test_compile_reports_json_mistakes_at_their_json_position(tmp_path, capsys):
    path = tmp_path / "plan.json"
    plan = musicplan.loads(SONG.replace("music_v2_5", "music_v1")).to_plan()
    plan["sections"][1]["duration_ms"] = 200000
    text = json.dumps(plan, indent=2)
    path.write_text(text, encoding="utf-8")
    assert main(["compile", str(path)]) == 1
    err = capsys.readouterr().err
    line = next(n for n, row in enumerate(text.split("\n"), 1) if "200000" in row)
    assert f"{path}:{line}:" in err and "error[E403]" in err
    assert "lyrics belong in a section" not in err


def test_compile_will_not_write_over_its_own_input(tmp_path, capsys):
    plans = _plans(tmp_path)
    before = plans["body"].read_text(encoding="utf-8")
    assert main(["compile", str(plans["body"]), "--out-dir", str(tmp_path)]) == 2
    assert "would replace" in capsys.readouterr().err
    assert main(["compile", str(plans["body"]), "-o", str(plans["body"])]) == 2
    assert plans["body"].read_text(encoding="utf-8") == before


def test_show_takes_a_plan(tmp_path, capsys):
    plans = _plans(tmp_path)
    assert main(["show", str(plans["v1-plan"])]) == 0
    out = capsys.readouterr().out
    assert "Intro" in out and "Verse" in out


def test_load_loads_and_check_take_json(tmp_path):
    plans = _plans(tmp_path)
    for path in plans.values():
        song = musicplan.load(path)
        assert musicplan.loads(path.read_text(encoding="utf-8")).to_body() == song.to_body()
        assert [d for d in musicplan.check(path.read_text(encoding="utf-8")) if d.is_error] == []
    broken = json.loads(plans["v1-plan"].read_text(encoding="utf-8"))
    broken["sections"][0]["duration_ms"] = "ten seconds"
    with pytest.raises(musicplan.SongError) as caught:
        musicplan.loads(json.dumps(broken, indent=2))
    assert [d.code for d in caught.value.errors] == ["E500"]
    assert caught.value.errors[0].span.line > 1


def test_render_sends_a_json_plan(tmp_path, music_server, capsys):
    plans = _plans(tmp_path)
    out = tmp_path / "take.mp3"
    code = main(["render", str(plans["v1-plan"]), "-o", str(out), "--api-key", "test-key",
                 "--base-url", music_server.url])
    assert code == 0, capsys.readouterr().err
    assert out.stat().st_size > 0
    assert music_server.requests[-1].body["composition_plan"] == json.loads(
        plans["v1-plan"].read_text(encoding="utf-8"))
