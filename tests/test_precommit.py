"""A real pre-commit run, with this repository as the hook source."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a real pre-commit run: it installs a hook environment

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"

BAD = "title: Bad\n[Verse] 20\nla la\n"
UNTIDY = "TITLE: Untidy\n[Verse]   0:10\nla la\n"
TIDY = "title: Untidy\n\n[Verse] 0:10\nla la\n"
GOOD = "title: Good\n\n[Verse] 0:10\nla la\n"
# Untidy, with a warning (W103, an empty section) that only the check hook may print.
UNTIDY_WARNED = "TITLE: Warned\n[Verse]   0:10\nla la\n[Empty] 0:10\n"
FIXABLE = "tittle: Fixable\n\n[Verse] 20 sec\nla la\n"
FIXED = "title: Fixable\n\n[Verse] 20s\nla la\n"


def git(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check, timeout=600)


def _head() -> str:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("pre-commit clones the hook repository: this needs the git checkout of musicplan")
    if git("ls-files", "--error-unmatch", ".pre-commit-hooks.yaml", cwd=ROOT, check=False).returncode:
        pytest.skip(".pre-commit-hooks.yaml is not committed yet")
    return git("rev-parse", "HEAD", cwd=ROOT).stdout.strip()


def test_pre_commit_blocks_bad_songs_and_formats_untidy_ones(tmp_path):
    rev = _head()
    assert PRE_COMMIT.exists(), "pre-commit is in the test extras"
    repo = tmp_path / "songs"
    repo.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    git("init", "-q", "-b", "main", cwd=repo)
    git("config", "user.email", "test@example.invalid", cwd=repo)
    git("config", "user.name", "Test", cwd=repo)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {ROOT}\n  rev: {rev}\n  hooks:\n  - id: musicplan-check\n  - id: musicplan-fmt\n"
        "  - id: musicplan-fix\n",
        encoding="utf-8")
    subprocess.run([str(PRE_COMMIT), "install"], cwd=repo, env=env, check=True, capture_output=True)

    def commit(name: str, text: str | None = None) -> subprocess.CompletedProcess:
        if text is not None:
            (repo / name).write_text(text, encoding="utf-8")
        git("add", name, ".pre-commit-config.yaml", cwd=repo)
        return subprocess.run(["git", "commit", "-m", f"add {name}"], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=900)

    blocked = commit("bad.song", BAD)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "bad.song:2:9: error[E302] `20` has no unit" in output
    git("rm", "-q", "--cached", "bad.song", cwd=repo)
    (repo / "bad.song").unlink()

    rewritten = commit("untidy.song", UNTIDY)
    assert rewritten.returncode != 0, rewritten.stdout + rewritten.stderr
    assert "files were modified by this hook" in rewritten.stdout + rewritten.stderr
    assert (repo / "untidy.song").read_text(encoding="utf-8") == TIDY
    assert commit("untidy.song").returncode == 0

    passed = commit("good.song", GOOD)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "musicplan check" in passed.stdout + passed.stderr and "Passed" in passed.stdout + passed.stderr

    # The fmt hook says what it rewrote, not the warnings (those are the check hook's).
    warned = commit("warned.song", UNTIDY_WARNED)
    output = warned.stdout + warned.stderr
    assert warned.returncode != 0 and "reformatted warned.song" in output, output
    assert "W103" not in output, output
    assert commit("warned.song").returncode == 0

    # The fix hook makes the certain fixes, and the commit stops so they can be looked at.
    fixing = commit("fixable.song", FIXABLE)
    output = fixing.stdout + fixing.stderr
    assert fixing.returncode != 0, output
    assert "fixed[E200] unknown field `tittle`: wrote `title`" in output
    assert (repo / "fixable.song").read_text(encoding="utf-8") == FIXED
    assert commit("fixable.song").returncode == 0
