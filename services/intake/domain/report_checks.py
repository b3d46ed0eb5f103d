"""Checks a report against the agency's master data; pure, so every rule is testable alone.

Every report intake accepts can be scored: each quantitative row has the
number it needs, and realisation and target are within a ratio that keeps
capaian finite.
"""

import hashlib
from datetime import datetime

from shared.contracts.common import JenisHasilKerja, Polaritas, SkpRow
from shared.contracts.reports import IndicatorRealisation, Realisasi, RejectionReason, ReportSubmission, ReportSubmitted

from .models import Employee, SkpPlan, SkpVersion

# realisasi / target beyond this is a typing error (or a unit mix-up), and near it capaian stops being finite.
MAX_CAPAIAN_RATIO = 1_000_000.0


def default_report_id(submission: ReportSubmission) -> str:
    """One report per employee, SKP and period unless the agency names it: a resend cannot duplicate it."""
    period = submission.period
    skp = hashlib.sha256(submission.skp_id.encode()).hexdigest()[:8]
    return f"{submission.nip}-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{skp}"


def _reason(field: str, code: str, message: str) -> RejectionReason:
    return RejectionReason(field=field, code=code, message=message)


def check_report(
    submission: ReportSubmission,
    agency_id: str,
    employee: Employee | None,
    plan: SkpPlan | None,
    period_problem: RejectionReason | None = None,
) -> list[RejectionReason]:
    if employee is None or employee.agency_id != agency_id:
        return [
            _reason("nip", "unknown_employee", f"pegawai dengan NIP {submission.nip} belum terdaftar di instansi ini")
        ]
    if employee.inactive_for(submission.period):
        since = f"{employee.nonaktif_sejak:%Y-%m-%d}"
        message = f"pegawai ini nonaktif sejak {since}; periode sesudahnya tidak dapat dilaporkan"
        return [_reason("period", "employee_inactive", message)]
    if plan is None or plan.nip != submission.nip or plan.agency_id != agency_id:
        return [_reason("skp_id", "unknown_skp", f"SKP {submission.skp_id} tidak ditemukan untuk pegawai ini")]
    reasons: list[RejectionReason] = [period_problem] if period_problem else []
    if submission.period.start.year != plan.tahun:
        reasons.append(_reason("period", "period_outside_skp_year", f"periode harus dalam tahun SKP {plan.tahun}"))
    rows = {row.row_id: row for row in plan.in_force_for(submission.period).rows}
    seen: set[str] = set()
    for i, item in enumerate(submission.realisasi):
        field = f"realisasi[{i}]"
        row = rows.get(item.row_id)
        if row is None:
            reasons.append(_reason(f"{field}.row_id", "unknown_skp_row", f"baris {item.row_id} tidak ada di SKP"))
            continue
        if item.row_id in seen:
            reasons.append(_reason(f"{field}.row_id", "duplicate_row", f"baris {item.row_id} dilaporkan dua kali"))
        seen.add(item.row_id)
        reasons += _row_problems(field, row, item)
    for row_id, row in rows.items():
        if row.jenis is JenisHasilKerja.UTAMA and row_id not in seen:
            reasons.append(
                _reason("realisasi", "missing_main_row", f"realisasi hasil kerja utama {row_id} belum dilaporkan")
            )
    return reasons


def _row_problems(field: str, row: SkpRow, item: Realisasi) -> list[RejectionReason]:
    if row.polaritas is Polaritas.QUALITATIVE:
        if item.realisasi is not None:
            message = f"indikator kualitatif {row.row_id} dinilai dengan rating_atasan, bukan angka realisasi"
            return [_reason(f"{field}.realisasi", "realisasi_not_allowed", message)]
        if item.rating_atasan is None:
            message = "indikator kualitatif memerlukan rating_atasan"
            return [_reason(f"{field}.rating_atasan", "rating_required", message)]
        return []
    if item.realisasi is None:
        return [_reason(f"{field}.realisasi", "realisasi_required", "indikator kuantitatif memerlukan realisasi")]
    if not _capaian_is_measurable(row, item.realisasi):
        message = f"realisasi {item.realisasi:g} terlalu jauh dari target baris {row.row_id}; periksa satuannya"
        return [_reason(f"{field}.realisasi", "capaian_out_of_range", message)]
    return []


def _capaian_is_measurable(row: SkpRow, realisasi: float) -> bool:
    """Against the bound the capaian formula uses (PermenPANRB 8/2021): the target, or the nearer range bound."""
    if row.target_range is not None:
        lower, upper = row.target_range.lower, row.target_range.upper
        reference = upper if realisasi >= upper else lower if realisasi < lower else None
        if reference is None:
            return True  # within the range: on target
    else:
        reference = row.target
    if not reference:
        return False
    ratio = realisasi / reference
    return ratio <= MAX_CAPAIAN_RATIO


def build_report(
    submission: ReportSubmission,
    reference: str,
    employee: Employee,
    plan: SkpPlan,
    submitted_at: datetime,
    *,
    version: int = 1,
    supersedes: int | None = None,
) -> ReportSubmitted:
    in_force: SkpVersion = plan.in_force_for(submission.period)
    rows = {row.row_id: row for row in in_force.rows}
    indicators = [
        IndicatorRealisation(
            **rows[item.row_id].model_dump(), realisasi=item.realisasi, rating_atasan=item.rating_atasan
        )
        for item in submission.realisasi
    ]
    return ReportSubmitted(
        report_id=reference,
        agency_id=employee.agency_id,
        nip=submission.nip,
        atasan_nip=employee.atasan_nip,
        skp_id=submission.skp_id,
        period=submission.period,
        indicators=indicators,
        rating_hasil_kerja_atasan=submission.rating_hasil_kerja_atasan,
        perilaku=submission.perilaku,
        evidence=submission.evidence,
        feedback=submission.feedback,
        submitted_at=submitted_at,
        version=version,
        supersedes=supersedes,
        skp_version=in_force.version,
        unit_kerja=employee.unit_kerja,
    )
