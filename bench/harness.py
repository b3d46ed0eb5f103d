"""What every benchmark does around its own runs: a fresh embedded stack, the run's header, the result files."""

import asyncio
import json
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from devtools.devstack.embedded import EmbeddedStack
from devtools.devstack.processes import free_port
from shared.kafka_admin import ensure_topics


def run_header() -> dict[str, Any]:
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }


@contextmanager
def embedded_stack() -> Iterator[tuple[EmbeddedStack, MongoClient, Path]]:
    """A broker and a database of the run's own (topics of 6 partitions), stopped after it, with an admin token
    no other run knows."""
    os.environ["KINERJA_ADMIN_TOKEN"] = f"bench-{secrets.token_urlsafe(24)}"
    with tempfile.TemporaryDirectory() as tmp:
        stack = EmbeddedStack(Path(tmp), free_port(), free_port())
        stack.start()
        mongo = MongoClient(stack.mongo_uri)
        try:
            asyncio.run(ensure_topics(stack.kafka_bootstrap, 6))
            yield stack, mongo, Path(tmp)
        finally:
            mongo.close()
            stack.stop()


def save_results(out: Path, result: dict[str, Any], markdown: str) -> None:
    """latest.json (every number) and latest.md (the table), printed too."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    (out / "latest.md").write_text(markdown)
    print(markdown)
