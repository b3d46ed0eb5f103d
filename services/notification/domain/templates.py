"""Messages from Jinja2 templates that a BKPSDM officer can edit without a programmer.

The templates are text files in services/notification/templates/<language>/<kind>.txt.j2 (id = Bahasa
Indonesia, en = English), one per EventKind, plus digest.txt.j2. The first line a template renders is the
subject of the message; everything after it is the body. A variable a template names that the context lacks
is an error (StrictUndefined), so a typo fails the template test instead of sending a blank.

The context builders turn an event into the plain values a template shows, already worded and formatted in the
recipient's language (labels.py), so templates hold no logic beyond choosing sentences.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from shared.contracts.common import Predikat
from shared.contracts.periods import period_id_of
from shared.contracts.reports import ReportRejected
from shared.contracts.scores import AnnualScoreComputed, DistributionEvaluated, ScoreComputed
from shared.contracts.training import CareerFlag, CareerFlagged, CoachingRequired, TrainingRecommended

from .clock import wib_date
from .deliveries import EventKind, Language, Recipient
from .labels import (
    ANNUAL_METHOD,
    BERAKHLAK,
    LEARNING_MODE,
    ORGANISATION_PREDIKAT,
    PREDIKAT,
    RATING,
    REVISION_CAUSE,
    format_date,
    format_date_range,
    format_moment,
    format_number,
    format_percent,
    format_rupiah,
    period_label,
)
from .people import Person

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
NEEDS_COACHING = {Predikat.BUTUH_PERBAIKAN, Predikat.KURANG, Predikat.SANGAT_KURANG}


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str  # the body, ending with one newline


@lru_cache(maxsize=1)
def environment() -> Environment:
    # trim_blocks / lstrip_blocks: a line holding only {% if %} or {% endif %} leaves no empty line behind, so
    # templates can be laid out like the message they write.
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(kind: EventKind, language: Language, context: Mapping[str, Any]) -> RenderedMessage:
    return _render(f"{language}/{kind}.txt.j2", context)


def render_digest(language: Language, items: list[RenderedMessage], nama: str | None) -> RenderedMessage:
    """One daily e-mail gathering the messages a digest recipient would otherwise get one by one."""
    return _render(f"{language}/digest.txt.j2", {"nama_penerima": nama, "pesan": items, "jumlah": len(items)})


def _render(name: str, context: Mapping[str, Any]) -> RenderedMessage:
    lines = [line.rstrip() for line in environment().get_template(name).render(context).strip().splitlines()]
    if not lines or not lines[0]:
        raise ValueError(f"template {name} tidak menghasilkan baris subjek")
    body: list[str] = []
    for line in lines[1:]:
        # One empty line between paragraphs, however many a left-out {% if %} block leaves.
        if line or (body and body[-1]):
            body.append(line)
    return RenderedMessage(subject=lines[0].strip(), text="\n".join(body).strip("\n") + "\n")


def _base(recipient: Recipient) -> dict[str, Any]:
    return {"penerima": recipient.role.value, "nama_penerima": recipient.name}


def _who(nip: str, nama: str | None) -> str:
    """How a message names an employee: "dr. Siti Rahmawati (NIP 198503122010011002)", or the NIP alone."""
    return f"{nama} (NIP {nip})" if nama else f"NIP {nip}"


def _about(nip: str, nama: str | None) -> dict[str, Any]:
    """The employee a message is about, as every template may name them."""
    return {"nip": nip, "nama_pegawai": nama, "pegawai": _who(nip, nama)}


def _language(recipient: Recipient) -> Language:
    return recipient.preferences.language


def score_context(score: ScoreComputed, recipient: Recipient, employee: Person | None) -> dict[str, Any]:
    """A periodic score (SCORE and SCORE_REVISED), for the employee or their atasan."""
    language = _language(recipient)
    nama = employee.nama if employee else None
    return _base(recipient) | {
        **_about(score.nip, nama),
        "periode": period_label(score.period_id or period_id_of(score.period), language),
        "tanggal_periode": format_date_range(score.period, language),
        "hasil_kerja": RATING[score.rating_hasil_kerja](language),
        "perilaku": RATING[score.rating_perilaku](language),
        "predikat": PREDIKAT[score.predikat](language),
        "predikat_resmi": PREDIKAT[score.predikat].id,
        "nilai_hasil_kerja": (
            format_number(score.nilai_hasil_kerja, language) if score.nilai_hasil_kerja is not None else None
        ),
        "perilaku_di_bawah": [BERAKHLAK[value](language) for value in score.perilaku_di_bawah],
        "perlu_bimbingan": score.predikat in NEEDS_COACHING,
        "sangat_baik": score.predikat is Predikat.SANGAT_BAIK,
        "revisi": score.revision,
        "sebab_revisi": REVISION_CAUSE[score.revision_cause](language) if score.revision_cause else None,
        "report_id": score.report_id,
    }


def annual_context(annual: AnnualScoreComputed, recipient: Recipient, employee: Person | None) -> dict[str, Any]:
    language = _language(recipient)
    nama = employee.nama if employee else None
    return _base(recipient) | {
        **_about(annual.nip, nama),
        "tahun": annual.tahun,
        "hasil_kerja": RATING[annual.rating_hasil_kerja](language),
        "perilaku": RATING[annual.rating_perilaku](language),
        "predikat": PREDIKAT[annual.predikat](language),
        "predikat_resmi": PREDIKAT[annual.predikat].id,
        "perlu_bimbingan": annual.predikat in NEEDS_COACHING,
        "sangat_baik": annual.predikat is Predikat.SANGAT_BAIK,
        "jumlah_periode": len(annual.periods),
        "periode_tanpa_nilai": [period_label(p, language) for p in annual.periods_missing],
        "cara_perhitungan": ANNUAL_METHOD[annual.method](language),
        "penjelasan": annual.reason,  # written by scoring, in Bahasa Indonesia
        "revisi": annual.revision,
    }


def rejection_context(rejected: ReportRejected, recipient: Recipient, employee: Person | None = None) -> dict[str, Any]:
    nama = employee.nama if employee else None
    return _base(recipient) | {
        "report_id": rejected.report_id,
        **_about(rejected.nip, nama),
        "alasan": [reason.message for reason in rejected.reasons],  # intake's words, in Bahasa Indonesia
        "tanggal_ditolak": format_date(wib_date(rejected.rejected_at), _language(recipient)),
    }


def training_context(
    training: TrainingRecommended, recipient: Recipient, employee: Person | None = None
) -> dict[str, Any]:
    """The employee's part of the agency's approved development plan for a budget year: the courses, a revision
    that replaces an earlier recommendation, or (no courses, revision > 1) the earlier one withdrawn."""
    language = _language(recipient)
    nama = employee.nama if employee else None
    courses = [
        {"judul": r.judul, "jp": r.jp, "cara": LEARNING_MODE[r.mode](language), "biaya": format_rupiah(r.biaya)}
        for r in training.recommendations
    ]
    predikat = PREDIKAT[training.predikat] if training.predikat else None
    return _base(recipient) | {
        **_about(training.nip, nama),
        # Recommendations from before the yearly plan carry no year: theirs is the year they were made in.
        "tahun": training.tahun or wib_date(training.recommended_at).year,
        "revisi": training.revision,
        "ditarik": not training.recommendations and training.revision > 1,
        "predikat": predikat(language) if predikat else None,
        "predikat_resmi": predikat.id if predikat else None,
        "pelatihan": courses,
        "total_jp": training.total_jp,
        "total_biaya": format_rupiah(training.total_biaya),
        "anggaran_tersedia": format_rupiah(training.anggaran_tersedia),
        "kebutuhan_belum_tertutup": list(training.gaps_tidak_tertutup),
    }


def distribution_context(evaluation: DistributionEvaluated, recipient: Recipient) -> dict[str, Any]:
    language = _language(recipient)
    overall = evaluation.overall
    spread = [
        {
            "predikat": PREDIKAT[predikat](language),
            "jumlah": overall.counts.get(predikat, 0),
            "persen": format_percent(overall.percent.get(predikat, 0.0), language),
        }
        for predikat in PREDIKAT
    ]
    violations = [check.message for check in evaluation.checks if not check.ok]  # scoring's words, in Bahasa
    return _base(recipient) | {
        "lingkup": period_label(evaluation.scope, language),
        "predikat_organisasi": ORGANISATION_PREDIKAT[evaluation.organisation_predikat](language),
        "jumlah_pegawai": overall.employees,
        "sebaran": spread,
        "pelanggaran": violations,
        "jumlah_pelanggaran": len(violations),
    }


def deadline_context(
    period_id: str,
    deadline: datetime,
    recipient: Recipient,
    missing: list[Person] | None = None,
    employee: Person | None = None,
) -> dict[str, Any]:
    """A reminder before the deadline (about `employee`, to them or their atasan) or, for HR after it, who is
    `missing`."""
    language = _language(recipient)
    absent = [{"pegawai": _who(p.nip, p.nama), "unit_kerja": p.unit_kerja} for p in missing or []]
    return _base(recipient) | {
        "periode": period_label(period_id, language),
        "tenggat": format_moment(deadline, language),
        "nip": employee.nip if employee else None,
        "nama_pegawai": employee.nama if employee else None,
        "pegawai": _who(employee.nip, employee.nama) if employee else None,
        "tidak_melapor": absent,
        "jumlah_tidak_melapor": len(absent),
    }


def coaching_context(
    recipient: Recipient,
    *,
    nip: str,
    nama: str | None,
    period_id: str,
    reasons: list[str],
    predikat: Predikat | None = None,
) -> dict[str, Any]:
    """Bimbingan kinerja (pembinaan) for an employee who fell short; `reasons` as training wrote them, in Bahasa
    Indonesia (the English templates say so)."""
    language = _language(recipient)
    return _base(recipient) | {
        **_about(nip, nama),
        "periode": period_label(period_id, language),
        "predikat": PREDIKAT[predikat](language) if predikat else None,
        "predikat_resmi": PREDIKAT[predikat].id if predikat else None,
        "alasan": list(reasons),
    }


def coaching_required_context(
    coaching: CoachingRequired, recipient: Recipient, employee: Person | None = None
) -> dict[str, Any]:
    nama = employee.nama if employee else None
    return coaching_context(
        recipient,
        nip=coaching.nip,
        nama=nama,
        period_id=coaching.period_id,
        reasons=coaching.reasons,
        predikat=coaching.predikat,
    )


def talent_context(
    recipient: Recipient, *, nip: str, nama: str | None, period_id: str, reasons: list[str]
) -> dict[str, Any]:
    """A candidate for recognition and the talent pool (sustained Sangat Baik); `reasons` as for coaching."""
    language = _language(recipient)
    return _base(recipient) | {
        **_about(nip, nama),
        "periode": period_label(period_id, language),
        "alasan": list(reasons),
    }


def promotion_context(
    recipient: Recipient, *, nip: str, nama: str | None, tahun: int, reasons: list[str]
) -> dict[str, Any]:
    """An employee whose performance meets what kenaikan pangkat / jabatan asks of it (the other requirements are
    HR's to check); `reasons` as for coaching."""
    return _base(recipient) | {
        **_about(nip, nama),
        "tahun": tahun,
        "alasan": list(reasons),
    }


def career_context(flagged: CareerFlagged, recipient: Recipient, employee: Person | None = None) -> dict[str, Any]:
    """A career flag of training's: a talent-pool candidate (TALENT) or promotion-eligible (PROMOTION)."""
    nama = employee.nama if employee else None
    if flagged.flag is CareerFlag.PROMOTION_ELIGIBLE:
        return promotion_context(recipient, nip=flagged.nip, nama=nama, tahun=flagged.tahun, reasons=flagged.reasons)
    period_id = flagged.period_id or str(flagged.tahun)
    return talent_context(recipient, nip=flagged.nip, nama=nama, period_id=period_id, reasons=flagged.reasons)
