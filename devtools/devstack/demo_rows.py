"""SKP rows for the demo's generated staff, by sector, and the realisation that earns a row a given rating;
the SKP spreadsheet that carries plans to intake (the benchmarks' populations use both too).

Every row's kompetensi tags are tags of training's seeded catalogue (services/training/domain/catalogue.json),
so a row rated Di Bawah Ekspektasi becomes a gap a real course can close. Targets are monthly, since the demo
reports monthly against them.
"""

import csv
import io
import math
import random
from dataclasses import dataclass
from typing import Any

from shared.contracts.common import Polaritas, Rating

HIGHER, LOWER, QUALITATIVE = Polaritas.HIGHER_IS_BETTER, Polaritas.LOWER_IS_BETTER, Polaritas.QUALITATIVE
ATAS, SESUAI, BAWAH = Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH
# Things counted one by one: their realisation is a whole number.
# fmt: off
WHOLE_UNITS = frozenset({
    "kunjungan", "orang", "modul", "pertemuan", "keping", "akta", "akun", "dokumen", "forum", "konten", "OPD", "unit",
    "naskah", "inovasi", "kegiatan", "program", "pengaduan", "usulan", "barang",
})
# fmt: on
CAPPED_UNITS = {"persen": 100.0, "indeks": 100.0}
# Capaian aimed at for each rating, as a share of the reference value, clear of the policy's thresholds
# (Di Atas from 110%, Sesuai from 100%) by more than rounding can move them.
AIM = {ATAS: (1.13, 1.35), SESUAI: (1.0, 1.07), BAWAH: (0.62, 0.94)}
# Where a capped value (a percentage) still counts as Di Atas when it stops at its cap: 100% of a 90% target.
ATAS_AT_CAP = 1.105
Target = float | tuple[float, float] | None


@dataclass(frozen=True)
class RowTemplate:
    row_id: str
    rhk: str
    jenis: str
    aspek: str
    indikator: str
    polaritas: str
    satuan: str = ""
    kompetensi: tuple[str, ...] = ()
    targets: tuple[Target, ...] = (None,)
    whole: bool = False  # counted things, for populations that say so row by row: realisasi is an integer

    def row(self, target: Target) -> dict[str, Any]:
        """The SKP row as `PUT /v1/skp/{skp_id}` takes it."""
        body = {"row_id": self.row_id, "rhk": self.rhk, "jenis": self.jenis, "aspek": self.aspek}
        body |= {"indikator": self.indikator, "polaritas": self.polaritas, "satuan": self.satuan}
        body["kompetensi"] = list(self.kompetensi)
        if isinstance(target, tuple):
            body["target_range"] = {"lower": target[0], "upper": target[1]}
        elif target is not None:
            body["target"] = target
        return body


def _r(row_id, rhk, jenis, aspek, indikator, polaritas, satuan="", kompetensi=(), targets=(None,)) -> RowTemplate:
    return RowTemplate(row_id, rhk, jenis, aspek, indikator, polaritas, satuan, tuple(kompetensi), targets)


U, T = "utama", "tambahan"
KUANT, KUAL, WAKTU = "kuantitas", "kualitas", "waktu"
# fmt: off
SECTOR_ROWS = {
    "sekretariat": (
        _r("layanan-kepegawaian", "Pengelolaan layanan kepegawaian", U, KUANT,
           "Jumlah usulan kenaikan pangkat dan cuti diproses", HIGHER, "usulan", ["manajemen-publik"], (15, 20)),
        _r("data-pegawai", "Pemutakhiran data kepegawaian", U, WAKTU, "Rata-rata hari pemutakhiran data pegawai",
           LOWER, "hari", ["teknologi-informasi", "analisis-data"], (3, 5)),
        _r("renja", "Penyusunan rencana kerja dan anggaran", U, KUAL, "Kualitas dokumen renja menurut atasan",
           QUALITATIVE, kompetensi=["perencanaan-anggaran"]),
        _r("spj-sekretariat", "Penyelesaian pertanggungjawaban keuangan", U, WAKTU, "Rata-rata hari penyelesaian SPJ",
           LOWER, "hari", ["perencanaan-anggaran", "akuntabel"], ((3, 5),)),
        _r("barang-daerah", "Pencatatan barang milik daerah", U, KUANT, "Jumlah barang dicatat", HIGHER, "barang",
           ["perencanaan-anggaran", "akuntabel"], (30, 50)),
    ),
    "kesehatan": (
        _r("imunisasi-dasar", "Cakupan imunisasi dasar lengkap", U, KUANT, "Persentase bayi diimunisasi", HIGHER,
           "persen", ["kesehatan-masyarakat"], (80, 85)),
        _r("anc", "Pelayanan antenatal ibu hamil", U, KUANT, "Persentase ibu hamil mendapat K6", HIGHER, "persen",
           ["kesehatan-masyarakat"], (75, 80)),
        _r("posyandu", "Pembinaan posyandu", U, KUANT, "Jumlah kunjungan pembinaan posyandu", HIGHER, "kunjungan",
           ["kesehatan-masyarakat", "koordinasi-masyarakat"], (8, 10, 12)),
        _r("surveilans-mingguan", "Laporan surveilans mingguan tepat waktu", U, WAKTU,
           "Rata-rata hari keterlambatan laporan", LOWER, "hari", ["analisis-data"], (2, 3)),
        _r("waktu-tunggu", "Pelayanan rawat jalan puskesmas", U, WAKTU, "Rata-rata menit waktu tunggu pasien",
           LOWER, "menit", ["pelayanan-publik", "kesehatan-masyarakat"], (30, 45)),
        _r("penimbangan", "Pemantauan pertumbuhan balita", U, KUANT, "Persentase balita ditimbang", HIGHER,
           "persen", ["kesehatan-masyarakat", "koordinasi-masyarakat"], ((80, 88),)),
        _r("kasus-tb", "Penemuan kasus tuberkulosis", U, KUANT, "Jumlah terduga TB diperiksa", HIGHER, "orang",
           ["kesehatan-masyarakat", "analisis-data"], (20, 30)),
        _r("kepuasan-pasien", "Kepuasan pasien puskesmas", U, KUAL, "Indeks kepuasan masyarakat", HIGHER,
           "indeks", ["pelayanan-publik"], ((80, 88),)),
    ),
    "pendidikan": (
        _r("ketuntasan", "Pembelajaran tuntas di kelas", U, KUAL, "Persentase siswa tuntas KKM", HIGHER, "persen",
           ["inovasi-pendidikan"], (75, 80)),
        _r("modul-ajar", "Penyusunan perangkat ajar Kurikulum Merdeka", U, KUANT, "Jumlah modul ajar disusun",
           HIGHER, "modul", ["inovasi-pendidikan", "kompeten"], (4, 6)),
        _r("kehadiran-siswa", "Pendampingan kehadiran siswa", U, KUANT, "Persentase kehadiran siswa", HIGHER,
           "persen", ["inovasi-pendidikan"], ((80, 88),)),
        _r("olah-nilai", "Penilaian hasil belajar tepat waktu", U, WAKTU, "Rata-rata hari pengolahan nilai", LOWER,
           "hari", ["analisis-data"], (5, 7)),
        _r("kelas-digital", "Pembelajaran berbasis teknologi", U, KUANT, "Jumlah pertemuan dengan media digital",
           HIGHER, "pertemuan", ["inovasi-pendidikan", "teknologi-informasi"], (8, 12)),
        _r("supervisi-akademik", "Supervisi akademik sekolah binaan", U, KUAL, "Kualitas supervisi menurut atasan",
           QUALITATIVE, kompetensi=["inovasi-pendidikan", "kepemimpinan"]),
        _r("dapodik", "Pemutakhiran Dapodik", U, WAKTU, "Rata-rata hari pemutakhiran data", LOWER, "hari",
           ["teknologi-informasi", "analisis-data"], (3, 5)),
    ),
    "pupr": (
        _r("pemeliharaan-jalan", "Pemeliharaan jalan kabupaten", U, KUANT, "Panjang jalan dipelihara", HIGHER, "km",
           ["manajemen-proyek"], (3, 5)),
        _r("progres-fisik", "Pengawasan pekerjaan konstruksi", U, KUANT, "Persentase progres fisik sesuai jadwal",
           HIGHER, "persen", ["manajemen-proyek"], ((90, 100),)),
        _r("irigasi", "Rehabilitasi jaringan irigasi", U, KUANT, "Luas daerah irigasi terlayani", HIGHER,
           "hektare", ["manajemen-proyek"], (120, 150)),
        _r("pbg", "Pelayanan persetujuan bangunan gedung", U, WAKTU, "Rata-rata hari penerbitan PBG", LOWER, "hari",
           ["pelayanan-publik"], (10, 14)),
        _r("rdtr", "Penyusunan rencana detail tata ruang", U, KUAL, "Kualitas dokumen RDTR menurut atasan",
           QUALITATIVE, kompetensi=["perencanaan-anggaran", "koordinasi-masyarakat"]),
        _r("aduan-jalan", "Tindak lanjut aduan kerusakan jalan", U, WAKTU, "Rata-rata hari tindak lanjut aduan",
           LOWER, "hari", ["koordinasi-masyarakat", "pelayanan-publik"], ((2, 4),)),
        _r("kontrak", "Administrasi kontrak pekerjaan", U, KUAL, "Persentase dokumen kontrak lengkap", HIGHER,
           "persen", ["manajemen-proyek", "akuntabel"], (85,)),
    ),
    "kependudukan": (
        _r("ktp-el", "Penerbitan KTP-el", U, KUANT, "Jumlah KTP-el dicetak", HIGHER, "keping",
           ["administrasi-kependudukan"], (250, 300, 400)),
        _r("akta-lahir", "Penerbitan akta kelahiran", U, KUANT, "Jumlah akta kelahiran diterbitkan", HIGHER, "akta",
           ["administrasi-kependudukan", "pelayanan-publik"], (120, 150)),
        _r("waktu-kk", "Penyelesaian permohonan KK", U, WAKTU, "Rata-rata jam penyelesaian permohonan", LOWER,
           "jam", ["administrasi-kependudukan", "pelayanan-publik"], (6, 8)),
        _r("ikd", "Aktivasi Identitas Kependudukan Digital", U, KUANT, "Jumlah IKD diaktivasi", HIGHER, "akun",
           ["administrasi-kependudukan", "teknologi-informasi"], (80, 100)),
        _r("verifikasi-data", "Verifikasi data kependudukan", U, KUAL, "Persentase data terverifikasi tanpa koreksi",
           HIGHER, "persen", ["administrasi-kependudukan", "analisis-data"], ((90, 100),)),
        _r("aduan-adminduk", "Penanganan pengaduan layanan", U, KUAL, "Jumlah pengaduan tidak tertangani", LOWER,
           "pengaduan", ["pelayanan-publik", "koordinasi-masyarakat"], (3, 5)),
    ),
    "perencanaan": (
        _r("dokumen-rencana", "Penyusunan dokumen perencanaan", U, KUANT, "Jumlah dokumen perencanaan disahkan",
           HIGHER, "dokumen", ["perencanaan-anggaran"], (2, 3)),
        _r("musrenbang", "Fasilitasi musrenbang kecamatan", U, KUANT, "Jumlah forum difasilitasi", HIGHER, "forum",
           ["koordinasi-masyarakat", "perencanaan-anggaran"], (3, 4)),
        _r("kajian", "Penyusunan kajian kebijakan", U, KUAL, "Kualitas kajian menurut atasan", QUALITATIVE,
           kompetensi=["analisis-data", "manajemen-publik"]),
        _r("data-sektoral", "Pemutakhiran data statistik sektoral", U, WAKTU, "Rata-rata hari pemutakhiran", LOWER,
           "hari", ["analisis-data"], (5, 7)),
        _r("evaluasi-rkpd", "Evaluasi capaian RKPD", U, KUAL, "Persentase program dievaluasi", HIGHER, "persen",
           ["manajemen-publik", "analisis-data"], ((85, 95),)),
        _r("input-sipd", "Input rencana kerja di SIPD", U, WAKTU, "Rata-rata hari keterlambatan input SIPD", LOWER,
           "hari", ["perencanaan-anggaran", "teknologi-informasi"], ((1, 2),)),
    ),
    "informatika": (
        _r("modul-aplikasi", "Pengembangan aplikasi layanan", U, KUANT, "Jumlah modul aplikasi diterapkan", HIGHER,
           "modul", ["teknologi-informasi", "manajemen-proyek"], (2, 3)),
        _r("tiket", "Layanan dukungan TI", U, WAKTU, "Rata-rata jam penyelesaian tiket", LOWER, "jam",
           ["teknologi-informasi", "pelayanan-publik"], (8, 12)),
        _r("uptime", "Ketersediaan layanan jaringan", U, KUAL, "Persentase waktu layanan aktif", HIGHER, "persen",
           ["teknologi-informasi"], ((97, 99.5),)),
        _r("konten", "Publikasi informasi publik", U, KUANT, "Jumlah konten informasi dipublikasikan", HIGHER,
           "konten", ["pelayanan-publik", "koordinasi-masyarakat"], (20, 30)),
        _r("insiden", "Penanganan insiden keamanan informasi", U, WAKTU, "Rata-rata jam penanganan insiden", LOWER,
           "jam", ["teknologi-informasi"], (24, 48)),
        _r("spbe", "Pemenuhan indikator SPBE", U, KUAL, "Kualitas dokumen SPBE menurut atasan", QUALITATIVE,
           kompetensi=["teknologi-informasi", "manajemen-publik"]),
    ),
    "keuangan": (
        _r("sp2d", "Verifikasi SPM dan penerbitan SP2D", U, WAKTU, "Rata-rata jam penerbitan SP2D", LOWER, "jam",
           ["perencanaan-anggaran", "akuntabel"], (16, 24)),
        _r("lkpd", "Penyusunan laporan keuangan", U, KUAL, "Kualitas laporan keuangan menurut atasan", QUALITATIVE,
           kompetensi=["perencanaan-anggaran", "akuntabel"]),
        _r("rekonsiliasi", "Rekonsiliasi kas dan belanja", U, KUANT, "Jumlah OPD direkonsiliasi", HIGHER, "OPD",
           ["perencanaan-anggaran", "analisis-data"], (8, 10)),
        _r("inventarisasi", "Inventarisasi barang milik daerah", U, KUANT, "Jumlah aset diinventarisasi", HIGHER,
           "unit", ["perencanaan-anggaran"], (150, 200)),
        _r("serapan", "Pengendalian serapan anggaran", U, KUANT, "Persentase serapan anggaran", HIGHER, "persen",
           ["perencanaan-anggaran"], ((85, 90),)),
        _r("spj", "Penyelesaian pertanggungjawaban keuangan", U, WAKTU, "Rata-rata hari penyelesaian SPJ", LOWER,
           "hari", ["perencanaan-anggaran", "akuntabel"], ((3, 5),)),
    ),
}
GENERAL_ROWS = (
    _r("laporan-bulanan", "Penyusunan laporan kinerja bulanan", U, WAKTU, "Rata-rata hari keterlambatan laporan",
       LOWER, "hari", ["manajemen-publik"], (2, 3)),
    _r("naskah-dinas", "Pengelolaan naskah dinas", U, KUANT, "Jumlah naskah dinas diproses", HIGHER, "naskah",
       ["akuntabel"], (40, 60)),
)
LEADER_ROWS = (
    _r("pembinaan-tim", "Pembinaan dan pengendalian kinerja tim", U, KUAL, "Kualitas pembinaan tim menurut atasan",
       QUALITATIVE, kompetensi=["kepemimpinan"]),
    _r("iku-unit", "Pencapaian indikator kinerja unit", U, KUANT, "Persentase indikator kinerja unit tercapai",
       HIGHER, "persen", ["manajemen-publik"], (80, 85)),
)
EXTRA_ROWS = (
    _r("koordinasi-lintas", "Koordinasi lintas sektor", T, KUAL, "Kualitas koordinasi menurut atasan", QUALITATIVE,
       kompetensi=["kolaboratif", "koordinasi-masyarakat"]),
    _r("inovasi-layanan", "Inovasi pelayanan", T, KUANT, "Jumlah inovasi diterapkan", HIGHER, "inovasi",
       ["inovasi"], (1,)),
    _r("pembimbingan", "Pembimbingan pegawai baru", T, KUAL, "Kualitas pembimbingan menurut atasan", QUALITATIVE,
       kompetensi=["kompeten"]),
    _r("narasumber", "Narasumber kegiatan", T, KUANT, "Jumlah kegiatan sebagai narasumber", HIGHER, "kegiatan",
       ["kompeten", "kolaboratif"], (1, 2)),
    _r("sosialisasi-digital", "Sosialisasi layanan digital", T, KUANT, "Jumlah sosialisasi dilaksanakan", HIGHER,
       "kegiatan", ["teknologi-informasi", "pelayanan-publik"], (1, 2)),
    _r("tim-pengadaan", "Anggota tim pengadaan barang dan jasa", T, KUAL, "Kualitas kerja tim menurut atasan",
       QUALITATIVE, kompetensi=["manajemen-proyek", "akuntabel"]),
)
# fmt: on


def draw_plan(rng: random.Random, sector: str, leader: bool) -> list[dict[str, Any]]:
    """5 to 8 rows: 1 or 2 tambahan, the rest utama (a leader's include leading the team), each with a target.

    Drawn again until more than half the rows could be rated Di Atas, so anyone may earn Sangat Baik.
    """
    while True:
        size, extra = rng.randint(5, 8), rng.randint(1, 2)
        lead = list(LEADER_ROWS) if leader else []
        utama = lead + rng.sample(SECTOR_ROWS[sector] + GENERAL_ROWS, size - extra - len(lead))
        chosen = utama + rng.sample(EXTRA_ROWS, extra)
        rows = [template.row(rng.choice(template.targets)) for template in chosen]
        if sum(can_be(row, ATAS) for row in rows) * 2 > len(rows):
            return rows


def _reference(row: dict[str, Any], rating: Rating) -> float:
    """The value capaian compares with: the target, or the range bound the realisation is aimed past."""
    if "target" in row:
        return row["target"]
    lower, upper = row["target_range"]["lower"], row["target_range"]["upper"]
    above = (rating == ATAS) == (row["polaritas"] == HIGHER)
    return upper if above else lower


def can_be(row: dict[str, Any], rating: Rating) -> bool:
    """Whether a realisation can earn the rating: 95% cannot be beaten by 10% when 100% is the most there is."""
    if row["polaritas"] == QUALITATIVE or rating != ATAS:
        return True
    reference = _reference(row, ATAS)
    if row["polaritas"] == LOWER:
        return reference > 0
    cap = CAPPED_UNITS.get(row["satuan"])
    return cap is None or reference * ATAS_AT_CAP <= cap


def realisasi_for(row: dict[str, Any], rating: Rating, rng: random.Random) -> dict[str, Any]:
    """What the employee achieved on the row, so that it is rated `rating` (the atasan's word if qualitative)."""
    if row["polaritas"] == QUALITATIVE:
        return {"row_id": row["row_id"], "rating_atasan": rating}
    if rating == SESUAI and "target_range" in row:
        lower, upper = row["target_range"]["lower"], row["target_range"]["upper"]
        return {"row_id": row["row_id"], "realisasi": _rounded(rng.uniform(lower, upper), upper)}
    reference = _reference(row, rating)
    share = rng.uniform(*AIM[rating])
    # Lower is better: capaian is 2 - realisasi / reference, so the same capaian needs 2 - share of it.
    value = reference * (share if row["polaritas"] == HIGHER else 2 - share)
    cap = CAPPED_UNITS.get(row["satuan"])
    if cap is not None:
        value = min(value, cap)
    better_up = row["polaritas"] == HIGHER
    # Whole units round towards the side of the threshold the rating lies on; others to a readable precision.
    if row["satuan"] in WHOLE_UNITS:
        toward_more = (rating == ATAS) == better_up if rating != SESUAI else not better_up
        whole = math.ceil(value) if toward_more else math.floor(value)
        if rating == SESUAI:
            whole = max(whole, math.ceil(reference)) if better_up else min(whole, math.floor(reference))
        return {"row_id": row["row_id"], "realisasi": whole}
    return {"row_id": row["row_id"], "realisasi": _rounded(value, reference)}


def _rounded(value: float, reference: float) -> float:
    """To one decimal for values of 5 and more, two below: rounding then moves capaian by under 1%."""
    return round(value, 1 if reference >= 5 else 2)


SKP_COLUMNS = ("skp_id", "nip", "tahun", "row_id", "rhk", "jenis", "aspek", "indikator", "polaritas", "target")
SKP_COLUMNS += ("target_bawah", "target_atas", "satuan", "kompetensi")
POLARITAS_WORDS = {"higher_is_better": "Naik", "lower_is_better": "Turun", "qualitative": "Kualitatif"}


def skp_sheet(plans: list[dict[str, Any]]) -> bytes:
    """The plans in the layout of intake's SKP template (GET /v1/templates/skp): one line per SKP row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SKP_COLUMNS)
    for plan in plans:
        for row in plan["rows"]:
            cells = {"skp_id": plan["skp_id"], "nip": plan["nip"], "tahun": plan["tahun"]}
            cells |= {
                k: row[k] for k in ("row_id", "rhk", "jenis", "aspek", "indikator", "target", "satuan") if k in row
            }
            cells |= {"polaritas": POLARITAS_WORDS[row["polaritas"]], "kompetensi": "; ".join(row["kompetensi"])}
            if "target_range" in row:
                cells |= {"target_bawah": row["target_range"]["lower"], "target_atas": row["target_range"]["upper"]}
            writer.writerow([cells.get(column, "") for column in SKP_COLUMNS])
    return out.getvalue().encode()
