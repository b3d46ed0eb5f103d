"""What every page needs: the templates, the signed-in session, the language, refusals as pages, and assets.

Pages answer HTML only. A refusal is a page with a clear reason (never another agency's data); a request
without a session is sent to sign in.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from shared.agency_keys import digest, find_agency_key, key_is_usable
from shared.service import Runtime

from .domain.i18n import language_of, words
from .domain.sessions import LANGUAGE_COOKIE, SESSION_COOKIE, Session, unseal
from .domain.views import rupiah
from .repository import find_agency
from .settings import dashboard_settings

BASE = "/dasbor"
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters["rupiah"] = rupiah
TEMPLATES.env.globals["BASE"] = BASE
STATIC_DIR = Path(__file__).parent / "static"
# Pages load only what the service itself serves; no inline script, the charts read their numbers from JSON.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def language(request: Request) -> str:
    return language_of(request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    page = {"request": request, "t": words(lang), "lang": lang, "path": request.url.path, **context}
    response = TEMPLATES.TemplateResponse(request, template, page, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def refuse(request: Request, status_code: int, judul: str, pesan: str, session: Session | None = None) -> HTMLResponse:
    return render(request, "refusal.html", status_code, judul=judul, pesan=pesan, session=session)


def to_sign_in(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{BASE}/masuk?kembali={target}", status_code=303)


async def signed_in(request: Request, runtime: Runtime) -> Session | None:
    """The request's session, if its cookie is genuine, recent, and its key is still usable."""
    settings = dashboard_settings()
    session = unseal(
        request.cookies.get(SESSION_COOKIE), settings.secret_key.get_secret_value(), settings.session_hours * 3600
    )
    if session is None:
        return None
    if session.is_admin:
        admin_digest = digest(runtime.settings.admin_token.get_secret_value())
        return session if session.key_digest == admin_digest else None
    key = await find_agency_key(runtime.db, key_digest=session.key_digest)
    if key is None or key["agency_id"] != session.agency_id or not key_is_usable(key, datetime.now(UTC)):
        return None
    return session


@dataclass(frozen=True)
class AgencyAccess:
    session: Session
    agency: dict[str, Any]


async def open_agency(request: Request, runtime: Runtime, agency_id: str) -> AgencyAccess | Response:
    """The signed-in caller's view of one agency, or the page that refuses it."""
    session = await signed_in(request, runtime)
    if session is None:
        return to_sign_in(request)
    t = words(language(request))
    if not session.may_see(agency_id):
        request.state.error_code = "forbidden_agency"
        return refuse(request, 403, t["instansi"], _not_yours(language(request), agency_id), session)
    agency = await find_agency(runtime.db, agency_id)
    if agency is None:
        request.state.error_code = "instansi_tidak_dikenal"
        message = (
            f"Instansi {agency_id} belum dikenal dasbor"
            if language(request) == "id"
            else (f"Agency {agency_id} is not known to the dashboard yet")
        )
        return refuse(request, 404, t["instansi"], message, session)
    request.state.agency_id = agency_id
    return AgencyAccess(session, agency)


def _not_yours(lang: str, agency_id: str) -> str:
    if lang == "en":
        return f"You are signed in for another agency; the data of {agency_id} is not yours to see."
    return f"Anda masuk untuk instansi lain; data instansi {agency_id} bukan hak Anda."


_MEDIA = {".css": "text/css", ".js": "text/javascript"}
# The dashboard's own assets, by exact name (no paths), read once: the stylesheet, its script, vendored Chart.js.
ASSETS = {
    p.name: (p.read_bytes(), _MEDIA[p.suffix])
    for p in (*STATIC_DIR.glob("*"), *(STATIC_DIR / "vendor").glob("*"))
    if p.is_file() and p.suffix in _MEDIA
}


def static_file(name: str) -> Response:
    if name not in ASSETS:
        return Response("tidak ada", status_code=404, media_type="text/plain")
    body, media = ASSETS[name]
    return Response(body, media_type=media, headers={"Cache-Control": "public, max-age=3600"})
