"""`kinerja keys create|rotate|revoke|list`: agencies' API keys through intake.

`create` is the administrator's (KINERJA_ADMIN_TOKEN); the others act with one of the agency's own keys
(--key / KINERJA_API_KEY). A new key is printed once, as intake shows it once: it is stored only as a digest.
"""

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from .common import AgencyKey, IntakeUrl, Service, agency_key, out, reported

app = typer.Typer(help="Agencies' API keys: create, rotate, revoke, list.", no_args_is_help=True)

KeyId = Annotated[str, typer.Argument(help="The key's id (8 hex digits), as `kinerja keys list` shows it")]
OverlapHours = Annotated[
    int | None,
    typer.Option("--overlap-hours", min=0, max=168, help="Hours the replaced key(s) keep working (0: stop at once)"),
]


def _print_new_key(issued: dict[str, Any]) -> None:
    out.print(f"agency {issued['agency_id']}, key {issued['key_id']} ({issued['label']})")
    out.print(issued["api_key"])
    out.print(Text("Store this key now: it is shown only this once, and cannot be read back.", style="bold yellow"))


@app.command()
@reported
def create(
    agency: Annotated[str, typer.Argument(help="The agency id")],
    intake_url: IntakeUrl,
    label: Annotated[str | None, typer.Option("--label", help="What the key is for, e.g. SIMPEG BKPSDM")] = None,
    overlap_hours: OverlapHours = None,
) -> None:
    """Issue a key for an agency (administrator). With --overlap-hours its other keys stop after that long."""
    body = {k: v for k, v in (("label", label), ("overlap_hours", overlap_hours)) if v is not None}
    with Service.as_admin("intake", intake_url) as intake:
        _print_new_key(intake.call("POST", f"/v1/admin/agencies/{agency}/keys", json=body))


@app.command()
@reported
def rotate(key_id: KeyId, intake_url: IntakeUrl, key: AgencyKey = None, overlap_hours: OverlapHours = None) -> None:
    """Replace a key by a new one with the same label; the old one works --overlap-hours more (default 24)."""
    body = {} if overlap_hours is None else {"overlap_hours": overlap_hours}
    with Service("intake", intake_url, agency_key(key)) as intake:
        rotated = intake.call("POST", f"/v1/keys/{key_id}/rotate", json=body)
    _print_new_key(rotated)
    out.print(f"key {rotated['replaced_key_id']} works until {rotated['replaced_key_expires_at']}")


@app.command()
@reported
def revoke(
    key_id: KeyId,
    intake_url: IntakeUrl,
    key: AgencyKey = None,
    force: Annotated[bool, typer.Option("--force", help="Also when it is the key given with --key")] = False,
) -> None:
    """Revoke a key at once."""
    with Service("intake", intake_url, agency_key(key)) as intake:
        revoked = intake.call("DELETE", f"/v1/keys/{key_id}", params={"force": force} if force else None)
    out.print(f"key {revoked['key_id']} ({revoked['label']}) revoked at {revoked['revoked_at']}")


@app.command("list")
@reported
def list_keys(intake_url: IntakeUrl, key: AgencyKey = None) -> None:
    """The agency's keys (never the keys themselves)."""
    with Service("intake", intake_url, agency_key(key)) as intake:
        keys = intake.call("GET", "/v1/keys")["keys"]
    table = Table("key id", "label", "status", "created", "expires", "last used", "this one")
    for k in keys:
        cells = (k["created_at"], k["expires_at"], k["last_used_at"])
        table.add_row(k["key_id"], k["label"], k["status"], *(c or "" for c in cells), "yes" if k["current"] else "")
    out.print(table)
