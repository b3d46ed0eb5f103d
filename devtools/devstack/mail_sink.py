"""The local SMTP sink of `make run`: accepts every mail, keeps it as an .eml file, says who it was for.

Nothing leaves the machine: a newcomer opens `<data_dir>/mail/*.eml` in any mail program (or reads it as text),
and `logs/mail.log` has one line per mail, `mail to <address>: <subject>`. It runs as a child process of the
launcher (`python -m devtools.devstack.mail_sink --port 1025 --dir <dir>`), supervised like the services; the
notification service finds it through KINERJA_SMTP_HOST and KINERJA_SMTP_PORT.
"""

import argparse
import asyncio
import signal
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from .processes import ManagedProcess, port_open, require_free_port, wait_until

HOST = "127.0.0.1"
DEFAULT_PORT = 1025


class SaveMail:
    """aiosmtpd handler: every mail accepted, written to `directory` as `<time>-<id>.eml`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or envelope.content
        name = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        partial = self.directory / f".{name}.tmp"
        partial.write_bytes(content)
        partial.replace(self.directory / name)  # a reader never sees half a mail
        headers = BytesParser(policy=policy.default).parsebytes(content, headersonly=True)
        subject = " ".join(str(headers.get("subject", "")).split())
        print(f"mail to {', '.join(envelope.rcpt_tos)}: {subject}  ({name})", flush=True)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, directory: Path) -> None:
    from aiosmtpd.smtp import SMTP

    handler = SaveMail(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="kinerja-mail-sink"), host, port)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"SMTP sink on {host}:{port}, mails kept in {directory}", flush=True)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mail_sink", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--dir", required=True, help="where the .eml files go")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port, Path(args.dir)))
    return 0


@dataclass
class MailSink:
    """The sink as a managed child process of the launcher."""

    data_dir: Path
    port: int = DEFAULT_PORT
    host: str = HOST

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()
        self.process = ManagedProcess(
            "mail",
            [
                sys.executable,
                "-m",
                "devtools.devstack.mail_sink",
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--dir",
                str(self.mail_dir),
            ],
            self.data_dir / "logs" / "mail.log",
        )

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def log_path(self) -> Path:
        return self.process.log_path

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def env(self) -> dict[str, str]:
        """What the notification service needs to send here."""
        return {"KINERJA_SMTP_HOST": self.host, "KINERJA_SMTP_PORT": str(self.port)}

    def ready(self) -> bool:
        return port_open(self.host, self.port)

    def start(self) -> None:
        require_free_port(self.host, self.port, "SMTP sink", "KINERJA_SMTP_PORT")
        self.process.start()
        wait_until(self.ready, 30, "SMTP sink", process=self.process)

    def stop(self) -> None:
        self.process.stop()


if __name__ == "__main__":
    sys.exit(main())
