"""Master data published by intake: agencies, employees and their SKP plans."""

from datetime import date

from pydantic import Field

from .common import AgencyId, Contract, Int64, JenisAsn, SkpRow
from .nip import Nip


class AgencyRegistered(Contract):
    agency_id: AgencyId
    nama: str = Field(min_length=1, examples=["Dinas Kesehatan Kabupaten Bungo"])
    wilayah: str = Field(min_length=1, description="Kabupaten / kota / provinsi", examples=["Kabupaten Bungo"])
    anggaran_pelatihan: Int64 = Field(ge=0, description="Annual training budget in rupiah", examples=[150_000_000])
    tahun_anggaran: int = Field(ge=2000, le=2100, examples=[2026])


class EmployeeRegistered(Contract):
    nip: Nip
    agency_id: AgencyId
    nama: str = Field(min_length=1, examples=["dr. Siti Rahmawati"])
    jabatan: str = Field(min_length=1, examples=["Epidemiolog Kesehatan Ahli Muda"])
    jenis_asn: JenisAsn = JenisAsn.PNS
    atasan_nip: Nip | None = Field(default=None, description="NIP of the supervisor (pejabat penilai)")
    email: str | None = Field(default=None, max_length=254)
    unit_kerja: str | None = Field(default=None, max_length=64, description="Unit kerja id within the agency")
    nonaktif_sejak: date | None = Field(
        default=None, description="Inactive from this date (mutasi, pensiun); none while active"
    )


class UnitKerjaRegistered(Contract):
    agency_id: AgencyId
    unit_id: str = Field(min_length=1, max_length=64, examples=["bidang-kesmas"])
    nama: str = Field(min_length=1, max_length=200, examples=["Bidang Kesehatan Masyarakat"])
    induk: str | None = Field(default=None, max_length=64, description="Parent unit id, if any")


class SkpPublished(Contract):
    skp_id: str = Field(min_length=1, max_length=64, examples=["skp-2026-198503122010011002"])
    agency_id: AgencyId
    nip: Nip
    tahun: int = Field(ge=2000, le=2100, examples=[2026])
    rows: list[SkpRow] = Field(min_length=1, description="Hasil kerja rows of the plan")
    version: int = Field(default=1, ge=1, le=10_000, description="1 for the first plan, +1 for each change")
    berlaku_mulai: date | None = Field(default=None, description="The version is in force from this date")
