"""The demo's agencies as an organisation chart: units, who leads them, what jabatan their staff hold, and how
generously each agency rates its people.

The four Kabupaten Bungo agencies hold the hand-written scenarios (demo_data.py), whose named people lead or sit
in some of these units; three agencies of Bungo's neighbours (Kabupaten Tebo, Kabupaten Merangin, Provinsi
Jambi) are generated only. Diskominfo Merangin is the one that breaks its curve: its organisation predikat for
2026 is Butuh Perbaikan (it missed its SPBE targets), yet its managers rate close to half of its staff Sangat
Baik, and more as the year goes on.
"""

from dataclasses import dataclass

from shared.contracts.scores import OrganisationPredikat


@dataclass(frozen=True)
class Jabatan:
    nama: str
    gelar: str  # a key of demo_people.GELAR
    pppk: float = 0.0  # the share of its holders appointed as PPPK


@dataclass(frozen=True)
class Unit:
    unit_id: str
    nama: str
    kepala: Jabatan | str  # the head's jabatan, or the NIP of a named person who heads it
    staff: int  # generated staff besides the kepala and the kepala seksi
    jabatan: tuple[Jabatan, ...]
    induk: str | None = None
    seksi: tuple[Jabatan, ...] = ()  # kepala seksi between the kepala and the staff
    sector: str | None = None  # the SKP rows its staff draw from, when not the agency's (a secretariat's own)


@dataclass(frozen=True)
class Agency:
    agency_id: str
    nama: str
    wilayah: str
    domain: str  # for the evidence links of its reports
    anggaran_pelatihan: int
    sector: str  # a key of demo_rows.SECTOR_ROWS
    head: Jabatan  # sits in the first unit, the secretariat
    units: tuple[Unit, ...]
    organisation_predikat: OrganisationPredikat  # set in scoring: it selects the curve the agency is held to
    sangat_baik: tuple[float, float]  # share rated Sangat Baik in January and in December
    below_baik: float  # share rated Butuh Perbaikan or Kurang
    breaks_curve: bool = False


def _j(nama: str, gelar: str, pppk: float = 0.0) -> Jabatan:
    return Jabatan(nama, gelar, pppk)


def _secretariat(unit_id: str, of: str) -> Unit:
    staff = (
        _j("Analis Sumber Daya Manusia Aparatur Ahli Pertama", "sosial"),
        _j("Perencana Ahli Pertama", "perencana"),
        _j("Pengelola Keuangan", "ekonomi", 0.2),
        _j("Pranata Komputer Terampil", "komputer", 0.3),
        _j("Pengadministrasi Perkantoran", "umum", 0.3),
    )
    return Unit(unit_id, f"Sekretariat {of}", _j(f"Sekretaris {of}", "pimpinan"), 7, staff, sector="sekretariat")


BIDAN, PERAWAT = _j("Bidan Terampil", "bidan", 0.45), _j("Perawat Terampil", "perawat", 0.45)
GURU = _j("Guru Ahli Pertama", "guru", 0.45)
PRANATA_KOMPUTER = _j("Pranata Komputer Ahli Pertama", "komputer", 0.3)

AGENCIES = (
    Agency(
        "bungo-dinkes",
        "Dinas Kesehatan Kabupaten Bungo",
        "Kabupaten Bungo",
        "bungokab.go.id",
        150_000_000,
        "kesehatan",
        _j("Kepala Dinas Kesehatan", "dokter"),
        (
            _secretariat("sekretariat-dinkes", "Dinas Kesehatan"),
            Unit(
                "bidang-kesmas",
                "Bidang Kesehatan Masyarakat",
                "197602142000032001",
                14,
                (
                    _j("Penyuluh Kesehatan Masyarakat Ahli Pertama", "kesmas"),
                    _j("Nutrisionis Terampil", "kesmas", 0.3),
                    BIDAN,
                    _j("Epidemiolog Kesehatan Ahli Pertama", "kesmas"),
                ),
                seksi=(_j("Kepala Seksi Kesehatan Keluarga dan Gizi", "kesmas"),),
            ),
            Unit(
                "bidang-p2p",
                "Bidang Pencegahan dan Pengendalian Penyakit",
                _j("Kepala Bidang Pencegahan dan Pengendalian Penyakit", "kesmas"),
                13,
                (
                    _j("Epidemiolog Kesehatan Ahli Pertama", "kesmas"),
                    _j("Sanitarian Terampil", "kesmas", 0.3),
                    PERAWAT,
                    _j("Pranata Laboratorium Kesehatan Terampil", "umum", 0.3),
                ),
                seksi=(_j("Kepala Seksi Surveilans dan Imunisasi", "kesmas"),),
            ),
            Unit(
                "pkm-rimbo-tengah",
                "Puskesmas Rimbo Tengah",
                _j("Kepala Puskesmas Rimbo Tengah", "dokter"),
                18,
                (_j("Dokter Ahli Pertama", "dokter", 0.2), PERAWAT, BIDAN, _j("Apoteker Ahli Pertama", "farmasi", 0.3)),
                induk="bidang-kesmas",
            ),
        ),
        OrganisationPredikat.BAIK,
        (0.22, 0.26),
        0.10,
    ),
    Agency(
        "bungo-disdik",
        "Dinas Pendidikan Kabupaten Bungo",
        "Kabupaten Bungo",
        "bungokab.go.id",
        120_000_000,
        "pendidikan",
        _j("Kepala Dinas Pendidikan", "pimpinan"),
        (
            _secretariat("sekretariat-disdik", "Dinas Pendidikan"),
            Unit(
                "bidang-sd",
                "Bidang Pembinaan Sekolah Dasar",
                _j("Kepala Bidang Pembinaan Sekolah Dasar", "guru"),
                12,
                (_j("Pengawas Sekolah Ahli Muda", "guru"), GURU, _j("Pengelola Data Pendidikan", "komputer", 0.3)),
            ),
            Unit(
                "bidang-smp",
                "Bidang Pembinaan Sekolah Menengah Pertama",
                _j("Kepala Bidang Pembinaan Sekolah Menengah Pertama", "guru"),
                8,
                (_j("Pengawas Sekolah Ahli Muda", "guru"), _j("Pengelola Data Pendidikan", "komputer", 0.3)),
            ),
            Unit(
                "smpn-1-muara-bungo",
                "SMP Negeri 1 Muara Bungo",
                _j("Kepala SMP Negeri 1 Muara Bungo", "guru"),
                24,
                (GURU, _j("Guru Ahli Muda", "guru"), _j("Pengelola Laboratorium Sekolah", "umum", 0.4)),
                induk="bidang-smp",
            ),
        ),
        OrganisationPredikat.BAIK,
        (0.26, 0.29),
        0.07,
    ),
    Agency(
        "bungo-dpupr",
        "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Bungo",
        "Kabupaten Bungo",
        "bungokab.go.id",
        90_000_000,
        "pupr",
        _j("Kepala Dinas Pekerjaan Umum dan Penataan Ruang", "teknik"),
        (
            _secretariat("sekretariat-dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang"),
            Unit(
                "bidang-bina-marga",
                "Bidang Bina Marga",
                "198001012005011001",
                12,
                (
                    _j("Teknik Jalan dan Jembatan Ahli Pertama", "teknik"),
                    _j("Teknik Jalan dan Jembatan Terampil", "teknik", 0.2),
                    _j("Surveyor Pemetaan Terampil", "teknik", 0.3),
                ),
                seksi=(_j("Kepala Seksi Pembangunan Jalan dan Jembatan", "teknik"),),
            ),
            Unit(
                "bidang-sda",
                "Bidang Sumber Daya Air",
                _j("Kepala Bidang Sumber Daya Air", "teknik"),
                9,
                (_j("Teknik Pengairan Ahli Pertama", "teknik"), _j("Teknik Pengairan Terampil", "teknik", 0.3)),
            ),
            Unit(
                "bidang-tata-ruang",
                "Bidang Penataan Ruang",
                _j("Kepala Bidang Penataan Ruang", "teknik"),
                7,
                (
                    _j("Penata Ruang Ahli Pertama", "teknik"),
                    _j("Teknik Tata Bangunan dan Perumahan Ahli Pertama", "teknik"),
                ),
            ),
        ),
        OrganisationPredikat.BAIK,
        (0.22, 0.24),
        0.12,
    ),
    Agency(
        "bungo-dukcapil",
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bungo",
        "Kabupaten Bungo",
        "bungokab.go.id",
        60_000_000,
        "kependudukan",
        _j("Kepala Dinas Kependudukan dan Pencatatan Sipil", "pimpinan"),
        (
            _secretariat("sekretariat-dukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
            Unit(
                "bidang-dafduk",
                "Bidang Pelayanan Pendaftaran Penduduk",
                _j("Kepala Bidang Pelayanan Pendaftaran Penduduk", "sosial"),
                9,
                (
                    _j("Administrator Database Kependudukan Ahli Pertama", "komputer"),
                    _j("Pengadministrasi Registrasi Kependudukan", "umum", 0.3),
                    _j("Operator Layanan Operasional", "umum", 0.4),
                ),
            ),
            Unit(
                "bidang-capil",
                "Bidang Pelayanan Pencatatan Sipil",
                _j("Kepala Bidang Pelayanan Pencatatan Sipil", "sosial"),
                9,
                (_j("Verifikator Data Kependudukan", "umum", 0.3), _j("Pengolah Data Pencatatan Sipil", "umum", 0.3)),
            ),
            Unit(
                "bidang-pias",
                "Bidang Pengelolaan Informasi Administrasi Kependudukan",
                _j("Kepala Bidang Pengelolaan Informasi Administrasi Kependudukan", "komputer"),
                6,
                (PRANATA_KOMPUTER, _j("Administrator Database Kependudukan Ahli Pertama", "komputer")),
            ),
        ),
        OrganisationPredikat.BAIK,
        (0.23, 0.27),
        0.09,
    ),
    Agency(
        "tebo-bappeda",
        "Badan Perencanaan Pembangunan Daerah Kabupaten Tebo",
        "Kabupaten Tebo",
        "tebokab.go.id",
        75_000_000,
        "perencanaan",
        _j("Kepala Badan Perencanaan Pembangunan Daerah", "perencana"),
        (
            _secretariat("sekretariat-bappeda", "Badan Perencanaan Pembangunan Daerah"),
            Unit(
                "bidang-ppm",
                "Bidang Perencanaan Pemerintahan dan Pembangunan Manusia",
                _j("Kepala Bidang Perencanaan Pemerintahan dan Pembangunan Manusia", "perencana"),
                12,
                (
                    _j("Perencana Ahli Pertama", "perencana"),
                    _j("Perencana Ahli Muda", "perencana"),
                    _j("Analis Kebijakan Ahli Pertama", "sosial"),
                ),
            ),
            Unit(
                "bidang-ekonomi",
                "Bidang Perencanaan Perekonomian dan Sumber Daya Alam",
                _j("Kepala Bidang Perencanaan Perekonomian dan Sumber Daya Alam", "perencana"),
                10,
                (_j("Perencana Ahli Pertama", "perencana"), _j("Statistisi Ahli Pertama", "perencana", 0.2)),
            ),
            Unit(
                "bidang-infrastruktur",
                "Bidang Perencanaan Infrastruktur dan Kewilayahan",
                _j("Kepala Bidang Perencanaan Infrastruktur dan Kewilayahan", "teknik"),
                10,
                (_j("Perencana Ahli Pertama", "teknik"), _j("Analis Kebijakan Ahli Pertama", "sosial", 0.2)),
            ),
        ),
        OrganisationPredikat.BAIK,
        (0.24, 0.27),
        0.08,
    ),
    Agency(
        "merangin-diskominfo",
        "Dinas Komunikasi dan Informatika Kabupaten Merangin",
        "Kabupaten Merangin",
        "meranginkab.go.id",
        80_000_000,
        "informatika",
        _j("Kepala Dinas Komunikasi dan Informatika", "komputer"),
        (
            _secretariat("sekretariat-diskominfo", "Dinas Komunikasi dan Informatika"),
            Unit(
                "bidang-aptika",
                "Bidang Aplikasi Informatika",
                _j("Kepala Bidang Aplikasi Informatika", "komputer"),
                14,
                (PRANATA_KOMPUTER, _j("Pranata Komputer Terampil", "komputer", 0.35)),
                seksi=(_j("Kepala Seksi Pengembangan Aplikasi", "komputer"),),
            ),
            Unit(
                "bidang-ikp",
                "Bidang Informasi dan Komunikasi Publik",
                _j("Kepala Bidang Informasi dan Komunikasi Publik", "sosial"),
                10,
                (_j("Pranata Hubungan Masyarakat Ahli Pertama", "sosial"), _j("Pranata Humas Terampil", "umum", 0.4)),
            ),
            Unit(
                "bidang-persandian",
                "Bidang Persandian dan Statistik",
                _j("Kepala Bidang Persandian dan Statistik", "komputer"),
                7,
                (_j("Sandiman Ahli Pertama", "komputer"), _j("Statistisi Ahli Pertama", "perencana", 0.2)),
            ),
        ),
        OrganisationPredikat.BUTUH_PERBAIKAN,
        (0.40, 0.58),
        0.03,
        breaks_curve=True,
    ),
    Agency(
        "jambiprov-bpkad",
        "Badan Pengelolaan Keuangan dan Aset Daerah Provinsi Jambi",
        "Provinsi Jambi",
        "jambiprov.go.id",
        140_000_000,
        "keuangan",
        _j("Kepala Badan Pengelolaan Keuangan dan Aset Daerah", "ekonomi"),
        (
            _secretariat("sekretariat-bpkad", "Badan Pengelolaan Keuangan dan Aset Daerah"),
            Unit(
                "bidang-anggaran",
                "Bidang Anggaran",
                _j("Kepala Bidang Anggaran", "ekonomi"),
                14,
                (
                    _j("Analis Keuangan Pusat dan Daerah Ahli Pertama", "ekonomi"),
                    _j("Analis Keuangan Pusat dan Daerah Ahli Muda", "ekonomi"),
                ),
                seksi=(_j("Kepala Sub Bidang Anggaran Belanja", "ekonomi"),),
            ),
            Unit(
                "bidang-perbendaharaan",
                "Bidang Perbendaharaan",
                _j("Kepala Bidang Perbendaharaan", "ekonomi"),
                12,
                (_j("Penata Laporan Keuangan", "ekonomi", 0.2), _j("Pengelola Keuangan", "ekonomi", 0.2)),
            ),
            Unit(
                "bidang-aset",
                "Bidang Pengelolaan Aset",
                _j("Kepala Bidang Pengelolaan Aset", "ekonomi"),
                10,
                (_j("Pengelola Barang Milik Daerah", "umum", 0.2), _j("Analis Barang Milik Daerah", "ekonomi")),
            ),
        ),
        OrganisationPredikat.ISTIMEWA,
        (0.30, 0.36),
        0.05,
    ),
)
