"""`fmt --check` and `fmt --diff` honour their flag on standard input, and every
diff applies with `git apply` (tested with git itself, in a scratch repository)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys

import pytest

from musicplan.cli import main

TIDY = "title: T\n\n[V] 0:10\n+ x\nla la\n"
UNTIDY = "TITLE :  T\n[V]   0:10\n+   x\nla la   \n"


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))


@pytest.mark.parametrize("flag", ["--check", "--diff"])
def test_an_untidy_song_on_standard_input_fails_the_flag(flag, monkeypatch, capsys):
    _stdin(monkeypatch, UNTIDY)
    assert main(["fmt", flag, "-"]) == 1
    out = capsys.readouterr().out
    assert "la la" not in out or flag == "--diff"  # --check names the input, it does not print the song
    if flag == "--diff":
        assert out.startswith("--- a/<stdin>\n+++ b/<stdin>\n") and "\n-la la   \n" in out and "\n+la la\n" in out


@pytest.mark.parametrize("flag", ["--check", "--diff"])
def test_a_tidy_song_on_standard_input_passes_quietly(flag, monkeypatch, capsys):
    _stdin(monkeypatch, TIDY)
    assert main(["fmt", flag, "-"]) == 0
    assert capsys.readouterr().out == ""


def test_plain_fmt_on_standard_input_still_prints_the_song(monkeypatch, capsys):
    _stdin(monkeypatch, UNTIDY)
    assert main(["fmt", "-"]) == 0
    assert capsys.readouterr().out == "title: T\n\n[V] 0:10\n+ x\nla la\n"


GIT = shutil.which("git")
CASES = {
    "a change near the end": "title: T\n\n[A] 0:10\n+ a\nla\n[B] 0:10\n+ b\nlast line   \n",
    "a change at the very end, no final newline": "title: T\n\n[A] 0:10\n+ a\nla   ",
    "no final newline, change at the start": "TITLE: T\n\n[A] 0:10\n+ a\nla",
    "only the final newline missing": "title: T\n\n[A] 0:10\n+ a\nla",
    "changes everywhere": "TITLE:T\n+a,b\n[A]   0:10\n+ a\n\n\n\nla\n[B] 0:10\n+ b\n  lb  \n",
    "crlf line ends": "TITLE: T\r\n\r\n[A] 0:10\r\n+ a\r\nla  \r\n",
    "a blank line at the end": "title: T\n\n[A] 0:10\n+ a\nla\n\n\n",
}


@pytest.mark.skipif(GIT is None, reason="git is not installed")
@pytest.mark.parametrize("name", list(CASES))
def test_every_diff_applies_with_git(name, tmp_path, monkeypatch, capsys):
    repo = tmp_path / "repo"
    (repo / "songs").mkdir(parents=True)
    git = [GIT, "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True)
    song = repo / "songs" / "s.song"
    song.write_bytes(CASES[name].encode("utf-8"))
    monkeypatch.chdir(repo)
    assert main(["fmt", "--diff", "songs/s.song"]) == 1
    patch = capsys.readouterr().out
    (tmp_path / "fmt.patch").write_text(patch, encoding="utf-8", newline="")
    subprocess.run([*git, "apply", "--check", str(tmp_path / "fmt.patch")], check=True, capture_output=True)
    subprocess.run([*git, "apply", str(tmp_path / "fmt.patch")], check=True, capture_output=True)
    # The patched file is what `fmt` writes.
    patched = song.read_bytes()
    song.write_bytes(CASES[name].encode("utf-8"))
    assert main(["fmt", "songs/s.song"]) == 0
    assert song.read_bytes() == patched


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_check_fix_diff_applies_with_git_too(tmp_path, monkeypatch, capsys):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run([GIT, "-C", str(repo), "init", "-q"], check=True)
    song = repo / "s.song"
    song.write_text("title: T\n[A] 0:10\n+ a\nla\n[B] 20 sec\n+ b", encoding="utf-8")  # a fix on the last lines
    monkeypatch.chdir(repo)
    assert main(["check", "--fix", "--diff", "s.song"]) == 1
    (tmp_path / "fix.patch").write_text(capsys.readouterr().out, encoding="utf-8", newline="")
    subprocess.run([GIT, "-C", str(repo), "apply", str(tmp_path / "fix.patch")], check=True, capture_output=True)
    assert "[B] 20s\n" in song.read_text(encoding="utf-8")
