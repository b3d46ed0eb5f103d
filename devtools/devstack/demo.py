"""Loads the demo into a running platform over its public HTTP APIs, as agencies and an administrator would.

What it loads is demo_year.py's: seven agencies of Kabupaten Bungo and its neighbours, their unit kerja, staff
and SKP plans, the 2026 monthly period scheme and a report per employee for every month of 2026 whose period has
begun. Employees and reports go in through intake's batch doors. Loading again (a second `make run` on the same
data) sends only what intake has not accepted yet, so it is quick and changes nothing.
"""

import os
from calendar import month_name
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from shared.contracts.labels import ORGANISATION_PREDIKAT_LABEL
from shared.contracts.scores import OrganisationPredikat
from shared.settings import DEFAULT_PORTS

from .demo_agencies import Agency
from .demo_data import TAHUN
from .demo_rows import skp_sheet
from .demo_year import AgencyDemo, build_demo, months_to_report, today_in_wib

# A reopened past period stays open this long if the loader is stopped before it closes the period again; a
# week is beyond notification's reminder window (3 days), so nobody is reminded of a period opened only to
# take the demo's late reports.
REOPENING = timedelta(days=7)
REOPEN_ALASAN = "Pemuatan data demo: laporan bulanan dari sistem kinerja lama (laporan susulan)"
CLOSE_ALASAN = "Laporan susulan dari sistem kinerja lama sudah dimuat"
REPORTS_PER_BATCH = 250  # about 250 KB: within intake's 512 KB body limit


@dataclass(frozen=True)
class DemoAgency:
    agency_id: str
    nama: str
    api_key: str
    wilayah: str = ""
    employees: int = 0
    organisation_predikat: OrganisationPredikat = OrganisationPredikat.BAIK  # the curve scoring holds it to
    breaks_curve: bool = False


@dataclass(frozen=True)
class Demo:
    agencies: list[DemoAgency]
    reports: int  # in the demo, loaded now or before
    months: tuple[int, ...] = ()
    employees: int = 0
    units: int = 0
    sent: int = 0  # reports sent by this load

    @property
    def curve_breaker(self) -> DemoAgency | None:
        """The agency whose predikat spread breaks the curve of its organisation predikat."""
        return next((a for a in self.agencies if a.breaks_curve), None)

    def __str__(self) -> str:
        regions: dict[str, int] = {}
        for agency in self.agencies:
            regions[agency.wilayah] = regions.get(agency.wilayah, 0) + 1
        where = ", ".join(f"{count} of {wilayah}" for wilayah, count in regions.items())
        months = f"{month_name[self.months[0]]}-{month_name[self.months[-1]]} {TAHUN}" if self.months else "none"
        lines = [
            f"demo loaded: {len(self.agencies)} agencies ({where}), {self.employees} employees in {self.units} unit "
            f"kerja with their SKP plans, {self.reports:,} monthly reports ({months}; {self.sent:,} sent now)"
        ]
        if breaker := self.curve_breaker:
            lines.append(
                f"  {breaker.nama} ({breaker.agency_id}) breaks its curve: organisation predikat "
                f"{ORGANISATION_PREDIKAT_LABEL[breaker.organisation_predikat]}, yet far more Sangat Baik than that "
                "curve allows"
            )
        return "\n".join(lines)


def load_demo(intake_url: str, scoring_url: str | None = None, today: date | None = None) -> Demo:
    """Load the demo (or what is missing of it) and say what it holds; progress per agency on stdout."""
    months = months_to_report(today or today_in_wib())
    data = build_demo(months)
    loaded = []
    with (
        httpx.Client(base_url=intake_url, timeout=60) as intake,
        httpx.Client(base_url=scoring_url or _scoring_url(intake_url), timeout=30) as scoring,
    ):
        for demo in data:
            loaded.append(_load_agency(intake, scoring, demo, months))
    agencies = [agency for agency, _ in loaded]
    reports = sum(len(r) for demo in data for r in demo.reports.values())
    employees, units = sum(len(d.members) for d in data), sum(len(d.units) for d in data)
    return Demo(agencies, reports, months, employees, units, sent=sum(sent for _, sent in loaded))


def _load_agency(
    intake: httpx.Client, scoring: httpx.Client, demo: AgencyDemo, months: tuple[int, ...]
) -> tuple[DemoAgency, int]:
    agency, admin = demo.agency, {"Authorization": f"Bearer {admin_token()}"}
    api_key = _agency_key(intake, agency, admin)
    # Only the administrator sets the curve an agency is held to; without it every agency is held to Baik's.
    path = f"/v1/agencies/{agency.agency_id}/organisation-predikat/{TAHUN}"
    _check(scoring.put(path, json={"predikat": agency.organisation_predikat}, headers=admin), 200)
    loader = _AgencyLoader(intake, {"Authorization": f"Bearer {api_key}"}, admin, agency.agency_id)
    loader.master_data(demo)
    sent = loader.reports(demo, months)
    total = sum(len(r) for r in demo.reports.values())
    print(f"demo: {agency.agency_id}: {len(demo.members)} employees, {total} reports ({sent} sent now)", flush=True)
    shown = DemoAgency(
        agency.agency_id,
        agency.nama,
        api_key,
        wilayah=agency.wilayah,
        employees=len(demo.members),
        organisation_predikat=agency.organisation_predikat,
        breaks_curve=agency.breaks_curve,
    )
    return shown, sent


def admin_token() -> str:
    return os.environ.get("KINERJA_ADMIN_TOKEN", "kinerja-dev-admin")


def _scoring_url(intake_url: str) -> str:
    """Where `kinerja run` started scoring: beside intake, on KINERJA_SCORING_PORT or the default port."""
    port = os.environ.get("KINERJA_SCORING_PORT", str(DEFAULT_PORTS["scoring"]))
    return f"http://{httpx.URL(intake_url).host}:{port}"


def _check(response: httpx.Response, *ok: int) -> httpx.Response:
    if response.status_code not in ok:
        raise RuntimeError(
            f"demo: {response.request.method} {response.request.url.path} -> {response.status_code} {response.text}"
        )
    return response


def _agency_key(client: httpx.Client, agency: Agency, admin: dict[str, str]) -> str:
    body = {"agency_id": agency.agency_id, "nama": agency.nama, "wilayah": agency.wilayah}
    body |= {"anggaran_pelatihan": agency.anggaran_pelatihan, "tahun_anggaran": TAHUN}
    response = _check(client.post("/v1/admin/agencies", json=body, headers=admin), 201, 409)
    if response.status_code == 409:  # loaded before: in development mode "rotating" gives the same key back
        response = _check(client.post(f"/v1/admin/agencies/{agency.agency_id}/keys", headers=admin), 201)
    return response.json()["api_key"]


class _AgencyLoader:
    """One agency's demo through intake, with its own key (and the administrator's for its periods)."""

    def __init__(self, client: httpx.Client, auth: dict[str, str], admin: dict[str, str], agency_id: str) -> None:
        self.client, self.auth, self.admin, self.agency_id = client, auth, admin, agency_id

    def master_data(self, demo: AgencyDemo) -> None:
        for unit in demo.units:  # parents come first
            _check(self.client.put(f"/v1/unit-kerja/{unit['unit_id']}", json=unit, headers=self.auth), 200)
        answer = _check(
            self.client.post("/v1/employees/batch", json={"employees": demo.employees}, headers=self.auth), 200
        )
        _all_in(answer.json()["results"], ("registered", "unchanged"), "employees")
        # The plans as the agency's SKP spreadsheet: one upload, one transaction, where a PUT each took 20 s.
        file = {"file": ("skp.csv", skp_sheet(demo.plans), "text/csv")}
        summary = _check(self.client.post("/v1/uploads/skp", files=file, headers=self.auth), 200).json()
        if summary["rows_with_errors"]:
            raise RuntimeError(f"demo: SKP plans refused: {summary['errors'][:3]}")

    def reports(self, demo: AgencyDemo, months: tuple[int, ...]) -> int:
        """Send the reports intake has not accepted yet; how many were sent."""
        if not months:
            return 0
        scheme = {"skema": "bulanan", "tenggat_hari": 30}
        periods = _check(self.client.put(f"/v1/periods/{TAHUN}", json=scheme, headers=self.auth), 200).json()
        status = {p["period_id"]: p["status"] for p in periods["periods"]}
        accepted = self._accepted()
        missing = {f"{TAHUN}-{m:02d}": [r for r in demo.reports[m] if r["report_id"] not in accepted] for m in months}
        late = [period_id for period_id, reports in missing.items() if reports and status[period_id] != "open"]
        # By the time the demo loads, months past their deadline (tenggat_hari 30) are closed: intake closes them
        # as soon as the scheme is declared, and refuses their reports (period_closed). The platform's way to take
        # late reports, as an agency moving from its old system sends them, is an administrator's: reopen each
        # such period (audited, kinerja.period.reopened.v1), take the reports, close it again.
        for period_id in late:
            if status[period_id] == "closed":
                until = (datetime.now(UTC) + REOPENING).isoformat()
                body = {"alasan": REOPEN_ALASAN, "sampai": until}
                _check(self.client.post(self._admin_path(period_id, "reopen"), json=body, headers=self.admin), 200)
        to_send = [report for reports in missing.values() for report in reports]
        for start in range(0, len(to_send), REPORTS_PER_BATCH):
            batch = {"reports": to_send[start : start + REPORTS_PER_BATCH]}
            answer = _check(self.client.post("/v1/reports/batch", json=batch, headers=self.auth), 200)
            _all_in(answer.json()["results"], ("accepted", "duplicate"), "reports")
        for period_id in late:
            body = {"alasan": CLOSE_ALASAN}
            _check(self.client.post(self._admin_path(period_id, "close"), json=body, headers=self.admin), 200, 409)
        return len(to_send)

    def _admin_path(self, period_id: str, action: str) -> str:
        return f"/v1/admin/agencies/{self.agency_id}/periods/{period_id}/{action}"

    def _accepted(self) -> set[str]:
        ids, cursor = set(), None
        while True:
            params = {"status": "accepted", "limit": 500} | ({"cursor": cursor} if cursor else {})
            page = _check(self.client.get("/v1/reports", params=params, headers=self.auth), 200).json()
            ids |= {item["report_id"] for item in page["items"]}
            if not (cursor := page["next_cursor"]):
                return ids


def _all_in(results: list[dict[str, Any]], good: tuple[str, ...], what: str) -> None:
    refused = [r for r in results if r["status"] not in good]
    if refused:
        raise RuntimeError(f"demo: {len(refused)} {what} refused, the first: {refused[0]}")
