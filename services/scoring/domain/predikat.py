"""Predikat kinerja from the quadrant of rating hasil kerja x rating perilaku.

The quadrant is read from predikat_matrix.json rather than written as code
because it is unconfirmed against the gazetted annex of PermenPANRB 6/2022:
correcting a cell must not need a code change. "Kurang/Misconduct" maps to
Predikat.KURANG.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from shared.contracts.common import Predikat, Rating

DEFAULT_MATRIX_PATH = Path(__file__).with_name("predikat_matrix.json")


@dataclass(frozen=True)
class PredikatMatrix:
    """All nine cells: (rating hasil kerja, rating perilaku) -> predikat."""

    cells: Mapping[tuple[Rating, Rating], Predikat]

    def predikat(self, hasil_kerja: Rating, perilaku: Rating) -> Predikat:
        return self.cells[(hasil_kerja, perilaku)]


def load_predikat_matrix(path: Path | str | None = None) -> PredikatMatrix:
    """Load and validate the quadrant; a missing or unknown cell is a ValueError naming it."""
    if path is None:
        return _default_matrix()
    return _read_matrix(Path(path))


def predikat_from_quadrant(hasil_kerja: Rating, perilaku: Rating, matrix: PredikatMatrix | None = None) -> Predikat:
    """Predikat kinerja for one employee from the two ratings."""
    return (matrix or _default_matrix()).predikat(hasil_kerja, perilaku)


@lru_cache(maxsize=1)
def _default_matrix() -> PredikatMatrix:
    return _read_matrix(DEFAULT_MATRIX_PATH)


def _read_matrix(path: Path) -> PredikatMatrix:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("matrix"), dict):
        raise ValueError(f"{path}: must be an object with a 'matrix' key")
    return PredikatMatrix(MappingProxyType(_parse_cells(document["matrix"], path)))


def _parse_cells(raw: dict[str, Any], path: Path) -> dict[tuple[Rating, Rating], Predikat]:
    valid_ratings = {r.value for r in Rating}
    unknown = sorted(set(raw) - valid_ratings)
    if unknown:
        raise ValueError(f"{path}: unknown rating hasil kerja: {unknown}")
    cells: dict[tuple[Rating, Rating], Predikat] = {}
    missing: list[str] = []
    for hasil_kerja in Rating:
        row = raw.get(hasil_kerja.value, {})
        if not isinstance(row, dict):
            raise ValueError(f"{path}: row '{hasil_kerja.value}' must be an object")
        unknown = sorted(set(row) - valid_ratings)
        if unknown:
            raise ValueError(f"{path}: unknown rating perilaku in row '{hasil_kerja.value}': {unknown}")
        for perilaku in Rating:
            if perilaku.value not in row:
                missing.append(f"{hasil_kerja.value} x {perilaku.value}")
                continue
            cells[(hasil_kerja, perilaku)] = _predikat(row[perilaku.value], path)
    if missing:
        raise ValueError(f"{path}: the predikat matrix needs all 9 cells; missing (hasil kerja x perilaku): {missing}")
    return cells


def _predikat(value: Any, path: Path) -> Predikat:
    try:
        return Predikat(value)
    except ValueError:
        allowed = [p.value for p in Predikat]
        raise ValueError(f"{path}: unknown predikat {value!r}; valid values: {allowed}") from None
