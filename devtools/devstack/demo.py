"""Loads the demo into a running intake service over its public HTTP API."""

import os
from dataclasses import dataclass

import httpx

from .demo_data import AGENCIES, PERIOD, REALISASI, TAHUN

BERAKHLAK = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")


def _check(response: httpx.Response, *ok: int) -> httpx.Response:
    if response.status_code not in ok:
        raise RuntimeError(
            f"demo: {response.request.method} {response.request.url.path} -> {response.status_code} {response.text}"
        )
    return response


def _agency_key(client: httpx.Client, agency: dict, admin: dict[str, str]) -> str:
    body = {k: agency[k] for k in ("agency_id", "nama", "anggaran_pelatihan")}
    body |= {"wilayah": "Kabupaten Bungo", "tahun_anggaran": TAHUN}
    response = _check(client.post("/v1/admin/agencies", json=body, headers=admin), 201, 409)
    if response.status_code == 409:  # loaded before: in development mode "rotating" gives the same key back
        response = _check(client.post(f"/v1/admin/agencies/{agency['agency_id']}/keys", headers=admin), 201)
    return response.json()["api_key"]


def _report(nip: str, skp_id: str, rows: list[dict]) -> dict:
    values, perilaku = REALISASI.get(nip, ({}, {}))
    realisasi = []
    for row in rows:
        value = values.get(row["row_id"])
        if row["polaritas"] == "qualitative":
            realisasi.append({"row_id": row["row_id"], "rating_atasan": value or "sesuai_ekspektasi"})
        else:
            on_target = row["target"] if "target" in row else row["target_range"]["upper"]
            realisasi.append({"row_id": row["row_id"], "realisasi": on_target if value is None else value})
    return {
        "report_id": f"demo-{PERIOD['start'][:7]}-{nip}",
        "nip": nip,
        "skp_id": skp_id,
        "period": PERIOD,
        "realisasi": realisasi,
        "perilaku": {dim: perilaku.get(dim, "sesuai_ekspektasi") for dim in BERAKHLAK},
        "evidence": [f"https://arsip.bungokab.go.id/kinerja/{nip}/2026-10"],
        "feedback": "Laporan bulanan Oktober 2026",
    }


@dataclass(frozen=True)
class DemoAgency:
    agency_id: str
    nama: str
    api_key: str


@dataclass(frozen=True)
class Demo:
    agencies: list[DemoAgency]
    reports: int

    def __str__(self) -> str:
        agencies = f"{len(self.agencies)} agencies of Kabupaten Bungo"
        return f"demo loaded: {agencies}, {self.reports} reports for October {TAHUN}"


def load_demo(intake_url: str) -> Demo:
    admin = {"Authorization": f"Bearer {admin_token()}"}
    reports, agencies = 0, []
    with httpx.Client(base_url=intake_url, timeout=30) as client:
        for agency in AGENCIES:
            api_key = _agency_key(client, agency, admin)
            agencies.append(DemoAgency(agency["agency_id"], agency["nama"], api_key))
            auth = {"Authorization": f"Bearer {api_key}"}
            for nip, nama, jabatan, atasan in agency["employees"]:
                employee = {"nip": nip, "nama": nama, "jabatan": jabatan, "atasan_nip": atasan}
                _check(client.put(f"/v1/employees/{nip}", json=employee, headers=auth), 200)
            for nip, *_ in agency["employees"]:
                skp_id = f"skp-{TAHUN}-{nip}"
                skp = {"skp_id": skp_id, "nip": nip, "tahun": TAHUN, "rows": agency["rows"]}
                _check(client.put(f"/v1/skp/{skp_id}", json=skp, headers=auth), 200)
                _check(client.post("/v1/reports", json=_report(nip, skp_id, agency["rows"]), headers=auth), 202)
                reports += 1
    return Demo(agencies, reports)


def admin_token() -> str:
    return os.environ.get("KINERJA_ADMIN_TOKEN", "kinerja-dev-admin")
