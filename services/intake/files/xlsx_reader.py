"""XLSX cells as text, through openpyxl's streaming (read-only) reader.

`data_only=True` gives a formula cell's cached value, the one Excel shows and saves with the file. A
formula without a cached value (a workbook written by a program and never opened in Excel or
LibreOffice) reads as an empty cell, never as the formula text; validation then reports the cell as
missing where the layout needs it.
"""

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from .kinds import SAVE_AS
from .problems import FileProblem

_UNREADABLE = "File XLSX rusak atau tidak dapat dibaca; " + SAVE_AS
# Excel keeps 15 significant digits: a longer number (an NIP typed into a General cell) lost its tail.
_EXCEL_DIGITS = 15
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_INSTRUCTIONS = "petunjuk"


class XlsxSheet:
    def __init__(self, worksheet: Any) -> None:
        self._ws = worksheet
        self.title: str = worksheet.title

    def rows(self) -> Iterator[tuple[int, list[str | None], frozenset[int]]]:
        # Dimensions in the file are often wrong (some exporters write "A1"), so read every row there is,
        # from A1: with explicit minimums openpyxl yields one tuple per row number, gaps included.
        self._ws.reset_dimensions()
        try:
            for number, cells in enumerate(self._ws.iter_rows(min_row=1, min_col=1), start=1):
                texts, inexact = [], set()
                for position, cell in enumerate(cells):
                    text, lossy = cell_text(cell)
                    texts.append(text)
                    if lossy:
                        inexact.add(position)
                yield number, texts, frozenset(inexact)
        except FileProblem:
            raise
        except Exception:  # openpyxl's parser raises many kinds of errors on corrupt XML
            raise FileProblem(422, "unreadable_file", _UNREADABLE) from None

    def merged_spans(self, row: int) -> list[tuple[int, int]]:
        """0-based first/last column of merged ranges that include `row`.

        The read-only reader does not expose merged cells, so the sheet XML is scanned for them; they
        come after the cell data. Only asked for the header row, once.
        """
        spans = []
        for first_col, first_row, last_col, last_row in _merged_ranges(self._ws):
            if int(first_row) <= row <= int(last_row):
                start = column_index_from_string(first_col.decode()) - 1
                spans.append((start, column_index_from_string(last_col.decode()) - 1))
        return spans


def _merged_ranges(ws: Any) -> set[tuple[bytes, ...]]:
    found: set[tuple[bytes, ...]] = set()
    try:
        source = ws._get_source()  # private, but the only way to the sheet XML in read-only mode
    except Exception:
        return found
    tail = b""
    with source:
        while chunk := source.read(1 << 20):
            buffer = tail + chunk
            found.update(match.groups() for match in _MERGE.finditer(buffer))
            tail = buffer[-512:]  # a mergeCell element split across chunks is found in the next one
    return found


@contextmanager
def open_xlsx(data: bytes, sheet: str | None) -> Iterator[XlsxSheet]:
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # corrupt parts surface as KeyError, XML errors, ValueError, TypeError...
        raise FileProblem(422, "unreadable_file", _UNREADABLE) from None
    try:
        yield XlsxSheet(_choose_sheet(workbook.worksheets, sheet))
    finally:
        workbook.close()


def _choose_sheet(sheets: list[Any], wanted: str | None) -> Any:
    """The sheet named like the template's; else the first visible one that is not the instructions."""
    if not sheets:
        raise FileProblem(422, "empty_file", "File XLSX tidak berisi lembar kerja")

    def key(title: str) -> str:
        return re.sub(r"[\s_\-]+", "", title.lower())

    if wanted:
        for ws in sheets:
            if key(ws.title) == key(wanted):
                return ws
    visible = [ws for ws in sheets if ws.sheet_state == "visible" and key(ws.title) != _INSTRUCTIONS]
    return (visible or sheets)[0]


def cell_text(cell: Any) -> tuple[str | None, bool]:
    """The cell's value as text, and whether it is a number too long for Excel to have kept exactly."""
    value = cell.value
    if value is None:
        return None, False
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, int | float):
        if _is_percent(cell):
            # A cell formatted as percent shows 92,5% for 0.925; the operator means 92.5 (satuan persen).
            return number_text(value * 100), False
        return number_text(value), _inexact(value)
    if isinstance(value, datetime):
        return (value.date().isoformat() if value.time() == time() else value.isoformat()), False
    if isinstance(value, date | time):
        return value.isoformat(), False
    if isinstance(value, timedelta):
        return str(value), False
    text = str(value).strip()
    return text or None, False


def _is_percent(cell: Any) -> bool:
    try:
        return "%" in cell.number_format
    except (AttributeError, IndexError, KeyError):
        return False


def number_text(value: int | float) -> str:
    """Plain decimal text without float noise: 92.5 -> "92.5", 95.0 -> "95", 0.1 + 0.2 -> "0.3", 1e20 -> digits."""
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    # 15 significant digits is all Excel stores; more would only show binary noise.
    text = format(Decimal(format(value, f".{_EXCEL_DIGITS}g")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _inexact(value: int | float) -> bool:
    if abs(value) < 10**_EXCEL_DIGITS:
        return False
    if isinstance(value, float):
        return True
    # A longer integer was written by a program, exactly; one with 15 or fewer significant digits may
    # be what is left of a longer number after Excel.
    return len(str(abs(value)).rstrip("0")) <= _EXCEL_DIGITS
