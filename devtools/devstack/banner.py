"""What `make run` prints once everything is up: where things are, the demo's keys, what to try, how to stop."""

from pathlib import Path

from .demo import Demo, admin_token
from .embedded import EmbeddedStack
from .mail_sink import MailSink
from .platform import SERVICES, Platform

EXAMPLE_REPORT = "docs/examples/laporan-november.json"
EXAMPLE_REPORT_ID = "laporan-2026-11-198503122010011002"
EXAMPLE_NIP = "198503122010011002"
EXAMPLE_AGENCY = "bungo-dinkes"


def banner(
    stack: EmbeddedStack, platform: Platform | None, demo: Demo | None, data_dir: Path, mail: MailSink | None = None
) -> str:
    lines = ["", "Kinerja is up.", ""]
    if platform:
        lines += ["Services (each also serves /asyncapi, /healthz, /readyz and /metrics):"]
        lines += [f"  {name:<13} {platform.url(name)}/docs" for name in SERVICES]
        lines.append("")
    if platform:
        lines += _dashboard_lines(platform, demo)
    if platform and demo:
        lines += _demo_lines(platform, demo)
    lines += [
        f"Kafka broker   {stack.kafka_bootstrap}",
        f"MongoDB        {stack.mongo_uri}",
        *_mail_lines(mail),
        f"Data and logs  {data_dir} (logs/<service>.log: JSON lines with the correlation id)",
        "",
        "Press Ctrl-C to stop everything (or send SIGTERM); the data stays for the next start.",
    ]
    return "\n".join(lines)


def _dashboard_lines(platform: Platform, demo: Demo | None) -> list[str]:
    key = next((a for a in demo.agencies if a.agency_id == EXAMPLE_AGENCY), None) if demo else None
    sign_in = f"the key of {key.agency_id} ({key.api_key})" if key else "an agency's API key"
    lines = [
        f"Dashboard (HR) {platform.url('dashboard')}/dasbor",
        f"               sign in with {sign_in}, or the administrator token for every agency",
    ]
    if demo and (breaker := demo.curve_breaker):
        lines.append(f"               {breaker.agency_id} breaks its curve: sign in with {breaker.api_key} to see it")
    return [*lines, ""]


def _mail_lines(mail: MailSink | None) -> list[str]:
    if mail is None:
        return []
    return [
        f"Mail (SMTP)    {mail.address}: a local sink, nothing leaves this machine. Every mail the platform sends",
        f"               is kept in {mail.mail_dir}/*.eml (open one in any mail program);",
        f"               who got what: tail -f {mail.log_path}",
    ]


def _demo_lines(platform: Platform, demo: Demo) -> list[str]:
    admin = f"Authorization: Bearer {admin_token()}"
    agencies = [f"  {a.agency_id:<20} {a.api_key:<30} {a.nama}" for a in demo.agencies]
    key = next((a.api_key for a in demo.agencies if a.agency_id == EXAMPLE_AGENCY), None)
    lines = [
        "Demo agencies of Kabupaten Bungo and its neighbours, and their API keys (development mode: the same at",
        "every start, never issued outside it):",
        *agencies,
        f"Administrator token: {admin_token()}",
        "",
    ]
    if key is None:
        return lines
    intake, scoring, training, notification = (
        platform.url(s) for s in ("intake", "scoring", "training", "notification")
    )
    return [
        *lines,
        "Try it: send Ahmad Fauzi's November report (Dinas Kesehatan), then read its score and notifications:",
        f"  curl -s -XPOST {intake}/v1/reports -H 'Authorization: Bearer {key}' \\",
        f"       -H 'content-type: application/json' -d @{EXAMPLE_REPORT}",
        f"  curl -s {scoring}/v1/scores/{EXAMPLE_AGENCY}/{EXAMPLE_REPORT_ID} -H '{admin}'",
        f"  curl -s '{notification}/v1/notifications?nip={EXAMPLE_NIP}' -H '{admin}'",
        "The agency's training plan for the year (HR approves a version; only then are employees told):",
        f"  curl -s '{training}/v1/training/plans/2026?agency_id={EXAMPLE_AGENCY}' -H 'Authorization: Bearer {key}'",
        f"  curl -s -XPOST {training}/v1/training/plans/2026/approval -H 'Authorization: Bearer {key}' \\",
        f'       -H \'content-type: application/json\' -d \'{{"agency_id": "{EXAMPLE_AGENCY}", "version": 1}}\'',
        "More in README.md (Using the API) and on each service's /docs page.",
        "",
    ]
