"""What employees, supervisors and operators are told, in Bahasa Indonesia."""

from datetime import UTC, date, datetime

import pytest

from services.notification.domain.messages import (
    format_rupiah,
    rejection_for_operator,
    score_for_employee,
    score_for_supervisor,
    training_for_employee,
)
from shared.contracts.common import Period, PeriodType, Predikat, Rating
from shared.contracts.reports import RejectionReason, ReportRejected
from shared.contracts.scores import RatingSource, ScoreComputed
from shared.contracts.training import Gap, GapSource, LearningMode, Recommendation, TrainingRecommended

NIP = "198503122010011002"
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
LABELS = {
    Predikat.SANGAT_BAIK: "Sangat Baik",
    Predikat.BAIK: "Baik",
    Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
    Predikat.KURANG: "Kurang",
    Predikat.SANGAT_KURANG: "Sangat Kurang",
}
NEEDS_COACHING = {Predikat.BUTUH_PERBAIKAN, Predikat.KURANG, Predikat.SANGAT_KURANG}


def score(predikat: Predikat = Predikat.BAIK, hasil_kerja=Rating.DI_ATAS, perilaku=Rating.SESUAI) -> ScoreComputed:
    return ScoreComputed(
        report_id="rpt-1",
        agency_id="bungo-dinkes",
        nip=NIP,
        period=Period(type=PeriodType.BULANAN, start=date(2026, 10, 1), end=date(2026, 10, 31)),
        indicators=[],
        nilai_hasil_kerja=None,
        rating_hasil_kerja=hasil_kerja,
        rating_hasil_kerja_source=RatingSource.COMPUTED,
        rating_perilaku=perilaku,
        rating_perilaku_source=RatingSource.DEFAULT,
        predikat=predikat,
        computed_at=NOW,
    )


def training(recommendations: list[Recommendation], gaps_tidak_tertutup: list[str] = ()) -> TrainingRecommended:
    return TrainingRecommended(
        report_id="rpt-1",
        agency_id="bungo-dinkes",
        nip=NIP,
        predikat=Predikat.BUTUH_PERBAIKAN,
        gaps=[Gap(kompetensi="epidemiologi", source=GapSource.HASIL_KERJA, weight=1)],
        recommendations=recommendations,
        total_jp=sum(r.jp for r in recommendations),
        total_biaya=sum(r.biaya for r in recommendations),
        anggaran_tersedia=5_000_000,
        gaps_tidak_tertutup=list(gaps_tidak_tertutup),
        recommended_at=NOW,
    )


def course(course_id: str, judul: str, mode: LearningMode, jp: int) -> Recommendation:
    return Recommendation(course_id=course_id, judul=judul, mode=mode, jp=jp, biaya=1_500_000, kompetensi=["x"])


@pytest.mark.parametrize(
    ("amount", "text"), [(1_500_000, "Rp1.500.000"), (0, "Rp0"), (999, "Rp999"), (1000, "Rp1.000")]
)
def test_format_rupiah_uses_dots_for_thousands(amount, text):
    assert format_rupiah(amount) == text


def test_employee_message_is_indonesian_with_period_ratings_and_predikat():
    judul, pesan = score_for_employee(score(Predikat.BAIK), "dr. Siti")
    assert judul == "Predikat kinerja: Baik"
    assert pesan.startswith("Yth. dr. Siti, hasil penilaian kinerja periode 01-10-2026 s.d. 31-10-2026")
    assert "hasil kerja Di Atas Ekspektasi" in pesan
    assert "perilaku Sesuai Ekspektasi" in pesan
    assert "predikat Baik." in pesan


def test_employee_message_without_a_name_has_no_greeting():
    _, pesan = score_for_employee(score(), None)
    assert "Yth." not in pesan and "None" not in pesan
    assert pesan.startswith("hasil penilaian kinerja")


@pytest.mark.parametrize("predikat", list(Predikat))
def test_employee_message_names_the_predikat_and_coaching_only_when_needed(predikat):
    judul, pesan = score_for_employee(score(predikat), "Siti")
    assert LABELS[predikat] in judul and f"predikat {LABELS[predikat]}." in pesan
    assert ("bimbingan kinerja" in pesan) == (predikat in NEEDS_COACHING)


@pytest.mark.parametrize("predikat", list(Predikat))
def test_supervisor_message_asks_for_coaching_or_recognition(predikat):
    judul, pesan = score_for_supervisor(score(predikat), "Siti")
    assert judul == "Hasil kinerja bawahan: Siti"
    assert f": {LABELS[predikat]}." in pesan
    assert ("Mohon jadwalkan bimbingan kinerja" in pesan) == (predikat in NEEDS_COACHING)
    assert ("Pertimbangkan pengakuan" in pesan) == (predikat is Predikat.SANGAT_BAIK)


def test_supervisor_message_falls_back_to_the_nip():
    judul, pesan = score_for_supervisor(score(), None)
    assert judul == f"Hasil kinerja bawahan: NIP {NIP}"
    assert pesan.startswith(f"Predikat kinerja NIP {NIP} periode 01-10-2026 s.d. 31-10-2026")


def test_training_message_lists_courses_with_jp_and_mode():
    recs = [
        course("c-1", "Dasar Epidemiologi", LearningMode.E_LEARNING, 24),
        course("c-2", "Pelayanan Prima", LearningMode.KLASIKAL, 8),
    ]
    judul, pesan = training_for_employee(training(recs))
    assert judul == "Rekomendasi pengembangan kompetensi"
    assert "Dasar Epidemiologi (24 JP, e-learning); Pelayanan Prima (8 JP, klasikal)" in pesan
    assert "Total 32 JP." in pesan
    assert "belum tertutup" not in pesan


def test_training_message_mentions_gaps_the_budget_did_not_cover():
    recs = [course("c-1", "Dasar Epidemiologi", LearningMode.IN_HOUSE, 16)]
    _, pesan = training_for_employee(training(recs, ["statistika", "manajemen-data"]))
    assert "(16 JP, in-house)" in pesan
    assert "Kebutuhan yang belum tertutup anggaran: statistika, manajemen-data." in pesan


def test_training_message_without_recommendations():
    judul, pesan = training_for_employee(training([]))
    assert judul == "Rekomendasi pengembangan kompetensi"
    assert pesan == "Belum ada pelatihan yang direkomendasikan untuk periode ini."


def test_rejection_message_lists_every_reason():
    rejected = ReportRejected(
        report_id="rpt-9",
        agency_id="bungo-dinkes",
        nip=NIP,
        reasons=[
            RejectionReason(field="period", code="period_outside_skp_year", message="periode harus dalam tahun SKP"),
            RejectionReason(field="realisasi", code="missing_main_row", message="realisasi rhk-1 belum dilaporkan"),
        ],
        rejected_at=NOW,
    )
    judul, pesan = rejection_for_operator(rejected)
    assert judul == "Laporan rpt-9 ditolak"
    assert pesan == (
        f"Laporan kinerja NIP {NIP} ditolak: periode harus dalam tahun SKP; realisasi rhk-1 belum dilaporkan."
    )
