"""Spreadsheet imports of master data (unit kerja, employees, SKP plans), through the same decisions as the API.

Master data files are small and answered at once: every row either becomes
a registration or an error naming its row, column and code.
"""

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel

from shared.messaging.unit_of_work import UnitOfWork
from shared.service import Runtime

from .contracts_in import EmployeeRegistration, SkpSubmission, UnitKerjaRegistration
from .files import (
    RowError,
    SheetItem,
    SheetResult,
    employees_from_table,
    master_column_for_field,
    read_table,
    skp_cell_for_field,
    skp_plans_from_table,
    units_from_table,
    validated,
)
from .master_data_intake import Done, Refused, publish_skp, register_employees, register_units
from .repository.records import EMPLOYEES, SKP_PLANS
from .uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_ROWS

MasterKind = Literal["unit-kerja", "pegawai", "skp"]

_LAYOUTS: dict[str, tuple[Callable[..., SheetResult], type[BaseModel]]] = {
    "unit-kerja": (units_from_table, UnitKerjaRegistration),
    "pegawai": (employees_from_table, EmployeeRegistration),
    "skp": (skp_plans_from_table, SkpSubmission),
}


def _cell(kind: str, item: SheetItem, field: str) -> tuple[int, str]:
    if kind == "skp":
        return skp_cell_for_field(item, field)
    return item.row, master_column_for_field(field)


async def import_master_data(
    runtime: Runtime, agency_id: str, kind: MasterKind, data: bytes, filename: str | None, content_type: str | None
) -> dict[str, Any]:
    """Raises FileProblem for a file that cannot be read at all."""
    table = await asyncio.to_thread(
        read_table,
        data,
        filename=filename,
        content_type=content_type,
        max_bytes=MAX_UPLOAD_BYTES,
        max_rows=MAX_UPLOAD_ROWS,
    )
    layout, model = _LAYOUTS[kind]
    sheet = layout(table)
    valid, errors = validated(sheet, model, lambda item, field: _cell(kind, item, field))
    uow = runtime.unit_of_work()
    results = await _register(uow, runtime, agency_id, kind, [v for _, v in valid])
    await uow.commit()
    statuses = []
    for (item, _), result in zip(valid, results, strict=True):
        if isinstance(result, Refused):
            row, column = _cell(kind, item, result.reason.field)
            errors.append(RowError(row, column, result.reason.code, result.reason.message))
        else:
            statuses.append(result.status)
    counts = Counter(statuses)
    return {
        "status": "done",
        "rows": len(sheet.items) + len({e.row for e in sheet.errors}),
        "registered": counts.get("registered", 0) + counts.get("published", 0),
        "unchanged": counts.get("unchanged", 0),
        "rows_with_errors": len({e.row for e in errors}),
        "errors": [asdict(e) for e in sorted(errors, key=lambda e: (e.row, e.column))],
    }


async def _register(
    uow: UnitOfWork, runtime: Runtime, agency_id: str, kind: str, items: list[Any]
) -> list[Done | Refused]:
    if kind == "unit-kerja":
        return await register_units(uow, runtime.db, agency_id, items)
    if kind == "pegawai":
        return await register_employees(uow, runtime.db, agency_id, items)
    now = datetime.now(UTC)
    await uow.get_many(EMPLOYEES, {i.nip for i in items})  # one read for the whole file
    await uow.get_many(SKP_PLANS, {i.skp_id for i in items})
    return [await publish_skp(uow, agency_id, item, now) for item in items]
