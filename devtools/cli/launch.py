"""`kinerja run`: the whole platform on the embedded stack, with the demo; `kinerja stack`: broker and database.

Every address can be moved with KINERJA_KAFKA_PORT, KINERJA_MONGO_PORT, KINERJA_<SERVICE>_PORT and
KINERJA_SMTP_PORT; KINERJA_TOPIC_PARTITIONS sets the partitions of the topics it creates.
"""

import asyncio
import os
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from devtools.devstack.banner import banner
from devtools.devstack.demo import load_demo
from devtools.devstack.embedded import HOST, EmbeddedStack
from devtools.devstack.mail_sink import DEFAULT_PORT as SMTP_PORT
from devtools.devstack.mail_sink import MailSink
from devtools.devstack.platform import SERVICES, Platform
from devtools.devstack.processes import PortInUseError, Supervised, Supervisor, port_open
from shared.kafka_admin import ensure_topics
from shared.settings import DEFAULT_PORTS

from .common import CliError

DataDir = Annotated[
    Path, typer.Option("--data-dir", envvar="KINERJA_DATA_DIR", help="Where the broker, database and logs keep data")
]
NoDemo = Annotated[bool, typer.Option("--no-demo", help="Do not load the demo data")]


def _port(env_var: str, default: int) -> int:
    raw = os.environ.get(env_var, str(default))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise CliError(f"{env_var} must be a TCP port number, got {raw!r}", exit_code=1)
    return int(raw)


def wait_for_signal(stack: EmbeddedStack, platform: Platform | None, mail: MailSink | None = None) -> None:
    """Wait for SIGINT/SIGTERM, meanwhile restarting any child that exits on its own.

    Every half second the broker, the database, the SMTP sink and the services are checked
    (which also reaps them); one that exited is restarted after a backoff
    (0.5 s, doubling up to 30 s, reset once it stayed up 60 s), with a line on
    stdout naming it, how it exited and its log; after 5 crashes within 5
    minutes a prominent "keeps crashing" report with the end of its log is
    printed and it is retried every 30 s. Each service's pid is in
    `<data_dir>/run/<service>.pid` while it runs. The stop signal only ends
    this loop: the caller then stops everything, and nothing is restarted.
    """
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    supervisor = Supervisor(
        [
            Supervised(stack.database, ready=lambda: port_open(HOST, stack.mongo_port)),
            Supervised(stack.broker, ready=lambda: port_open(HOST, stack.kafka_port)),
            *([Supervised(mail.process, ready=mail.ready)] if mail else []),
            *(platform.supervised() if platform else []),
        ]
    )
    while not stop.wait(0.5):
        supervisor.check()


def _launch(data_dir: Path, *, services: bool, demo: bool) -> None:
    data_dir = data_dir.resolve()
    stack = EmbeddedStack(data_dir, _port("KINERJA_KAFKA_PORT", 9092), _port("KINERJA_MONGO_PORT", 27017))
    ports = {name: _port(f"KINERJA_{name.upper()}_PORT", DEFAULT_PORTS[name]) for name in SERVICES}
    platform, loaded, mail = None, None, None
    try:
        print("starting Kafka broker and MongoDB server ...", flush=True)
        stack.start()
        asyncio.run(ensure_topics(stack.kafka_bootstrap, int(os.environ.get("KINERJA_TOPIC_PARTITIONS", "6"))))
        if services:
            # Development mode: predictable demo keys; the services refuse it on anything but loopback.
            dev = {"KINERJA_ENV": "development"}
            # A local SMTP sink: the notification service's mails land in <data_dir>/mail as .eml files.
            mail = MailSink(data_dir, _port("KINERJA_SMTP_PORT", SMTP_PORT))
            print(f"starting the SMTP sink on {mail.address} ...", flush=True)
            mail.start()
            env = {**dev, **mail.env()}
            platform = Platform(stack.kafka_bootstrap, stack.mongo_uri, data_dir / "logs", ports, extra_env=env)
            print(f"starting {', '.join(SERVICES)} ...", flush=True)
            platform.start()
            if demo:
                loaded = load_demo(platform.url("intake"))
                print(loaded, flush=True)
        print(banner(stack, platform, loaded, data_dir, mail), flush=True)
        wait_for_signal(stack, platform, mail)
    except PortInUseError as exc:
        raise CliError(str(exc), exit_code=2) from None
    except (TimeoutError, RuntimeError) as exc:
        raise CliError(f"{exc}\nlogs are in {data_dir / 'logs'}", exit_code=1) from None
    finally:
        print("stopping ...", flush=True)
        if platform:
            platform.stop()
        if mail:
            mail.stop()
        stack.stop()


def run(no_demo: NoDemo = False, data_dir: DataDir = Path(".kinerja-data")) -> None:
    """The platform on the embedded stack: broker, database, SMTP sink, the five services and the demo.
    Ctrl-C (or SIGTERM) stops everything; a child that dies is restarted."""
    _launch(data_dir, services=True, demo=not no_demo)


def stack(data_dir: DataDir = Path(".kinerja-data")) -> None:
    """Only the Kafka broker and the MongoDB server (with the platform's topics), for services run by hand."""
    _launch(data_dir, services=False, demo=False)
