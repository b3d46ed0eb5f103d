"""Writes the JSON Schema of every event envelope to docs/schemas.

Run `python -m devtools.schema_export`; a test fails when the files in the
repository differ from what the models say.
"""

import json
import sys
from pathlib import Path
from typing import Any

from shared.contracts.topics import ALL_EVENTS

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "docs" / "schemas"


def event_schemas() -> dict[str, dict[str, Any]]:
    schemas = {}
    for spec in ALL_EVENTS:
        schema = spec.envelope_model.model_json_schema()
        schema["title"] = spec.topic
        schema["description"] = spec.description
        schemas[f"{spec.topic}.json"] = schema
    return schemas


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for name, schema in event_schemas().items():
        (SCHEMA_DIR / name).write_text(render(schema), encoding="utf-8")
    print(f"wrote {len(ALL_EVENTS)} schemas to {SCHEMA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
