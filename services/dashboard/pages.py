"""The pages: sign-in and out, language, the agency chooser, overview, trends, employees, training, deliveries.

Each route is thin: who may see it (web.open_agency), the read model (repository), the view (domain/views.py),
the template.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from shared.agency_keys import digest, find_agency_key, key_is_usable
from shared.auth import is_admin_token
from shared.service import RuntimeDep

from . import repository as rm
from .domain import views
from .domain.i18n import LANGUAGES, words
from .domain.sessions import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    csrf_matches,
    new_csrf_token,
    new_session,
    safe_return_path,
    seal,
)
from .settings import dashboard_settings
from .web import BASE, AgencyAccess, language, open_agency, refuse, render, signed_in, static_file, to_sign_in

router = APIRouter(prefix=BASE, include_in_schema=False)
SHOWN_MAX = 200  # rows of the employee list; a search narrows it


@router.get("/static/{name}")
async def asset(name: str) -> Response:
    return static_file(name)


@router.get("")
async def home(request: Request, runtime: RuntimeDep) -> Response:
    session = await signed_in(request, runtime)
    if session is None:
        return to_sign_in(request)
    if session.is_admin:
        return RedirectResponse(f"{BASE}/instansi", status_code=303)
    return RedirectResponse(f"{BASE}/instansi/{session.agency_id}", status_code=303)


@router.get("/masuk")
async def sign_in_form(request: Request, kembali: str | None = None) -> Response:
    token = new_csrf_token()
    response = render(request, "sign_in.html", csrf=token, kembali=safe_return_path(kembali), error=None)
    _cookie(response, SIGN_IN_CSRF_COOKIE, token, max_age=3600)
    return response


@router.post("/masuk")
async def sign_in(
    request: Request,
    runtime: RuntimeDep,
    kunci: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    kembali: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    if not csrf_matches(request.cookies.get(SIGN_IN_CSRF_COOKIE), csrf):
        request.state.error_code = "csrf_tidak_valid"
        return refuse(request, 403, words(language(request))["masuk"], _text(request, "csrf"))
    key = kunci.strip()
    if key and is_admin_token(key, runtime.settings):
        session = new_session(None, digest(key))
    else:
        found = await find_agency_key(runtime.db, key_digest=digest(key)) if key else None
        if found is None or not key_is_usable(found, datetime.now(UTC)):
            request.state.error_code = "kunci_tidak_valid"
            page = render(request, "sign_in.html", 401, csrf=csrf, kembali=kembali, error=_text(request, "key"))
            return page
        session = new_session(found["agency_id"], digest(key))
        request.state.agency_id = found["agency_id"]
    target = safe_return_path(kembali)
    response = RedirectResponse(f"{BASE}" if target == "/" else target, status_code=303)
    _cookie(response, SESSION_COOKIE, seal(session, _secret()), max_age=int(dashboard_settings().session_hours * 3600))
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path=BASE)
    return response


@router.post("/keluar")
async def sign_out(request: Request, runtime: RuntimeDep, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    session = await signed_in(request, runtime)
    if session is not None and not csrf_matches(session.csrf, csrf):
        request.state.error_code = "csrf_tidak_valid"
        return refuse(request, 403, words(language(request))["keluar"], _text(request, "csrf"), session)
    response = RedirectResponse(f"{BASE}/masuk", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=BASE)
    return response


@router.get("/bahasa/{lang}")
async def switch_language(lang: str, kembali: str | None = None) -> Response:
    response = RedirectResponse(safe_return_path(kembali), status_code=303)
    if lang in LANGUAGES:
        _cookie(response, LANGUAGE_COOKIE, lang, max_age=365 * 86400, http_only=False)
    return response


@router.get("/instansi")
async def agency_chooser(request: Request, runtime: RuntimeDep) -> Response:
    session = await signed_in(request, runtime)
    if session is None:
        return to_sign_in(request)
    if not session.is_admin:
        return RedirectResponse(f"{BASE}/instansi/{session.agency_id}", status_code=303)
    return render(request, "agencies.html", session=session, agencies=await rm.agencies(runtime.db))


@router.get("/instansi/{agency_id}")
async def overview(
    request: Request, agency_id: str, runtime: RuntimeDep, periode: Annotated[str | None, Query(max_length=20)] = None
) -> Response:
    access = await open_agency(request, runtime, agency_id)
    if not isinstance(access, AgencyAccess):
        return access
    periods = await rm.agency_periods(runtime.db, agency_id)
    evaluated = await rm.distributions(runtime.db, agency_id)
    scope = periode or views.default_scope(periods, evaluated, datetime.now(UTC).date())
    return render(
        request,
        "overview.html",
        session=access.session,
        agency=access.agency,
        page="ringkasan",
        scope=scope,
        scopes=sorted(evaluated, reverse=True),
        units=await rm.unit_names(runtime.db, agency_id),
        view=views.distribution_view(evaluated.get(scope) if scope else None),
    )


@router.get("/instansi/{agency_id}/tren")
async def trends(
    request: Request,
    agency_id: str,
    runtime: RuntimeDep,
    tahun: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    periode: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    access = await open_agency(request, runtime, agency_id)
    if not isinstance(access, AgencyAccess):
        return access
    today = datetime.now(UTC).date()
    year = tahun or today.year
    periods = await rm.agency_periods(runtime.db, agency_id)
    roster = await rm.roster(runtime.db, agency_id)
    view = views.trend_view(
        periods,
        await rm.period_totals(runtime.db, agency_id),
        await rm.distributions(runtime.db, agency_id),
        roster,
        year,
        today,
    )
    chosen = next((p for p in periods if p.period_id == periode), None)
    return render(
        request,
        "trends.html",
        session=access.session,
        agency=access.agency,
        page="tren",
        view=view,
        chosen=chosen,
        late=views.not_reported(roster, chosen, await rm.reported_in(runtime.db, agency_id, chosen.period_id))
        if chosen
        else [],
        years=sorted({p.start.year for p in periods} | {year}),
    )


@router.get("/instansi/{agency_id}/pegawai")
async def employees(
    request: Request, agency_id: str, runtime: RuntimeDep, cari: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    access = await open_agency(request, runtime, agency_id)
    if not isinstance(access, AgencyAccess):
        return access
    wanted = cari.strip().lower()
    people = [
        e for e in await rm.roster(runtime.db, agency_id) if not wanted or wanted in e.nama.lower() or wanted in e.nip
    ]
    people.sort(key=lambda e: (e.unit_kerja or "", e.nama))
    return render(
        request,
        "employees.html",
        session=access.session,
        agency=access.agency,
        page="pegawai",
        people=people[:SHOWN_MAX],
        total=len(people),
        cari=cari,
        units=await rm.unit_names(runtime.db, agency_id),
    )


@router.get("/instansi/{agency_id}/pegawai/{nip}")
async def employee(request: Request, agency_id: str, nip: str, runtime: RuntimeDep) -> Response:
    access = await open_agency(request, runtime, agency_id)
    if not isinstance(access, AgencyAccess):
        return access
    person = await rm.find_employee(runtime.db, nip)
    if person is None or person.get("agency_id") != agency_id:
        request.state.error_code = "pegawai_tidak_dikenal"
        return refuse(
            request, 404, words(language(request))["pegawai"], _text(request, "employee", nip), access.session
        )
    history = await rm.find_history(runtime.db, nip)
    year = datetime.now(UTC).year
    training = (history.get("training") or {}).get(str(year))
    completions = ((history.get("jp") or {}).get(str(year)) or {}).values()
    return render(
        request,
        "employee.html",
        session=access.session,
        agency=access.agency,
        page="pegawai",
        person=person,
        tahun=year,
        scores=views.score_history(history.get("scores") or {}),
        annual=(history.get("annual") or {}).get(str(year)),
        training=training["event"] if training else None,
        jp=views.jp_view(person.get("jenis_asn", "pns"), completions),
        coaching=sorted((history.get("coaching") or {}).values(), key=lambda c: c["period_id"], reverse=True),
        career=list((history.get("career") or {}).values()),
        units=await rm.unit_names(runtime.db, agency_id),
    )


@router.get("/instansi/{agency_id}/pelatihan")
async def training(
    request: Request, agency_id: str, runtime: RuntimeDep, tahun: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> Response:
    access = await open_agency(request, runtime, agency_id)
    if not isinstance(access, AgencyAccess):
        return access
    years = await rm.plan_years(runtime.db, agency_id)
    year = tahun or (years[-1] if years else datetime.now(UTC).year)
    plan = await rm.find_plan(runtime.db, agency_id, year)
    return render(
        request,
        "training.html",
        session=access.session,
        agency=access.agency,
        page="pelatihan",
        tahun=year,
        years=years,
        view=views.training_view(plan, language(request)),
    )


@router.get("/instansi/{agency_id}/pengiriman")
async def deliveries(request: Request, agency_id: str, runtime: RuntimeDep) -> Response:
    access = await open_agency(request, runtime, agency_id)
    if not isinstance(access, AgencyAccess):
        return access
    view = views.delivery_view(await rm.find_delivery_health(runtime.db, agency_id))
    shared = views.delivery_view(await rm.find_delivery_health(runtime.db, "*")) if access.session.is_admin else None
    return render(
        request,
        "deliveries.html",
        session=access.session,
        agency=access.agency,
        page="pengiriman",
        view=view,
        shared=shared,
    )


def _secret() -> str:
    return dashboard_settings().secret_key.get_secret_value()


def _cookie(response: Response, name: str, value: str, *, max_age: int, http_only: bool = True) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=BASE,
        httponly=http_only,
        samesite="strict",
        secure=dashboard_settings().secure_cookies,
    )


_TEXTS = {
    "csrf": (
        "Formulir kedaluwarsa atau tidak berasal dari halaman ini (token CSRF tidak cocok). Muat ulang dan coba lagi.",
        "The form expired or did not come from this page (CSRF token mismatch). Reload and try again.",
    ),
    "key": (
        "Kunci API tidak valid: tidak dikenal, dicabut atau kedaluwarsa.",
        "The API key is not valid: unknown, revoked or expired.",
    ),
    "employee": ("Pegawai dengan NIP {} tidak terdaftar di instansi ini.", "No employee with NIP {} in this agency."),
}


def _text(request: Request, name: str, *args: str) -> str:
    indonesian, english = _TEXTS[name]
    return (english if language(request) == "en" else indonesian).format(*args)
