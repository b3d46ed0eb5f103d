"""What agencies send to intake over HTTP. A report itself (`ReportSubmission`) is a shared contract: it also
arrives over Kafka, on `kinerja.report.inbound.v1`."""

from datetime import date
from typing import Annotated, Any

from pydantic import Field

from shared.contracts.common import (
    AgencyId,
    Contract,
    JenisAsn,
    SkpRow,
    StrictInt64,
)
from shared.contracts.nip import Nip


class AgencyRegistration(Contract):
    agency_id: AgencyId
    nama: str = Field(min_length=1, max_length=200, examples=["Dinas Kesehatan Kabupaten Bungo"])
    wilayah: str = Field(min_length=1, max_length=200, examples=["Kabupaten Bungo"])
    anggaran_pelatihan: StrictInt64 = Field(
        ge=0, description="Annual training budget in rupiah", examples=[150_000_000]
    )
    tahun_anggaran: StrictInt64 = Field(ge=2000, le=2100, examples=[2026])


UnitId = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", examples=["bidang-kesmas"]),
]


class UnitKerjaRegistration(Contract):
    """An organisational unit of the agency (bidang, seksi, puskesmas, sekolah)."""

    unit_id: UnitId
    nama: str = Field(min_length=1, max_length=200, examples=["Bidang Kesehatan Masyarakat"])
    induk: UnitId | None = Field(default=None, description="The unit this one belongs to, if any")


class EmployeeRegistration(Contract):
    nip: Nip
    nama: str = Field(min_length=1, max_length=200, examples=["dr. Siti Rahmawati"])
    jabatan: str = Field(min_length=1, max_length=200, examples=["Epidemiolog Kesehatan Ahli Muda"])
    jenis_asn: JenisAsn = JenisAsn.PNS
    unit_kerja: UnitId | None = Field(default=None, description="Unit kerja id, registered by the agency first")
    atasan_nip: Nip | None = None
    email: str | None = Field(default=None, max_length=254)
    nonaktif_sejak: date | None = Field(
        default=None,
        description="Inactive from this date (mutasi, pensiun): no reports for periods that start after it",
    )


class EmployeeBatch(Contract):
    """Employees registered together: supervisors may come after their staff."""

    employees: list[dict[str, Any]] = Field(min_length=1, max_length=1000)


class SkpSubmission(Contract):
    skp_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", examples=["skp-2026-0001"])
    nip: Nip
    tahun: StrictInt64 = Field(ge=2000, le=2100, examples=[2026])
    rows: list[SkpRow] = Field(min_length=1, max_length=100)
    berlaku_mulai: date | None = Field(
        default=None,
        description="A changed plan is a new version in force from this date (default: 1 January for the first "
        "version, today for later ones); reports are checked against the version in force for their period",
    )


class ReportBatch(Contract):
    """Up to 1,000 reports; each gets its own result."""

    reports: list[dict[str, Any]] = Field(min_length=1, max_length=1000)
