"""Vocabulary shared by several contracts: ratings, periods, SKP rows."""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

AgencyId = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
        description="Agency (instansi / OPD) code: lowercase letters, digits and dashes",
        examples=["bungo-dinkes"],
    ),
]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _fits_in_int64(value: int) -> int:
    # The errors pydantic's own ge/le give, so callers see the same codes (less_than_equal, ...).
    if value > INT64_MAX:
        raise PydanticCustomError("less_than_equal", "Input should be less than or equal to {le}", {"le": INT64_MAX})
    if value < INT64_MIN:
        raise PydanticCustomError(
            "greater_than_equal", "Input should be greater than or equal to {ge}", {"ge": INT64_MIN}
        )
    return value


class _Int64Range:
    """MongoDB stores integers in 8 bytes: a larger one would fail the write, so it is refused on input.

    A validator rather than `Field(ge=, le=)`: a field's own bounds (`x: Int64 = Field(ge=0)`) would
    otherwise be silently replaced by these, or these by them.
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(_fits_in_int64, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        if "exclusiveMinimum" not in json_schema:
            json_schema.setdefault("minimum", INT64_MIN)
        if "exclusiveMaximum" not in json_schema:
            json_schema.setdefault("maximum", INT64_MAX)
        return json_schema


# An integer MongoDB can store. Events use it as is (our own services write them).
Int64 = Annotated[int, _Int64Range()]
# What agencies send over HTTP: a JSON integer, not `true`, `"12"` or `12.0`.
StrictInt64 = Annotated[int, Strict(), _Int64Range()]
# A JSON number (an integer is one too), never `true` or `"12"`; NaN and Infinity refused.
Number = Annotated[float, Strict(), AllowInfNan(False)]


class Contract(BaseModel):
    """Base of every contract: unknown fields are errors, so typos surface."""

    # Infinity and NaN would be written to JSON as null and break the consumer.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Rating(StrEnum):
    """The three-level rating PermenPANRB 6/2022 uses for hasil kerja and perilaku."""

    DI_ATAS = "di_atas_ekspektasi"
    SESUAI = "sesuai_ekspektasi"
    DI_BAWAH = "di_bawah_ekspektasi"


class Predikat(StrEnum):
    SANGAT_BAIK = "sangat_baik"
    BAIK = "baik"
    BUTUH_PERBAIKAN = "butuh_perbaikan"
    KURANG = "kurang"
    SANGAT_KURANG = "sangat_kurang"


class BerAKHLAK(StrEnum):
    """The seven core values that make up perilaku kerja."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan"
    AKUNTABEL = "akuntabel"
    KOMPETEN = "kompeten"
    HARMONIS = "harmonis"
    LOYAL = "loyal"
    ADAPTIF = "adaptif"
    KOLABORATIF = "kolaboratif"


class JenisAsn(StrEnum):
    PNS = "pns"
    PPPK = "pppk"


class PeriodType(StrEnum):
    BULANAN = "bulanan"
    TRIWULANAN = "triwulanan"
    SEMESTERAN = "semesteran"
    TAHUNAN = "tahunan"


class Period(Contract):
    type: PeriodType = Field(description="Periodic (per agency) or the annual/final period")
    start: date = Field(examples=["2026-10-01"])
    end: date = Field(examples=["2026-10-31"])

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("akhir periode tidak boleh sebelum awal periode")
        if self.start.year != self.end.year:
            raise ValueError("periode harus berada dalam satu tahun SKP")
        return self


class JenisHasilKerja(StrEnum):
    UTAMA = "utama"
    TAMBAHAN = "tambahan"


class Aspek(StrEnum):
    KUANTITAS = "kuantitas"
    KUALITAS = "kualitas"
    WAKTU = "waktu"


class Polaritas(StrEnum):
    """How realisation relates to the target (PermenPANRB 8/2021)."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    QUALITATIVE = "qualitative"


class TargetRange(Contract):
    lower: Number = Field(ge=0, examples=[90])
    upper: Number = Field(gt=0, examples=[100])

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.upper < self.lower:
            raise ValueError("batas atas target tidak boleh lebih kecil dari batas bawah")
        return self


class SkpRow(Contract):
    """One row of hasil kerja in an SKP plan."""

    row_id: str = Field(min_length=1, max_length=64, examples=["rhk-1"])
    rhk: str = Field(
        min_length=1, max_length=500, description="Rencana Hasil Kerja", examples=["Cakupan imunisasi dasar lengkap"]
    )
    jenis: JenisHasilKerja = Field(description="Utama (main) or Tambahan (additional)")
    aspek: Aspek
    indikator: str = Field(
        min_length=1, max_length=500, description="Indikator Kinerja Individu", examples=["Persentase bayi diimunisasi"]
    )
    polaritas: Polaritas
    target: Number | None = Field(
        default=None, gt=0, description="Single target; none for qualitative rows", examples=[95]
    )
    target_range: TargetRange | None = Field(default=None, description="Target as a range instead of a single value")
    satuan: str = Field(default="", max_length=40, description="Unit of the target", examples=["persen"])
    kompetensi: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list,
        max_length=20,
        description="Competency tags the row exercises; used to turn gaps into training",
        examples=[["kesehatan-masyarakat"]],
    )

    @model_validator(mode="after")
    def _target_matches_polaritas(self) -> Self:
        has_target = (self.target is not None) + (self.target_range is not None)
        if self.polaritas is Polaritas.QUALITATIVE and has_target:
            raise ValueError("indikator kualitatif tidak memiliki target angka")
        if self.polaritas is not Polaritas.QUALITATIVE and has_target != 1:
            raise ValueError("indikator kuantitatif harus memiliki tepat satu dari target atau target_range")
        return self
