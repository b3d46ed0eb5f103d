"""The pipeline benchmark's population, set up through intake's own doors, and its monthly reports.

Agencies (POST /v1/admin/agencies), their employees (POST /v1/employees/batch; one in ten a supervisor, the
others with an atasan) and one SKP plan each of 5 to 8 rows drawn from ROW_POOL: single targets where higher
or lower is better, range targets, and qualitative rows the atasan rates; targets vary between employees.
The plans go in through the SKP spreadsheet door (POST /v1/uploads/skp, a CSV file per agency: the default)
or one PUT /v1/skp/{skp_id} per plan. On 2 cores, 4 clients: 50 agencies and 20,000 employees took 64 s
through the upload door; PUT managed about 60 plans/s (300 s for 20,000).
"""

import math
import random
import secrets
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from devtools.devstack.demo_rows import RowTemplate, Target, skp_sheet
from tests.e2e.api import BERAKHLAK, Agency, random_nip, register_agency

SUPERVISOR_EVERY = 10  # one employee in ten is a supervisor (no atasan); the others have one
SKP_DOORS = ("upload", "put")
PLANS_PER_FILE = 1000  # at most 8,000 sheet rows: under intake's 10,000 rows per upload
EMPLOYEES_PER_BATCH = 1000  # POST /v1/employees/batch takes up to 1,000
JABATAN = ("Analis Kebijakan", "Perencana", "Pranata Komputer", "Penyuluh Kesehatan", "Bidan", "Guru")
RATINGS = ("di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi")


def _row(row_id: str, rhk: str, jenis: str, aspek: str, indikator: str, polaritas: str, **rest: Any) -> RowTemplate:
    return RowTemplate(row_id, rhk, jenis, aspek, indikator, polaritas, **rest)


HIGHER, LOWER, QUALITATIVE = "higher_is_better", "lower_is_better", "qualitative"
# Kompetensi tags from training's seeded catalogue, so gaps turn into courses.
# fmt: off
ROW_POOL = (
    _row("imunisasi", "Cakupan imunisasi dasar lengkap", "utama", "kuantitas", "Persentase bayi diimunisasi", HIGHER,
         satuan="persen", kompetensi=("kesehatan-masyarakat",), targets=(85, 90, 95)),
    _row("dokumen", "Penyusunan dokumen perencanaan dan anggaran", "utama", "kuantitas",
         "Jumlah dokumen perencanaan disahkan", HIGHER, satuan="dokumen", kompetensi=("perencanaan-anggaran",),
         targets=(6, 10, 12), whole=True),
    _row("berkas", "Pelayanan administrasi kependudukan", "utama", "kuantitas",
         "Jumlah berkas kependudukan diselesaikan", HIGHER, satuan="berkas",
         kompetensi=("administrasi-kependudukan", "pelayanan-publik"), targets=(300, 450, 600), whole=True),
    _row("kunjungan", "Pembinaan posyandu", "utama", "kuantitas", "Jumlah kunjungan pembinaan", HIGHER,
         satuan="kunjungan", kompetensi=("kesehatan-masyarakat", "koordinasi-masyarakat"), targets=(24, 36, 48),
         whole=True),
    _row("sistem", "Pengembangan sistem informasi layanan", "utama", "kuantitas", "Jumlah modul aplikasi diterapkan",
         HIGHER, satuan="modul", kompetensi=("teknologi-informasi", "manajemen-proyek"), targets=(2, 4, 6),
         whole=True),
    _row("ketuntasan", "Pembelajaran tuntas di kelas", "utama", "kualitas", "Persentase siswa tuntas KKM", HIGHER,
         satuan="persen", kompetensi=("inovasi-pendidikan",), targets=(75, 80, 85)),
    _row("layanan", "Penyelesaian permohonan layanan", "utama", "waktu", "Rata-rata jam penyelesaian permohonan",
         LOWER, satuan="jam", kompetensi=("pelayanan-publik",), targets=(6, 8, 12)),
    _row("surveilans", "Laporan surveilans tepat waktu", "utama", "waktu", "Rata-rata hari keterlambatan laporan",
         LOWER, satuan="hari", kompetensi=("analisis-data",), targets=(2, 3, 5)),
    _row("pengaduan", "Penanganan pengaduan masyarakat", "utama", "kualitas", "Jumlah pengaduan tidak tertangani",
         LOWER, satuan="pengaduan", kompetensi=("pelayanan-publik", "koordinasi-masyarakat"), targets=(3, 5, 8),
         whole=True),
    _row("tunggu", "Pelayanan rawat jalan", "utama", "waktu", "Rata-rata menit waktu tunggu pasien", LOWER,
         satuan="menit", kompetensi=("pelayanan-publik", "kesehatan-masyarakat"), targets=(30, 45, 60)),
    _row("akurasi", "Pelaporan data yang akurat", "utama", "kualitas", "Persentase laporan tanpa koreksi", HIGHER,
         satuan="persen", kompetensi=("analisis-data",), targets=((90, 100), (85, 95))),
    _row("serapan", "Pelaksanaan anggaran kegiatan", "utama", "kuantitas", "Persentase serapan anggaran", HIGHER,
         satuan="persen", kompetensi=("perencanaan-anggaran",), targets=((85, 95), (90, 100))),
    _row("spj", "Penyelesaian pertanggungjawaban keuangan", "utama", "waktu", "Rata-rata hari penyelesaian SPJ",
         LOWER, satuan="hari", kompetensi=("perencanaan-anggaran",), targets=((3, 5), (5, 7))),
    _row("kepuasan", "Kepuasan masyarakat atas layanan", "utama", "kualitas", "Indeks kepuasan masyarakat", HIGHER,
         satuan="indeks", kompetensi=("pelayanan-publik",), targets=((80, 90), (85, 95))),
    _row("kajian", "Penyusunan kajian kebijakan", "utama", "kualitas", "Kualitas kajian menurut atasan",
         QUALITATIVE, kompetensi=("analisis-data", "perencanaan-anggaran")),
    _row("supervisi", "Supervisi pelaksanaan program", "utama", "kualitas", "Kualitas supervisi menurut atasan",
         QUALITATIVE, kompetensi=("manajemen-proyek",)),
    _row("koordinasi", "Koordinasi lintas sektor", "tambahan", "kualitas", "Kualitas koordinasi lintas sektor",
         QUALITATIVE, kompetensi=("kolaboratif", "koordinasi-masyarakat")),
    _row("inovasi", "Inovasi pelayanan", "tambahan", "kuantitas", "Jumlah inovasi diterapkan", HIGHER,
         satuan="inovasi", kompetensi=("inovasi",), targets=(1, 2, 3), whole=True),
    _row("pembimbingan", "Pembimbingan pegawai baru", "tambahan", "kualitas", "Kualitas pembimbingan menurut atasan",
         QUALITATIVE, kompetensi=("kompeten",)),
    _row("narasumber", "Narasumber kegiatan", "tambahan", "kuantitas", "Jumlah kegiatan sebagai narasumber", HIGHER,
         satuan="kegiatan", kompetensi=("kompeten", "kolaboratif"), targets=(2, 4), whole=True),
)
# fmt: on
PlanRow = tuple[RowTemplate, Target]
Plan = tuple[PlanRow, ...]


def draw_plan(rng: random.Random) -> Plan:
    """5 to 8 rows: 1 or 2 tambahan, the rest utama; each row with one of its template's targets."""
    size, tambahan = rng.randint(5, 8), rng.randint(1, 2)
    utama = [t for t in ROW_POOL if t.jenis == "utama"]
    extra = [t for t in ROW_POOL if t.jenis == "tambahan"]
    chosen = rng.sample(utama, size - tambahan) + rng.sample(extra, tambahan)
    return tuple((template, rng.choice(template.targets)) for template in chosen)


def kind(row: PlanRow) -> str:
    template, target = row
    return "target_range" if isinstance(target, tuple) else template.polaritas


def skp_row(row: PlanRow) -> dict[str, Any]:
    """The row as PUT /v1/skp takes it."""
    template, target = row
    return template.row(target)


def skp_csv(plans: list[tuple[str, Plan]]) -> bytes:
    """An SKP sheet in the layout of GET /v1/templates/skp, as an operator fills it in: one line per row."""
    return skp_sheet(
        [{"skp_id": f"skp-{nip}", "nip": nip, "tahun": 2026, "rows": [skp_row(r) for r in plan]} for nip, plan in plans]
    )


def realisasi(row: PlanRow, rng: random.Random) -> dict[str, Any]:
    """A realisation around the row's target (some missed, some beaten), or the atasan's rating."""
    t, target = row
    if t.polaritas == QUALITATIVE:
        return {"row_id": t.row_id, "rating_atasan": rng.choice(RATINGS)}
    if isinstance(target, tuple):
        value = rng.uniform(target[0] * 0.8, target[1] * 1.1)
    else:
        value = target * (rng.uniform(0.6, 1.15) if t.polaritas == HIGHER else rng.uniform(0.5, 1.7))
    if t.satuan == "persen":
        value = min(value, 100.0)
    return {"row_id": t.row_id, "realisasi": round(value) if t.whole else round(value, 1)}


def report_body(nip: str, plan: Plan, month: int, rng: random.Random) -> dict:
    """A monthly report on the employee's plan: every utama row, each tambahan row four times in five."""
    last_day = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    rows = [row for row in plan if row[0].jenis == "utama" or rng.random() < 0.8]
    return {
        "report_id": f"r-{secrets.token_hex(8)}",
        "nip": nip,
        "skp_id": f"skp-{nip}",
        "period": {"type": "bulanan", "start": f"2026-{month:02d}-01", "end": f"2026-{month:02d}-{last_day}"},
        "realisasi": [realisasi(row, rng) for row in rows],
        "rating_hasil_kerja_atasan": rng.choice(RATINGS),
        "perilaku": {b: rng.choice(RATINGS[:2]) for b in BERAKHLAK},
        "feedback": "Kinerja bulan ini sesuai rencana; koordinasi dengan puskesmas perlu ditingkatkan.",
    }


class Population:
    def __init__(self) -> None:
        self.agencies: list[Agency] = []
        self.staff: dict[str, list[str]] = {}  # agency id -> NIPs
        self.has_atasan: dict[str, bool] = {}
        self.plans: dict[str, Plan] = {}  # NIP -> SKP plan

    @property
    def agency_ids(self) -> list[str]:
        return [a.agency_id for a in self.agencies]

    def employees(self) -> list[tuple[Agency, str]]:
        """Every employee, the agencies taking turns: a prefix of this list spreads over all of them."""
        longest = max(len(nips) for nips in self.staff.values())
        return [
            (a, self.staff[a.agency_id][i])
            for i in range(longest)
            for a in self.agencies
            if i < len(self.staff[a.agency_id])
        ]

    def report_body(self, nip: str, month: int, rng: random.Random) -> dict:
        return report_body(nip, self.plans[nip], month, rng)

    def summary(self) -> dict[str, Any]:
        sizes = [len(plan) for plan in self.plans.values()]
        kinds = Counter(kind(row) for plan in self.plans.values() for row in plan)
        return {
            "agencies": len(self.agencies),
            "employees": len(self.plans),
            "supervisors": sum(not atasan for atasan in self.has_atasan.values()),
            "skp_rows_per_plan": {"min": min(sizes), "mean": sum(sizes) / len(sizes), "max": max(sizes)},
            "skp_row_kinds": dict(sorted(kinds.items())),
        }


def people_of(count: int, taken: dict[str, bool], rng: random.Random) -> list[dict]:
    """`count` employees with NIPs not in `taken`; the first tenth supervise the others."""
    nips: set[str] = set()
    while len(nips) < count:
        if (nip := random_nip()) not in taken:  # unique across agencies
            nips.add(nip)
    ordered = sorted(nips)
    supervisors = ordered[: max(1, math.ceil(count / SUPERVISOR_EVERY))]
    return [
        {
            "nip": nip,
            "nama": f"Pegawai {i}",
            "jabatan": rng.choice(JABATAN),
            "atasan_nip": None if i < len(supervisors) else supervisors[i % len(supervisors)],
        }
        for i, nip in enumerate(ordered)
    ]


def build_population(url: str, agencies: int, employees: int, door: str = "upload", workers: int = 2) -> Population:
    """Agencies one by one, then each agency's employees and plans, `workers` agencies at a time."""
    rng = random.Random(3)
    population = Population()
    staff: dict[str, list[dict]] = {}
    with httpx.Client(base_url=url, timeout=120) as client:
        for a in range(agencies):
            agency = register_agency(client, budget=10_000_000_000)
            people = staff[agency.agency_id] = people_of(
                employees // agencies + (a < employees % agencies), population.has_atasan, rng
            )
            population.agencies.append(agency)
            population.staff[agency.agency_id] = [p["nip"] for p in people]
            population.has_atasan |= {p["nip"]: p["atasan_nip"] is not None for p in people}
            population.plans |= {p["nip"]: draw_plan(rng) for p in people}
    clients: list[httpx.Client] = []
    local = threading.local()

    def set_up(agency: Agency) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, timeout=600)
            clients.append(local.client)
        register_staff(local.client, agency, staff[agency.agency_id])
        plans = [(nip, population.plans[nip]) for nip in population.staff[agency.agency_id]]
        (upload_plans if door == "upload" else put_plans)(local.client, agency, plans)

    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(set_up, population.agencies))
    finally:
        for client in clients:
            client.close()
    return population


def register_staff(client: httpx.Client, agency: Agency, people: list[dict]) -> None:
    """POST /v1/employees/batch, 1,000 at a time (a batch may name an atasan registered later in it)."""
    for first in range(0, len(people), EMPLOYEES_PER_BATCH):
        chunk = people[first : first + EMPLOYEES_PER_BATCH]
        answer = client.post("/v1/employees/batch", json={"employees": chunk}, headers=agency.auth)
        assert answer.status_code == 200 and answer.json()["summary"] == {"registered": len(chunk)}, answer.text[:2000]


def upload_plans(client: httpx.Client, agency: Agency, plans: list[tuple[str, Plan]]) -> None:
    """POST /v1/uploads/skp, a CSV file of up to PLANS_PER_FILE plans. Intake answers master data files once every
    plan is registered, so there is nothing to poll (only report sheets go on through GET /v1/uploads/{id})."""
    for first in range(0, len(plans), PLANS_PER_FILE):
        chunk = plans[first : first + PLANS_PER_FILE]
        files = {"file": (f"skp-{agency.agency_id}-{first}.csv", skp_csv(chunk), "text/csv")}
        answer = client.post("/v1/uploads/skp", files=files, headers=agency.auth)
        assert answer.status_code == 200, answer.text[:2000]
        summary = answer.json()
        assert summary["registered"] == len(chunk) and not summary["errors"], str(summary)[:2000]


def put_plans(client: httpx.Client, agency: Agency, plans: list[tuple[str, Plan]]) -> None:
    """One PUT /v1/skp/{skp_id} per plan."""
    for nip, plan in plans:
        body = {"skp_id": f"skp-{nip}", "nip": nip, "tahun": 2026, "rows": [skp_row(row) for row in plan]}
        answer = client.put(f"/v1/skp/skp-{nip}", json=body, headers=agency.auth)
        assert answer.status_code == 200, answer.text
