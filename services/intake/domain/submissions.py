"""What a submitted report is, given what intake already holds: new, a resend, a correction, or a conflict.

One employee has one live report per SKP and period. A resend of the same
report gets the first answer back; a changed report under an accepted id is a
correction only when the agency says so; a second report for an occupied
slot under another id is refused, naming the report to correct instead.
"""

from dataclasses import dataclass

from .models import ReportStatus, StoredReport


@dataclass(frozen=True)
class Resend:
    """Nothing new: answer as the first time."""

    stored: StoredReport


@dataclass(frozen=True)
class Conflict:
    code: str
    message: str
    reference: str | None = None


@dataclass(frozen=True)
class Check:
    """Check the report against master data; if it passes it becomes `version`."""

    version: int
    supersedes: int | None
    replaces_attempt: StoredReport | None  # the stored attempt this one overwrites (same reference)
    # The same rejected report again: master data may have been fixed since. If it is refused for the
    # same reasons, it is a resend and nothing is written.
    recheck: bool = False


Decision = Resend | Conflict | Check


def decide_submission(
    *,
    reference: str,
    fingerprint: str,
    correction: bool,
    by_reference: StoredReport | None,
    live_in_slot: str | None,
) -> Decision:
    """`by_reference`: what is stored under this report's reference; `live_in_slot`: the reference that holds
    the employee's accepted report for this SKP and period, if any."""
    same = by_reference is not None and by_reference.fingerprint == fingerprint
    if same and by_reference.status is ReportStatus.ACCEPTED:
        return Resend(by_reference)
    if live_in_slot is not None and live_in_slot != reference:
        report_id = live_in_slot.split("/", 1)[-1]
        return Conflict(
            "report_exists_for_period",
            f"pegawai ini sudah punya laporan yang diterima untuk SKP dan periode ini ({report_id}); "
            f"untuk memperbaikinya kirim ulang dengan report_id {report_id} dan correction: true",
            live_in_slot,
        )
    if by_reference is not None:
        return _against_same_reference(by_reference, correction, recheck=same)
    return Check(version=1, supersedes=None, replaces_attempt=None)


def _against_same_reference(stored: StoredReport, correction: bool, recheck: bool) -> Decision:
    accepted = stored.accepted_version
    if accepted == 0:  # only rejected attempts so far: the fixed report is checked again
        return Check(version=1, supersedes=None, replaces_attempt=stored, recheck=recheck)
    if correction:
        return Check(version=accepted + 1, supersedes=accepted, replaces_attempt=stored, recheck=recheck)
    if stored.status is ReportStatus.REJECTED:  # a rejected correction, resent without saying so
        return Conflict(
            "report_id_conflict", "laporan ini sudah diterima sebelumnya; perbaikan dikirim dengan correction: true"
        )
    return Conflict(
        "report_id_conflict",
        "report_id ini sudah dipakai untuk laporan lain yang diterima; untuk memperbaikinya kirim dengan "
        "correction: true",
    )
