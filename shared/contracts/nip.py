"""The 18-digit NIP (Nomor Induk Pegawai) and its structure.

YYYYMMDD birth date, YYYYMM start of service (TMT CPNS), one digit for sex
(1 male, 2 female), three digits of sequence. Errors name the part that is
wrong, in Bahasa Indonesia, because agency operators read them.
"""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field


class NipError(ValueError):
    """An NIP whose structure is wrong; `part` names which part."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part


def check_nip(value: str) -> str:
    if not (len(value) == 18 and value.isascii() and value.isdigit()):
        raise NipError("format", "NIP harus terdiri dari 18 digit angka")
    try:
        birth = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise NipError("tanggal_lahir", f"tanggal lahir pada NIP ({value[0:8]}) tidak valid") from None
    start_year, start_month = int(value[8:12]), int(value[12:14])
    if not 1 <= start_month <= 12:
        raise NipError("tmt_cpns", f"bulan TMT CPNS pada NIP ({value[8:14]}) tidak valid")
    if (start_year, start_month) <= (birth.year, birth.month):
        raise NipError("tmt_cpns", "TMT CPNS pada NIP harus setelah tanggal lahir")
    if value[14] not in "12":
        raise NipError("jenis_kelamin", "digit jenis kelamin pada NIP harus 1 (pria) atau 2 (wanita)")
    return value


Nip = Annotated[
    str,
    AfterValidator(check_nip),
    Field(
        description="NIP: 18 digits = birth date (YYYYMMDD), TMT CPNS (YYYYMM), sex (1/2), sequence",
        examples=["198503122010011002"],
    ),
]
