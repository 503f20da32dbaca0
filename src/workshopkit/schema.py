"""JSON Schemas of the content files, generated from the pydantic models (never written by hand)."""

from __future__ import annotations

import json
from pathlib import Path

from .model import SCHEMAS

SCHEMA_DIR = Path(__file__).parent / "schema"


def schema_text(name: str) -> str:
    model = SCHEMAS[name]
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://workshopkit.invalid/schema/{name}.schema.json"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schemas(out: Path | None = None) -> list[Path]:
    out = out or SCHEMA_DIR
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = out / f"{name}.schema.json"
        text = schema_text(name)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
