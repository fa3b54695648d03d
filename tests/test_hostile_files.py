"""Issue 17, files, pipes and signals: outputs that meet devices, FIFOs, links,
other owners, read-only files, full disks, their own inputs, closed pipes and
SIGTERM lose no work and print no traceback. Real files throughout (a small
tmpfs where a full disk is needed)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from musicplan.cli import main

SONG = "title: Here\n[Verse] 0:10\nla la\n"
UNTIDY = "title:   Here\n[Verse]   0:10\nla la\n"
TIDY = "title: Here\n\n[Verse] 0:10\nla la\n"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    if "stdout" not in kwargs:
        kwargs.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "musicplan", *args], timeout=60, check=False, **kwargs)


@pytest.fixture
def song(tmp_path: Path) -> Path:
    path = tmp_path / "here.song"
    path.write_text(SONG, encoding="utf-8")
    return path


@pytest.fixture
def untidy(tmp_path: Path) -> Path:
    path = tmp_path / "untidy.song"
    path.write_text(UNTIDY, encoding="utf-8")
    return path


def no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


# ---- devices, FIFOs and standard output are written to, never replaced

@pytest.mark.skipif(not IS_ROOT, reason="making a device node needs root")
def test_compile_onto_a_device_writes_to_it_and_keeps_the_device(song, tmp_path):
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    assert main(["compile", str(song), "-o", str(null)]) == 0
    assert stat.S_ISCHR(null.stat().st_mode)
    assert no_temporary_files(tmp_path)


def test_compile_onto_a_fifo_writes_into_it(song, tmp_path):
    from fifos import read_fifo

    fifo = tmp_path / "pipe"
    with read_fifo(fifo) as got:
        assert main(["compile", str(song), "-o", str(fifo)]) == 0
    assert json.loads(got[0])["composition_plan"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_fifo_nobody_reads_is_a_message_not_a_hang(song, tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["compile", str(song), "-o", str(fifo)]) == 2
    assert "FIFO that nothing reads" in capsys.readouterr().err
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_compile_to_dev_stdout_prints_the_json(song, tmp_path):
    # /dev/stdout is this link; one of our own, so that a regression cannot replace the system's.
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    result = run("compile", str(song), "-o", str(stdout))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["composition_plan"]


def test_fmt_refuses_to_replace_a_fifo_or_standard_input(untidy, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(UNTIDY, encoding="utf-8"))
    writer.start()
    result = run("fmt", str(fifo))
    writer.join(10)
    assert result.returncode == 1
    assert b"not a regular file" in result.stderr and b"Traceback" not in result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    stdin = tmp_path / "stdin"  # what /dev/stdin is
    stdin.symlink_to("/proc/self/fd/0")
    result = run("fmt", str(stdin), input=UNTIDY.encode())
    assert result.returncode == 1 and b"not a regular file" in result.stderr


# ---- fmt: an edit saved meanwhile, links, owners, read-only files

def test_fmt_refuses_when_the_file_changed_since_it_was_read(untidy, monkeypatch, capsys):
    from musicplan.write import fmt as formatter

    real = formatter.format_source
    edited = "title: Edited meanwhile\n[Verse] 0:10\n"

    def slow_format(source):
        untidy.write_text(edited, encoding="utf-8")  # the user saves while fmt runs
        return real(source)

    monkeypatch.setattr(formatter, "format_source", slow_format)
    assert main(["fmt", str(untidy)]) == 1
    assert untidy.read_text(encoding="utf-8") == edited
    err = capsys.readouterr().err
    assert "changed since musicplan read it" in err and ".tmp" not in err
    assert no_temporary_files(untidy.parent)


def test_fmt_writes_through_a_symlink(untidy, tmp_path):
    link = tmp_path / "link.song"
    link.symlink_to(untidy.name)
    assert main(["fmt", str(link)]) == 0
    assert link.is_symlink() and untidy.read_text(encoding="utf-8") == TIDY


def test_fmt_keeps_hard_links_one_file(untidy, tmp_path):
    other = tmp_path / "other.song"
    os.link(untidy, other)
    inode = untidy.stat().st_ino
    assert main(["fmt", str(untidy)]) == 0
    assert other.read_text(encoding="utf-8") == TIDY
    assert untidy.stat().st_ino == inode == other.stat().st_ino
    assert no_temporary_files(tmp_path)


@pytest.mark.skipif(not IS_ROOT, reason="giving a file to another user needs root")
def test_fmt_as_root_keeps_the_owner_and_group(untidy):
    os.chown(untidy, 4321, 4322)
    untidy.chmod(0o640)
    assert main(["fmt", str(untidy)]) == 0
    info = untidy.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (4321, 4322, 0o640)


def test_fmt_respects_a_read_only_file(untidy, capsys):
    untidy.chmod(0o444)
    assert main(["fmt", str(untidy)]) == 1
    assert untidy.read_text(encoding="utf-8") == UNTIDY
    assert "read-only" in capsys.readouterr().err


def test_compile_writes_through_a_link_even_a_dangling_one(song, tmp_path):
    link = tmp_path / "out.json"
    link.symlink_to("real.json")  # dangling
    assert main(["compile", str(song), "-o", str(link)]) == 0
    assert link.is_symlink() and json.loads((tmp_path / "real.json").read_text())["composition_plan"]
    assert main(["compile", str(song), "-o", str(link)]) == 0  # and again, over the target
    assert link.is_symlink()


# ---- the output onto the input

def test_an_output_onto_its_own_input_is_refused(song, tmp_path, capsys):
    hard = tmp_path / "hard.song"
    os.link(song, hard)
    soft = tmp_path / "soft.song"
    soft.symlink_to(song.name)
    for output in (song, hard, soft):
        assert main(["compile", str(song), "-o", str(output)]) == 2
        assert main(["show", str(song), "--svg", str(output)]) == 2
    assert song.read_text(encoding="utf-8") == SONG
    assert "would replace the input" in capsys.readouterr().err
    body = tmp_path / "body.json"
    assert main(["compile", str(song), "-o", str(body)]) == 0
    before = body.read_bytes()
    assert main(["decompile", str(body), "-o", str(body)]) == 2
    assert body.read_bytes() == before
    assert main(["compile", str(body), "--out-dir", str(tmp_path)]) == 2  # DIR/body.json is body.json
    assert body.read_bytes() == before
    assert "would replace the input" in capsys.readouterr().err


# ---- messages name the user's path; full disks

def test_a_folder_as_output_names_the_folder_not_a_temporary_file(song, tmp_path, capsys):
    folder = tmp_path / "somedir"
    folder.mkdir()
    assert main(["compile", str(song), "-o", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {folder}: it is a folder" in err and ".tmp" not in err


@pytest.fixture
def full_disk(tmp_path: Path):
    mount = tmp_path / "full"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("mounting a small tmpfs to fill needs root (CAP_SYS_ADMIN); "
                    f"this machine said: {made.stderr.decode(errors='replace').strip()}")
    try:
        with open(mount / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 1024)
            except OSError:
                pass
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_compile_and_decompile_to_a_full_disk_say_which_file(song, tmp_path, full_disk, capsys):
    target = full_disk / "out.json"
    assert main(["compile", str(song), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {target}: No space left on device" in err and "None" not in err
    body = tmp_path / "body.json"
    assert main(["compile", str(song), "-o", str(body)]) == 0
    assert main(["decompile", str(body), "-o", str(full_disk / "x.song")]) == 2
    assert f"cannot write {full_disk / 'x.song'}: No space left" in capsys.readouterr().err
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]


def test_check_onto_a_full_standard_output_is_a_message(song):
    with open("/dev/full", "wb") as full:
        result = run("check", str(song), stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert b"cannot write to standard output: No space left on device" in result.stderr
    assert b"Traceback" not in result.stderr


# ---- pipes and signals

def test_a_closed_pipe_does_not_turn_a_failure_into_success(tmp_path):
    bad = tmp_path / "bad.song"
    bad.write_text("".join(f"[V{i}] 20\n" for i in range(3000)), encoding="utf-8")  # far beyond a pipe's buffer
    process = subprocess.Popen([sys.executable, "-m", "musicplan", "check", str(bad)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    err = process.stderr.read()
    assert process.wait(60) == 1
    assert b"Traceback" not in err and b"BrokenPipe" not in err


def test_check_jobs_past_the_open_file_limit_is_capped(tmp_path):
    import resource

    for i in range(120):
        (tmp_path / f"s{i}.song").write_text(SONG, encoding="utf-8")
    (tmp_path / "bad.song").write_text("[A] 20\n", encoding="utf-8")

    def few_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (40, 40))

    result = run("check", "--jobs", "100000", str(tmp_path), preexec_fn=few_files)
    assert result.returncode == 1, result.stderr
    assert b"checked 121 files: 1 error" in result.stdout and b"Traceback" not in result.stderr


def test_sigterm_cleans_up_the_temporary_file_like_ctrl_c(song, tmp_path):
    from musicplan.remote.server import MusicTestServer

    with MusicTestServer(api_key="k", audio_size=400_000, chunk_size=1000) as server:
        server.fail("slow", delay=0.05)
        env = dict(os.environ, ELEVENLABS_API_KEY="k")
        process = subprocess.Popen([sys.executable, "-m", "musicplan", "render", str(song), "-o",
                                    str(tmp_path / "x.mp3"), "--base-url", server.url, "--endpoint", "stream"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + 30
        while no_temporary_files(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not no_temporary_files(tmp_path), "the download never started"
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here.song"]
    assert b"Traceback" not in err


def test_closed_standard_streams_are_messages(song):
    closed_out = subprocess.run(f'"{sys.executable}" -m musicplan check "{song}" >&-', shell=True,
                                capture_output=False, stderr=subprocess.PIPE, timeout=60, check=False)
    assert closed_out.returncode == 2 and b"standard output: it is closed" in closed_out.stderr
    closed_in = subprocess.run(f'"{sys.executable}" -m musicplan check - <&-', shell=True,
                               capture_output=True, timeout=60, check=False)
    assert closed_in.returncode == 2 and b"cannot read -: it is closed" in closed_in.stderr
    assert b"Traceback" not in closed_out.stderr + closed_in.stderr


def test_an_endless_input_is_refused_not_read_to_the_end(capsys):
    assert main(["check", "/dev/zero"]) == 2
    assert "too large for a song" in capsys.readouterr().err


def test_standard_input_that_is_the_output_file_is_refused(song, tmp_path):
    body = tmp_path / "body.json"
    assert main(["compile", str(song), "-o", str(body)]) == 0
    before = body.read_bytes()
    with open(body, "rb") as stdin:
        result = run("compile", "-", "-o", str(body), stdin=stdin)
    assert result.returncode == 2 and b"would replace the input" in result.stderr
    assert body.read_bytes() == before


def test_fmt_of_one_file_named_twice_formats_it_once(untidy, tmp_path, capsys):
    other = tmp_path / "other.song"
    os.link(untidy, other)
    assert main(["fmt", str(untidy), str(untidy), str(tmp_path), str(other)]) == 0
    assert untidy.read_text(encoding="utf-8") == TIDY
    assert "changed since" not in capsys.readouterr().err


def test_import_and_lyrics_refuse_to_write_onto_their_input(tmp_path, capsys):
    sheet = tmp_path / "sheet.txt"
    sheet.write_text("Hello there\nla la la\n", encoding="utf-8")
    assert main(["import", str(sheet), "-o", str(sheet), "--force"]) == 2
    assert sheet.read_text(encoding="utf-8") == "Hello there\nla la la\n"
    sidecar = tmp_path / "x.mp3.json"
    text = '{"audio_file": "x.mp3", "words_timestamps": [{"word": "la", "start_ms": 0, "end_ms": 400}]}'
    sidecar.write_text(text, encoding="utf-8")
    assert main(["lyrics", str(sidecar), "-o", str(sidecar), "--force"]) == 2
    assert sidecar.read_text(encoding="utf-8") == text
    assert capsys.readouterr().err.count("would replace the input") == 2


def test_a_socket_or_a_disk_as_output_is_a_message(song, tmp_path, capsys):
    import socket

    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert main(["compile", str(song), "-o", str(path)]) == 2
    assert "a socket that takes no writing" in capsys.readouterr().err
    if IS_ROOT:
        disk = tmp_path / "disk"
        os.mknod(disk, stat.S_IFBLK | 0o600, os.makedev(7, 200))  # a loop device node, never opened
        assert main(["compile", str(song), "-o", str(disk)]) == 2
        assert "block device" in capsys.readouterr().err and stat.S_ISBLK(disk.stat().st_mode)


@pytest.mark.parametrize("command", [["check", "{long}"], ["fmt", "{long}"], ["compile", "{long}"],
                                     ["compile", "{song}", "-o", "{long}"], ["show", "{song}", "--svg", "{long}"],
                                     ["decompile", "{long}"], ["import", "{long}"], ["lyrics", "{long}"],
                                     ["plan", "x", "-o", "{long}", "--base-url", "http://127.0.0.1:9"]])
def test_a_name_too_long_for_the_file_system_is_a_message(song, tmp_path, capsys, command):
    long = str(tmp_path / ("x" * 300))
    assert main([part.format(long=long, song=song) for part in command]) == 2
    err = capsys.readouterr().err
    assert "File name too long" in err or "too long" in err


def test_a_standard_output_that_is_not_utf8_gets_utf8_not_a_traceback(tmp_path):
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    song = "title: Café\n\n[Verse] 0:20\nnaïve\n"
    result = run("fmt", "-", input=song.encode(), env=env)
    assert result.returncode == 0 and result.stdout == song.encode("utf-8")
    bad = tmp_path / "bad.song"
    bad.write_text("title: Café\n[Verse] 20\n", encoding="utf-8")
    result = run("check", str(bad), env=env)
    assert result.returncode == 1 and "Café".encode() in result.stdout and b"Traceback" not in result.stderr


def test_ctrl_c_waits_while_a_hard_linked_file_is_rewritten_in_place(untidy, tmp_path, monkeypatch, capsys):
    from musicplan.base import files

    os.link(untidy, tmp_path / "other.song")
    inode = untidy.stat().st_ino
    real_fsync = os.fsync
    held: list[bool] = []

    def interrupting_fsync(fd: int) -> None:
        if os.fstat(fd).st_ino == inode:  # the rewrite of the file itself, not its temporary copy
            # Ctrl-C, handed by the kernel to another thread of the process (which it may
            # do with any process-wide signal): a per-thread signal mask would not hold it.
            signal.pthread_kill(bystander.ident, signal.SIGINT)
            time.sleep(0.05)
            held.append(True)  # not interrupted here: an unheld Ctrl-C raises before this line
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", interrupting_fsync)
    release = threading.Event()
    bystander = threading.Thread(target=release.wait, daemon=True)
    bystander.start()
    try:
        assert main(["fmt", str(untidy)]) == 130
    finally:
        release.set()
    assert held == [True]
    assert untidy.read_text(encoding="utf-8") == TIDY and no_temporary_files(tmp_path)
