from pathlib import Path

import pytest

from devtools.asyncapi_export import ASYNCAPI_DIR, document, render, service_definitions

DEFINITIONS = service_definitions()


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.name)
def test_committed_asyncapi_document_is_current(definition):
    committed = Path(ASYNCAPI_DIR, f"{definition.name}.json")
    assert committed.exists(), "run `make schemas` to write the AsyncAPI documents"
    assert committed.read_text(encoding="utf-8") == render(document(definition)), (
        f"docs/asyncapi/{definition.name}.json is stale: run `make schemas`"
    )


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.name)
def test_document_describes_every_topic_the_service_uses(definition):
    doc = document(definition)
    addresses = {channel["address"] for channel in doc["channels"].values()}
    expected = {r.spec.topic for r in definition.consumes} | {spec.topic for spec in definition.emits}
    assert addresses == expected
    for route in definition.consumes:
        message = doc["components"]["messages"][f"{route.spec.topic}:Consumed"]
        schema_name = message["payload"]["$ref"].rsplit("/", 1)[-1]
        assert "data" in doc["components"]["schemas"][schema_name]["properties"]
