"""`kinerja submit FILE`: an agency's report sheet (CSV or XLSX) through intake's spreadsheet door.

Exit codes: 0 every row accepted (or already there), 1 some rows rejected (or, all-or-nothing, the file
refused), 2 the file could not be submitted (missing, not a sheet, intake unreachable or refusing it).
"""

import calendar
import io
import re
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from .common import AgencyKey, IntakeUrl, Service, agency_key, fail, out, progress

MEDIA = {".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
ZIP_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a zip archive
POLL_S = 0.5
PROCESSING_LIMIT_S = 30 * 60
_PERIOD = re.compile(r"^(?P<year>[0-9]{4})(-(?:(?P<month>0[1-9]|1[0-2])|q(?P<q>[1-4])|s(?P<s>[12])))?$")


def period_of(period_id: str) -> tuple[str, date, date]:
    """The period type and its first and last day from intake's period id (2026-10, 2026-q4, 2026-s2, 2026)."""
    match = _PERIOD.match(period_id)
    if match is None:
        raise ValueError(f"period {period_id!r} is not 2026-10 (month), 2026-q4 (quarter), 2026-s2 (half) or 2026")
    year = int(match["year"])
    if match["month"]:
        kind, first, months = "bulanan", int(match["month"]), 1
    elif match["q"]:
        kind, first, months = "triwulanan", 3 * int(match["q"]) - 2, 3
    elif match["s"]:
        kind, first, months = "semesteran", 6 * int(match["s"]) - 5, 6
    else:
        kind, first, months = "tahunan", 1, 12
    last = first + months - 1
    return kind, date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def read_sheet(path: Path) -> bytes:
    """The file's bytes, once it looks like a sheet intake can read; else a one-line error."""
    if not path.is_file():
        fail(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in MEDIA:
        fail(f"{path}: not a CSV or XLSX file (intake reads .csv and .xlsx; save the sheet as one of them)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(f"{path}: cannot be read ({exc.strerror})")
    if not data:
        fail(f"{path}: the file is empty")
    if suffix == ".xlsx" and not data.startswith(ZIP_MAGIC):
        fail(f"{path}: not an XLSX workbook (its content is not a zip archive); save it again from Excel as .xlsx")
    return data


class _Counted(io.BytesIO):
    """The file as httpx reads it for the multipart body, advancing the progress bar as it goes."""

    def __init__(self, data: bytes, advance: Any) -> None:
        super().__init__(data)
        self._advance = advance

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self._advance(len(chunk))
        return chunk


def _upload(intake: Service, path: Path, data: bytes, params: dict[str, Any]) -> dict[str, Any]:
    with progress(
        SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(), DownloadColumn()
    ) as bar:
        task = bar.add_task(f"uploading {path.name}", total=len(data))
        body = _Counted(data, lambda n: bar.advance(task, n))
        files = {"file": (path.name, body, MEDIA[path.suffix.lower()])}
        answer = intake.call("POST", "/v1/uploads/laporan", params=params, files=files)
        bar.update(task, completed=len(data))
    return answer


def _processed(intake: Service, answer: dict[str, Any]) -> dict[str, Any]:
    """Large files are processed after the answer: follow the upload until it is done."""
    upload_id = answer["upload_id"]
    deadline = time.monotonic() + PROCESSING_LIMIT_S
    with progress(
        SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(), TimeElapsedColumn()
    ) as bar:
        task = bar.add_task(f"intake is processing upload {upload_id}", total=None)
        while answer["status"] in ("pending", "processing"):
            if time.monotonic() > deadline:
                fail(f"upload {upload_id} still {answer['status']} after {PROCESSING_LIMIT_S // 60} min")
            time.sleep(POLL_S)
            answer = intake.call("GET", f"/v1/uploads/{upload_id}")
            bar.update(task, description=f"intake is processing upload {upload_id} ({answer['status']})")
    return answer


def _show(summary: dict[str, Any]) -> None:
    errors = summary.get("errors", [])
    if errors:
        table = Table("row", "field", "code", "message", title="rejected rows")
        for e in errors:
            table.add_row(str(e["row"]), e["column"], e["code"], e["message"])
        out.print(table)
    counts = Table("rows", "accepted", "already there", "with errors", "skipped (empty)", title="summary")
    counts.add_row(
        *(str(summary.get(k, 0)) for k in ("rows", "accepted", "duplicate", "rows_with_errors", "skipped_rows"))
    )
    out.print(counts)
    if summary["status"] == "refused":
        out.print(Text("all or nothing: nothing was accepted, because some rows have errors", style="red"))


def submit(
    file: Annotated[Path, typer.Argument(help="The report sheet, .csv or .xlsx, in the layout of intake's template")],
    period: Annotated[str, typer.Option("--period", help="The period the sheet reports: 2026-10, 2026-q4, 2026")],
    intake_url: IntakeUrl,
    key: AgencyKey = None,
    all_or_nothing: Annotated[
        bool, typer.Option("--all-or-nothing", help="Accept nothing if any row has an error")
    ] = False,
) -> None:
    """Submit an agency's monthly (or other period's) reports from a spreadsheet, then summarise what intake
    accepted and which rows it rejected and why. Exit 0: all accepted, 1: some rejected, 2: not submitted."""
    try:
        kind, start, end = period_of(period)
    except ValueError as exc:
        fail(str(exc))
    data = read_sheet(file)
    params = {"type": kind, "start": start.isoformat(), "end": end.isoformat(), "all_or_nothing": all_or_nothing}
    with Service("intake", intake_url, agency_key(key)) as intake:
        summary = _processed(intake, _upload(intake, file, data, params))
    if summary["status"] == "failed":
        fail(f"intake could not read {file} ({summary.get('code')}): {summary.get('message')}")
    _show(summary)
    if summary["status"] == "refused" or summary.get("rows_with_errors"):
        raise typer.Exit(1)
