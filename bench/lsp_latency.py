"""The language server's benchmark: how long after a change the diagnostics of a
30-section song arrive (the issue's target: 50 ms).

    python bench/lsp_latency.py [--changes 50] [--sections 30]

Starts `musicplan lsp` as an editor would, opens a generated song of 30 sections
(styles and lyrics in each, one section at the API's limit of 30 lyric lines),
then edits one lyric line at a time, as typing does, and times each change from
the `didChange` notification written to the `publishDiagnostics` read back.
Reports the median, the 90th percentile and the worst. Also times a hover and the
outline, which re-use the checked document.

It is a benchmark, not a test: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from jsonrpc import PlainClient  # noqa: E402  (the tests' plain client)

WORDS = "neon night city light fire heart river dream road rain gold shadow echo wild summer".split()


def song(sections: int) -> str:
    lines = ["title: Benchmark", "model: music_v2", "bpm: 120", "", "+ synthwave, driving bass, female vocals", ""]
    for index in range(sections):
        lines.append(f"[Section {index + 1}] 0:18")
        lines.append("+ ambient pads, slow build")
        for verse in range(30 if index == 0 else 6):
            lines.append(" ".join(WORDS[(index + verse + k) % len(WORDS)] for k in range(7)))
        lines.append("")
    return "\n".join(lines)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--sections", type=int, default=30)
    args = parser.parse_args()

    text = song(args.sections)
    uri = "file:///bench/latency.song"
    client = PlainClient()
    try:
        client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        client.notify("initialized", {})
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "song", "version": 1, "text": text}})
        first = client.notification("textDocument/publishDiagnostics")
        assert first["uri"] == uri
        lines = text.split("\n")
        lyric_lines = [n for n, line in enumerate(lines) if line and line[0].islower()]
        times = []
        for change in range(args.changes):
            line = lyric_lines[(change * 7) % len(lyric_lines)]
            started = time.perf_counter()
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": change + 2},
                "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                              "end": {"line": line, "character": 0}},
                                    "text": "x"}]})
            published = client.notification("textDocument/publishDiagnostics")
            times.append((time.perf_counter() - started) * 1000)
            assert published["version"] == change + 2, published

        def timed(method: str, params: dict) -> float:
            started = time.perf_counter()
            client.request(method, params)
            return (time.perf_counter() - started) * 1000

        document = {"textDocument": {"uri": uri}}
        heading = next(n for n, line in enumerate(lines) if line.startswith("[Section 20]"))
        hover = timed("textDocument/hover", {**document, "position": {"line": heading, "character": 2}})
        outline = timed("textDocument/documentSymbol", document)
        print(f"a {args.sections}-section song of {len(lines)} lines, {args.changes} changes of one character:")
        print(f"  diagnostics after a change: median {statistics.median(times):.1f} ms, "
              f"90th percentile {percentile(times, 0.9):.1f} ms, worst {max(times):.1f} ms (target: 50 ms)")
        print(f"  hover on a heading {hover:.1f} ms, the outline {outline:.1f} ms")
    finally:
        client.close()


if __name__ == "__main__":
    main()
