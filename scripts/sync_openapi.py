"""Copy the API's OpenAPI documents from ../shared/api into the package as JSON.

The package ships them as JSON so that nothing at run time needs a YAML parser.
Run after ../shared/api changes: python scripts/sync_openapi.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "api"
TARGET = ROOT / "musicplan" / "spec" / "openapi"
NAMES = ("music-detailed", "music-stream")


def main() -> int:
    for name in NAMES:
        document = yaml.safe_load((SHARED / f"{name}.openapi.yaml").read_text(encoding="utf-8"))
        text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
        (TARGET / f"{name}.openapi.json").write_text(text, encoding="utf-8")
        print(f"wrote {TARGET / f'{name}.openapi.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
