"""Writing the templates agencies download, fill in and upload again.

Headers are the column keys themselves, so the column an error names is the one the operator sees.
XLSX: bold frozen header, grey informational columns (never read back), identifier columns formatted as
Text (otherwise Excel turns an 18-digit NIP into 1,98503E+17), dropdowns for words with a fixed list, and
a "Petunjuk" sheet. CSV: ";"-separated UTF-8 with BOM and CRLF, which Indonesian Excel opens as columns.
"""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .xlsx_reader import number_text

Cell = str | float | int | None
Format = Literal["xlsx", "csv"]

INSTRUCTIONS_SHEET = "Petunjuk"
_GREY = PatternFill("solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
_BOLD = Font(bold=True)
_EXTRA_ROWS = 500  # dropdowns and Text format reach this far below the data, for rows operators add
_NUMBERISH = re.compile(r"[0-9][0-9 .,/:\-]*")
_MONTHS = (
    *("Januari", "Februari", "Maret", "April", "Mei", "Juni"),
    *("Juli", "Agustus", "September", "Oktober", "November", "Desember"),
)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    info: bool = False
    text: bool = False
    width: float = 14
    choices: tuple[str, ...] = ()
    note: str = ""


def date_id(day: date) -> str:
    """1 Oktober 2026: how dates read in Indonesian instructions."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def decimal_id(value: float) -> str:
    """92,5: numbers shown to people in Indonesian style."""
    return number_text(value).replace(".", ",")


def write_template(
    fmt: Format,
    *,
    sheet_title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    instructions: Sequence[tuple[str, ...]],
    freeze_columns: int = 1,
) -> bytes:
    if fmt == "csv":
        return _write_csv(columns, rows)
    if fmt == "xlsx":
        return _write_xlsx(sheet_title, columns, rows, instructions, freeze_columns)
    raise ValueError(f"unknown template format: {fmt!r}")


def _write_csv(columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.key for column in columns])
    for row in rows:
        writer.writerow([_csv_cell(column, value) for column, value in zip(columns, row, strict=True)])
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(column: Column, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return decimal_id(value)
    # ="…" keeps Excel from reading identifiers as numbers or dates; the reader unwraps it.
    if column.text and _NUMBERISH.fullmatch(value):
        return f'="{value}"'
    return value


def _write_xlsx(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    instructions: Sequence[tuple[str, ...]],
    freeze_columns: int,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([column.key for column in columns])
    for row in rows:
        sheet.append(list(row))
    last_row = len(rows) + 1
    for position, column in enumerate(columns, start=1):
        _style_column(sheet, position, column, last_row)
    _add_dropdowns(sheet, columns, last_row + _EXTRA_ROWS)
    sheet.freeze_panes = sheet.cell(row=2, column=freeze_columns + 1)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), instructions)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _style_column(sheet: Worksheet, position: int, column: Column, last_row: int) -> None:
    letter = get_column_letter(position)
    dimension = sheet.column_dimensions[letter]
    dimension.width = column.width
    if column.text:
        dimension.number_format = "@"  # new rows typed below the data stay text too
    header = sheet.cell(row=1, column=position)
    header.font = _BOLD
    for (cell,) in sheet.iter_rows(min_row=1, max_row=last_row, min_col=position, max_col=position):
        if column.info:
            cell.fill = _GREY
        if column.text and cell.row > 1:
            cell.number_format = "@"


def _add_dropdowns(sheet: Worksheet, columns: Sequence[Column], last_row: int) -> None:
    """One list validation per distinct word list; typing another accepted spelling is still allowed."""
    validations: dict[tuple[str, ...], DataValidation] = {}
    for position, column in enumerate(columns, start=1):
        if not column.choices:
            continue
        validation = validations.get(column.choices)
        if validation is None:
            formula = '"' + ",".join(column.choices) + '"'
            validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
            validations[column.choices] = validation
            sheet.add_data_validation(validation)
        letter = get_column_letter(position)
        validation.add(f"{letter}2:{letter}{last_row}")


def _write_instructions(sheet: Worksheet, lines: Sequence[tuple[str, ...]]) -> None:
    """Lines are tuples of cells; a one-cell line starting with "## " is a bold heading."""
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 100
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in lines:
        if len(line) == 1 and line[0].startswith("## "):
            sheet.append([line[0][3:]])
            sheet.cell(row=sheet.max_row, column=1).font = _BOLD
            continue
        sheet.append(list(line))
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
