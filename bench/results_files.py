"""Where a benchmark leaves its figures: latest.json (every number) and latest.md (the table), printed too."""

import json
from pathlib import Path
from typing import Any


def save_results(out: Path, result: dict[str, Any], markdown: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    (out / "latest.md").write_text(markdown)
    print(markdown)
