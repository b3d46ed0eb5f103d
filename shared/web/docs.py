"""Documentation pages that work without internet: every asset comes from the service itself.

Government networks often cannot reach public CDNs, where FastAPI's and
FastStream's default pages load their viewers from. Here:

- Swagger UI (`/docs`) and ReDoc (`/redoc`) come from fastapi-offline, whose
  bundles are served under `/static/docs`;
- the AsyncAPI viewer (`/asyncapi`), @asyncapi/react-component, is vendored in
  `static/asyncapi` (see its README) and served under `/static/asyncapi`;
- `/` lists the pages (HTML, or JSON for `Accept: application/json`);
- every HTML page carries a Content-Security-Policy that lets it load only from
  the service, so the browser does not even try what a bundle would fetch from
  outside on its own (ReDoc's attribution logo from cdn.redoc.ly).
"""

import html
import json
from pathlib import Path
from string import Template
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ASYNCAPI_VIEWER_VERSION = "3.1.5"  # @asyncapi/react-component, the version FastStream pins
ASYNCAPI_STATIC_DIR = Path(__file__).parent / "static" / "asyncapi"
DOCS_STATIC_URL = "/static/docs"  # fastapi-offline's Swagger UI and ReDoc bundles
ASYNCAPI_STATIC_URL = "/static/asyncapi"
FAVICON_URL = f"{DOCS_STATIC_URL}/favicon.png"

# path, Bahasa Indonesia, English
INDEX_LINKS: tuple[tuple[str, str, str], ...] = (
    ("/docs", "Dokumentasi API (Swagger UI)", "API documentation, try it out"),
    ("/redoc", "Referensi API (ReDoc)", "API reference"),
    ("/asyncapi", "Dokumentasi event Kafka (AsyncAPI)", "Kafka events consumed and published"),
    ("/openapi.json", "Dokumen OpenAPI", "OpenAPI document (JSON)"),
    ("/asyncapi.json", "Dokumen AsyncAPI", "AsyncAPI document (JSON)"),
    ("/healthz", "Kesehatan proses", "Liveness"),
    ("/readyz", "Kesiapan layanan", "Readiness: database, broker, consumers"),
    ("/metrics", "Metrik Prometheus", "Prometheus metrics"),
)


def _policy(script_src: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {script_src}",
            "style-src 'self' 'unsafe-inline'",  # the viewers inject <style> elements
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "worker-src 'self' blob:",
            "connect-src 'self'",
            "base-uri 'self'",
            "form-action 'self'",
        )
    )


CONTENT_SECURITY_POLICY = _policy("'self' 'unsafe-inline'")  # the pages' inline start-up scripts
# The AsyncAPI viewer validates the document with Ajv, which compiles validators with `new Function`.
ASYNCAPI_CONTENT_SECURITY_POLICY = _policy("'self' 'unsafe-inline' 'unsafe-eval'")

# The options FastStream's get_asyncapi_html uses; no "try it out" (it would publish to Kafka).
_VIEWER_CONFIG: dict[str, Any] = {
    "show": {
        "sidebar": True,
        "info": True,
        "servers": True,
        "operations": True,
        "messages": True,
        "schemas": True,
        "errors": True,
    },
    "expand": {"messageExamples": True},
    "sidebar": {"showServers": "byDefault", "showOperations": "byDefault"},
}

_ASYNCAPI_PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title - AsyncAPI</title>
<link rel="icon" type="image/png" href="$favicon">
<link rel="stylesheet" href="$css">
<style>
html {
  font-family: ui-sans-serif, system-ui, -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue",
    Arial, "Noto Sans", sans-serif;
  line-height: 1.5;
}
</style>
</head>
<body>
<div id="asyncapi"></div>
<script src="$js"></script>
<script>
window.AsyncApiStandalone.render({schema: $schema, config: $config}, document.getElementById("asyncapi"));
</script>
</body>
</html>
""")

_INDEX_PAGE = Template("""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<link rel="icon" type="image/png" href="$favicon">
<style>
body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #1f2933; }
li { margin: 0.5rem 0; }
small { color: #616e7c; }
code { background: #f0f4f8; padding: 0 0.25rem; }
</style>
</head>
<body>
<h1>$title</h1>
<p>Versi / version $version</p>
<ul>
$items
</ul>
</body>
</html>
""")


def _script_json(value: Any) -> str:
    """JSON that can sit inside a <script> element: no `</script>` in it can end the element early."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _root(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


def asyncapi_page(title: str, document: dict[str, Any], root_path: str = "") -> str:
    """The AsyncAPI viewer for `document`, loading only the vendored bundle."""
    return _ASYNCAPI_PAGE.substitute(
        title=html.escape(title),
        favicon=html.escape(f"{root_path}{FAVICON_URL}"),
        css=html.escape(f"{root_path}{ASYNCAPI_STATIC_URL}/default.min.css"),
        js=html.escape(f"{root_path}{ASYNCAPI_STATIC_URL}/index.js"),
        schema=_script_json(document),
        config=_script_json(_VIEWER_CONFIG),
    )


def asyncapi_response(title: str, document: dict[str, Any], request: Request) -> HTMLResponse:
    page = asyncapi_page(title, document, _root(request))
    return HTMLResponse(page, headers={"Content-Security-Policy": ASYNCAPI_CONTENT_SECURITY_POLICY})


def _quality(accept: str, media_type: str) -> float:
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if media.lower() != media_type:
            continue
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(value)
                except ValueError:
                    return 0.0
        return 1.0
    return 0.0


def wants_json(accept: str) -> bool:
    """JSON only when asked for explicitly and preferred over HTML; browsers and `*/*` get HTML."""
    return _quality(accept, "application/json") > _quality(accept, "text/html")


def index_response(
    request: Request, title: str, version: str, pages: tuple[tuple[str, str, str], ...] = ()
) -> Response:
    """The service's own pages first (the dashboard's, say), then the documentation and operations links."""
    root = _root(request)
    links = (*pages, *INDEX_LINKS)
    if wants_json(request.headers.get("accept", "")):
        found = [{"href": f"{root}{path}", "id": label_id, "en": label_en} for path, label_id, label_en in links]
        return JSONResponse({"service": title, "version": version, "links": found}, headers={"Vary": "Accept"})
    items = "\n".join(
        f'<li><a href="{html.escape(root + path)}">{html.escape(label_id)}</a> <code>{html.escape(path)}</code><br>'
        f"<small>{html.escape(label_en)}</small></li>"
        for path, label_id, label_en in links
    )
    page = _INDEX_PAGE.substitute(
        title=html.escape(title),
        version=html.escape(version),
        favicon=html.escape(f"{root}{FAVICON_URL}"),
        items=items,
    )
    return HTMLResponse(page, headers={"Vary": "Accept"})


class LocalPagesPolicy:
    """ASGI middleware: `CONTENT_SECURITY_POLICY` on every text/html response that has no policy of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html") and "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            await send(message)

        await self.app(scope, receive, send_with_policy)


def documented_app(
    *, title: str, description: str, version: str, pages: tuple[tuple[str, str, str], ...] = (), **kwargs: Any
) -> FastAPI:
    """A FastAPI app with /docs, /redoc, their assets, the AsyncAPI viewer's assets and `/`.

    The service adds `/asyncapi` itself (it knows its document); answer it with `asyncapi_response`.
    """
    app = FastAPIOffline(title=title, description=description, version=version, static_url=DOCS_STATIC_URL, **kwargs)
    app.mount(ASYNCAPI_STATIC_URL, StaticFiles(directory=ASYNCAPI_STATIC_DIR), name="static-asyncapi")
    app.add_middleware(LocalPagesPolicy)

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> Response:
        return index_response(request, title, version, pages)

    return app
