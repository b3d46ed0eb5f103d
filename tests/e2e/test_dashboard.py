"""The dashboard on the real stack: data that went through intake, scoring and training, read as HR reads it.

Sign-in and refusals over HTTP (a wrong or revoked key, a forged cookie, a form without its CSRF token, another
agency's URL); then headless Debian chromium, driven by Playwright: sign in, the distribution chart drawn with
the pipeline's numbers, an employee's page, the language switch, and a screenshot of every page.
"""

import hashlib
import os
import re
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from devtools.devstack.platform import Platform
from tests.conftest import eventually

from .api import ADMIN, register_agency
from .browser import browser_missing, in_worker_thread, launch

pytestmark = pytest.mark.e2e

BASE = "/dasbor"
ARTIFACTS = Path(os.environ.get("KINERJA_TEST_ARTIFACTS", ".test-artifacts")) / "dashboard"
# layanan (hours, at most 8) and cakupan (percent of 90): 6/99 -> above expectation, 12/45 -> below.
GOOD, POOR = {"layanan": 6, "cakupan": 99, "perilaku": "di_atas_ekspektasi"}, {"layanan": 12, "cakupan": 45}


@pytest.fixture(scope="module")
def dashboard(platform: Platform):
    with httpx.Client(base_url=platform.url("dashboard"), timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def scored_agency(intake):
    """An agency with five employees scored for October 2026: three Sangat Baik, one Baik, one Butuh Perbaikan."""
    agency = register_agency(intake)
    atasan = agency.employee()
    staff = [agency.employee(atasan=atasan) for _ in range(4)]
    for nip, results in zip([atasan, *staff], [GOOD, GOOD, GOOD, {}, POOR], strict=True):
        agency.skp(nip)
        response = agency.submit(agency.report_body(nip, **results))
        assert response.status_code == 202, response.text
    return agency, atasan, staff


def sign_in(client: httpx.Client, key: str) -> httpx.Response:
    form = client.get(f"{BASE}/masuk")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    return client.post(f"{BASE}/masuk", data={"kunci": key, "csrf": token, "kembali": "/"})


def _try_sign_in(platform: Platform, key: str) -> httpx.Client | None:
    client = httpx.Client(base_url=platform.url("dashboard"), timeout=30)
    if sign_in(client, key).status_code == 303:
        return client
    client.close()
    return None


async def signed_in_client(platform: Platform, key: str) -> httpx.Client:
    """A client with a session; the dashboard learns a new key from intake's event, so it may take a moment."""

    async def attempt() -> httpx.Client | None:
        return _try_sign_in(platform, key)

    return await eventually(attempt, timeout_s=30, what="a sign-in with the agency's key")


async def distribution_shown(platform: Platform, agency) -> str:
    with closing(await signed_in_client(platform, agency.key)) as client:

        async def page() -> str | None:
            html = client.get(f"{BASE}/instansi/{agency.agency_id}?periode=2026-10").text
            return html if 'id="employees-scored">5<' in html else None

        return await eventually(page, timeout_s=90, what="the October distribution of 5 employees on the dashboard")


async def test_an_agency_sees_its_distribution_and_not_another_agencys(platform, intake, scored_agency):
    agency, *_ = scored_agency
    html = await distribution_shown(platform, agency)
    rows = dict(re.findall(r'data-predikat="([^"]+)"><td>[^<]+</td><td class="num">(\d+)<', html))
    assert rows == {"Sangat Baik": "3", "Baik": "1", "Butuh Perbaikan": "1", "Kurang": "0", "Sangat Kurang": "0"}

    other = register_agency(intake)
    with closing(await signed_in_client(platform, agency.key)) as client:
        refused = client.get(f"{BASE}/instansi/{other.agency_id}")
        assert refused.status_code == 403
        assert "bukan hak Anda" in refused.text and other.agency_id in refused.text
        assert "employees-scored" not in refused.text


async def test_sign_in_refuses_wrong_revoked_forged_and_csrf_less(platform, intake, dashboard, scored_agency):
    agency, *_ = scored_agency
    wrong = sign_in(dashboard, "bukan-kunci-yang-benar")
    assert wrong.status_code == 401 and "Kunci API tidak valid" in wrong.text
    assert "kinerja_sesi" not in wrong.headers.get("set-cookie", "")

    no_csrf = dashboard.post(f"{BASE}/masuk", data={"kunci": agency.key})
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text

    dashboard.cookies.set("kinerja_sesi", "eyJhIjoiYWxpZW4ifQ.forged.signature")
    forged = dashboard.get(f"{BASE}/instansi/{agency.agency_id}")
    dashboard.cookies.clear()
    assert forged.status_code == 303 and forged.headers["location"].startswith(f"{BASE}/masuk")

    with closing(await signed_in_client(platform, agency.key)) as client:
        assert client.get(f"{BASE}/instansi/{agency.agency_id}").status_code == 200
        assert client.post(f"{BASE}/keluar", data={}).status_code == 403  # sign-out without its token

    # A revoked key ends its sessions at once: the dashboard learns it from intake's event.
    fresh = intake.post("/v1/keys", json={"label": "dasbor"}, headers=agency.auth)
    assert fresh.status_code == 201, fresh.text
    key = fresh.json()["api_key"]

    client = await signed_in_client(platform, key)
    with closing(client):
        assert client.get(f"{BASE}/instansi/{agency.agency_id}").status_code == 200
        key_id = hashlib.sha256(key.encode()).hexdigest()[:8]
        assert intake.delete(f"/v1/keys/{key_id}", headers=agency.auth).status_code == 200

        async def signed_out() -> bool:
            return client.get(f"{BASE}/instansi/{agency.agency_id}").status_code == 303

        await eventually(signed_out, timeout_s=30, what="the revoked key's session ended")


@pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")
async def test_in_a_browser_hr_signs_in_sees_the_chart_follows_an_employee_and_switches_language(
    platform, scored_agency
):
    agency, _atasan, staff = scored_agency
    await distribution_shown(platform, agency)
    url = platform.url("dashboard")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def browse() -> dict:
        seen: dict = {}
        with launch() as (context, problems):
            page = context.new_page()
            page.goto(f"{url}{BASE}")
            page.fill("#kunci", agency.key)
            page.click("#sign-in")
            page.goto(f"{url}{BASE}/instansi/{agency.agency_id}?periode=2026-10")
            page.wait_for_selector("#distribution-chart[data-rendered='true']")
            seen["counts"] = page.evaluate(
                "Chart.getChart(document.getElementById('distribution-chart')).data.datasets[0].counts"
            )
            page.screenshot(path=ARTIFACTS / "ringkasan.png", full_page=True)
            for name in ("tren", "pelatihan", "pengiriman"):
                page.goto(f"{url}{BASE}/instansi/{agency.agency_id}/{name}")
                page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
            page.goto(f"{url}{BASE}/instansi/{agency.agency_id}/pegawai")
            page.screenshot(path=ARTIFACTS / "pegawai.png", full_page=True)
            page.click(f"a.employee-link[href$='/pegawai/{staff[0]}']")
            seen["employee"] = page.inner_text("#employee-name")
            seen["history"] = page.inner_text("details.score[data-period='2026-10'] summary")
            page.screenshot(path=ARTIFACTS / "pegawai-detail.png", full_page=True)
            page.click("#switch-language")
            seen["english"] = page.inner_text("nav.pages")
            seen["sign_out"] = page.inner_text("#sign-out")
            seen["problems"] = list(problems)
        return seen

    seen = in_worker_thread(browse)
    assert seen["counts"] == [3, 1, 1, 0, 0]
    assert seen["employee"] == f"Pegawai {staff[0][-4:]}"
    assert "Sangat Baik" in seen["history"]
    assert "Overview" in seen["english"] and "Employees" in seen["english"] and seen["sign_out"] == "Sign out"
    assert seen["problems"] == [], f"pages loaded something from outside or failed: {seen['problems']}"


async def test_the_administrator_sees_every_agency(platform, scored_agency):
    agency, *_ = scored_agency
    await distribution_shown(platform, agency)
    with closing(await signed_in_client(platform, ADMIN["Authorization"].removeprefix("Bearer "))) as client:
        chooser = client.get(f"{BASE}/instansi")
        assert chooser.status_code == 200 and f'href="{BASE}/instansi/{agency.agency_id}"' in chooser.text
        overview = client.get(f"{BASE}/instansi/{agency.agency_id}?periode=2026-10")
        assert 'id="employees-scored">5<' in overview.text


def test_the_services_index_leads_to_the_dashboard(dashboard):
    index = dashboard.get("/")
    assert index.status_code == 200 and 'href="/dasbor"' in index.text
    assert dashboard.get("/dasbor", follow_redirects=False).headers["location"].startswith("/dasbor/masuk")


async def test_the_training_and_delivery_pages_show_what_training_and_notification_published(
    platform, training, scored_agency
):
    agency, *_ = scored_agency

    async def settled_plan() -> dict | None:
        response = training.get("/v1/training/plans/2026", params={"agency_id": agency.agency_id}, headers=agency.auth)
        plan = response.json() if response.status_code == 200 else {}
        return plan if plan and not plan["replanning"] else None

    plan = await eventually(settled_plan, timeout_s=90, what="a settled training plan")
    rupiah = "Rp " + f"{plan['total_biaya']:,}".replace(",", ".")
    with closing(await signed_in_client(platform, agency.key)) as client:

        async def plan_page() -> str | None:
            html = client.get(f"{BASE}/instansi/{agency.agency_id}/pelatihan?tahun=2026").text
            return html if f'id="budget-used">{rupiah}<' in html and f"Versi {plan['version']} " in html else None

        html = await eventually(plan_page, timeout_s=60, what=f"version {plan['version']} spending {rupiah}")
        assert f'id="allocations">{plan["allocations"]}<' in html

        async def inbox_sent() -> str | None:
            html = client.get(f"{BASE}/instansi/{agency.agency_id}/pengiriman").text
            found = re.search(r'data-channel="inbox"><td>inbox</td><td class="num">(\d+)<', html)
            return html if found and int(found.group(1)) >= 5 else None

        await eventually(inbox_sent, timeout_s=60, what="the score notices counted as sent to the inbox")
