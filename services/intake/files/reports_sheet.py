"""The reports layout: one row = one employee's report for the period chosen at upload.

Columns: nip, nama/jabatan/unit_kerja (info), skp_id, report_id, koreksi, then per SKP row k = 1..N the
block row_id_k, indikator_k/target_k/satuan_k (info), realisasi_k, rating_atasan_k; then the seven
BerAKHLAK values, rating_hasil_kerja_atasan, feedback, evidence. Info columns help the operator fill
the row and are never read: the SKP in intake is the truth.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from shared.contracts.common import BerAKHLAK, Period, Polaritas, SkpRow

from .cells import RowCells, require_columns
from .instructions import report_instructions
from .problems import FileProblem, SheetItem, SheetResult
from .table import Table
from .template_writer import Column, date_id, decimal_id, write_template
from .values import RATING_WORDS, parse_bool_id, parse_number, parse_rating, split_list

SHEET_TITLE = "Laporan"
REQUIRED = ("nip", "skp_id")
PERILAKU = tuple(value.value for value in BerAKHLAK)
HEAD_INFO = ("nama", "jabatan", "unit_kerja")
BLOCK_INFO = ("indikator", "target", "satuan")
BLOCK_INPUT = ("realisasi", "rating_atasan")
_BLOCK_COLUMN = re.compile(r"(row_id|indikator|target|satuan|realisasi|rating_atasan)_([0-9]+)")


@dataclass(frozen=True, slots=True)
class ReportItem(SheetItem):
    """A report body; `blocks[i]` is the k of the sheet block that became `realisasi[i]`."""

    blocks: tuple[int, ...] = ()


def report_columns(blocks: int) -> list[str]:
    columns = ["nip", *HEAD_INFO, "skp_id", "report_id", "koreksi"]
    for k in range(1, blocks + 1):
        columns += [f"row_id_{k}", *(f"{name}_{k}" for name in BLOCK_INFO), *(f"{n}_{k}" for n in BLOCK_INPUT)]
    return [*columns, *PERILAKU, "rating_hasil_kerja_atasan", "feedback", "evidence"]


def reports_from_table(table: Table, period: Period) -> SheetResult:
    """Report bodies for `ReportSubmission.model_validate` (period set), and the cells that could not be read.

    Rows where nothing was filled in (no realisasi, rating, perilaku, feedback or evidence) are left as
    the template wrote them: they go to `skipped`, not to items or errors.
    """
    require_columns(table, REQUIRED)
    blocks = _blocks(table.columns)
    inputs = [f"{name}_{k}" for k in blocks for name in BLOCK_INPUT]
    inputs += [*PERILAKU, "rating_hasil_kerja_atasan", "feedback", "evidence"]
    period_body = period.model_dump(mode="json")
    result = SheetResult()
    first_row: dict[tuple[str, ...], int] = {}
    for row in table.rows:
        cells = RowCells(row)
        if not cells.any_filled(inputs):
            result.skipped.append(row.number)
            continue
        body, used_blocks = _report_body(cells, blocks)
        _check_repeated(cells, body, first_row)
        if cells.errors:
            result.errors += cells.errors
            continue
        body["period"] = dict(period_body)  # each body its own: the caller may change one
        result.items.append(ReportItem(row.number, body, (row.number,), used_blocks))
    return result


def _blocks(columns: Sequence[str]) -> list[int]:
    """The k of every row_id_k column; input columns of a block without row_id_k would be lost, so refuse."""
    found: dict[str, set[int]] = {}
    for column in columns:
        if match := _BLOCK_COLUMN.fullmatch(column):
            found.setdefault(match[1], set()).add(int(match[2]))
    with_id = found.get("row_id", set())
    orphans = sorted(f"{name}_{k}" for name in BLOCK_INPUT for k in found.get(name, set()) - with_id)
    if orphans:
        needed = ", ".join(f"row_id_{column.rsplit('_', 1)[1]}" for column in orphans)
        raise FileProblem(422, "missing_column", f"Kolom {', '.join(orphans)} memerlukan kolom {needed}")
    return sorted(with_id)


def _report_body(cells: RowCells, blocks: list[int]) -> tuple[dict[str, Any], tuple[int, ...]]:
    body: dict[str, Any] = {"nip": cells.nip("nip", required=True), "skp_id": cells.required("skp_id")}
    if (report_id := cells.text("report_id")) is not None:
        body["report_id"] = report_id
    if (correction := cells.parse("koreksi", parse_bool_id)) is not None:
        body["correction"] = correction
    realisasi, used = [], []
    for k in blocks:
        entry = _block(cells, k)
        if entry is not None:
            realisasi.append(entry)
            used.append(k)
    body["realisasi"] = realisasi
    perilaku = {name: cells.parse(name, parse_rating) for name in PERILAKU}
    if given := {name: rating.value for name, rating in perilaku.items() if rating is not None}:
        body["perilaku"] = given
    if (overall := cells.parse("rating_hasil_kerja_atasan", parse_rating)) is not None:
        body["rating_hasil_kerja_atasan"] = overall.value
    if (feedback := cells.text("feedback")) is not None:
        body["feedback"] = feedback
    if (evidence := cells.text("evidence")) is not None:
        body["evidence"] = split_list(evidence)
    return body, tuple(used)


def _block(cells: RowCells, k: int) -> dict[str, Any] | None:
    """One realisasi entry, or None for a block left empty; values without a row_id_k are an error."""
    row_id = cells.text(f"row_id_{k}")
    value = cells.parse(f"realisasi_{k}", parse_number)
    rating = cells.parse(f"rating_atasan_{k}", parse_rating)
    if row_id is None:
        if cells.any_filled((f"realisasi_{k}", f"rating_atasan_{k}")):
            cells.error(f"row_id_{k}", "missing_value", f"kolom row_id_{k} wajib diisi bila realisasi_{k} diisi")
        return None
    if value is None and rating is None:
        # Left empty: a Tambahan row may go unreported; an empty Utama row is caught as missing_main_row.
        return None
    entry: dict[str, Any] = {"row_id": row_id}
    if value is not None:
        entry["realisasi"] = value
    if rating is not None:
        entry["rating_atasan"] = rating.value
    return entry


def _check_repeated(cells: RowCells, body: dict[str, Any], first_row: dict[tuple[str, ...], int]) -> None:
    """A second row for the same report would be sent twice: name the row it repeats."""
    if "report_id" in body:
        key, column = ("report_id", body["report_id"]), "report_id"
    elif body["nip"] and body["skp_id"]:
        key, column = ("nip", body["nip"], body["skp_id"]), "nip"
    else:
        return
    if key in first_row:
        message = f"laporan yang sama sudah ada di baris {first_row[key]}"
        cells.error(column, "duplicate_report", message)
    else:
        first_row[key] = cells.row.number


_FIELD = re.compile(r"(\w+)(?:\[([0-9]+)\]|\.([0-9]+))?(?:\.(\w+))?")
_RENAMED = {"correction": "koreksi", "period": "(periode)"}


def column_for_field(field: str, item: SheetItem | None = None) -> str:
    """The sheet column to fix for a `ReportSubmission` field path ("realisasi[2].realisasi" -> "realisasi_3").

    Dotted loc paths ("realisasi.2.realisasi") work too. With the item, realisasi indexes map through the
    blocks actually used, which differ from position + 1 when a block in between was left empty.
    """
    match = _FIELD.match(field.removeprefix("body."))
    if match is None:
        return "(laporan)"
    head, index_text, rest = match[1], match[2] or match[3], match[4]
    if head == "realisasi":
        index = int(index_text or 0)
        blocks = item.blocks if isinstance(item, ReportItem) else ()
        k = blocks[index] if index < len(blocks) else index + 1
        return f"{rest if rest in ('realisasi', 'rating_atasan') else 'row_id'}_{k}"
    if head == "perilaku":
        return rest if rest in PERILAKU else "(perilaku)"
    return _RENAMED.get(head, head)


@dataclass(frozen=True, slots=True)
class TemplateEmployee:
    nip: str
    nama: str
    jabatan: str
    unit_kerja: str | None
    skp_id: str
    rows: Sequence[SkpRow]


def report_template(
    *, agency_nama: str, period: Period, employees: Sequence[TemplateEmployee], fmt: Literal["xlsx", "csv"]
) -> bytes:
    """The month's reports template, pre-filled with the given (active) employees and their SKP rows."""
    blocks = max((len(employee.rows) for employee in employees), default=0) or 1
    names = report_columns(blocks)
    rows = [[_template_values(employee).get(name) for name in names] for employee in employees]
    return write_template(
        fmt,
        sheet_title=SHEET_TITLE,
        columns=[_column_spec(name) for name in names],
        rows=rows,
        instructions=_instructions(agency_nama, period, blocks),
        freeze_columns=2,
    )


def _template_values(employee: TemplateEmployee) -> dict[str, str | None]:
    values = {"nip": employee.nip, "nama": employee.nama, "jabatan": employee.jabatan}
    values |= {"unit_kerja": employee.unit_kerja, "skp_id": employee.skp_id}
    for k, row in enumerate(employee.rows, start=1):
        values |= {f"row_id_{k}": row.row_id, f"indikator_{k}": row.indikator, f"satuan_{k}": row.satuan or None}
        values[f"target_{k}"] = _target_text(row)
    return values


def _target_text(row: SkpRow) -> str:
    if row.polaritas is Polaritas.QUALITATIVE:
        return "kualitatif"
    if row.target_range is not None:
        return f"{decimal_id(row.target_range.lower)}-{decimal_id(row.target_range.upper)}"
    return decimal_id(row.target) if row.target is not None else ""


def _column_spec(name: str) -> Column:
    block = _BLOCK_COLUMN.fullmatch(name)
    kind = block[1] if block else name
    ratings = tuple(RATING_WORDS)
    if kind in HEAD_INFO or kind in BLOCK_INFO:
        return Column(name, info=True, width=30 if kind in ("nama", "jabatan", "indikator") else 14)
    if kind in ("nip", "row_id", "skp_id", "report_id"):
        return Column(name, text=True, width=21 if kind == "nip" else 16)
    if kind in ("rating_atasan", "rating_hasil_kerja_atasan", *PERILAKU):
        return Column(name, choices=ratings, width=20)
    if kind == "koreksi":
        return Column(name, choices=("Ya", "Tidak"), width=9)
    return Column(name, width=40 if kind in ("feedback", "evidence") else 14)


def _instructions(agency_nama: str, period: Period, blocks: int) -> list[tuple[str, ...]]:
    span = f"{date_id(period.start)} s.d. {date_id(period.end)} ({period.type.value})"
    return report_instructions(agency_nama, span, blocks)
