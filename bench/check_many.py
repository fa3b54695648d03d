"""Time `musicplan check` on generated songs of example size, in one process.

    python bench/check_many.py [--songs 1000] [--runs 5]

Prints the median wall time of: one song cold (a whole process), and N songs
checked by one process. Run it on a quiet machine; it is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("neon night city light fire heart river dream road rain gold shadow echo wild "
         "summer winter ocean sky dance alive forever tonight stars home").split()
STYLES = ("synthwave, 80s retro, female vocals, driving bass, ambient pads, live drums, "
          "acoustic guitar, brass section, slow build, reverb, piano, strings").split(", ")
SECTIONS = ("Intro", "Verse 1", "Pre-Chorus", "Chorus", "Verse 2", "Bridge", "Outro")


def song(rng: random.Random, index: int) -> str:
    lines = [f"# generated song {index}", f"title: Song {index}", f"seed: {rng.randrange(10**6)}",
             "bpm: 120", "", "+ " + ", ".join(rng.sample(STYLES, 4)),
             "- " + ", ".join(rng.sample(STYLES, 2))]
    for name in SECTIONS:
        lines += ["", f"[{name}] {rng.choice(['8 bars', '0:20', '15s', '0:18.5', '20000ms'])}",
                  "+ " + ", ".join(rng.sample(STYLES, 2))]
        if name not in ("Intro", "Outro"):
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
            sys.exit(f"{command[:4]} failed: {result.stderr.decode()[-500:]}")
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(1)
    check = [sys.executable, "-m", "musicplan", "check", "--format", "json"]
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(args.songs):
            path = Path(tmp) / f"song{i:05d}.song"
            path.write_text(song(rng, i), encoding="utf-8")
            paths.append(str(path))
        size = sum(Path(p).stat().st_size for p in paths) / len(paths)
        subprocess.run(check + paths[:1], capture_output=True)  # warm the grammar cache
        one = timed(check + paths[:1], args.runs * 2)
        many = timed(check + paths, args.runs)
    print(f"songs: {args.songs} of about {size:.0f} bytes each")
    print(f"check 1 song, cold process: {one * 1000:.0f} ms (median of {args.runs * 2})")
    print(f"check {args.songs} songs in one process: {many:.2f} s "
          f"({many / args.songs * 1000:.2f} ms per song, median of {args.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
