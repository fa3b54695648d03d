"""The public home of the Music API stand-in for tests (``from musicplan.testing
import MusicTestServer``); it lives in ``musicplan.remote.server``.

``python -m musicplan.testing [--port N] [--key KEY]`` runs it on 127.0.0.1
until Ctrl-C, so that `musicplan render --base-url ...` can be tried offline.
"""

from musicplan.remote.server import MusicTestServer, Recorded, sample_plan, validation_errors

__all__ = ["MusicTestServer", "Recorded", "sample_plan", "validation_errors"]


def main(argv: list[str] | None = None) -> int:
    import argparse
    import time

    parser = argparse.ArgumentParser(prog="python -m musicplan.testing",
                                     description="Run the Music API stand-in on 127.0.0.1 until Ctrl-C.")
    parser.add_argument("--port", type=int, default=0, help="the port (default: any free one)")
    parser.add_argument("--key", default="test-key", help="the API key it accepts (default: test-key)")
    args = parser.parse_args(argv)
    try:
        server = MusicTestServer(api_key=args.key).start(args.port)
    except OSError as exc:
        parser.exit(2, f"python -m musicplan.testing: cannot listen on port {args.port}: {exc.strerror}\n")
    print(f"the Music API stand-in listens at {server.url}; try:\n"
          f"  musicplan render SONG --base-url {server.url} --api-key {args.key}\n"
          "Ctrl-C stops it.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
