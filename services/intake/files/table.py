"""An uploaded CSV or XLSX file as a table of text cells, with row numbers as the operator sees them.

The file's content decides how it is read, never its name or content type: Windows browsers send CSV
files as "application/vnd.ms-excel", and operators rename files. Name and type only make messages
friendlier. Values stay text here (decimal commas, rating words, NIPs) so each layout decides what a
cell means and can name the cell when it cannot.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .csv_reader import csv_rows
from .kinds import check_workbook_zip, refuse_binary
from .problems import FileProblem
from .xlsx_reader import open_xlsx

RawRow = tuple[int, list[str | None], frozenset[int]]
"""Row number in the file, cell texts by column position, positions holding an inexact number."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One data row. `values` has every column of the table, None for an empty cell.

    `inexact` names columns whose XLSX cell held a number of 15 digits or more: Excel keeps only 15
    significant digits, so the text may not be what was typed (an NIP typed into a General cell).
    """

    number: int
    values: dict[str, str | None]
    inexact: frozenset[str] = frozenset()


@dataclass(slots=True)
class Table:
    """Normalised header keys in file order, and the data rows (blank rows left out).

    `header_row` is where the header was found (the first non-empty row); `sheet` the XLSX sheet read;
    `ignored_columns` the 1-based positions of columns without a header, whose cells are not read.
    """

    columns: list[str]
    rows: list[SheetRow]
    header_row: int = 1
    source: str = "csv"
    sheet: str | None = None
    ignored_columns: list[int] = field(default_factory=list)


def normalise_key(text: str) -> str:
    """Header text -> key: "Realisasi 1" and "realisasi-1" -> "realisasi_1"; accents are kept."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def read_table(
    data: bytes,
    *,
    filename: str | None,
    content_type: str | None,
    max_bytes: int,
    max_rows: int,
    sheet: str | None = None,
) -> Table:
    """Read an upload. `sheet` names the XLSX sheet to prefer (the template's); otherwise the first
    visible sheet that is not the instructions ("Petunjuk"). Raises FileProblem for the whole file.
    """
    del content_type  # deliberately unused: see the module docstring
    if not data:
        raise FileProblem(422, "empty_file", "File kosong")
    if len(data) > max_bytes:
        message = f"Ukuran file melebihi batas {_size(max_bytes)}; bagi menjadi beberapa file"
        raise FileProblem(413, "file_too_large", message)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        check_workbook_zip(data, filename, max_bytes)
        with open_xlsx(data, sheet) as workbook_sheet:
            return build_table(
                workbook_sheet.rows(),
                max_rows=max_rows,
                merges=workbook_sheet.merged_spans,
                source="xlsx",
                sheet=workbook_sheet.title,
            )
    refuse_binary(data, filename)
    return build_table(csv_rows(data, filename), max_rows=max_rows, source="csv")


def build_table(
    rows: Iterable[RawRow],
    *,
    max_rows: int,
    merges: Callable[[int], list[tuple[int, int]]] | None = None,
    source: str,
    sheet: str | None = None,
) -> Table:
    """Header = first non-empty row; blank rows are skipped but numbering stays true to the file."""
    it = iter(rows)
    for number, cells, _ in it:
        if any(cells):
            header_row, header = number, cells
            break
    else:
        raise FileProblem(422, "empty_file", "File tidak berisi data")
    names = _header_names(header, merges(header_row) if merges else [])
    named = [(i, name) for i, name in enumerate(names) if name]
    table = Table([name for _, name in named], [], header_row, source, sheet)
    table.ignored_columns = [i + 1 for i, name in enumerate(names) if not name]
    for number, cells, inexact in it:
        values = {name: cells[i] if i < len(cells) else None for i, name in named}
        if not any(value is not None for value in values.values()):
            continue
        if len(table.rows) >= max_rows:
            limit = _count(max_rows)
            message = f"File berisi lebih dari {limit} baris data (batas {limit} baris); bagi menjadi beberapa file"
            raise FileProblem(413, "too_many_rows", message)
        table.rows.append(SheetRow(number, values, frozenset(name for i, name in named if i in inexact)))
    return table


def _header_names(header: list[str | None], spans: list[tuple[int, int]]) -> list[str]:
    """Keys by position; "" for an unnamed column (its cells are ignored).

    Cells covered by a merged header cell are empty in the file: they take the merged text with a
    suffix ("target", "target_2", "target_3") so no column silently loses its name.
    """
    names = [normalise_key(text) if text else "" for text in header]
    for first, last in spans:
        if first >= len(names) or not names[first]:
            continue
        names.extend([""] * (last + 1 - len(names)))
        for position in range(first + 1, last + 1):
            if not names[position]:
                names[position] = f"{names[first]}_{position - first + 1}"
    repeated = [name for name, count in Counter(n for n in names if n).items() if count > 1]
    if repeated:
        listed = ", ".join(repeated)
        raise FileProblem(
            422, "duplicate_column", f"Kolom {listed} muncul lebih dari sekali pada baris judul; hapus salah satunya"
        )
    return names


def _count(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _size(limit: int) -> str:
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if limit >= scale:
            return f"{limit / scale:.1f}".removesuffix(".0").replace(".", ",") + " " + unit
    return f"{limit} byte"
