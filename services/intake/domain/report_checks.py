"""Checks a report against the agency's master data; pure, so every rule is testable alone."""

import hashlib
from datetime import datetime
from typing import Any

from shared.contracts.common import JenisHasilKerja, Polaritas, SkpRow
from shared.contracts.reports import IndicatorRealisation, RejectionReason, ReportSubmitted

from ..contracts_in import ReportSubmission


def default_report_id(submission: ReportSubmission) -> str:
    """One report per employee, SKP and period unless the agency names it: a resend cannot duplicate it."""
    period = submission.period
    skp = hashlib.sha256(submission.skp_id.encode()).hexdigest()[:8]
    return f"{submission.nip}-{period.start:%Y%m%d}-{period.end:%Y%m%d}-{skp}"


def _reason(field: str, code: str, message: str) -> RejectionReason:
    return RejectionReason(field=field, code=code, message=message)


def check_report(
    submission: ReportSubmission, agency_id: str, employee: dict[str, Any] | None, skp: dict[str, Any] | None
) -> list[RejectionReason]:
    if employee is None or employee["agency_id"] != agency_id:
        return [
            _reason("nip", "unknown_employee", f"pegawai dengan NIP {submission.nip} belum terdaftar di instansi ini")
        ]
    if skp is None or skp["nip"] != submission.nip:
        return [_reason("skp_id", "unknown_skp", f"SKP {submission.skp_id} tidak ditemukan untuk pegawai ini")]
    reasons: list[RejectionReason] = []
    if submission.period.start.year != skp["tahun"]:
        reasons.append(_reason("period", "period_outside_skp_year", f"periode harus dalam tahun SKP {skp['tahun']}"))
    rows = {row["row_id"]: SkpRow.model_validate(row) for row in skp["rows"]}
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
        if row.polaritas is Polaritas.QUALITATIVE and item.rating_atasan is None:
            reasons.append(
                _reason(f"{field}.rating_atasan", "rating_required", "indikator kualitatif memerlukan rating_atasan")
            )
        if row.polaritas is not Polaritas.QUALITATIVE and item.realisasi is None:
            reasons.append(
                _reason(f"{field}.realisasi", "realisasi_required", "indikator kuantitatif memerlukan realisasi")
            )
    for row_id, row in rows.items():
        if row.jenis is JenisHasilKerja.UTAMA and row_id not in seen:
            reasons.append(
                _reason("realisasi", "missing_main_row", f"realisasi hasil kerja utama {row_id} belum dilaporkan")
            )
    return reasons


def build_report(
    submission: ReportSubmission,
    report_id: str,
    agency_id: str,
    skp: dict[str, Any],
    submitted_at: datetime,
    atasan_nip: str | None = None,
) -> ReportSubmitted:
    rows = {row["row_id"]: row for row in skp["rows"]}
    indicators = [
        IndicatorRealisation.model_validate(
            {**rows[item.row_id], "realisasi": item.realisasi, "rating_atasan": item.rating_atasan}
        )
        for item in submission.realisasi
    ]
    return ReportSubmitted(
        report_id=report_id,
        agency_id=agency_id,
        nip=submission.nip,
        atasan_nip=atasan_nip,
        skp_id=submission.skp_id,
        period=submission.period,
        indicators=indicators,
        rating_hasil_kerja_atasan=submission.rating_hasil_kerja_atasan,
        perilaku=submission.perilaku,
        evidence=submission.evidence,
        feedback=submission.feedback,
        submitted_at=submitted_at,
    )
