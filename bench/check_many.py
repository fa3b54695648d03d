"""The speed benchmark: `musicplan check` against check-jsonschema, and large songs.

    python bench/check_many.py [--songs 1000] [--runs 5] [--quick]

Measures, in one run, with medians of several runs:

- `musicplan check` of one song, cold (a whole process, the console script), and
  check-jsonschema (`pip install '.[bench]'`) on the same song compiled to a request
  body, validated against the OpenAPI body schema: the yardstick;
- the same for N generated songs of example size, and `musicplan check` of 10 x N;
- compile time and peak memory (tracemalloc) of one very large generated song, beyond
  the API's limits, through the library, at 1x and 10x its size;
- the language server's re-check of a 30-section song after an edit (bench/lsp_latency.py,
  when pygls is installed: `pip install '.[lsp]'`).

Each command is timed by the clock on the wall and by the CPU time it used (user and
system, its worker processes included): on a machine shared with other work the wall
clock measures the queue for a core as much as the program, the CPU time much less.

It is a benchmark, not a test: run it on a quiet machine. Needs musicplan installed
in the Python that runs it (pip install .), not an editable install, so that the
timing includes byte-compiled modules as users get them.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

WORDS = ("neon night city light fire heart river dream road rain gold shadow echo wild "
         "summer winter ocean sky dance alive forever tonight stars home").split()
STYLES = ("synthwave, 80s retro, female vocals, driving bass, ambient pads, live drums, "
          "acoustic guitar, brass section, slow build, reverb, piano, strings").split(", ")
SECTIONS = ("Intro", "Verse 1", "Pre-Chorus", "Chorus", "Verse 2", "Bridge", "Outro")


def song(rng: random.Random, index: int, sections: int = len(SECTIONS)) -> str:
    """A song of example size (sections=7), or a larger one."""
    lines = [f"# generated song {index}", f"title: Song {index}", f"seed: {rng.randrange(10**6)}",
             "bpm: 120", "", "+ " + ", ".join(rng.sample(STYLES, 4)),
             "- " + ", ".join(rng.sample(STYLES, 2))]
    for number in range(sections):
        name = SECTIONS[number % len(SECTIONS)] + (f" {number}" if number >= len(SECTIONS) else "")
        lines += ["", f"[{name}] {rng.choice(['8 bars', '0:20', '15s', '0:18.5', '20000ms'])}",
                  "+ " + ", ".join(rng.sample(STYLES, 2))]
        if not name.startswith(("Intro", "Outro")):
            lines += [" ".join(rng.choice(WORDS) for _ in range(7)).capitalize() for _ in range(4)]
    lines += ["", "[Chorus 2]", "@repeat Chorus", "+ key change up"]
    return "\n".join(lines) + "\n"


class Timing:
    """Medians of a command's runs: seconds on the wall clock and of CPU."""

    def __init__(self, wall: float, cpu: float) -> None:
        self.wall, self.cpu = wall, cpu

    def __truediv__(self, other: Timing) -> Timing:
        return Timing(self.wall / other.wall, self.cpu / other.cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], runs: int) -> Timing:
    walls, cpus = [], []
    for _ in range(runs):
        cpu = _children_cpu()
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
        if result.returncode not in (0, 1):
            sys.exit(f"{command[0]} failed: {result.stderr.decode()[-500:]}")
    return Timing(statistics.median(walls), statistics.median(cpus))


def write_songs(folder: Path, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        path = folder / f"song{i:05d}.song"
        path.write_text(song(rng, i), encoding="utf-8")
        paths.append(str(path))
    return paths


def compile_unchecked(text: str, *, as_json: bool = True) -> object:
    """The library's pipeline without refusing the song for its (many) limit errors:
    the request body, or its canonical JSON text."""
    from musicplan.base.diagnostics import Report
    from musicplan.pipeline import Options, analyse_text, collector_paused
    from musicplan.read.source import from_text
    from musicplan.write import body as compiler

    # With the cycle collector paused throughout, as `musicplan compile` runs:
    # otherwise when a collection falls (and how much of the song it walks)
    # depends on what the runs before left, and the small song's time varies
    # by a sixth from run to run.
    with collector_paused():
        report = Report("large.song")
        analysis = analyse_text(from_text(text, "large.song"), report, Options(lints=False))
        assert analysis is not None, report.diagnostics[:3]
        body = compiler.body(analysis)
        return compiler.dumps(body) if as_json else body


def _peak(text: str, as_json: bool) -> int:
    tracemalloc.start()
    compile_unchecked(text, as_json=as_json)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def large(scale: int, runs: int) -> tuple[int, float, int, int]:
    """Size, median compile time (to JSON text), peak memory to the body and to the JSON."""
    text = song(random.Random(7), 0, sections=2_000 * scale)
    compile_unchecked(text)  # warm: the parser is loaded once per process
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        compile_unchecked(text)
        samples.append(time.perf_counter() - start)
    return len(text.encode()), statistics.median(samples), _peak(text, False), _peak(text, True)


def lsp_recheck(changes: int) -> str | None:
    """The language server's latency line for a 30-section song, or None without pygls."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        return None
    script = Path(__file__).resolve().parent / "lsp_latency.py"
    result = subprocess.run([sys.executable, str(script), "--changes", str(changes), "--sections", "30"],
                            capture_output=True, text=True)
    found = [line.strip() for line in result.stdout.splitlines() if "after a change" in line]
    return found[0] if result.returncode == 0 and found else f"failed: {result.stderr[-300:]}"


def verdict(value: float, target: float) -> str:
    return f"{value:5.2f}  (target at most {target:g}: {'met' if value <= target else 'NOT met'})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the 10x run, the large songs and the server")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    # The console script, as pre-commit and people run it.
    check = [str(bin_dir / "musicplan"), "check", "--format", "json"]
    rows: list[tuple[str, Timing]] = []
    yardstick = shutil.which("check-jsonschema", path=str(bin_dir)) or shutil.which("check-jsonschema")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "n").mkdir()
        paths = write_songs(folder / "n", args.songs, 1)
        subprocess.run(check + paths[:1], capture_output=True)  # the grammar cache
        cj: list[str] = []
        bodies: list[str] = []
        if yardstick:
            import musicplan
            from musicplan.spec import openapi

            (folder / "json").mkdir()
            for path in paths:
                out = folder / "json" / (Path(path).stem + ".json")
                out.write_text(musicplan.load(path).to_json(), encoding="utf-8")
                bodies.append(str(out))
            schema = folder / "body.schema.json"
            doc = openapi.document(openapi.DETAILED)
            schema.write_text(json.dumps({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "components": doc["components"],
                "$ref": f"#/components/schemas/{openapi.BODY_SCHEMAS[openapi.DETAILED]}"}), encoding="utf-8")
            cj = [yardstick, "--schemafile", str(schema)]
            subprocess.run(cj + bodies[:1], capture_output=True)  # its caches, as ours
        # Each pair in turn, so that both see the same load on a shared machine.
        one = timed(check + paths[:1], args.runs * 2)
        rows.append(("musicplan check, 1 song, cold", one))
        if yardstick:
            rows.append(("check-jsonschema, 1 body, cold", timed(cj + bodies[:1], args.runs * 2)))
        many = timed(check + paths, args.runs)
        rows.append((f"musicplan check, {args.songs} songs", many))
        if yardstick:
            rows.append((f"check-jsonschema, {args.songs} bodies", timed(cj + bodies, args.runs)))
        if not args.quick:
            (folder / "x10").mkdir()
            big = write_songs(folder / "x10", args.songs * 10, 2)
            rows.append((f"musicplan check, {args.songs * 10} songs", timed(check + big, max(1, args.runs // 2))))
    size = sum(len(song(random.Random(1), i)) for i in range(20)) / 20
    print(f"songs of about {size:.0f} bytes; medians of {args.runs} or more runs\n")
    print(f"  {'':<36} {'wall':>9}    {'CPU':>9}")
    for name, timing in rows:
        print(f"  {name:<36} {timing.wall * 1000:6.0f} ms {timing.cpu * 1000:6.0f} ms")
    times = dict(rows)
    print()
    if yardstick:
        cold = one / times["check-jsonschema, 1 body, cold"]
        lots = many / times[f"check-jsonschema, {args.songs} bodies"]
        print(f"  one song / check-jsonschema's:    wall {verdict(cold.wall, 0.4)}")
        print(f"                                     CPU {verdict(cold.cpu, 0.4)}")
        print(f"  {args.songs} songs / check-jsonschema's: wall {verdict(lots.wall, 0.3)}")
        print(f"                                     CPU {verdict(lots.cpu, 0.3)}")
    else:
        print("  (pip install '.[bench]' for the yardstick, check-jsonschema)")
    if not args.quick:
        ratio = times[f"musicplan check, {args.songs * 10} songs"] / many
        print(f"  10x the songs / {args.songs} songs:     wall {verdict(ratio.wall, 11)}")
        print(f"                                     CPU {verdict(ratio.cpu, 11)}")
        (s1, t1, b1, j1), (s10, t10, b10, j10) = large(1, 7), large(10, 5)
        for label, size, seconds, body_peak, json_peak in (("1x", s1, t1, b1, j1), ("10x", s10, t10, b10, j10)):
            print(f"  large song, {label:>3}: {size / 1e6:5.2f} MB compiled in {seconds:5.2f} s; peak memory "
                  f"{body_peak / size:4.1f}x its size to the body, {json_peak / size:4.1f}x to the JSON text")
        print(f"  10x the large song / the large song: {verdict(t10 / t1, 11)}")
        print(f"  peak memory / size, 10x song:        {verdict(max(b10, j10) / s10, 20)}")
        server = lsp_recheck(30)
        print(f"  language server, 30 sections: {server}" if server
              else "  language server: pip install '.[lsp]' to time its re-check after an edit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
