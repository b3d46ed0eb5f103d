"""Master data published by intake: agencies, employees and their SKP plans."""

from pydantic import Field

from .common import AgencyId, Contract, JenisAsn, SkpRow
from .nip import Nip


class AgencyRegistered(Contract):
    agency_id: AgencyId
    nama: str = Field(min_length=1, examples=["Dinas Kesehatan Kabupaten Bungo"])
    wilayah: str = Field(min_length=1, description="Kabupaten / kota / provinsi", examples=["Kabupaten Bungo"])
    anggaran_pelatihan: int = Field(ge=0, description="Annual training budget in rupiah", examples=[150_000_000])
    tahun_anggaran: int = Field(ge=2000, le=2100, examples=[2026])


class EmployeeRegistered(Contract):
    nip: Nip
    agency_id: AgencyId
    nama: str = Field(min_length=1, examples=["dr. Siti Rahmawati"])
    jabatan: str = Field(min_length=1, examples=["Epidemiolog Kesehatan Ahli Muda"])
    jenis_asn: JenisAsn = JenisAsn.PNS
    atasan_nip: Nip | None = Field(default=None, description="NIP of the supervisor (pejabat penilai)")
    email: str | None = Field(default=None, max_length=254)


class SkpPublished(Contract):
    skp_id: str = Field(min_length=1, max_length=64, examples=["skp-2026-198503122010011002"])
    agency_id: AgencyId
    nip: Nip
    tahun: int = Field(ge=2000, le=2100, examples=[2026])
    rows: list[SkpRow] = Field(min_length=1, description="Hasil kerja rows of the plan")
