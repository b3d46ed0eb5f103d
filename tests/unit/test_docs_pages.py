"""/docs, /redoc, /asyncapi and / load nothing from outside the service, and what they load is served.

The apps come from `create_app` but their lifespan never starts: no database or broker is needed.
"""

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from faststream.specification.asyncapi.site import ASYNCAPI_JS_DEFAULT_URL

from devtools.asyncapi_export import document, service_definitions
from shared.service import ServiceDefinition, create_app
from shared.settings import ServiceSettings
from shared.web.docs import (
    ASYNCAPI_CONTENT_SECURITY_POLICY,
    ASYNCAPI_STATIC_DIR,
    ASYNCAPI_VIEWER_VERSION,
    CONTENT_SECURITY_POLICY,
    asyncapi_page,
    wants_json,
)

DEFINITIONS = {d.name: d for d in service_definitions()}
PAGES = ("/", "/docs", "/redoc", "/asyncapi")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Any absolute or protocol-relative URL, in an attribute, a script or a style.
EXTERNAL_URL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}|https?://", re.IGNORECASE)
ASSET_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""", re.IGNORECASE)
CONTENT_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


def _app(definition: ServiceDefinition) -> FastAPI:
    return create_app(definition, ServiceSettings(service_name=definition.name, kafka_bootstrap="kafka:9092"))


@pytest.fixture(scope="module", params=sorted(DEFINITIONS), ids=str)
def service(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def client(service: str) -> Iterator[TestClient]:
    # No `with`: the lifespan (MongoDB, Kafka) does not run.
    yield TestClient(_app(DEFINITIONS[service]), headers={"accept": BROWSER_ACCEPT})


def _assets(page: str) -> list[str]:
    return [html.unescape(a or b) for a, b in ASSET_URL.findall(page)]


@pytest.mark.parametrize("path", PAGES)
def test_page_references_only_local_assets(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert EXTERNAL_URL.findall(response.text) == []
    assets = _assets(response.text)
    assert assets, "a page with no assets would not be a viewer"
    for url in assets:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/"), f"{path} references {url}"


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/asyncapi"])
def test_every_asset_a_page_loads_is_served(client: TestClient, path: str) -> None:
    page = client.get(path).text
    scripts = [url for url in _assets(page) if url.endswith(".js")]
    assert scripts, f"{path} loads no viewer"
    for url in _assets(page):
        suffix = Path(urlsplit(url).path).suffix
        if suffix not in CONTENT_TYPES:
            continue  # links to JSON documents or other pages
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert CONTENT_TYPES[suffix] in asset.headers["content-type"], (url, asset.headers["content-type"])
        assert len(asset.content) > 1000, url


def test_swagger_and_redoc_use_the_bundles_of_fastapi_offline(client: TestClient) -> None:
    assert "/static/docs/swagger-ui-bundle.js" in _assets(client.get("/docs").text)
    assert "/static/docs/swagger-ui.css" in _assets(client.get("/docs").text)
    assert "/static/docs/redoc.standalone.js" in _assets(client.get("/redoc").text)
    assert client.get("/openapi.json").status_code == 200


def test_asyncapi_page_embeds_the_completed_document_and_the_vendored_viewer(client: TestClient) -> None:
    page = client.get("/asyncapi").text
    assert {"/static/asyncapi/index.js", "/static/asyncapi/default.min.css"} <= set(_assets(page))
    embedded = re.search(r"AsyncApiStandalone\.render\(\{schema: (.*), config: ", page)
    assert embedded
    served = client.get("/asyncapi.json").json()
    assert json.loads(embedded.group(1)) == served
    assert served["channels"], "the viewer would have nothing to show"


def test_pages_may_load_only_from_the_service(client: TestClient) -> None:
    for path in PAGES:
        policy = client.get(path).headers["content-security-policy"]
        expected = ASYNCAPI_CONTENT_SECURITY_POLICY if path == "/asyncapi" else CONTENT_SECURITY_POLICY
        assert policy == expected
        assert "default-src 'self'" in policy and "http" not in policy and "*" not in policy
    assert "content-security-policy" not in client.get("/asyncapi.json").headers


def test_index_lists_the_pages_in_html_and_json(client: TestClient, service: str) -> None:
    page = client.get("/").text
    targets = {"/docs", "/redoc", "/asyncapi", "/healthz", "/readyz", "/metrics"}
    assert targets <= {a for a in re.findall(r'<a href="([^"]+)"', page)}
    assert "Dokumentasi" in page

    answer = client.get("/", headers={"accept": "application/json"})
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["vary"] == "Accept"
    body = answer.json()
    assert body["service"] == DEFINITIONS[service].title
    assert targets <= {link["href"] for link in body["links"]}
    for link in body["links"]:
        if link["href"] in {"/docs", "/redoc", "/asyncapi", "/healthz", "/openapi.json", "/asyncapi.json"}:
            assert client.get(link["href"]).status_code == 200, link


def test_documentation_routes_are_not_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/", "/docs", "/redoc", "/asyncapi", "/asyncapi.json"} & set(paths)
    assert not any(p.startswith("/static") for p in paths)


def test_links_follow_the_root_path_behind_a_proxy() -> None:
    client = TestClient(_app(DEFINITIONS["scoring"]), root_path="/scoring", headers={"accept": BROWSER_ACCEPT})
    for path in ("/asyncapi", "/"):
        for url in _assets(client.get(path).text):
            assert url.startswith("/scoring/"), (path, url)
    assert all(
        link["href"].startswith("/scoring/")
        for link in client.get("/", headers={"accept": "application/json"}).json()["links"]
    )


@pytest.mark.parametrize(
    ("accept", "json_wanted"),
    [
        ("application/json", True),
        ("application/json, text/plain, */*", True),
        ("text/html;q=0.5, application/json", True),
        (BROWSER_ACCEPT, False),
        ("*/*", False),
        ("", False),
        ("text/html, application/json", False),
        ("application/json;q=0.1, text/html", False),
    ],
)
def test_json_only_when_preferred(accept: str, json_wanted: bool) -> None:
    assert wants_json(accept) is json_wanted


def test_document_cannot_end_the_script_element() -> None:
    doc = document(DEFINITIONS["scoring"])
    doc["info"]["description"] = "</script><script>alert('x')</script> & <!--"
    page = asyncapi_page("Kinerja <scoring>", doc)
    assert page.count("</script>") == 2  # the bundle's and the start-up script's own
    assert "<!--" not in page and "<scoring>" not in page
    embedded = re.search(r"render\(\{schema: (.*), config: ", page)
    assert embedded and json.loads(embedded.group(1)) == doc


def test_vendored_viewer_is_complete_and_the_version_faststream_pins() -> None:
    names = {p.name for p in ASYNCAPI_STATIC_DIR.iterdir()}
    assert {"index.js", "index.js.LICENSE.txt", "default.min.css", "LICENSE", "README.md"} <= names
    assert "Apache License" in (ASYNCAPI_STATIC_DIR / "LICENSE").read_text(encoding="utf-8")
    readme = (ASYNCAPI_STATIC_DIR / "README.md").read_text(encoding="utf-8")
    assert f"**{ASYNCAPI_VIEWER_VERSION}**" in readme
    assert "AsyncApiStandalone" in (ASYNCAPI_STATIC_DIR / "index.js").read_text(encoding="utf-8")
    assert f"@asyncapi/react-component@{ASYNCAPI_VIEWER_VERSION}/" in ASYNCAPI_JS_DEFAULT_URL, (
        "FastStream now pins another @asyncapi/react-component: update shared/web/static/asyncapi (see its README)"
    )
