"""Every template renders for every event kind, role and language, with the facts the reader needs."""

from datetime import UTC, date, datetime
from pathlib import Path

import jinja2
import pytest

from services.notification.domain.deliveries import EventKind, Language, Preferences, Recipient, Role
from services.notification.domain.labels import (
    format_date,
    format_moment,
    format_number,
    format_rupiah,
    period_label,
)
from services.notification.domain.people import Person
from services.notification.domain.recipients import AUDIENCE, kind_of_flag
from services.notification.domain.templates import (
    TEMPLATES_DIR,
    annual_context,
    career_context,
    coaching_context,
    coaching_required_context,
    deadline_context,
    distribution_context,
    rejection_context,
    render,
    render_digest,
    score_context,
    talent_context,
    training_context,
)
from shared.contracts.common import BerAKHLAK, Period, PeriodType, Predikat, Rating
from shared.contracts.reports import RejectionReason, ReportRejected
from shared.contracts.scores import (
    AnnualMethod,
    AnnualPeriod,
    AnnualScoreComputed,
    CurveCheck,
    CurveLimit,
    DistributionEvaluated,
    OrganisationPredikat,
    PredikatCounts,
    RatingSource,
    RevisionCause,
    ScoreComputed,
)
from shared.contracts.training import (
    CareerFlag,
    CareerFlagged,
    CoachingRequired,
    Gap,
    GapSource,
    LearningMode,
    Recommendation,
    TrainingRecommended,
)

AGENCY = "bungo-dinkes"
NIP = "198503122010011002"
ATASAN_NIP = "197801152003121001"
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 11, 5, 16, 59, 59, tzinfo=UTC)  # 5 November 2026, 23:59:59 WIB
SITI = Person(nip=NIP, agency_id=AGENCY, nama="dr. Siti Rahmawati", email="siti@bungokab.go.id", atasan_nip=ATASAN_NIP)
ANDI = Person(nip="199001012015031003", agency_id=AGENCY, nama="Andi Saputra", unit_kerja="bidang-p2p")
PREDIKAT_WORDS = {Language.ID: "Butuh Perbaikan", Language.EN: "Needs Improvement"}


def recipient(role: Role, language: Language) -> Recipient:
    nip = {Role.PEGAWAI: NIP, Role.ATASAN: ATASAN_NIP}.get(role)
    name = {Role.PEGAWAI: "dr. Siti Rahmawati", Role.ATASAN: "Ir. Budi Santoso"}.get(role, "Rina (BKPSDM)")
    return Recipient(role=role, agency_id=AGENCY, nip=nip, name=name, preferences=Preferences(language=language))


def score(revision: int = 1, predikat: Predikat = Predikat.BUTUH_PERBAIKAN) -> ScoreComputed:
    return ScoreComputed(
        report_id=f"{AGENCY}/rpt-2026-10",
        agency_id=AGENCY,
        nip=NIP,
        atasan_nip=ATASAN_NIP,
        period=Period(type=PeriodType.BULANAN, start=date(2026, 10, 1), end=date(2026, 10, 31)),
        period_id="2026-10",
        indicators=[],
        nilai_hasil_kerja=76.25,
        rating_hasil_kerja=Rating.DI_BAWAH,
        rating_hasil_kerja_source=RatingSource.COMPUTED,
        rating_perilaku=Rating.SESUAI,
        rating_perilaku_source=RatingSource.ATASAN,
        perilaku_di_bawah=[BerAKHLAK.AKUNTABEL],
        predikat=predikat,
        computed_at=NOW,
        revision=revision,
        supersedes=revision - 1 or None,
        revision_cause=RevisionCause.CORRECTION if revision > 1 else None,
    )


def annual() -> AnnualScoreComputed:
    periods = [
        AnnualPeriod(
            period_id=f"2026-q{q}",
            report_id=f"{AGENCY}/q{q}",
            rating_hasil_kerja=Rating.DI_BAWAH,
            rating_perilaku=Rating.SESUAI,
            predikat=Predikat.BUTUH_PERBAIKAN,
            revision=1,
        )
        for q in (1, 2, 3)
    ]
    return AnnualScoreComputed(
        agency_id=AGENCY,
        nip=NIP,
        tahun=2026,
        periods=periods,
        periods_missing=["2026-q4"],
        method=AnnualMethod.DOMINANT,
        rating_hasil_kerja=Rating.DI_BAWAH,
        rating_perilaku=Rating.SESUAI,
        predikat=Predikat.BUTUH_PERBAIKAN,
        kode_hasil_kerja=3,
        kode_perilaku=2,
        kode_kuadran=3,
        reason="3 dari 3 periode Di Bawah Ekspektasi",
        policy_version="nasional@1",
        computed_at=NOW,
    )


def rejected() -> ReportRejected:
    return ReportRejected(
        report_id=f"{AGENCY}/rpt-9",
        agency_id=AGENCY,
        nip=NIP,
        reasons=[
            RejectionReason(field="realisasi", code="missing_main_row", message="realisasi rhk-1 belum dilaporkan")
        ],
        rejected_at=NOW,
    )


def training() -> TrainingRecommended:
    course = Recommendation(
        course_id="c-1",
        judul="Dasar Epidemiologi",
        mode=LearningMode.E_LEARNING,
        jp=24,
        biaya=1_500_000,
        kompetensi=["epidemiologi"],
    )
    return TrainingRecommended(
        agency_id=AGENCY,
        nip=NIP,
        tahun=2027,
        plan_version=1,
        predikat=Predikat.BUTUH_PERBAIKAN,
        gaps=[Gap(kompetensi="epidemiologi", source=GapSource.HASIL_KERJA, weight=1)],
        recommendations=[course],
        total_jp=24,
        total_biaya=1_500_000,
        anggaran_tersedia=5_000_000,
        gaps_tidak_tertutup=["statistika"],
        recommended_at=NOW,
    )


def coaching() -> CoachingRequired:
    return CoachingRequired(
        agency_id=AGENCY,
        nip=NIP,
        atasan_nip=ATASAN_NIP,
        report_id=f"{AGENCY}/rpt-2026-10",
        period_id="2026-10",
        predikat=Predikat.BUTUH_PERBAIKAN,
        reasons=["predikat Butuh Perbaikan dua periode berturut-turut"],
        required_at=NOW,
    )


def flagged(flag: CareerFlag) -> CareerFlagged:
    talent = flag is CareerFlag.TALENT_POOL
    return CareerFlagged(
        agency_id=AGENCY,
        nip=NIP,
        flag=flag,
        rule_id="talent-pool-sangat-baik-berkelanjutan" if talent else "kenaikan-pangkat-kinerja-2-tahun",
        tahun=2026,
        period_id="2026-q4" if talent else None,
        reasons=[
            "Sangat Baik empat triwulan berturut-turut"
            if talent
            else "predikat tahunan 2025 dan 2026 paling rendah Baik"
        ],
        flagged_at=NOW,
    )


def distribution() -> DistributionEvaluated:
    counts = {Predikat.SANGAT_BAIK: 9, Predikat.BAIK: 1}
    return DistributionEvaluated(
        agency_id=AGENCY,
        scope="2026-q4",
        organisation_predikat=OrganisationPredikat.BAIK,
        overall=PredikatCounts(employees=10, counts=counts, percent={Predikat.SANGAT_BAIK: 90.0, Predikat.BAIK: 10.0}),
        checks=[
            CurveCheck(
                predikat=[Predikat.SANGAT_BAIK],
                limit=CurveLimit.AT_MOST,
                percent=70,
                actual_percent=90,
                actual_count=9,
                ok=False,
                message="90% Sangat Baik, paling banyak 70% diperbolehkan: melampaui",
            )
        ],
        violations=1,
        policy_version="nasional@1",
        evaluated_at=NOW,
    )


def context_for(kind: EventKind, to: Recipient) -> dict:
    match kind:
        case EventKind.SCORE:
            return score_context(score(), to, SITI)
        case EventKind.SCORE_REVISED:
            return score_context(score(revision=2), to, SITI)
        case EventKind.SCORE_ANNUAL:
            return annual_context(annual(), to, SITI)
        case EventKind.REPORT_REJECTED:
            return rejection_context(rejected(), to, SITI)
        case EventKind.TRAINING_PLAN:
            return training_context(training(), to, SITI)
        case EventKind.COACHING:
            reasons = ["predikat Butuh Perbaikan dua periode berturut-turut"]
            return coaching_context(
                to, nip=NIP, nama=SITI.nama, period_id="2026-10", reasons=reasons, predikat=Predikat.BUTUH_PERBAIKAN
            )
        case EventKind.TALENT:
            reasons = ["Sangat Baik empat triwulan berturut-turut"]
            return talent_context(to, nip=NIP, nama=SITI.nama, period_id="2026", reasons=reasons)
        case EventKind.PROMOTION:
            return career_context(flagged(CareerFlag.PROMOTION_ELIGIBLE), to, SITI)
        case EventKind.DISTRIBUTION_VIOLATION:
            return distribution_context(distribution(), to)
        case EventKind.DEADLINE_REMINDER:
            return deadline_context("2026-10", DEADLINE, to, employee=SITI)
        case EventKind.DEADLINE_MISSED:
            return deadline_context("2026-10", DEADLINE, to, missing=[SITI, ANDI])
    raise AssertionError(kind)


# The facts a reader cannot do without, per kind and language (besides the NIP, checked for every kind about one
# employee).
FACTS: dict[EventKind, dict[Language, list[str]]] = {
    EventKind.SCORE: {
        Language.ID: ["Butuh Perbaikan", "Oktober 2026", "Di Bawah Ekspektasi", "76,25", "Akuntabel"],
        Language.EN: ["Needs Improvement", "October 2026", "Below Expectations", "76.25", "Accountable"],
    },
    EventKind.SCORE_REVISED: {
        Language.ID: ["Butuh Perbaikan", "Revisi ke-2", "laporan kinerja dikoreksi"],
        Language.EN: ["Needs Improvement", "Revision 2", "the work report was corrected"],
    },
    EventKind.SCORE_ANNUAL: {
        Language.ID: ["Butuh Perbaikan", "2026", "Triwulan IV 2026", "3 periode"],
        Language.EN: ["Needs Improvement", "2026", "Quarter 4 2026", "3 periods"],
    },
    EventKind.REPORT_REJECTED: {
        Language.ID: ["bungo-dinkes/rpt-9", "realisasi rhk-1 belum dilaporkan", "1 November 2026"],
        Language.EN: ["bungo-dinkes/rpt-9", "realisasi rhk-1 belum dilaporkan", "1 November 2026"],
    },
    EventKind.TRAINING_PLAN: {
        Language.ID: ["Dasar Epidemiologi", "24 JP", "Rp1.500.000", "Rp5.000.000", "statistika", "tahun anggaran 2027"],
        Language.EN: ["Dasar Epidemiologi", "24 JP", "Rp1.500.000", "Rp5.000.000", "statistika", "2027 budget year"],
    },
    EventKind.COACHING: {
        Language.ID: ["bimbingan kinerja", "Oktober 2026", "dua periode berturut-turut"],
        Language.EN: ["coaching", "October 2026", "dua periode berturut-turut"],
    },
    EventKind.TALENT: {
        Language.ID: ["talent pool", "Tahun 2026", "empat triwulan berturut-turut"],
        Language.EN: ["talent pool", "Year 2026", "empat triwulan berturut-turut"],
    },
    EventKind.PROMOTION: {
        Language.ID: ["kenaikan pangkat", "tahun 2026", "2025 dan 2026 paling rendah Baik", "bukan keputusan"],
        Language.EN: ["promotion", "up to 2026", "2025 dan 2026 paling rendah Baik", "not a promotion decision"],
    },
    EventKind.DISTRIBUTION_VIOLATION: {
        Language.ID: ["Triwulan IV 2026", "paling banyak 70%", "Sangat Baik: 9 pegawai (90%)"],
        Language.EN: ["Quarter 4 2026", "paling banyak 70%", "Very Good: 9 (90%)"],
    },
    EventKind.DEADLINE_REMINDER: {
        Language.ID: ["Oktober 2026", "5 November 2026 pukul 23.59 WIB"],
        Language.EN: ["October 2026", "5 November 2026, 23:59 WIB"],
    },
    EventKind.DEADLINE_MISSED: {
        Language.ID: ["Oktober 2026", "2 pegawai", "Andi Saputra (NIP 199001012015031003)", "bidang-p2p"],
        Language.EN: ["October 2026", "2 employee(s)", "Andi Saputra (NIP 199001012015031003)", "bidang-p2p"],
    },
}
CASES = [(kind, role, language) for kind in EventKind for role in AUDIENCE[kind] for language in Language]


@pytest.mark.parametrize(("kind", "role", "language"), CASES, ids=lambda v: str(v))
def test_every_template_renders_with_its_facts(kind, role, language):
    message = render(kind, language, context_for(kind, recipient(role, language)))
    whole = f"{message.subject}\n{message.text}"
    assert message.subject and "\n" not in message.subject
    assert message.text.endswith("\n") and not message.text.endswith("\n\n")
    for leftover in ("{{", "}}", "{%", "{#", "None", "\n\n\n"):
        assert leftover not in whole, leftover
    for fact in FACTS[kind][language]:
        assert fact in whole, fact
    if kind not in (EventKind.DISTRIBUTION_VIOLATION, EventKind.DEADLINE_MISSED):
        assert NIP in whole
    greeting = "Yth." if language is Language.ID else "Dear"
    assert message.text.startswith(f"{greeting} {recipient(role, language).name},")


def test_every_kind_has_a_template_in_both_languages_and_no_template_is_orphaned():
    expected = {f"{language}/{kind}.txt.j2" for kind in EventKind for language in Language}
    expected |= {f"{language}/digest.txt.j2" for language in Language}
    found = {path.relative_to(TEMPLATES_DIR).as_posix() for path in Path(TEMPLATES_DIR).rglob("*.j2")}
    assert found == expected


@pytest.mark.parametrize("language", list(Language))
def test_templates_explain_themselves_in_a_comment_header(language):
    for path in (Path(TEMPLATES_DIR) / language).glob("*.j2"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("{#") and "#}" in text, path.name


def test_predikat_is_in_the_readers_language():
    for language in Language:
        message = render(EventKind.SCORE, language, context_for(EventKind.SCORE, recipient(Role.PEGAWAI, language)))
        assert PREDIKAT_WORDS[language] in message.subject
    english = render(EventKind.SCORE, Language.EN, context_for(EventKind.SCORE, recipient(Role.PEGAWAI, Language.EN)))
    assert "Ekspektasi" not in english.text  # ratings translated; the official predikat shown beside its translation
    assert "(Butuh Perbaikan)" in english.text


def test_supervisor_is_asked_to_coach_and_employee_is_told_coaching_comes():
    to_atasan = render(EventKind.SCORE, Language.ID, score_context(score(), recipient(Role.ATASAN, Language.ID), SITI))
    to_pegawai = render(
        EventKind.SCORE, Language.ID, score_context(score(), recipient(Role.PEGAWAI, Language.ID), SITI)
    )
    assert "Mohon jadwalkan bimbingan kinerja" in to_atasan.text
    assert "Atasan Anda akan menjadwalkan bimbingan kinerja" in to_pegawai.text
    assert to_atasan.subject.startswith("Hasil kinerja bawahan Oktober 2026: dr. Siti Rahmawati")


@pytest.mark.parametrize("predikat", [Predikat.BAIK, Predikat.SANGAT_BAIK])
def test_no_coaching_when_the_predikat_does_not_call_for_it(predikat):
    context = score_context(score(predikat=predikat), recipient(Role.ATASAN, Language.ID), SITI)
    message = render(EventKind.SCORE, Language.ID, context)
    assert "bimbingan" not in message.text
    assert ("pengakuan" in message.text) == (predikat is Predikat.SANGAT_BAIK)


def test_an_unknown_employee_is_named_by_nip():
    message = render(EventKind.SCORE, Language.ID, score_context(score(), recipient(Role.ATASAN, Language.ID), None))
    assert f"NIP {NIP}" in message.subject and "None" not in message.text


def test_a_missing_variable_is_an_error_not_a_blank():
    context = context_for(EventKind.SCORE, recipient(Role.PEGAWAI, Language.ID))
    del context["predikat"]
    with pytest.raises(jinja2.UndefinedError):
        render(EventKind.SCORE, Language.ID, context)


def training_message(language: Language = Language.ID, **changes) -> str:
    """The training_plan message (subject, then body) for `training()` with `changes`."""
    context = training_context(training().model_copy(update=changes), recipient(Role.PEGAWAI, language), SITI)
    message = render(EventKind.TRAINING_PLAN, language, context)
    return f"{message.subject}\n{message.text}"


NO_COURSES = {"recommendations": [], "total_jp": 0, "total_biaya": 0}


def test_training_without_recommendations_says_so():
    subject, *body = training_message(**NO_COURSES).splitlines()
    assert subject == "Rekomendasi pengembangan kompetensi tahun 2027"
    assert "Belum ada pelatihan" in "\n".join(body) and "ditarik" not in subject


@pytest.mark.parametrize("language", list(Language))
def test_a_withdrawn_recommendation_says_so_briefly_with_the_unfunded_needs(language):
    whole = training_message(language, revision=3, **NO_COURSES)
    subject = whole.splitlines()[0]
    if language is Language.ID:
        assert subject == "Rekomendasi pengembangan kompetensi tahun 2027 ditarik"
        assert "sebelumnya dikirimkan kepada Anda (NIP 198503122010011002) ditarik" in whole
        assert "rencana pengembangan kompetensi instansi yang telah disetujui tidak lagi memuatnya" in whole
        assert "belum tertutup anggaran: statistika" in whole
    else:
        assert subject == "Recommended competency development for 2027 withdrawn"
        assert "is withdrawn: the agency's approved competency development plan no longer includes it" in whole
        assert "does not cover yet: statistika" in whole
    for absent in ("Belum ada pelatihan", "No training can", "JP", "Rp", "Butuh Perbaikan", "Needs Improvement"):
        assert absent not in whole, absent


@pytest.mark.parametrize("language", list(Language))
def test_a_withdrawn_recommendation_without_unfunded_needs_is_one_sentence(language):
    whole = training_message(language, revision=2, gaps_tidak_tertutup=[], **NO_COURSES)
    subject, greeting, blank, sentence, *rest = whole.splitlines()
    assert ("ditarik" in subject) if language is Language.ID else ("withdrawn" in subject)
    assert greeting.startswith(("Yth. ", "Dear ")) and blank == "" and rest == []
    assert "NIP 198503122010011002" in sentence


@pytest.mark.parametrize("language", list(Language))
def test_a_revised_recommendation_replaces_the_earlier_one(language):
    whole = training_message(language, revision=2, plan_version=3)
    subject = whole.splitlines()[0]
    if language is Language.ID:
        assert subject == "Revisi rekomendasi pengembangan kompetensi tahun 2027: 24 JP"
        assert "revisi ke-2 dan menggantikan rekomendasi sebelumnya" in whole
    else:
        assert subject == "Revised competency development recommendation for 2027: 24 JP"
        assert "revision 2 of your recommendation and replaces the earlier one" in whole
    assert "Dasar Epidemiologi: 24 JP" in whole and "ditarik" not in whole and "withdrawn" not in whole


@pytest.mark.parametrize("language", list(Language))
def test_a_first_recommendation_is_not_called_a_revision(language):
    whole = training_message(language)
    assert "evisi" not in whole and "replaces" not in whole
    assert whole.startswith(
        "Rekomendasi pengembangan kompetensi tahun 2027: 24 JP"
        if language is Language.ID
        else "Recommended competency development for 2027: 24 JP"
    )


def test_training_names_the_predikat_only_when_there_is_one():
    assert "Predikat kinerja terakhir Anda: Butuh Perbaikan." in training_message()
    assert "Your latest predikat: Needs Improvement (Butuh Perbaikan)." in training_message(Language.EN)
    for language in Language:
        whole = training_message(language, predikat=None)
        assert "redikat" not in whole and "None" not in whole


def test_training_from_before_the_yearly_plan_takes_the_year_it_was_made_in():
    legacy = training().model_copy(update={"tahun": None, "plan_version": None, "report_id": f"{AGENCY}/rpt-1"})
    message = render(
        EventKind.TRAINING_PLAN, Language.ID, training_context(legacy, recipient(Role.PEGAWAI, Language.ID))
    )
    assert message.subject == "Rekomendasi pengembangan kompetensi tahun 2026: 24 JP"  # recommended 1 November 2026


@pytest.mark.parametrize("language", list(Language))
def test_coaching_from_the_event_names_the_period_predikat_and_reasons_as_given(language):
    for role in AUDIENCE[EventKind.COACHING]:
        message = render(
            EventKind.COACHING, language, coaching_required_context(coaching(), recipient(role, language), SITI)
        )
        whole = f"{message.subject}\n{message.text}"
        assert PREDIKAT_WORDS[language] in whole and NIP in whole
        assert "predikat Butuh Perbaikan dua periode berturut-turut" in whole  # training's words, in Bahasa
        assert ("Oktober 2026" if language is Language.ID else "October 2026") in whole
    english = render(
        EventKind.COACHING, Language.EN, coaching_required_context(coaching(), recipient(Role.HR, Language.EN))
    )
    assert "Reasons (in Bahasa Indonesia):" in english.text


@pytest.mark.parametrize(
    ("flag", "kind"), [(CareerFlag.TALENT_POOL, EventKind.TALENT), (CareerFlag.PROMOTION_ELIGIBLE, EventKind.PROMOTION)]
)
def test_a_career_flag_becomes_its_message(flag, kind):
    event = flagged(flag)
    assert kind_of_flag(event) is kind
    for role in AUDIENCE[kind]:
        message = render(kind, Language.ID, career_context(event, recipient(role, Language.ID), SITI))
        assert "dr. Siti Rahmawati (NIP 198503122010011002)" in message.subject
        assert event.reasons[0] in message.text
    talent = render(
        EventKind.TALENT, Language.ID, career_context(flagged(CareerFlag.TALENT_POOL), recipient(Role.HR, Language.ID))
    )
    assert "hingga Triwulan IV 2026" in talent.text  # the period that completed the evidence


def test_a_career_flag_of_the_whole_year_names_the_year():
    yearly = flagged(CareerFlag.TALENT_POOL).model_copy(update={"period_id": None})
    message = render(EventKind.TALENT, Language.EN, career_context(yearly, recipient(Role.ATASAN, Language.EN)))
    assert "up to Year 2026" in message.text and "NIP 198503122010011002" in message.subject


@pytest.mark.parametrize("language", list(Language))
def test_digest_gathers_messages_under_one_subject(language):
    items = [
        render(kind, language, context_for(kind, recipient(Role.PEGAWAI, language)))
        for kind in (EventKind.SCORE, EventKind.DEADLINE_REMINDER)
    ]
    digest = render_digest(language, items, "dr. Siti Rahmawati")
    assert "2" in digest.subject
    assert "1. " + items[0].subject in digest.text and "2. " + items[1].subject in digest.text
    assert "   " + items[0].text.splitlines()[2] in digest.text  # bodies indented under their subjects
    assert "{{" not in digest.text and "None" not in digest.text


@pytest.mark.parametrize(
    ("amount", "text"), [(1_500_000, "Rp1.500.000"), (0, "Rp0"), (999, "Rp999"), (1000, "Rp1.000")]
)
def test_rupiah_has_dots_between_thousands(amount, text):
    assert format_rupiah(amount) == text


@pytest.mark.parametrize(
    ("period_id", "indonesian", "english"),
    [
        ("2026-10", "Oktober 2026", "October 2026"),
        ("2026-q4", "Triwulan IV 2026", "Quarter 4 2026"),
        ("2026-s1", "Semester I 2026", "Semester 1 2026"),
        ("2026", "Tahun 2026", "Year 2026"),
        ("khusus-1", "khusus-1", "khusus-1"),
    ],
)
def test_period_labels(period_id, indonesian, english):
    assert period_label(period_id, Language.ID) == indonesian
    assert period_label(period_id, Language.EN) == english


def test_dates_numbers_and_deadlines_in_each_language():
    assert format_date(date(2026, 10, 1), Language.ID) == "1 Oktober 2026"
    assert format_date(date(2026, 10, 1), Language.EN) == "1 October 2026"
    assert format_number(107.142857, Language.ID) == "107,14" and format_number(7.0, Language.EN) == "7"
    # 17:30 UTC is already the next day in Jakarta.
    late = datetime(2026, 11, 5, 17, 30, tzinfo=UTC)
    assert format_moment(late, Language.ID) == "6 November 2026 pukul 00.30 WIB"
    assert format_moment(late, Language.EN) == "6 November 2026, 00:30 WIB"
