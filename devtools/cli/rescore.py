"""`kinerja rescore AGENCY`: recompute an agency's period (or year) under its current scoring policy.

Scoring accepts the job at once (`POST /v1/admin/rescores`); the command follows it
(`GET /v1/admin/jobs/{job_id}`) until it is done. Needs the admin token (KINERJA_ADMIN_TOKEN).
"""

import time
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn

from .common import ScoringUrl, Service, fail, out, progress

POLL_S = 0.5
RUNNING = ("pending", "running")


def _counts(job: dict[str, Any]) -> str:
    return f"{job.get('checked') or 0} checked, {job.get('revised') or 0} revised"


def _follow(scoring: Service, job: dict[str, Any]) -> dict[str, Any]:
    with progress(
        SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(), TimeElapsedColumn()
    ) as bar:
        task = bar.add_task(f"rescoring: {job['status']}", total=None)
        while job["status"] in RUNNING:
            time.sleep(POLL_S)
            job = scoring.call("GET", f"/v1/admin/jobs/{job['job_id']}")
            bar.update(task, description=f"rescoring: {job['status']}, {_counts(job)}")
    return job


def rescore(
    agency: Annotated[str, typer.Argument(help="The agency id, e.g. bungo-dinkes")],
    scoring_url: ScoringUrl,
    period: Annotated[str | None, typer.Option("--period", help="One period: 2026-10, 2026-q4, 2026-s2")] = None,
    tahun: Annotated[int | None, typer.Option("--tahun", help="Every period of this year")] = None,
) -> None:
    """Rescore one period (--period) or a whole year (--tahun) of an agency; scores whose outcome changes are
    published as revisions."""
    if (period is None) == (tahun is None):
        fail("give either --period (one period) or --tahun (every period of a year)")
    body = {"agency_id": agency, **({"period_id": period} if period else {"tahun": tahun})}
    with Service.as_admin("scoring", scoring_url) as scoring:
        job = _follow(scoring, scoring.call("POST", "/v1/admin/rescores", json=body))
    if job["status"] != "done":
        fail(f"rescore job {job['job_id']} {job['status']}: {job.get('error') or 'no reason given'}", exit_code=1)
    unchanged, without = job.get("unchanged") or 0, job.get("without_scores") or 0
    out.print(f"job {job['job_id']} done: {_counts(job)}, {unchanged} unchanged, {without} without a score")
