"""Bulk master data, one row per record: employees (`EmployeeRegistration`) and units (`UnitKerjaRegistration`).

Column names are the contract's field names, so a validation error's field is also the column to fix.
"""

from collections.abc import Callable
from typing import Any

from shared.contracts.common import JenisAsn

from .cells import RowCells, require_columns
from .instructions import employee_instructions, unit_instructions
from .problems import SheetItem, SheetResult
from .table import Table
from .template_writer import Column, Format, write_template
from .values import choices_of, parse_choice, parse_date

EMPLOYEE_SHEET = "Pegawai"
EMPLOYEE_COLUMNS = ("nip", "nama", "jabatan", "jenis_asn", "unit_kerja", "atasan_nip", "email", "nonaktif_sejak")
EMPLOYEE_REQUIRED = ("nip", "nama", "jabatan")
UNIT_SHEET = "Unit Kerja"
UNIT_COLUMNS = ("unit_id", "nama", "induk")
UNIT_REQUIRED = ("unit_id", "nama")

# P3K is how PPPK is commonly written in Indonesian offices.
_JENIS_ASN = choices_of(JenisAsn, {"p3k": JenisAsn.PPPK})


def employees_from_table(table: Table) -> SheetResult:
    """Bodies for `EmployeeRegistration.model_validate`; a repeated NIP is an error on the later row."""
    require_columns(table, EMPLOYEE_REQUIRED)
    return _one_row_each(table, _employee_body, "nip")


def units_from_table(table: Table) -> SheetResult:
    """Bodies for `UnitKerjaRegistration.model_validate`; a repeated unit_id is an error on the later row."""
    require_columns(table, UNIT_REQUIRED)
    return _one_row_each(table, _unit_body, "unit_id")


def master_column_for_field(field: str) -> str:
    """Employee and unit columns are named as the contract's fields: "nonaktif_sejak" -> "nonaktif_sejak"."""
    head = field.removeprefix("body.").split(".", 1)[0].split("[", 1)[0]
    return head or "(baris)"


def _one_row_each(table: Table, body_of: Callable[[RowCells], dict[str, Any]], key: str) -> SheetResult:
    result = SheetResult()
    first_row: dict[str, int] = {}
    for row in table.rows:
        cells = RowCells(row)
        body = body_of(cells)
        identity = body.get(key)
        if identity is not None and identity in first_row:
            cells.error(key, f"duplicate_{key}", f"{key} ini sudah ada di baris {first_row[identity]}")
        elif identity is not None:
            first_row[identity] = row.number
        if cells.errors:
            result.errors += cells.errors
        else:
            result.items.append(SheetItem(row.number, body, (row.number,)))
    return result


def _employee_body(cells: RowCells) -> dict[str, Any]:
    body: dict[str, Any] = {
        "nip": cells.nip("nip", required=True),
        "nama": cells.required("nama"),
        "jabatan": cells.required("jabatan"),
    }
    jenis = cells.parse("jenis_asn", lambda text: parse_choice(text, _JENIS_ASN, "PNS atau PPPK"))
    if jenis is not None:
        body["jenis_asn"] = jenis.value
    if (atasan := cells.nip("atasan_nip", required=False)) is not None:
        body["atasan_nip"] = atasan
    if (since := cells.parse("nonaktif_sejak", parse_date)) is not None:
        body["nonaktif_sejak"] = since.isoformat()
    for name in ("unit_kerja", "email"):
        if (text := cells.text(name)) is not None:
            body[name] = text
    return body


def _unit_body(cells: RowCells) -> dict[str, Any]:
    body: dict[str, Any] = {"unit_id": cells.required("unit_id"), "nama": cells.required("nama")}
    if (parent := cells.text("induk")) is not None:
        body["induk"] = parent
    return body


_EMPLOYEE_SPECS = {
    "nip": Column("nip", text=True, width=21),
    "nama": Column("nama", width=30),
    "jabatan": Column("jabatan", width=36),
    "jenis_asn": Column("jenis_asn", choices=("PNS", "PPPK"), width=11),
    "unit_kerja": Column("unit_kerja", text=True, width=18),
    "atasan_nip": Column("atasan_nip", text=True, width=21),
    "email": Column("email", width=28),
    "nonaktif_sejak": Column("nonaktif_sejak", width=15),
}
_EMPLOYEE_EXAMPLES = [
    list(EMPLOYEE_COLUMNS),
    ["197602142000032001", "dr. Rina Marlina", "Kepala Bidang Kesehatan Masyarakat", "PNS", "bidang-kesmas"],
    [
        "19850312 201001 1 002",
        "Ahmad Fauzi, SKM",
        "Epidemiolog Kesehatan Ahli Muda",
        "PNS",
        "bidang-kesmas",
        "197602142000032001",
        "ahmad.fauzi@example.go.id",
        "",
    ],
    ["199107252019032005", "Nur Aisyah, Amd.Keb", "Bidan Terampil", "PPPK", "", "", "", "31/12/2026"],
]


def employee_template(fmt: Format) -> bytes:
    """An empty employees sheet; examples are in the Petunjuk sheet so they are never uploaded by mistake."""
    return write_template(
        fmt,
        sheet_title=EMPLOYEE_SHEET,
        columns=[_EMPLOYEE_SPECS[name] for name in EMPLOYEE_COLUMNS],
        rows=[],
        instructions=employee_instructions(_EMPLOYEE_EXAMPLES),
    )


def unit_template(fmt: Format) -> bytes:
    examples = [list(UNIT_COLUMNS), ["bidang-kesmas", "Bidang Kesehatan Masyarakat", ""]]
    examples.append(["pkm-muara-bungo", "Puskesmas Muara Bungo", "bidang-kesmas"])
    return write_template(
        fmt,
        sheet_title=UNIT_SHEET,
        columns=[
            Column("unit_id", text=True, width=20),
            Column("nama", width=40),
            Column("induk", text=True, width=20),
        ],
        rows=[],
        instructions=unit_instructions(examples),
    )
