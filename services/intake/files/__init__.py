"""Spreadsheet uploads (CSV, XLSX) of reports and master data, and the templates agencies fill in.

Pure functions, no database or HTTP: `read_table` turns bytes into text cells with the row numbers
operators see, a layout turns the table into contract bodies plus per-cell errors, and the routes
validate the bodies and store them. File-level problems raise `FileProblem` (with an HTTP status).
"""

from .master_sheets import (
    employee_template,
    employees_from_table,
    master_column_for_field,
    skp_cell_for_field,
    skp_plans_from_table,
    skp_template,
    unit_template,
    units_from_table,
)
from .problems import FileProblem, RowError, SheetItem, SheetResult, ValueProblem, validated
from .reports_sheet import ReportItem, TemplateEmployee, column_for_field, report_template, reports_from_table
from .table import SheetRow, Table, read_table
from .values import parse_bool_id, parse_date, parse_number, parse_rating

__all__ = [
    "FileProblem",
    "ReportItem",
    "RowError",
    "SheetItem",
    "SheetResult",
    "SheetRow",
    "Table",
    "TemplateEmployee",
    "ValueProblem",
    "column_for_field",
    "employee_template",
    "employees_from_table",
    "master_column_for_field",
    "parse_bool_id",
    "parse_date",
    "parse_number",
    "parse_rating",
    "read_table",
    "report_template",
    "reports_from_table",
    "skp_cell_for_field",
    "skp_plans_from_table",
    "skp_template",
    "unit_template",
    "units_from_table",
    "validated",
]
