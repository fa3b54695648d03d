"""Small promises of the command line: counts that tell the truth, numbers that make sense."""

from __future__ import annotations

import pytest

from musicplan.cli import main


def test_the_summary_counts_files_that_could_not_be_read(tmp_path, capsys):
    good = tmp_path / "good.song"
    good.write_text("model: music_v1\n[A] 0:10\nla la\n", encoding="utf-8")
    assert main(["check", str(tmp_path / "nope.song"), str(good)]) == 2
    out = capsys.readouterr().out
    assert "checked 1 file: no problems; 1 file could not be read" in out


@pytest.mark.parametrize("command", [["check"], ["render", "--dry-run"]])
@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_must_be_a_whole_number_of_one_or_more(tmp_path, capsys, command, jobs):
    song = tmp_path / "a.song"
    song.write_text("model: music_v1\n[A] 0:10\nla la\n", encoding="utf-8")
    assert main([*command, "--jobs", jobs, str(song)]) == 2
    assert "1 or more" in capsys.readouterr().err


def test_diff_alone_shows_the_fixes_and_writes_nothing(tmp_path, capsys):
    song = tmp_path / "a.song"
    song.write_text("model: music_v1\ntittle: x\n[A] 0:10\nla la\n", encoding="utf-8")
    assert main(["check", "--diff", str(song)]) == 1
    assert "+title: x" in capsys.readouterr().out
    assert "tittle" in song.read_text(encoding="utf-8")


def test_the_stand_in_runs_from_the_command_line_for_render_to_try(tmp_path):
    import re
    import signal
    import subprocess
    import sys

    server = subprocess.Popen([sys.executable, "-m", "musicplan.testing"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = re.search(r"http://127\.0\.0\.1:\d+", server.stdout.readline())
        assert url is not None
        song = tmp_path / "a.song"
        song.write_text("model: music_v2_5\n[A] 0:10\nla la\n", encoding="utf-8")
        assert main(["render", str(song), "--base-url", url.group(0), "--api-key", "test-key"]) == 0
        assert any(path.suffix == ".mp3" for path in tmp_path.iterdir())
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=10) == 0


def test_decompile_does_not_replace_a_song_without_force(tmp_path, capsys):
    plan = tmp_path / "p.json"
    plan.write_text('{"prompt": "calm piano", "model_id": "music_v2_5", "music_length_ms": 30000}', encoding="utf-8")
    song = tmp_path / "mine.song"
    song.write_text("# my notes\nprompt: something else\n", encoding="utf-8")
    assert main(["decompile", str(plan), "-o", str(song)]) == 2
    assert "use --force" in capsys.readouterr().err
    assert song.read_text(encoding="utf-8") == "# my notes\nprompt: something else\n"
    assert main(["decompile", str(plan), "-o", str(song), "--force"]) == 0
    assert "calm piano" in song.read_text(encoding="utf-8")


def test_decompile_of_a_bare_chunk_plan_takes_the_model_asked_for(tmp_path, capsys):
    import musicplan

    song = "model: music_v2_5\n[A] 0:10\nla la\n[B] 0:10\nlo lo\n"
    plan = musicplan.loads(song).to_json(plan=True)
    assert "model: music_v2\n" in musicplan.decompile(plan)  # a chunk plan does not say which v2 model
    assert "model: music_v2_5\n" in musicplan.decompile(plan, model="music_v2_5")
    path = tmp_path / "p.json"
    path.write_text(plan, encoding="utf-8")
    assert main(["decompile", str(path), "--model", "music_v2_5"]) == 0
    assert "model: music_v2_5\n" in capsys.readouterr().out


def test_the_command_table_names_each_command_with_the_family_that_registers_it():
    import argparse
    from importlib import import_module

    from musicplan.cli import COMMANDS

    for family in set(COMMANDS.values()):
        sub = argparse.ArgumentParser().add_subparsers()
        import_module(f"musicplan.cli.{family}").register(sub)
        assert {name for name, module in COMMANDS.items() if module == family} == set(sub.choices), family


def test_check_loads_no_other_family_of_commands(tmp_path):
    import subprocess
    import sys

    song = tmp_path / "a.song"
    song.write_text("model: music_v1\n[A] 0:10\nla la\n", encoding="utf-8")
    probe = ("import sys\nfrom musicplan.cli import main\ncode = main(['check', sys.argv[1]])\n"
             "print(sorted(m for m in sys.modules if m.startswith('musicplan.cli.')))\n")
    done = subprocess.run([sys.executable, "-c", probe, str(song)], capture_output=True, text=True, check=True)
    loaded = done.stdout.strip().splitlines()[-1]
    for family in ("render", "upload", "importing", "lyrics", "lsp", "formatting", "show"):
        assert f"'musicplan.cli.{family}'" not in loaded, loaded
    assert "'musicplan.cli.songs'" in loaded


def test_help_and_a_misspelt_command_still_list_every_command(capsys):
    assert main(["--help"]) == 0
    shown = capsys.readouterr().out
    assert all(command in shown for command in ("check", "render", "upload", "lsp", "import"))
    assert main(["chekc", "x.song"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_decompile_refuses_a_field_of_nothing_but_whitespace():
    import pytest

    import musicplan

    body = '{"prompt": "calm piano", "model_id": "music_v2_5", "finetune_id": "   "}'
    with pytest.raises(musicplan.SongError) as found:
        musicplan.decompile(body)
    assert "E507" in {d.code for d in found.value.diagnostics}
