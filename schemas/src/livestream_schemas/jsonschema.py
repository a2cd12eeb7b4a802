"""Generate the committed JSON Schema files: python -m livestream_schemas.jsonschema [--check]."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from livestream_schemas.envelope import Envelope
from livestream_schemas.registry import MESSAGE_TYPES

OUT_DIR = Path(__file__).resolve().parents[2] / "json"


def render() -> dict[str, str]:
    files = {"envelope.json": Envelope.model_json_schema()}
    for (name, version), model in sorted(MESSAGE_TYPES.items()):
        files[f"{name}.v{version}.json"] = model.model_json_schema(by_alias=True)
    return {
        fname: json.dumps(schema, indent=2, sort_keys=True) + "\n"
        for fname, schema in files.items()
    }


def stale_files(out_dir: Path = OUT_DIR) -> list[str]:
    expected = render()
    present = {p.name for p in out_dir.glob("*.json")} if out_dir.exists() else set()
    stale = [
        f
        for f, text in expected.items()
        if not (out_dir / f).exists() or (out_dir / f).read_text() != text
    ]
    return sorted(stale + sorted(present - expected.keys()))


def main() -> int:
    if "--check" in sys.argv:
        stale = stale_files()
        if stale:
            print("stale JSON Schema files (run make schemas):", ", ".join(stale))
            return 1
        return 0
    OUT_DIR.mkdir(exist_ok=True)
    for old in OUT_DIR.glob("*.json"):
        old.unlink()
    for fname, text in render().items():
        (OUT_DIR / fname).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
