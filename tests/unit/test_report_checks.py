"""Intake's report checks against master data, the report it builds, and what agencies may send."""

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from services.intake.contracts_in import SkpSubmission
from services.intake.domain.models import Employee, SkpPlan, SkpVersion
from services.intake.domain.report_checks import build_report, check_report
from shared.contracts.common import Polaritas, Rating, SkpRow, TargetRange
from shared.contracts.reports import ReportSubmission, ReportSubmitted

AGENCY = "bungo-dinkes"
NIP = "198503122010011002"
OTHER_NIP = "199001012015032001"
SKP_ID = "skp-2026-0001"
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)

ROWS = [
    {
        "row_id": "rhk-1",
        "rhk": "Cakupan imunisasi dasar lengkap",
        "jenis": "utama",
        "aspek": "kuantitas",
        "indikator": "Persentase bayi diimunisasi",
        "polaritas": "higher_is_better",
        "target": 95,
        "satuan": "persen",
        "kompetensi": ["kesehatan-masyarakat"],
    },
    {
        "row_id": "rhk-2",
        "rhk": "Laporan surveilans yang rapi",
        "jenis": "utama",
        "aspek": "kualitas",
        "indikator": "Kualitas laporan surveilans",
        "polaritas": "qualitative",
        "kompetensi": ["epidemiologi", "komunikasi"],
    },
    {
        "row_id": "rhk-3",
        "rhk": "Penanganan keluhan",
        "jenis": "tambahan",
        "aspek": "waktu",
        "indikator": "Hari untuk menyelesaikan keluhan",
        "polaritas": "lower_is_better",
        "target_range": {"lower": 3, "upper": 5},
        "satuan": "hari",
    },
]

VALID_REALISASI = [
    {"row_id": "rhk-1", "realisasi": 92.5},
    {"row_id": "rhk-2", "rating_atasan": "di_atas_ekspektasi"},
]


def stored_employee(agency_id: str = AGENCY, **extra) -> Employee:
    return Employee(nip=NIP, agency_id=agency_id, nama="dr. Siti Rahmawati", jabatan="Epidemiolog", **extra)


def stored_skp(nip: str = NIP, tahun: int = 2026, rows=ROWS, *later: SkpVersion) -> SkpPlan:
    first = SkpVersion(
        version=1, berlaku_mulai=date(tahun, 1, 1), rows=[SkpRow.model_validate(r) for r in rows], published_at=NOW
    )
    return SkpPlan(skp_id=SKP_ID, agency_id=AGENCY, nip=nip, tahun=tahun, versions=[first, *later])


def submission(realisasi: list[dict] = VALID_REALISASI, start=date(2026, 10, 1), end=date(2026, 10, 31), **extra):
    return ReportSubmission.model_validate(
        {
            "nip": NIP,
            "skp_id": SKP_ID,
            "period": {"type": "bulanan", "start": start, "end": end},
            "realisasi": realisasi,
            **extra,
        }
    )


def check(sub=None, employee="default", skp="default"):
    return check_report(
        sub or submission(),
        AGENCY,
        stored_employee() if employee == "default" else employee,
        stored_skp() if skp == "default" else skp,
    )


def found(reasons) -> list[tuple[str, str]]:
    return [(r.field, r.code) for r in reasons]


# --- check_report ----------------------------------------------------------------


def test_valid_report_has_no_reasons_even_without_the_tambahan_row():
    assert check() == []


def test_valid_report_with_the_tambahan_row_has_no_reasons():
    sub = submission([*VALID_REALISASI, {"row_id": "rhk-3", "realisasi": 4}])
    assert check(sub) == []


@pytest.mark.parametrize("employee", [None, stored_employee(agency_id="kerinci-bkpsdm")], ids=["unknown", "other"])
def test_employee_unknown_to_the_agency_is_rejected(employee):
    reasons = check(employee=employee)
    assert found(reasons) == [("nip", "unknown_employee")]
    assert NIP in reasons[0].message and "belum terdaftar" in reasons[0].message


@pytest.mark.parametrize("skp", [None, stored_skp(nip=OTHER_NIP)], ids=["unknown", "other-nip"])
def test_skp_unknown_or_of_another_employee_is_rejected(skp):
    reasons = check(skp=skp)
    assert found(reasons) == [("skp_id", "unknown_skp")]
    assert SKP_ID in reasons[0].message and "tidak ditemukan" in reasons[0].message


def test_period_outside_the_skp_year_is_rejected():
    reasons = check(submission(start=date(2025, 10, 1), end=date(2025, 10, 31)))
    assert found(reasons) == [("period", "period_outside_skp_year")]
    assert "tahun SKP 2026" in reasons[0].message


def test_row_not_in_the_skp_is_rejected():
    reasons = check(submission([*VALID_REALISASI, {"row_id": "rhk-9", "realisasi": 1}]))
    assert found(reasons) == [("realisasi[2].row_id", "unknown_skp_row")]
    assert "rhk-9" in reasons[0].message and "tidak ada di SKP" in reasons[0].message


def test_row_reported_twice_is_rejected():
    reasons = check(submission([*VALID_REALISASI, {"row_id": "rhk-1", "realisasi": 90}]))
    assert found(reasons) == [("realisasi[2].row_id", "duplicate_row")]
    assert "dua kali" in reasons[0].message


def test_qualitative_row_without_rating_is_rejected():
    reasons = check(submission([{"row_id": "rhk-1", "realisasi": 92.5}, {"row_id": "rhk-2"}]))
    assert found(reasons) == [("realisasi[1].rating_atasan", "rating_required")]
    assert "indikator kualitatif memerlukan" in reasons[0].message


def test_quantitative_row_without_realisasi_is_rejected():
    reasons = check(submission([{"row_id": "rhk-1", "rating_atasan": "sesuai_ekspektasi"}, VALID_REALISASI[1]]))
    assert found(reasons) == [("realisasi[0].realisasi", "realisasi_required")]
    assert "indikator kuantitatif memerlukan" in reasons[0].message


def test_missing_utama_row_is_rejected():
    reasons = check(submission([VALID_REALISASI[1]]))
    assert found(reasons) == [("realisasi", "missing_main_row")]
    assert "rhk-1" in reasons[0].message and "belum dilaporkan" in reasons[0].message


def test_every_problem_is_reported_at_once():
    sub = submission(
        [{"row_id": "rhk-2"}, {"row_id": "rhk-9", "realisasi": 1}],
        start=date(2025, 1, 1),
        end=date(2025, 1, 31),
    )
    assert found(check(sub)) == [
        ("period", "period_outside_skp_year"),
        ("realisasi[0].rating_atasan", "rating_required"),
        ("realisasi[1].row_id", "unknown_skp_row"),
        ("realisasi", "missing_main_row"),
    ]


# --- build_report ------------------------------------------------------------------


def test_build_report_copies_plan_rows_and_realisation():
    sub = submission(
        [*VALID_REALISASI, {"row_id": "rhk-3", "realisasi": 4}],
        report_id="lap-001",
        perilaku={"akuntabel": "di_atas_ekspektasi"},
        evidence=["https://bukti.example.go.id/1.pdf"],
        feedback="Bagus",
        rating_hasil_kerja_atasan="sesuai_ekspektasi",
    )
    report = build_report(sub, "lap-001", stored_employee(unit_kerja="bidang-kesmas"), stored_skp(), NOW)

    assert isinstance(report, ReportSubmitted)
    assert (report.report_id, report.agency_id, report.nip, report.skp_id) == ("lap-001", AGENCY, NIP, SKP_ID)
    assert (report.version, report.supersedes, report.skp_version, report.unit_kerja) == (1, None, 1, "bidang-kesmas")
    assert report.period == sub.period and report.submitted_at == NOW
    assert report.perilaku == sub.perilaku and report.evidence == sub.evidence and report.feedback == "Bagus"
    assert report.rating_hasil_kerja_atasan is Rating.SESUAI

    quantitative, qualitative, ranged = report.indicators
    assert [i.row_id for i in report.indicators] == ["rhk-1", "rhk-2", "rhk-3"]
    assert (quantitative.jenis, quantitative.target, quantitative.polaritas) == (
        "utama",
        95,
        Polaritas.HIGHER_IS_BETTER,
    )
    assert quantitative.kompetensi == ["kesehatan-masyarakat"] and quantitative.satuan == "persen"
    assert quantitative.indikator == "Persentase bayi diimunisasi"
    assert (quantitative.realisasi, quantitative.rating_atasan) == (92.5, None)
    assert (qualitative.polaritas, qualitative.target, qualitative.rating_atasan) == (
        Polaritas.QUALITATIVE,
        None,
        Rating.DI_ATAS,
    )
    assert qualitative.kompetensi == ["epidemiologi", "komunikasi"]
    assert (ranged.jenis, ranged.target, ranged.target_range) == ("tambahan", None, TargetRange(lower=3, upper=5))
    assert (ranged.polaritas, ranged.realisasi) == (Polaritas.LOWER_IS_BETTER, 4)


# --- what agencies send ------------------------------------------------------------


def test_submission_rejects_unknown_fields():
    with pytest.raises(ValidationError, match="extra"):
        submission(realisasii=[])


def test_submission_needs_at_least_one_realisation():
    with pytest.raises(ValidationError, match="realisasi"):
        submission([])


@pytest.mark.parametrize("report_id", ["lap 001", "lap/001", "", "x" * 65])
def test_submission_report_id_is_a_safe_token(report_id):
    with pytest.raises(ValidationError, match="report_id"):
        submission(report_id=report_id)


def test_submission_rejects_negative_realisasi():
    with pytest.raises(ValidationError, match="realisasi"):
        submission([{"row_id": "rhk-1", "realisasi": -1}])


def test_submission_rejects_an_invalid_nip():
    with pytest.raises(ValidationError, match="NIP"):
        ReportSubmission.model_validate({**submission().model_dump(), "nip": "198503122010013002"})


def test_skp_submission_id_must_be_url_safe():
    with pytest.raises(ValidationError, match="skp_id"):
        SkpSubmission(skp_id="skp 2026/1", nip=NIP, tahun=2026, rows=ROWS)


# --- inactive employees, versions of the plan, scorable numbers ---------------------


def test_an_inactive_employee_cannot_be_reported_for_a_later_period():
    assert check(employee=stored_employee(nonaktif_sejak=date(2026, 10, 15))) == []  # October started before
    reasons = check(employee=stored_employee(nonaktif_sejak=date(2026, 9, 30)))
    assert found(reasons) == [("period", "employee_inactive")]
    assert "2026-09-30" in reasons[0].message


def test_a_report_is_checked_against_the_plan_version_in_force_for_its_period():
    changed = [{**ROWS[0], "row_id": "rhk-1b"}, *ROWS[1:]]
    later = SkpVersion(
        version=2, berlaku_mulai=date(2026, 11, 1), rows=[SkpRow.model_validate(r) for r in changed], published_at=NOW
    )
    plan = stored_skp(NIP, 2026, ROWS, later)
    assert check(skp=plan) == []  # October: version 1
    november = submission(start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert found(check(november, skp=plan)) == [
        ("realisasi[0].row_id", "unknown_skp_row"),
        ("realisasi", "missing_main_row"),
    ]
    fixed = submission(
        [{"row_id": "rhk-1b", "realisasi": 90}, VALID_REALISASI[1]], start=date(2026, 11, 1), end=date(2026, 11, 30)
    )
    assert check(fixed, skp=plan) == []
    assert build_report(fixed, "r", stored_employee(), plan, NOW).skp_version == 2


def test_a_number_for_a_qualitative_row_is_refused():
    reasons = check(
        submission([VALID_REALISASI[0], {"row_id": "rhk-2", "realisasi": 3, "rating_atasan": "sesuai_ekspektasi"}])
    )
    assert found(reasons) == [("realisasi[1].realisasi", "realisasi_not_allowed")]


def test_a_realisation_that_would_make_capaian_infinite_is_refused():
    tiny = [{**ROWS[0], "target": 1e-300}, ROWS[1]]
    reasons = check(submission([{"row_id": "rhk-1", "realisasi": 1e10}, VALID_REALISASI[1]]), skp=stored_skp(rows=tiny))
    assert found(reasons) == [("realisasi[0].realisasi", "capaian_out_of_range")]
