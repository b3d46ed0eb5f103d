"""What people are told, in Bahasa Indonesia. Pure: data in, (judul, pesan) out."""

from shared.contracts.common import Period, Predikat, Rating
from shared.contracts.reports import ReportRejected
from shared.contracts.scores import ScoreComputed
from shared.contracts.training import TrainingRecommended

PREDIKAT_LABEL = {
    Predikat.SANGAT_BAIK: "Sangat Baik",
    Predikat.BAIK: "Baik",
    Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    Predikat.KURANG: "Kurang",
    Predikat.SANGAT_KURANG: "Sangat Kurang",
}
RATING_LABEL = {
    Rating.DI_ATAS: "Di Atas Ekspektasi",
    Rating.SESUAI: "Sesuai Ekspektasi",
    Rating.DI_BAWAH: "Di Bawah Ekspektasi",
}
NEEDS_COACHING = {Predikat.BUTUH_PERBAIKAN, Predikat.KURANG, Predikat.SANGAT_KURANG}


def format_rupiah(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def describe_period(period: Period) -> str:
    return f"{period.start:%d-%m-%Y} s.d. {period.end:%d-%m-%Y}"


def score_for_employee(score: ScoreComputed, nama: str | None) -> tuple[str, str]:
    salam = f"Yth. {nama}, " if nama else ""
    pesan = (
        f"{salam}hasil penilaian kinerja periode {describe_period(score.period)}: "
        f"hasil kerja {RATING_LABEL[score.rating_hasil_kerja]}, perilaku {RATING_LABEL[score.rating_perilaku]}, "
        f"predikat {PREDIKAT_LABEL[score.predikat]}."
    )
    if score.predikat in NEEDS_COACHING:
        pesan += " Atasan Anda akan menjadwalkan bimbingan kinerja."
    return f"Predikat kinerja: {PREDIKAT_LABEL[score.predikat]}", pesan


def score_for_supervisor(score: ScoreComputed, nama_pegawai: str | None) -> tuple[str, str]:
    siapa = nama_pegawai or f"NIP {score.nip}"
    pesan = f"Predikat kinerja {siapa} periode {describe_period(score.period)}: {PREDIKAT_LABEL[score.predikat]}."
    if score.predikat in NEEDS_COACHING:
        pesan += " Mohon jadwalkan bimbingan kinerja (pembinaan)."
    elif score.predikat is Predikat.SANGAT_BAIK:
        pesan += " Pertimbangkan pengakuan atas kinerja ini."
    return f"Hasil kinerja bawahan: {siapa}", pesan


def training_for_employee(training: TrainingRecommended) -> tuple[str, str]:
    if not training.recommendations:
        return "Rekomendasi pengembangan kompetensi", "Belum ada pelatihan yang direkomendasikan untuk periode ini."
    courses = "; ".join(f"{r.judul} ({r.jp} JP, {r.mode.value.replace('_', '-')})" for r in training.recommendations)
    pesan = f"Pelatihan yang direkomendasikan: {courses}. Total {training.total_jp} JP."
    if training.gaps_tidak_tertutup:
        pesan += f" Kebutuhan yang belum tertutup anggaran: {', '.join(training.gaps_tidak_tertutup)}."
    return "Rekomendasi pengembangan kompetensi", pesan


def rejection_for_operator(rejected: ReportRejected) -> tuple[str, str]:
    reasons = "; ".join(r.message for r in rejected.reasons)
    return f"Laporan {rejected.report_id} ditolak", f"Laporan kinerja NIP {rejected.nip} ditolak: {reasons}."
