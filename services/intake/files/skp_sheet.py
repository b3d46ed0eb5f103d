"""SKP plans in bulk: one sheet row per SKP row, rows with the same skp_id form one `SkpSubmission`.

Plans are grouped in order of first appearance. nip, tahun and berlaku_mulai belong to the plan: they
may be left empty on later rows, but a different value is an error, and a plan with any error is not
submitted at all, because a plan missing one of its rows would be a different plan.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from shared.contracts.common import Aspek, JenisHasilKerja, Polaritas

from .cells import RowCells, require_columns
from .instructions import skp_instructions
from .problems import RowError, SheetItem, SheetResult
from .table import Table
from .template_writer import Column, Format, write_template
from .values import choices_of, parse_choice, parse_date, parse_integer, parse_number, quote

SKP_SHEET = "SKP"
SKP_COLUMNS = (
    *("skp_id", "nip", "tahun", "berlaku_mulai", "row_id", "rhk", "jenis", "aspek", "indikator", "polaritas"),
    *("target", "target_bawah", "target_atas", "satuan", "kompetensi"),
)
SKP_REQUIRED = ("skp_id", "nip", "tahun", "row_id", "rhk", "jenis", "aspek", "indikator", "polaritas")
PLAN_FIELDS = ("nip", "tahun", "berlaku_mulai")

_JENIS = choices_of(JenisHasilKerja)
_ASPEK = choices_of(Aspek)
POLARITAS_ALIASES = {
    "naik": Polaritas.HIGHER_IS_BETTER,
    "makin tinggi makin baik": Polaritas.HIGHER_IS_BETTER,
    "semakin tinggi semakin baik": Polaritas.HIGHER_IS_BETTER,
    "turun": Polaritas.LOWER_IS_BETTER,
    "makin rendah makin baik": Polaritas.LOWER_IS_BETTER,
    "semakin rendah semakin baik": Polaritas.LOWER_IS_BETTER,
    "kualitatif": Polaritas.QUALITATIVE,
}
_POLARITAS = choices_of(Polaritas, POLARITAS_ALIASES)


@dataclass
class _Plan:
    skp_id: str
    first_row: int
    fields: dict[str, tuple[Any, int]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    row_ids: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def skp_plans_from_table(table: Table) -> SheetResult:
    """Bodies for `SkpSubmission.model_validate`; an item's `row` is the plan's first row, `rows` each row's."""
    require_columns(table, SKP_REQUIRED)
    plans: dict[str, _Plan] = {}
    loose: list[RowError] = []
    for sheet_row in table.rows:
        cells = RowCells(sheet_row)
        skp_id = cells.required("skp_id")
        plan_values = {
            "nip": cells.nip("nip", required=False),
            "tahun": cells.parse("tahun", parse_integer),
            "berlaku_mulai": cells.parse("berlaku_mulai", parse_date),
        }
        row_body = _row_body(cells)
        if skp_id is None:
            loose += cells.errors
            continue
        plan = plans.setdefault(skp_id, _Plan(skp_id, sheet_row.number))
        _merge_plan_fields(plan, cells, plan_values)
        _add_row(plan, cells, row_body)
    result = SheetResult(errors=loose)
    for plan in plans.values():
        _finish(plan, result)
    result.errors.sort(key=lambda error: error.row)
    return result


def _merge_plan_fields(plan: _Plan, cells: RowCells, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if value is None:
            continue
        if name not in plan.fields:
            plan.fields[name] = (value, cells.row.number)
            continue
        first, first_row = plan.fields[name]
        if value != first:
            message = f"{name} berbeda dengan baris {first_row} ({quote(str(first))}) pada SKP {quote(plan.skp_id)}"
            cells.error(name, "inconsistent_plan", message)


def _add_row(plan: _Plan, cells: RowCells, body: dict[str, Any]) -> None:
    row_id = body.get("row_id")
    if row_id is not None and row_id in plan.row_ids:
        cells.error("row_id", "duplicate_row_id", f"row_id ini sudah ada di baris {plan.row_ids[row_id]} pada SKP ini")
    elif row_id is not None:
        plan.row_ids[row_id] = cells.row.number
    plan.rows.append(body)
    plan.row_numbers.append(cells.row.number)
    plan.errors += cells.errors


def _finish(plan: _Plan, result: SheetResult) -> None:
    for name in ("nip", "tahun"):
        if name not in plan.fields:
            plan.errors.append(RowError(plan.first_row, name, "missing_value", f"kolom {name} wajib diisi"))
    if plan.errors:
        result.errors += plan.errors
        elsewhere = sorted({error.row for error in plan.errors} - {plan.first_row})
        if elsewhere:
            rows = ", ".join(map(str, elsewhere))
            message = f"SKP {quote(plan.skp_id)} tidak diproses karena ada kesalahan pada baris {rows}"
            result.errors.append(RowError(plan.first_row, "skp_id", "plan_dropped", message))
        return
    body: dict[str, Any] = {"skp_id": plan.skp_id, "nip": plan.fields["nip"][0], "tahun": plan.fields["tahun"][0]}
    if "berlaku_mulai" in plan.fields:
        body["berlaku_mulai"] = plan.fields["berlaku_mulai"][0].isoformat()
    body["rows"] = plan.rows
    result.items.append(SheetItem(plan.first_row, body, tuple(plan.row_numbers)))


def _row_body(cells: RowCells) -> dict[str, Any]:
    body: dict[str, Any] = {"row_id": cells.required("row_id"), "rhk": cells.required("rhk")}
    jenis = cells.parse("jenis", lambda text: parse_choice(text, _JENIS, "Utama atau Tambahan"), required=True)
    aspek = cells.parse(
        "aspek", lambda text: parse_choice(text, _ASPEK, "Kuantitas, Kualitas atau Waktu"), required=True
    )
    body |= {"jenis": jenis and jenis.value, "aspek": aspek and aspek.value, "indikator": cells.required("indikator")}
    polaritas = cells.parse(
        "polaritas", lambda text: parse_choice(text, _POLARITAS, "Naik, Turun atau Kualitatif"), required=True
    )
    body["polaritas"] = polaritas and polaritas.value
    if (target := cells.parse("target", parse_number)) is not None:
        body["target"] = target
    lower, upper = cells.parse("target_bawah", parse_number), cells.parse("target_atas", parse_number)
    if (lower is None) != (upper is None):
        missing = "target_bawah" if lower is None else "target_atas"
        cells.error(missing, "missing_value", f"kolom {missing} wajib diisi bila target berupa rentang")
    elif lower is not None:
        body["target_range"] = {"lower": lower, "upper": upper}
    if (satuan := cells.text("satuan")) is not None:
        body["satuan"] = satuan
    if (tags := cells.text("kompetensi")) is not None:
        body["kompetensi"] = kompetensi_tags(tags)
    return body


def kompetensi_tags(text: str) -> list[str]:
    """ "Kesehatan Masyarakat; analisis_data" -> ["kesehatan-masyarakat", "analisis-data"], the catalogue's style."""
    tags = (re.sub(r"[\s_]+", "-", part.strip().lower()) for part in re.split(r"[,;\n]+", text))
    return [tag for tag in tags if tag]


def skp_cell_for_field(item: SheetItem, field: str) -> tuple[int, str]:
    """Row and column to fix for a `SkpSubmission` field path: "rows[2].target_range.upper" -> (row of rows[2],
    "target_atas"). A row-level rule (target vs polaritas) points at the row's target.
    """
    parts = [part for part in re.split(r"[.\[\]]+", field.removeprefix("body.")) if part]
    if parts[:1] != ["rows"]:
        return item.row, (parts[0] if parts else "skp_id")
    if len(parts) < 2 or not parts[1].isdigit():
        return item.row, "row_id"
    index = int(parts[1])
    row = item.rows[index] if index < len(item.rows) else item.row
    rest = parts[2:]
    if not rest:
        return row, "target"
    if rest[0] == "target_range":
        return row, "target_atas" if rest[-1] == "upper" else "target_bawah"
    return row, rest[0]


_SPECS = {
    "skp_id": Column("skp_id", text=True, width=16),
    "nip": Column("nip", text=True, width=21),
    "tahun": Column("tahun", width=8),
    "berlaku_mulai": Column("berlaku_mulai", width=14),
    "row_id": Column("row_id", text=True, width=14),
    "rhk": Column("rhk", width=40),
    "jenis": Column("jenis", choices=("Utama", "Tambahan"), width=11),
    "aspek": Column("aspek", choices=("Kuantitas", "Kualitas", "Waktu"), width=11),
    "indikator": Column("indikator", width=40),
    "polaritas": Column("polaritas", choices=("Naik", "Turun", "Kualitatif"), width=12),
    "kompetensi": Column("kompetensi", width=30),
}
_PLAN_1 = {"skp_id": "skp-2026-0001"}
_EXAMPLE_ROWS = [
    {**_PLAN_1, "nip": "198503122010011002", "tahun": "2026", "row_id": "imunisasi", "jenis": "Utama"}
    | {"rhk": "Cakupan imunisasi dasar lengkap", "aspek": "Kuantitas", "indikator": "Persentase bayi diimunisasi"}
    | {"polaritas": "Naik", "target": "95", "satuan": "persen", "kompetensi": "kesehatan-masyarakat"},
    {**_PLAN_1, "row_id": "surveilans", "rhk": "Laporan surveilans tepat waktu", "jenis": "Utama", "aspek": "Waktu"}
    | {"indikator": "Rata-rata hari keterlambatan laporan", "polaritas": "Turun", "target": "3", "satuan": "hari"}
    | {"kompetensi": "analisis-data"},
    {**_PLAN_1, "row_id": "penyuluhan", "rhk": "Penyuluhan kesehatan di posyandu", "jenis": "Tambahan"}
    | {"aspek": "Kualitas", "indikator": "Kualitas penyuluhan menurut atasan", "polaritas": "Kualitatif"}
    | {"kompetensi": "pelayanan-publik"},
    {"skp_id": "skp-2026-0002", "nip": "198807192012012004", "tahun": "2026", "row_id": "ipm", "jenis": "Utama"}
    | {"rhk": "Kontribusi pada target IPM pendidikan", "aspek": "Kualitas", "indikator": "Angka partisipasi sekolah"}
    | {"polaritas": "Naik", "target_bawah": "85", "target_atas": "90", "satuan": "persen"}
    | {"kompetensi": "analisis-data"},
]
_EXAMPLES = [list(SKP_COLUMNS), *([row.get(name, "") for name in SKP_COLUMNS] for row in _EXAMPLE_ROWS)]


def skp_template(fmt: Format) -> bytes:
    """An empty SKP sheet; the examples (including a range target) are in the Petunjuk sheet."""
    return write_template(
        fmt,
        sheet_title=SKP_SHEET,
        columns=[_SPECS.get(name, Column(name)) for name in SKP_COLUMNS],
        rows=[],
        instructions=skp_instructions(_EXAMPLES),
    )
