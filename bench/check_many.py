"""The speed benchmark: `musicplan check` against check-jsonschema, and large songs.

    python bench/check_many.py [--songs 1000] [--runs 5] [--quick]

Measures, in one run, with medians of several runs:

- `musicplan check` of one song, cold (a whole process, the console script);
- `musicplan check` of N and of 10 x N generated songs of example size, in one process;
- check-jsonschema (if installed: `pip install check-jsonschema`) on the same N songs
  compiled to request bodies, validated against the OpenAPI body schema: the yardstick;
- compile time and peak memory (tracemalloc) of one very large generated song, beyond
  the API's limits, through the library, at 1x and 10x its size.

It is a benchmark, not a test: run it on a quiet machine. Needs musicplan installed
in the Python that runs it (pip install .), not an editable install, so that the
timing includes byte-compiled modules as users get them.
"""

from __future__ import annotations

import argparse
import json
import random
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


def timed(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True)
        samples.append(time.perf_counter() - start)
        if result.returncode not in (0, 1):
            sys.exit(f"{command[0]} failed: {result.stderr.decode()[-500:]}")
    return statistics.median(samples)


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
    from musicplan.pipeline import Options, analyse_text
    from musicplan.read.source import from_text
    from musicplan.write import body as compiler

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the 10x run and the large songs")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    # The console script, as pre-commit and people run it.
    check = [str(bin_dir / "musicplan"), "check", "--format", "json"]
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "n").mkdir()
        paths = write_songs(folder / "n", args.songs, 1)
        subprocess.run(check + paths[:1], capture_output=True)  # the grammar cache
        one = timed(check + paths[:1], args.runs * 2)
        many = timed(check + paths, args.runs)
        rows += [("musicplan check, 1 song, cold", one), (f"musicplan check, {args.songs} songs", many)]
        if not args.quick:
            (folder / "x10").mkdir()
            big = write_songs(folder / "x10", args.songs * 10, 2)
            rows.append((f"musicplan check, {args.songs * 10} songs", timed(check + big, max(1, args.runs // 2))))
        yardstick = shutil.which("check-jsonschema", path=str(bin_dir)) or shutil.which("check-jsonschema")
        if yardstick:
            import musicplan
            from musicplan.spec import openapi

            (folder / "json").mkdir()
            bodies = []
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
            rows += [("check-jsonschema, 1 body, cold", timed(cj + bodies[:1], args.runs * 2)),
                     (f"check-jsonschema, {args.songs} bodies", timed(cj + bodies, args.runs))]
    size = sum(len(song(random.Random(1), i)) for i in range(20)) / 20
    print(f"songs of about {size:.0f} bytes; medians of {args.runs} or more runs\n")
    for name, seconds in rows:
        print(f"  {name:<36} {seconds * 1000:9.0f} ms")
    times = dict(rows)
    if yardstick:
        print(f"\n  one song: musicplan / check-jsonschema = {one / times['check-jsonschema, 1 body, cold']:.2f}"
              "  (target: at most 0.50, and at most 130 ms)")
        print(f"  {args.songs} songs: musicplan / check-jsonschema = "
              f"{many / times[f'check-jsonschema, {args.songs} bodies']:.2f}  (target: at most 0.50)")
    else:
        print("\n  (pip install check-jsonschema for the yardstick)")
    if not args.quick:
        ratio = times[f"musicplan check, {args.songs * 10} songs"] / many
        print(f"  10x the songs takes {ratio:.1f}x the time  (target: at most 11)")
        (s1, t1, b1, j1), (s10, t10, b10, j10) = large(1, 3), large(10, 1)
        for label, size, seconds, body_peak, json_peak in (("1x", s1, t1, b1, j1), ("10x", s10, t10, b10, j10)):
            print(f"  large song, {label:>3}: {size / 1e6:5.2f} MB compiled in {seconds:5.2f} s; peak memory "
                  f"{body_peak / size:4.1f}x its size to the body, {json_peak / size:4.1f}x to the JSON text")
        print(f"  10x the large song takes {t10 / t1:.1f}x the time  (targets: at most 11x; peak at most 20x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
