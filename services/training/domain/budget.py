"""The agency's training budget (anggaran pengembangan kompetensi) against the plan already approved."""

from .errors import TrainingDomainError


class BudgetBelowCommitted(TrainingDomainError):
    code = "anggaran_di_bawah_komitmen"


def rupiah(amount: int) -> str:
    """Rupiah as written in Indonesian documents: 150000000 -> "Rp 150.000.000"."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


def check_budget(anggaran: int, committed: int) -> None:
    """Refuse a budget below what the approved plan has already committed.

    Lowering it further would leave approved recommendations unfunded behind
    the employees' backs; HR revises the plan first, then the budget.
    """
    if anggaran >= committed:
        return
    raise BudgetBelowCommitted(
        f"Anggaran {rupiah(anggaran)} lebih kecil dari biaya yang sudah dikomitmenkan rencana pengembangan "
        f"kompetensi yang disetujui ({rupiah(committed)}, kurang {rupiah(committed - anggaran)}). "
        "Revisi rencana terlebih dahulu, lalu turunkan anggaran."
    )
