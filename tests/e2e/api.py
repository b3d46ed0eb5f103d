"""Talks to intake the way an agency's system would: over HTTP with its API key."""

import calendar
import io
import random
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import httpx
from openpyxl import Workbook

from devtools.devstack.demo import admin_token


class _AdminHeaders(Mapping[str, str]):
    """The administrator's Authorization header, with the token read when it is sent: the platform fixture
    (tests/conftest.py) sets a token of its own in KINERJA_ADMIN_TOKEN, and `make bench` does too."""

    def __getitem__(self, name: str) -> str:
        if name != "Authorization":
            raise KeyError(name)
        return f"Bearer {admin_token()}"

    def __iter__(self) -> Iterator[str]:
        return iter(("Authorization",))

    def __len__(self) -> int:
        return 1


ADMIN: Mapping[str, str] = _AdminHeaders()
BERAKHLAK = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif")

ROWS = [
    {
        "row_id": "layanan",
        "rhk": "Penyelesaian permohonan layanan",
        "jenis": "utama",
        "aspek": "waktu",
        "indikator": "Rata-rata jam penyelesaian",
        "polaritas": "lower_is_better",
        "target": 8,
        "satuan": "jam",
        "kompetensi": ["pelayanan-publik"],
    },
    {
        "row_id": "cakupan",
        "rhk": "Cakupan program",
        "jenis": "utama",
        "aspek": "kuantitas",
        "indikator": "Persentase cakupan",
        "polaritas": "higher_is_better",
        "target": 90,
        "satuan": "persen",
        "kompetensi": ["kesehatan-masyarakat"],
    },
]


def random_nip() -> str:
    """A structurally valid NIP no other test uses."""
    year = random.randint(1970, 1995)
    birth = f"{year}{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    return f"{birth}{year + 25}{random.randint(1, 12):02d}{random.choice('12')}{random.randint(0, 999):03d}"


@dataclass
class Agency:
    client: httpx.Client
    agency_id: str
    key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def employee(self, nip: str | None = None, atasan: str | None = None) -> str:
        nip = nip or random_nip()
        body = {"nip": nip, "nama": f"Pegawai {nip[-4:]}", "jabatan": "Analis", "atasan_nip": atasan}
        response = self.client.put(f"/v1/employees/{nip}", json=body, headers=self.auth)
        assert response.status_code == 200, response.text
        return nip

    def skp(self, nip: str, rows: list[dict] = ROWS) -> str:
        skp_id = f"skp-{nip}"
        body = {"skp_id": skp_id, "nip": nip, "tahun": 2026, "rows": rows}
        response = self.client.put(f"/v1/skp/{skp_id}", json=body, headers=self.auth)
        assert response.status_code == 200, response.text
        return skp_id

    def report_body(
        self, nip: str, layanan: float = 8, cakupan: float = 90, perilaku: str = "sesuai_ekspektasi", month: int = 10
    ) -> dict:
        """A monthly report of 2026; one employee has one live report per month."""
        last_day = calendar.monthrange(2026, month)[1]
        return {
            "report_id": f"r-{uuid.uuid4().hex[:16]}",
            "nip": nip,
            "skp_id": f"skp-{nip}",
            "period": {"type": "bulanan", "start": f"2026-{month:02d}-01", "end": f"2026-{month:02d}-{last_day}"},
            "realisasi": [{"row_id": "layanan", "realisasi": layanan}, {"row_id": "cakupan", "realisasi": cakupan}],
            "perilaku": dict.fromkeys(BERAKHLAK, perilaku),
        }

    def reference(self, body: dict) -> str:
        """The id the other services know the report by."""
        return f"{self.agency_id}/{body['report_id']}"

    def submit(self, body: dict) -> httpx.Response:
        return self.client.post("/v1/reports", json=body, headers=self.auth)


def register_agency(client: httpx.Client, budget: int = 50_000_000) -> Agency:
    agency_id = f"test-{uuid.uuid4().hex[:10]}"
    body = {"agency_id": agency_id, "nama": "Dinas Uji", "wilayah": "Kabupaten Uji"}
    body |= {"anggaran_pelatihan": budget, "tahun_anggaran": 2026}
    response = client.post("/v1/admin/agencies", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return Agency(client, agency_id, response.json()["api_key"])


def xlsx(header: list[str], rows: list[list], sheet: str) -> bytes:
    """A one-sheet workbook, as an agency's operator would save it."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
