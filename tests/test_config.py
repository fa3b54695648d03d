"""Settings in pyproject.toml's [tool.musicplan] or a musicplan.toml: found as
ruff finds its own, overridden by the command line, refused with file and line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from musicplan.cli import main

DENSE = "model: music_v1\n[Rap] 0:03\n+ rap\none two three four five six seven eight nine ten eleven twelve thirteen\n"
SHORT = "model: music_v1\nbpm: 120\n[A] 0:20\n+ a\n[B] 0:20\n+ b\n[C] 0:03\n+ c\n"


def codes(capsys) -> list[str]:
    return [d["code"] for d in json.loads(capsys.readouterr().out)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "songs" / "raps").mkdir(parents=True)
    (tmp_path / "songs" / "raps" / "dense.song").write_text(DENSE, encoding="utf-8")
    (tmp_path / "songs" / "short.song").write_text(SHORT, encoding="utf-8")
    return tmp_path


def test_pyproject_settings_take_effect_from_any_working_folder(project, capsys, monkeypatch):
    assert main(["check", "--format", "json", str(project / "songs")]) == 0
    assert codes(capsys) == ["W101"]
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.musicplan]\nenable = ["W104"]\n\n'
        '[tool.musicplan.per-file-ignores]\n"**/raps/*.song" = ["W101"]\n', encoding="utf-8")
    for cwd in (project, project / "songs" / "raps", Path("/")):
        monkeypatch.chdir(cwd)
        main(["check", "--format", "json", str(project / "songs")])
        assert codes(capsys) == ["W104"], cwd


def test_a_musicplan_toml_and_its_precedence(project, capsys):
    (project / "pyproject.toml").write_text('[tool.musicplan]\nignore = ["W101"]\n', encoding="utf-8")
    (project / "songs" / "musicplan.toml").write_text('strict = true\n', encoding="utf-8")
    # The nearest file wins, whole: songs/musicplan.toml (strict, no ignore) governs songs/.
    assert main(["check", str(project / "songs" / "raps" / "dense.song")]) == 1
    assert "W101" in capsys.readouterr().out
    # A pyproject.toml without [tool.musicplan] does not count.
    (project / "songs" / "raps" / "pyproject.toml").write_text('[project]\nname = "y"\n', encoding="utf-8")
    assert main(["check", str(project / "songs" / "raps" / "dense.song")]) == 1


def test_the_command_line_overrides_the_file(project, capsys):
    (project / "musicplan.toml").write_text('ignore = ["W101"]\nenable = ["W104"]\nstrict = true\n',
                                            encoding="utf-8")
    songs = str(project / "songs")
    assert main(["check", "--format", "json", songs]) == 1  # strict, and W104 is enabled
    assert codes(capsys) == ["W104"]
    assert main(["check", "--format", "json", "--no-strict", "--enable", "W101", "--ignore", "W104", songs]) == 0
    assert codes(capsys) == ["W101"]
    assert main(["check", "--format", "json", "--no-config", songs]) == 0
    assert codes(capsys) == ["W101"]


def test_config_names_a_settings_file_for_every_file(project, tmp_path_factory, capsys):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "musicplan.toml"
    elsewhere.write_text('ignore = ["W101"]\n', encoding="utf-8")
    assert main(["check", "--format", "json", "--config", str(elsewhere), str(project / "songs")]) == 0
    assert codes(capsys) == []


def test_model_is_the_default_for_compile(project, capsys):
    song = project / "plain.song"
    song.write_text("[A] 0:10\n+ pads\n", encoding="utf-8")
    (project / "musicplan.toml").write_text('model = "music_v2"\n', encoding="utf-8")
    assert main(["compile", str(song)]) == 0
    assert json.loads(capsys.readouterr().out)["model_id"] == "music_v2"
    assert main(["compile", "--model", "music_v1", str(song)]) == 0
    assert json.loads(capsys.readouterr().out)["model_id"] == "music_v1"


def test_exclude_is_skipped_by_folder_walks_not_by_named_files(project, capsys):
    (project / "musicplan.toml").write_text('exclude = ["raps"]\n', encoding="utf-8")
    assert main(["check", str(project / "songs")]) == 0
    assert "checked 1 file: no problems" in capsys.readouterr().out
    (project / "musicplan.toml").write_text('exclude = ["songs/*.song"]\n', encoding="utf-8")
    main(["check", "--format", "json", str(project / "songs")])
    assert codes(capsys) == ["W101"]
    assert main(["check", "--format", "json", str(project / "songs" / "short.song")]) == 0
    assert capsys.readouterr().out.strip() == "[]"


@pytest.mark.parametrize("text,line,column,message", [
    ('[tool.musicplan]\nignor = ["W101"]\n', 2, 1, "unknown key `ignor` in [tool.musicplan] (did you mean `ignore`?)"),
    ('[project]\nname = "x"\n\n[tool.musicplan]\nstrict = true\nignore = [\n  "W101",\n  "W999",\n]\n', 8, 3,
     "`ignore`: unknown code `W999`: did you mean W900"),
    ('[tool.musicplan]\nenable = ["E302"]\n', 2, 11, "`enable`: E302 (number without a unit) is an error"),
    ('[tool.musicplan]\nstrict = "yes"\n', 2, 1, "`strict` is true or false"),
    ('[tool.musicplan]\nmodel = "music_v3"\n', 2, 1, "unknown model `music_v3`"),
    ('[tool.musicplan]\nexclude = "drafts"\n', 2, 1, "`exclude` is a list of strings"),
    ('[tool.musicplan.per-file-ignores]\n"a.song" = ["W101"]\n"b.song" = ["BANANA"]\n', 3, 13,
     "`b.song`: unknown code `BANANA`"),
    ('[tool.musicplan]\nignore = ["W101"\n', 3, 1, "not valid TOML"),
])
def test_bad_settings_are_a_usage_error_naming_file_and_line(tmp_path, capsys, text, line, column, message):
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    song = tmp_path / "s.song"
    song.write_text("[A] 0:10\n+ x\n", encoding="utf-8")
    assert main(["check", str(song)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"musicplan: {tmp_path / 'pyproject.toml'}:{line}:{column}: {message}"), err


def test_an_unknown_key_in_a_musicplan_toml(tmp_path, capsys):
    (tmp_path / "musicplan.toml").write_text('# settings\nstrict = true\nper_file_ignores = {}\n', encoding="utf-8")
    song = tmp_path / "s.song"
    song.write_text("[A] 0:10\n+ x\n", encoding="utf-8")
    assert main(["compile", str(song)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'musicplan.toml'}:3:1: unknown key `per_file_ignores`" in err
    assert "did you mean `per-file-ignores`?" in err


def test_standard_input_takes_the_working_folders_settings(tmp_path):
    (tmp_path / "musicplan.toml").write_text('ignore = ["W101"]\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    result = subprocess.run([sys.executable, "-m", "musicplan", "check", "--format", "json", "-"], input=DENSE,
                            text=True, capture_output=True, cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 0 and json.loads(result.stdout) == []


def test_check_imports_tomllib_only_when_there_is_a_settings_file(tmp_path):
    song = tmp_path / "s.song"
    song.write_text("model: music_v1\n[A] 0:10\n+ x\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "not ours"\n', encoding="utf-8")
    probe = ("import sys; from musicplan.cli import main; main(['check', sys.argv[1]]); "
             "print('TOML' if 'tomllib' in sys.modules or 'tomli' in sys.modules else 'NONE')")
    lean = subprocess.run([sys.executable, "-c", probe, str(song)], capture_output=True, text=True, timeout=60)
    assert lean.stdout.strip().endswith("NONE"), lean.stdout + lean.stderr
    (tmp_path / "musicplan.toml").write_text("strict = false\n", encoding="utf-8")
    read = subprocess.run([sys.executable, "-c", probe, str(song)], capture_output=True, text=True, timeout=60)
    assert read.stdout.strip().endswith("TOML"), read.stdout + read.stderr


@pytest.mark.parametrize("pattern,path,expected", [
    ("drafts", "songs/drafts/a.song", True),
    ("drafts", "songs/drafts", True),
    ("*.wip.song", "deep/x/a.wip.song", True),
    ("songs/*.song", "songs/a.song", True),
    ("songs/*.song", "songs/raps/a.song", False),  # `*` stays within a folder
    ("songs/**/*.song", "songs/raps/a.song", True),
    ("songs/**/*.song", "songs/a.song", True),
    ("**/raps/*.song", "x/y/raps/a.song", True),
    ("./songs/a.song", "songs/a.song", True),
    ("songs/a.song", "other/songs/a.song", False),
])
def test_globs_are_relative_to_the_settings_file(tmp_path, pattern, path, expected):
    from musicplan.cli.config import matches

    assert matches(pattern, tmp_path / path, tmp_path) is expected
    assert matches(pattern, tmp_path.parent / "elsewhere" / path, tmp_path) is False


@pytest.mark.parametrize("tool", ["tool = 1", 'tool = "x"', "[tool]\nmusicplan = 3"])
def test_a_tool_that_is_not_a_table_is_a_settings_error_not_a_traceback(tmp_path, capsys, tool):
    (tmp_path / "pyproject.toml").write_text(tool + "\n# tool.musicplan\n", encoding="utf-8")
    song = tmp_path / "a.song"
    song.write_text("model: music_v1\n[A] 0:10\nla la\n", encoding="utf-8")
    code = main(["check", "--config", str(tmp_path / "pyproject.toml"), str(song)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code in (0, 2)
    if tool.endswith("= 3"):
        assert code == 2 and "pyproject.toml:" in err and "not a table" in err
