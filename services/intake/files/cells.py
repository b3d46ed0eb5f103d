"""Reading one sheet row cell by cell, collecting every problem instead of stopping at the first.

Operators fix a file in one pass only if all of a row's bad cells are reported together.
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from .problems import FileProblem, RowError, ValueProblem
from .table import SheetRow, Table
from .values import NIP_AS_NUMBER, clean_nip, quote

T = TypeVar("T")


class RowCells:
    def __init__(self, row: SheetRow) -> None:
        self.row = row
        self.errors: list[RowError] = []

    def text(self, column: str) -> str | None:
        return self.row.values.get(column)

    def error(self, column: str, code: str, message: str) -> None:
        self.errors.append(RowError(self.row.number, column, code, message))

    def required(self, column: str) -> str | None:
        value = self.text(column)
        if value is None:
            self.error(column, "missing_value", f"kolom {column} wajib diisi")
        return value

    def parse(self, column: str, parser: Callable[[str], T], *, required: bool = False) -> T | None:
        """The parsed cell, or None when it is empty (an error if required) or cannot be parsed."""
        text = self.required(column) if required else self.text(column)
        if text is None:
            return None
        try:
            return parser(text)
        except ValueProblem as problem:
            self.error(column, problem.code, problem.message)
            return None

    def nip(self, column: str, *, required: bool) -> str | None:
        """An NIP cell, refusing one that went through Excel as a number and may have lost digits."""
        if column in self.row.inexact and self.text(column) is not None:
            self.error(column, "nip_as_number", NIP_AS_NUMBER.format(value=quote(self.text(column) or "")))
            return None
        return self.parse(column, clean_nip, required=required)

    def any_filled(self, columns: Iterable[str]) -> bool:
        return any(self.row.values.get(column) is not None for column in columns)


def require_columns(table: Table, required: Iterable[str]) -> None:
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise FileProblem(
            422,
            "missing_column",
            f"Kolom wajib tidak ditemukan: {', '.join(missing)}. Judul kolom dibaca dari baris {table.header_row}; "
            "pastikan baris judul adalah baris pertama yang terisi dan namanya sesuai templat",
        )
