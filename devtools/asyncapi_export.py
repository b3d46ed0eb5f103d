"""Writes each service's AsyncAPI document to docs/asyncapi (`make schemas`).

The documents come from FastStream; a test fails when the committed files are stale.
"""

import json
import sys
from pathlib import Path
from typing import Any

from shared.service import ServiceDefinition, asyncapi_document, build_broker, register_subscriber
from shared.settings import ServiceSettings

ASYNCAPI_DIR = Path(__file__).resolve().parents[1] / "docs" / "asyncapi"


def service_definitions() -> list[ServiceDefinition]:
    from services.intake.app import SERVICE as intake
    from services.notification.app import SERVICE as notification
    from services.scoring.app import SERVICE as scoring
    from services.training.app import SERVICE as training

    return [intake, scoring, training, notification]


def document(definition: ServiceDefinition) -> dict[str, Any]:
    # Fixed settings, so the document does not depend on the machine's environment.
    settings = ServiceSettings(service_name=definition.name, kafka_bootstrap="kafka:9092")
    broker = build_broker(definition, settings)
    if definition.consumes:
        register_subscriber(definition, broker, settings, consumer=lambda: None)
    return asyncapi_document(definition, broker)


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    ASYNCAPI_DIR.mkdir(parents=True, exist_ok=True)
    for definition in service_definitions():
        (ASYNCAPI_DIR / f"{definition.name}.json").write_text(render(document(definition)), encoding="utf-8")
    print(f"wrote AsyncAPI documents to {ASYNCAPI_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
