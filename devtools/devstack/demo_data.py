"""The demo's hand-written scenarios: nine named people of four Kabupaten Bungo agencies, their SKP plans, their
October 2026 reports and how their year went.

Scenarios follow the field reports in the domain brief: an exemplary teacher
running innovative programmes, health staff who need public-health training,
public works assessed on coordination with the public, and Dukcapil officers
measured on lower-is-better completion times. The generated staff around them
are demo_year.py's.
"""

from dataclasses import dataclass

TAHUN = 2026
PERIOD = {"type": "bulanan", "start": "2026-10-01", "end": "2026-10-31"}


def _row(row_id, rhk, jenis, aspek, indikator, polaritas, target=None, satuan="", kompetensi=(), target_range=None):
    row = {"row_id": row_id, "rhk": rhk, "jenis": jenis, "aspek": aspek, "indikator": indikator}
    row |= {"polaritas": polaritas, "satuan": satuan, "kompetensi": list(kompetensi)}
    if target is not None:
        row["target"] = target
    if target_range is not None:
        row["target_range"] = target_range
    return row


AGENCIES = [
    {
        "agency_id": "bungo-dinkes",
        "nama": "Dinas Kesehatan Kabupaten Bungo",
        "anggaran_pelatihan": 60_000_000,
        "employees": [
            ("197602142000032001", "dr. Rina Marlina", "Kepala Bidang Kesehatan Masyarakat", None),
            ("198503122010011002", "Ahmad Fauzi, SKM", "Epidemiolog Kesehatan Ahli Muda", "197602142000032001"),
            ("199107252019032005", "Nur Aisyah, Amd.Keb", "Bidan Terampil", "197602142000032001"),
        ],
        "rows": [
            _row(
                "imunisasi",
                "Cakupan imunisasi dasar lengkap",
                "utama",
                "kuantitas",
                "Persentase bayi diimunisasi",
                "higher_is_better",
                95,
                "persen",
                ["kesehatan-masyarakat"],
            ),
            _row(
                "surveilans",
                "Laporan surveilans penyakit tepat waktu",
                "utama",
                "waktu",
                "Rata-rata hari keterlambatan laporan",
                "lower_is_better",
                3,
                "hari",
                ["analisis-data"],
            ),
            _row(
                "penyuluhan",
                "Penyuluhan kesehatan di posyandu",
                "tambahan",
                "kualitas",
                "Kualitas penyuluhan menurut atasan",
                "qualitative",
                kompetensi=["pelayanan-publik"],
            ),
        ],
    },
    {
        "agency_id": "bungo-disdik",
        "nama": "Dinas Pendidikan Kabupaten Bungo",
        "anggaran_pelatihan": 45_000_000,
        "employees": [
            ("197811082003121003", "Drs. Hendra Saputra", "Kepala Seksi Kurikulum", None),
            ("198807192012012004", "Siti Rahmawati, S.Pd", "Guru Ahli Pertama (pegawai teladan)", "197811082003121003"),
        ],
        "rows": [
            _row(
                "program-inovasi",
                "Program pembelajaran inovatif",
                "utama",
                "kuantitas",
                "Jumlah program inovatif berjalan",
                "higher_is_better",
                4,
                "program",
                ["inovasi-pendidikan"],
            ),
            _row(
                "ipm",
                "Kontribusi pada target IPM pendidikan",
                "utama",
                "kualitas",
                "Angka partisipasi sekolah",
                "higher_is_better",
                None,
                "persen",
                ["analisis-data"],
                {"lower": 85, "upper": 90},
            ),
        ],
    },
    {
        "agency_id": "bungo-dpupr",
        "nama": "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Bungo",
        "anggaran_pelatihan": 30_000_000,
        "employees": [
            ("198001012005011001", "Ir. Bambang Wijaya", "Kepala Bidang Bina Marga", None),
            ("199203142015031002", "Rudi Hartono, ST", "Teknik Jalan dan Jembatan Ahli Pertama", "198001012005011001"),
        ],
        "rows": [
            _row(
                "jalan",
                "Peningkatan jalan kabupaten",
                "utama",
                "kuantitas",
                "Panjang jalan ditingkatkan",
                "higher_is_better",
                12,
                "km",
                ["manajemen-proyek"],
            ),
            _row(
                "koordinasi",
                "Koordinasi dengan masyarakat terdampak",
                "utama",
                "kualitas",
                "Kualitas koordinasi menurut atasan",
                "qualitative",
                kompetensi=["koordinasi-masyarakat"],
            ),
        ],
    },
    {
        "agency_id": "bungo-dukcapil",
        "nama": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bungo",
        "anggaran_pelatihan": 20_000_000,
        "employees": [
            ("198205202008012001", "Yusnita, SE", "Kepala Seksi Pendaftaran Penduduk", None),
            ("199510102020122001", "Dewi Lestari", "Pengadministrasi Registrasi Kependudukan", "198205202008012001"),
        ],
        "rows": [
            _row(
                "waktu-layanan",
                "Penyelesaian permohonan KTP-el dan KK",
                "utama",
                "waktu",
                "Rata-rata jam penyelesaian permohonan",
                "lower_is_better",
                7,
                "jam",
                ["administrasi-kependudukan"],
            ),
            _row(
                "keluhan",
                "Pengaduan masyarakat atas layanan",
                "utama",
                "kualitas",
                "Jumlah pengaduan",
                "lower_is_better",
                5,
                "pengaduan",
                ["pelayanan-publik"],
            ),
        ],
    },
]

# Realisation per NIP: row_id -> number or rating, and BerAKHLAK ratings that differ from Sesuai.
REALISASI = {
    "198503122010011002": (
        {"imunisasi": 81, "surveilans": 5, "penyuluhan": "sesuai_ekspektasi"},
        {"kompeten": "di_bawah_ekspektasi"},
    ),
    "199107252019032005": ({"imunisasi": 97, "surveilans": 3, "penyuluhan": "di_atas_ekspektasi"}, {}),
    "198807192012012004": (
        {"program-inovasi": 6, "ipm": 99.5},
        {
            "berorientasi_pelayanan": "di_atas_ekspektasi",
            "adaptif": "di_atas_ekspektasi",
            "kolaboratif": "di_atas_ekspektasi",
            "kompeten": "di_atas_ekspektasi",
        },
    ),
    "199203142015031002": ({"jalan": 10.5, "koordinasi": "di_bawah_ekspektasi"}, {"harmonis": "di_bawah_ekspektasi"}),
    "199510102020122001": ({"waktu-layanan": 6.5, "keluhan": 2}, {"berorientasi_pelayanan": "di_atas_ekspektasi"}),
    "198205202008012001": ({"waktu-layanan": 7, "keluhan": 6}, {}),
}


HEAD, KEPALA = "head", "kepala"  # the agency's head; the head of the person's unit kerja


@dataclass(frozen=True)
class Story:
    unit_kerja: str
    atasan: str | None  # an NIP, HEAD or KEPALA
    year: str  # the predikat of each month from January: S Sangat Baik, B Baik, P Butuh Perbaikan, K Kurang


# The named people report January to October; October is the hand-written report above (REALISASI). Their
# November is left for the README's and the banner's examples to send (docs/examples/laporan-november.json is
# Ahmad Fauzi's), so those are accepted as new reports.
NAMED_LAST_MONTH = 10
STORIES = {
    "197602142000032001": Story("bidang-kesmas", HEAD, "BBBSBBBBBB"),  # heads the unit; one standout month
    "198503122010011002": Story("bidang-kesmas", "197602142000032001", "BBBBBBBPPP"),  # slipping since August
    "199107252019032005": Story("bidang-kesmas", "197602142000032001", "PPBBBBBBBB"),  # improving after a slow start
    "197811082003121003": Story("bidang-smp", KEPALA, "BBBBBBBBBB"),
    "198807192012012004": Story("smpn-1-muara-bungo", "197811082003121003", "BSSSSSSSSS"),  # the pegawai teladan
    "198001012005011001": Story("bidang-bina-marga", HEAD, "BBBBBBBBBB"),  # heads the unit
    "199203142015031002": Story("bidang-bina-marga", "198001012005011001", "BBBPBBBBPP"),  # coordination troubles
    "198205202008012001": Story("bidang-dafduk", KEPALA, "BBBBBBBBBP"),  # complaints rose in October
    "199510102020122001": Story("bidang-dafduk", "198205202008012001", "PPBBBBBBBB"),  # learnt SIAK, then steady
}
