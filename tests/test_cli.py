"""The `musicplan` command: formats, exit codes, outputs that are all or nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from musicplan.cli import main, report

# Each states its model, so that the deprecation warning (W007) is not what they test.
GOOD = "model: music_v1\n[Verse] 0:10\nla la\n"
BAD = "model: music_v1\n[Verse] 20\nla la\n"
WARN = "model: music_v1\n+ drums, drums\n[Verse] 0:10\n"


@pytest.fixture
def songs(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("good", GOOD), ("bad", BAD), ("warn", WARN)):
        out[name] = tmp_path / f"{name}.song"
        out[name].write_text(text, encoding="utf-8")
    return out


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([sys.executable, "-m", "musicplan", *args], input=stdin, text=True,
                          capture_output=True, cwd=cwd, env=env, timeout=60)


def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("musicplan ")


def test_check_text_format(songs, capsys):
    assert main(["check", str(songs["bad"])]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"{songs['bad']}:2:9: error[E302] `20` has no unit"
    assert lines[2] == "2 | [Verse] 20"
    assert lines[3] == "  |         ^^"
    assert lines[4].startswith("  = hint: write `20s`")
    assert lines[-1] == "checked 1 file: 1 error, 0 warnings"


def test_check_json_format(songs, capsys):
    assert main(["check", "--format", "json", str(songs["bad"]), str(songs["good"])]) == 1
    found = json.loads(capsys.readouterr().out)
    assert found == [{"path": str(songs["bad"]), "line": 2, "column": 9, "end_line": 2,
                      "end_column": 11, "severity": "error", "code": "E302",
                      "message": "`20` has no unit", "hint": found[0]["hint"]}]
    assert "20s" in found[0]["hint"]


def test_check_json_is_an_empty_array_when_clean(songs, capsys):
    assert main(["check", "--format", "json", str(songs["good"])]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_check_github_format(songs, capsys):
    assert main(["check", "--format", "github", str(songs["bad"]), str(songs["warn"])]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"::error file={songs['bad']},line=2,col=9,title=E302::`20` has no unit"
    assert out[1].startswith(f"::warning file={songs['warn']},line=2,col=10,title=W001::style")


def test_warnings_pass_unless_strict(songs, capsys):
    assert main(["check", str(songs["warn"])]) == 0
    assert "warning[W001]" in capsys.readouterr().out
    assert main(["check", "--strict", str(songs["warn"])]) == 1


def test_unreadable_file_exits_2_and_others_are_still_checked(songs, tmp_path, capsys):
    code = main(["check", str(tmp_path / "missing.song"), str(songs["bad"])])
    captured = capsys.readouterr()
    assert code == 2
    assert "cannot read" in captured.err and "missing.song" in captured.err
    assert "E302" in captured.out


def test_usage_errors_exit_2(songs):
    assert run().returncode == 2
    assert run("check").returncode == 2
    assert run("check", "--format", "xml", str(songs["good"])).returncode == 2
    result = run("compile", str(songs["good"]), str(songs["good"]))
    assert result.returncode == 2 and "--out-dir" in result.stderr


def test_directories_are_searched_for_songs(songs, capsys):
    assert main(["check", str(songs["good"].parent)]) == 1
    assert "checked 3 files" in capsys.readouterr().out


def test_stdin(songs):
    result = run("check", "-", stdin=BAD)
    assert result.returncode == 1 and result.stdout.startswith("<stdin>:2:9: error[E302]")
    result = run("compile", "-", stdin=GOOD)
    assert result.returncode == 0
    assert json.loads(result.stdout)["composition_plan"]["sections"][0]["lines"] == ["la la"]


def test_compile_to_stdout_and_to_a_file(songs, tmp_path, capsys):
    assert main(["compile", str(songs["good"])]) == 0
    printed = capsys.readouterr().out
    out = tmp_path / "out.json"
    assert main(["compile", str(songs["good"]), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == printed
    assert main(["compile", "--plan", str(songs["good"])]) == 0
    assert list(json.loads(capsys.readouterr().out)) == ["positive_global_styles",
                                                         "negative_global_styles", "sections"]


def test_compile_with_errors_writes_nothing_and_keeps_old_output(songs, tmp_path, capsys):
    out = tmp_path / "out.json"
    out.write_text("precious", encoding="utf-8")
    assert main(["compile", str(songs["bad"]), "-o", str(out)]) == 1
    assert out.read_text(encoding="utf-8") == "precious"
    captured = capsys.readouterr()
    assert captured.out == "" and "E302" in captured.err


def test_compile_many_to_out_dir_is_all_or_nothing(songs, tmp_path):
    out_dir = tmp_path / "built"
    assert main(["compile", str(songs["good"]), str(songs["warn"]), "--out-dir", str(out_dir)]) == 0
    assert sorted(p.name for p in out_dir.iterdir()) == ["good.json", "warn.json"]
    fresh = tmp_path / "fresh"
    assert main(["compile", str(songs["good"]), str(songs["bad"]), "--out-dir", str(fresh)]) == 1
    assert not fresh.exists() or list(fresh.iterdir()) == []


def test_compile_leaves_no_temporary_files(songs, tmp_path):
    out = tmp_path / "o" / "x.json"
    out.parent.mkdir()
    assert main(["compile", str(songs["good"]), "-o", str(out)]) == 0
    assert [p.name for p in out.parent.iterdir()] == ["x.json"]


def test_compile_model_override(songs, capsys):
    assert main(["compile", "--model", "music_v2", str(songs["good"])]) == 0
    assert json.loads(capsys.readouterr().out)["composition_plan"]["chunks"][0]["text"] == "[Verse]\nla la"


def test_prompt_song_has_no_plan_to_print(tmp_path, capsys):
    path = tmp_path / "p.song"
    path.write_text("prompt: hi\n", encoding="utf-8")
    assert main(["compile", "--plan", str(path)]) == 2


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert report.use_colour(Tty()) is True
    assert report.use_colour(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert report.use_colour(Tty()) is False


def test_no_colour_codes_in_piped_output(songs):
    result = run("check", str(songs["bad"]))
    assert "\x1b[" not in result.stdout


def test_many_files_in_one_process(tmp_path, capsys):
    paths = []
    for i in range(300):
        path = tmp_path / f"s{i}.song"
        path.write_text(GOOD if i % 3 else BAD, encoding="utf-8")
        paths.append(str(path))
    assert main(["check", "--format", "json", *paths]) == 1
    assert len(json.loads(capsys.readouterr().out)) == 100


def _imported(commands: list[list[str]], modules: tuple[str, ...], cwd) -> str:
    """What a fresh interpreter says it holds of ``modules`` after ``main`` ran each of ``commands``."""
    probe = ("import sys\nfrom musicplan.cli import main\n" + "".join(f"main({command!r})\n" for command in commands)
             + f"sys.stderr.write(repr(sorted(m for m in {modules!r} if m in sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stderr.strip()


def test_check_and_compile_import_neither_httpx_nor_jsonschema_nor_pygls(songs, tmp_path):
    commands = [["check", str(songs["good"])], ["compile", str(songs["good"]), "-o", str(tmp_path / "x.json")]]
    heavy = ("httpx", "jsonschema", "pydantic", "pygls", "lsprotocol", "cattrs")
    assert _imported(commands, heavy, tmp_path).endswith("[]")


def test_check_imports_nothing_it_does_not_use(songs, tmp_path):
    """What `check` once imported on every run and no longer needs: typing (kept
    for type checkers), pathlib (with urllib.parse and ipaddress), shutil (with
    lzma and bz2, for argparse's terminal width), statistics (for an off-by-default
    lint), json (text output), threading, dataclasses, inspect and contextlib."""
    unused = ("typing", "pathlib", "shutil", "statistics", "json", "threading", "dataclasses", "inspect", "contextlib")
    assert _imported([["check", str(songs["good"])]], unused, tmp_path).endswith("[]")


def test_no_traceback_on_hostile_input(tmp_path):
    path = tmp_path / "weird.song"
    path.write_bytes(b"\x00\xff[\\\n@\n+\"\n\r\r\n:::\n[\xe2\x82]")
    result = run("check", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr


def test_many_files_across_processes_give_what_one_process_gives(tmp_path, capsys):
    paths = []
    for i in range(240):
        path = tmp_path / f"s{i:03d}.song"
        path.write_text([GOOD, BAD, WARN][i % 3].replace("la la", f"la {i}"), encoding="utf-8")
        paths.append(str(path))
    assert main(["check", "--format", "json", "--jobs", "1", *paths]) == 1
    serial = capsys.readouterr().out
    assert main(["check", "--format", "json", "--jobs", "3", *paths]) == 1
    assert capsys.readouterr().out == serial
    assert len(json.loads(serial)) == 80 * 1 + 80 * 2  # bad: E302; warn: W001 and W103


@pytest.mark.parametrize("command", [
    ["compile", "{empty}"], ["compile", "{empty}", "--out-dir", "{tmp}/out"], ["show", "{empty}"],
    ["decompile", "{empty}"], ["render", "{empty}", "--api-key", "k"], ["fmt", "{empty}"],
    ["check", "{empty}"], ["compile", "{tmp}/nope.song"], ["fmt", "{tmp}/nope.song"],
    ["plan", "x", "--length", "-1"], ["show"], ["compile", "--model", "music_v9", "x"],
])
def test_awkward_invocations_get_a_message_not_a_traceback(tmp_path, command):
    (tmp_path / "empty").mkdir()
    args = [part.format(empty=tmp_path / "empty", tmp=tmp_path) for part in command]
    result = run(*args)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode in (0, 2)
