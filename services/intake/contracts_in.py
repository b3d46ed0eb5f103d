"""What agencies send to intake over HTTP."""

from pydantic import Field, HttpUrl

from shared.contracts.common import AgencyId, BerAKHLAK, Contract, JenisAsn, Period, Rating, SkpRow
from shared.contracts.nip import Nip


class AgencyRegistration(Contract):
    agency_id: AgencyId
    nama: str = Field(min_length=1, max_length=200, examples=["Dinas Kesehatan Kabupaten Bungo"])
    wilayah: str = Field(min_length=1, max_length=200, examples=["Kabupaten Bungo"])
    anggaran_pelatihan: int = Field(ge=0, description="Annual training budget in rupiah", examples=[150_000_000])
    tahun_anggaran: int = Field(ge=2000, le=2100, examples=[2026])


class EmployeeRegistration(Contract):
    nip: Nip
    nama: str = Field(min_length=1, max_length=200, examples=["dr. Siti Rahmawati"])
    jabatan: str = Field(min_length=1, max_length=200, examples=["Epidemiolog Kesehatan Ahli Muda"])
    jenis_asn: JenisAsn = JenisAsn.PNS
    atasan_nip: Nip | None = None
    email: str | None = Field(default=None, max_length=254)


class SkpSubmission(Contract):
    skp_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", examples=["skp-2026-0001"])
    nip: Nip
    tahun: int = Field(ge=2000, le=2100, examples=[2026])
    rows: list[SkpRow] = Field(min_length=1, max_length=100)


class Realisasi(Contract):
    row_id: str = Field(min_length=1, max_length=64, examples=["rhk-1"])
    realisasi: float | None = Field(default=None, ge=0, examples=[92.5])
    rating_atasan: Rating | None = None


class ReportSubmission(Contract):
    report_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="Agency's own id for the report. Resending the same report is safe (idempotent); "
        "without an id, the employee, SKP and period identify it",
    )
    nip: Nip
    skp_id: str = Field(min_length=1, max_length=64)
    period: Period
    realisasi: list[Realisasi] = Field(min_length=1, max_length=100)
    rating_hasil_kerja_atasan: Rating | None = None
    perilaku: dict[BerAKHLAK, Rating] = Field(default_factory=dict)
    evidence: list[HttpUrl] = Field(default_factory=list, max_length=50)
    feedback: str | None = Field(default=None, max_length=4000)
