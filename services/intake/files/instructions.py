"""The "Petunjuk" (instructions) sheets of the templates, in Bahasa Indonesia.

Kept apart from the layouts so wording can change without touching parsing. What these sheets promise
(accepted words, number formats, skipped rows) is what `values.py` and the layouts do; tests read the
templates back to keep them honest.
"""

from collections.abc import Sequence

from .values import RATING_WORDS

Lines = list[tuple[str, ...]]

_NUMBERS: Lines = [
    ("## Penulisan angka",),
    ("Desimal", "Koma atau titik: 92,5 dan 92.5 sama-sama dibaca 92,5."),
    (
        "Ribuan",
        "Tulis tanpa pemisah (1234) atau lengkap dengan desimal (1.234,5 atau 1,234.5). Satu tanda titik atau "
        "koma saja selalu dibaca sebagai desimal: 1.234 berarti 1,234.",
    ),
    ("Persen", "92,5 atau 92,5%. Sel berformat persen di Excel dibaca sesuai yang tampak (92,5)."),
    ("Rumus", "Boleh; yang dibaca adalah hasil rumus yang tersimpan saat file disimpan di Excel."),
]
_DATES: Lines = [
    ("## Penulisan tanggal",),
    ("Tanggal", "Sel tanggal Excel, 2026-10-01, 01/10/2026 (hari/bulan/tahun) atau 1 Oktober 2026."),
]
_SAVING: Lines = [
    ("## Menyimpan dan mengunggah",),
    ("Format", "Simpan sebagai Excel Workbook (.xlsx) atau CSV. File .xls lama, PDF dan gambar tidak diterima."),
    ("Baris judul", "Baris pertama yang terisi adalah judul kolom; jangan tambahkan judul laporan di atasnya."),
    ("Kesalahan", "Setiap kesalahan menyebut nomor baris dan nama kolom; baris yang benar tetap diproses."),
]


def _ratings() -> Lines:
    return [
        ("## Rating yang diterima",),
        (RATING_WORDS[0], "juga: di_atas_ekspektasi, diatas, di atas, atas"),
        (RATING_WORDS[1], "juga: sesuai_ekspektasi, sesuai"),
        (RATING_WORDS[2], "juga: di_bawah_ekspektasi, dibawah, di bawah, bawah"),
        ("Huruf", "Huruf besar/kecil, spasi dan garis bawah tidak berpengaruh."),
    ]


def report_instructions(agency_nama: str, period_text: str, blocks: int) -> Lines:
    columns: Lines = [
        ("## Kolom",),
        ("nip", "NIP 18 digit pegawai. Sudah terisi; jangan diubah."),
        ("nama, jabatan, unit_kerja", "Kolom abu-abu hanya informasi dan tidak dibaca."),
        ("skp_id", "ID SKP pegawai. Sudah terisi; jangan diubah."),
        ("report_id", "Opsional: nomor laporan dari instansi. Kosongkan agar dibuat otomatis."),
        ("koreksi", "Ya bila baris ini mengganti laporan yang sudah diterima untuk periode ini; selain itu kosong."),
        (
            f"row_id_1 … row_id_{blocks}",
            "ID baris SKP. Sudah terisi; jangan diubah. Blok tanpa row_id dilewati.",
        ),
        ("indikator_k, target_k, satuan_k", "Informasi dari SKP (abu-abu), tidak dibaca."),
        ("realisasi_k", "Angka realisasi indikator kuantitatif. Kosongkan untuk indikator kualitatif."),
        ("rating_atasan_k", "Rating atasan untuk baris tersebut; wajib untuk indikator kualitatif."),
        (
            "berorientasi_pelayanan … kolaboratif",
            "Rating perilaku BerAKHLAK dari atasan. Nilai yang dikosongkan dianggap belum dinilai.",
        ),
        ("rating_hasil_kerja_atasan", "Opsional: rating hasil kerja keseluruhan dari atasan."),
        ("feedback", "Opsional: umpan balik atasan."),
        ("evidence", "Opsional: tautan bukti dukung (https://…), dipisah spasi, koma atau baris baru."),
        ("Baris kosong", "Baris pegawai yang belum diisi sama sekali dilewati dan tidak dikirim."),
    ]
    head: Lines = [
        ("## Petunjuk pengisian laporan kinerja",),
        ("Instansi", agency_nama),
        ("Periode", period_text),
        ("Lembar Laporan", "Satu baris = laporan satu pegawai untuk periode ini."),
    ]
    return [*head, *columns, *_ratings(), *_NUMBERS, *_SAVING]


def employee_instructions(examples: Sequence[Sequence[str]]) -> Lines:
    columns: Lines = [
        ("## Petunjuk pengisian data pegawai",),
        ("Lembar Pegawai", "Satu baris = satu pegawai. Pegawai yang sudah terdaftar diperbarui."),
        ("## Kolom",),
        ("nip", "Wajib. NIP 18 digit; spasi di antara bagian NIP boleh (19850312 201001 1 002)."),
        ("nama", "Wajib. Nama lengkap dengan gelar."),
        ("jabatan", "Wajib. Nama jabatan."),
        ("jenis_asn", "PNS atau PPPK (juga: P3K). Kosong berarti PNS."),
        ("unit_kerja", "Opsional: ID unit kerja yang sudah didaftarkan (huruf, angka, titik, garis)."),
        ("atasan_nip", "Opsional: NIP atasan langsung (pejabat penilai); atasan boleh berada di baris sesudahnya."),
        ("email", "Opsional."),
        ("nonaktif_sejak", "Opsional: tanggal mulai tidak aktif (mutasi, pensiun)."),
    ]
    return [*columns, *_examples(examples), *_DATES, *_SAVING]


def skp_instructions(examples: Sequence[Sequence[str]]) -> Lines:
    columns: Lines = [
        ("## Petunjuk pengisian SKP",),
        ("Lembar SKP", "Satu baris = satu baris hasil kerja. Baris dengan skp_id sama membentuk satu SKP."),
        ("## Kolom",),
        ("skp_id", "Wajib. ID SKP (huruf, angka, titik, garis), contoh skp-2026-0001."),
        ("nip, tahun", "Wajib di baris pertama SKP; baris berikutnya boleh kosong, bila diisi harus sama."),
        ("berlaku_mulai", "Opsional: tanggal mulai berlaku untuk SKP yang diubah di tengah tahun."),
        ("row_id", "Wajib. ID baris, unik dalam satu SKP; dipakai lagi di templat laporan."),
        ("rhk", "Wajib. Rencana Hasil Kerja."),
        ("jenis", "Wajib. Utama atau Tambahan."),
        ("aspek", "Wajib. Kuantitas, Kualitas atau Waktu."),
        ("indikator", "Wajib. Indikator Kinerja Individu."),
        (
            "polaritas",
            "Wajib. Naik (makin tinggi makin baik), Turun (makin rendah makin baik) atau Kualitatif "
            "(dinilai atasan, tanpa target). Juga diterima: higher_is_better, lower_is_better, qualitative.",
        ),
        ("target", "Target tunggal untuk indikator Naik/Turun; kosong bila memakai target_bawah dan target_atas."),
        ("target_bawah, target_atas", "Target berupa rentang (contoh 85 dan 90); isi keduanya atau kosongkan."),
        ("satuan", "Opsional: persen, hari, jam, dokumen, …"),
        (
            "kompetensi",
            "Opsional: kompetensi yang dipakai, dipisah koma atau titik koma; ditulis huruf kecil dengan "
            "garis (Kesehatan Masyarakat menjadi kesehatan-masyarakat).",
        ),
    ]
    return [*columns, *_examples(examples), *_NUMBERS, *_DATES, *_SAVING]


def unit_instructions(examples: Sequence[Sequence[str]]) -> Lines:
    columns: Lines = [
        ("## Petunjuk pengisian unit kerja",),
        ("Lembar Unit Kerja", "Satu baris = satu unit (bidang, seksi, puskesmas, sekolah)."),
        ("## Kolom",),
        ("unit_id", "Wajib. ID unit (huruf, angka, titik, garis), contoh bidang-kesmas."),
        ("nama", "Wajib. Nama unit."),
        ("induk", "Opsional: unit_id unit induknya."),
    ]
    return [*columns, *_examples(examples), *_SAVING]


def _examples(examples: Sequence[Sequence[str]]) -> Lines:
    """Examples live here, not in the data sheet, so an untouched template uploads nothing by mistake."""
    if not examples:
        return []
    return [("## Contoh (salin ke lembar data bila perlu)",), *(tuple(row) for row in examples)]
