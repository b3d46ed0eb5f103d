"""Bulk import of master data: employees, units (unit kerja) and SKP plans, with their templates."""

from .employees_sheet import (
    EMPLOYEE_COLUMNS,
    UNIT_COLUMNS,
    employee_template,
    employees_from_table,
    master_column_for_field,
    unit_template,
    units_from_table,
)
from .skp_sheet import SKP_COLUMNS, kompetensi_tags, skp_cell_for_field, skp_plans_from_table, skp_template

__all__ = [
    "EMPLOYEE_COLUMNS",
    "SKP_COLUMNS",
    "UNIT_COLUMNS",
    "employee_template",
    "employees_from_table",
    "kompetensi_tags",
    "master_column_for_field",
    "skp_cell_for_field",
    "skp_plans_from_table",
    "skp_template",
    "unit_template",
    "units_from_table",
]
