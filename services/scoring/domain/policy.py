"""The scoring policy: every number and table a score depends on, as one versioned document.

PermenPANRB 6/2022 words its rules ("most", "a small part") and parts of its
tables are unconfirmed against the gazetted annex, so nothing here is written
as code: the quadrant, the capaian-to-nilai bands, the rating thresholds, the
annual method and the distribution curves are data. The national default ships
as policy_nasional.json; an agency may publish its own version. Every score
names the version it was computed under, so a published number can always be
recomputed by hand from the document that produced it.

Validation messages are in Bahasa Indonesia and name the broken cell, band or
curve: they are shown to the BKPSDM officer who edits the document.
"""

from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Self

from pydantic import Field, field_validator, model_validator

from shared.contracts.common import Contract, Predikat, Rating
from shared.contracts.scores import NATIONAL_POLICY_VERSION, AnnualMethod, CurveLimit, OrganisationPredikat

NATIONAL_POLICY_PATH = Path(__file__).with_name("policy_nasional.json")

# PP 30/2019: realisation over target scores at most 120.
NILAI_MAX = 120.0

# Float arithmetic on band end-points (49/59 x 60) may miss an exact join by a hair.
_TOLERANCE = 1e-9

# rating hasil kerja -> rating perilaku -> predikat
PredikatMatrix = dict[Rating, dict[Rating, Predikat]]


class RatingThresholds(Contract):
    """Where "above" and "meets" expectation start, and what "a small part" of Utama rows is."""

    di_atas_min_capaian: float = Field(default=110.0, description="Capaian (%) from which a row is Di Atas")
    sesuai_min_capaian: float = Field(default=100.0, description="Capaian (%) from which a row is Sesuai")
    small_part_of_utama: float = Field(
        default=0.25, description="Fraction of Utama rows that may be Di Bawah while hasil kerja is still Sesuai"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.sesuai_min_capaian <= 0:
            raise ValueError("sesuai_min_capaian harus lebih besar dari 0")
        if self.di_atas_min_capaian <= self.sesuai_min_capaian:
            raise ValueError(
                f"di_atas_min_capaian ({self.di_atas_min_capaian:g}) harus lebih besar dari "
                f"sesuai_min_capaian ({self.sesuai_min_capaian:g})"
            )
        if not 0 <= self.small_part_of_utama < 1:
            raise ValueError("small_part_of_utama harus paling kecil 0 dan lebih kecil dari 1")
        return self


class NilaiBand(Contract):
    """One PP 30/2019 band: from `min_capaian` up, nilai = nilai_at_min + (C - min_capaian) x slope."""

    name: str = Field(min_length=1, max_length=40, examples=["cukup"])
    min_capaian: float
    nilai_at_min: float
    slope: float
    confirmed: bool = Field(default=True, description="False when the end-points come from secondary sources only")

    @model_validator(mode="after")
    def _in_range(self) -> Self:
        where = f"pita nilai '{self.name}'"
        if self.min_capaian < 0:
            raise ValueError(f"{where}: min_capaian tidak boleh negatif")
        if not 0 <= self.nilai_at_min <= NILAI_MAX:
            raise ValueError(f"{where}: nilai_at_min harus antara 0 dan {NILAI_MAX:g}")
        if self.slope < 0:
            raise ValueError(f"{where}: slope tidak boleh negatif")
        return self

    def nilai_at(self, capaian: float) -> float:
        return self.nilai_at_min + (capaian - self.min_capaian) * self.slope


class CurveRule(Contract):
    """One condition of a distribution curve on the share of employees in the predikat listed."""

    predikat: list[Predikat] = Field(min_length=1)
    limit: CurveLimit
    percent: float | None = Field(default=None, description="The limit in percent, for at_most and at_least")

    @field_validator("predikat", mode="before")
    @classmethod
    def _known_predikat(cls, value: Any) -> Any:
        if isinstance(value, list):
            unknown = [item for item in value if not _is_predikat(item)]
            if unknown:
                raise ValueError(f"predikat {_quoted(unknown)} tidak dikenal (yang berlaku: {_ALLOWED_PREDIKAT})")
        return value

    @model_validator(mode="after")
    def _percent_matches_limit(self) -> Self:
        if self.limit in (CurveLimit.AT_MOST, CurveLimit.AT_LEAST):
            if self.percent is None or not 0 <= self.percent <= 100:
                raise ValueError(f"batas {self.limit.value} memerlukan percent antara 0 dan 100")
        elif self.percent is not None:
            raise ValueError(f"batas {self.limit.value} tidak memakai percent")
        return self


class ScoringPolicy(Contract):
    """One scoring policy document: the national default or an agency's own version."""

    version: str = Field(min_length=1, max_length=100, examples=["nasional@1", "bungo-dinkes@2"])
    predikat_matrix: PredikatMatrix = Field(description="rating hasil kerja -> rating perilaku -> predikat")
    rating_thresholds: RatingThresholds = Field(default_factory=RatingThresholds)
    nilai_bands: list[NilaiBand] = Field(min_length=1, description="Capaian-to-nilai bands, highest first")
    annual_method: AnnualMethod = AnnualMethod.DOMINANT
    curves: dict[OrganisationPredikat, list[CurveRule]] = Field(
        description="Per organisation predikat, the conditions its employees' distribution must meet"
    )

    @field_validator("predikat_matrix", mode="before")
    @classmethod
    def _all_nine_cells(cls, value: Any) -> Any:
        # Before pydantic's own parsing, so an unknown value is reported with its cell, in Bahasa.
        if not isinstance(value, dict):
            raise ValueError("predikat_matrix harus berupa objek: rating hasil kerja -> rating perilaku -> predikat")
        problems = [f"rating hasil kerja {_quoted([key])} tidak dikenal" for key in value if key not in _RATING_VALUES]
        for hasil_kerja in Rating:
            row = value.get(hasil_kerja, {})
            if not isinstance(row, dict):
                problems.append(f"baris matriks {hasil_kerja.value} harus berupa objek")
                continue
            problems += [
                f"rating perilaku {_quoted([key])} pada baris {hasil_kerja.value} tidak dikenal"
                for key in row
                if key not in _RATING_VALUES
            ]
            problems += [_cell_problem(hasil_kerja, perilaku, row) for perilaku in Rating]
        problems = [problem for problem in problems if problem]
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("nilai_bands")
    @classmethod
    def _bands_cover_and_rise(cls, bands: list[NilaiBand]) -> list[NilaiBand]:
        names = [band.name for band in bands]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"nama pita nilai harus unik: {_quoted(duplicated)} muncul lebih dari sekali")
        for higher, lower in pairwise(bands):
            where = f"pita nilai '{lower.name}'"
            if lower.min_capaian >= higher.min_capaian:
                raise ValueError(f"{where}: min_capaian harus lebih kecil dari pita di atasnya ('{higher.name}')")
            # Nilai must never fall as capaian rises: the band may join the next one or jump up, not down.
            top = lower.nilai_at(higher.min_capaian)
            if top > higher.nilai_at_min + _TOLERANCE:
                raise ValueError(
                    f"{where}: nilai di ujung atasnya ({top:g}) melebihi nilai awal pita di atasnya "
                    f"'{higher.name}' ({higher.nilai_at_min:g}); nilai tidak boleh turun saat capaian naik"
                )
        if bands[-1].min_capaian != 0:
            raise ValueError(f"pita nilai terendah '{bands[-1].name}' harus mulai dari min_capaian 0")
        return bands

    @field_validator("curves", mode="before")
    @classmethod
    def _every_organisation_predikat(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise ValueError("curves harus berupa objek: predikat organisasi -> daftar aturan kurva")
        unknown = [key for key in value if key not in _ORGANISATION_PREDIKAT_VALUES]
        if unknown:
            raise ValueError(
                f"predikat organisasi {_quoted(unknown)} tidak dikenal "
                f"(yang berlaku: {', '.join(sorted(_ORGANISATION_PREDIKAT_VALUES))})"
            )
        missing = [predikat.value for predikat in OrganisationPredikat if predikat not in value]
        if missing:
            raise ValueError(f"kurva untuk predikat organisasi {_quoted(missing)} tidak ada")
        return value


@lru_cache(maxsize=1)
def national_policy() -> ScoringPolicy:
    """The national default policy shipped with the code: policy_nasional.json.

    The file is a complete policy document (an agency can start its own version
    from a copy). Its version must be NATIONAL_POLICY_VERSION, the one scores
    name by default: a change to the file's rules needs a new version, or
    published scores would no longer recompute under the version they name.
    Unconfirmed parts: the quadrant, and the Baik and Sangat Baik band
    end-points (flagged `confirmed: false`). Cached because a policy is
    immutable; callers must not mutate its dicts or lists.
    """
    policy = ScoringPolicy.model_validate_json(NATIONAL_POLICY_PATH.read_text(encoding="utf-8"))
    if policy.version != NATIONAL_POLICY_VERSION:
        raise ValueError(
            f"{NATIONAL_POLICY_PATH.name}: versi {policy.version!r} harus sama dengan "
            f"NATIONAL_POLICY_VERSION {NATIONAL_POLICY_VERSION!r}"
        )
    return policy


_RATING_VALUES = frozenset(rating.value for rating in Rating)
_PREDIKAT_VALUES = frozenset(predikat.value for predikat in Predikat)
_ORGANISATION_PREDIKAT_VALUES = frozenset(predikat.value for predikat in OrganisationPredikat)
_ALLOWED_PREDIKAT = ", ".join(predikat.value for predikat in Predikat)


def _cell_problem(hasil_kerja: Rating, perilaku: Rating, row: dict[Any, Any]) -> str:
    cell = f"sel matriks {hasil_kerja.value} x {perilaku.value}"
    if perilaku not in row:
        return f"{cell} tidak ada"
    if not _is_predikat(row[perilaku]):
        return f"{cell}: predikat {_quoted([row[perilaku]])} tidak dikenal (yang berlaku: {_ALLOWED_PREDIKAT})"
    return ""


def _quoted(values: list[Any]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _is_predikat(value: Any) -> bool:
    # isinstance first: a list or an object in the JSON is not hashable.
    return isinstance(value, str) and value in _PREDIKAT_VALUES
