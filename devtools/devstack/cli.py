"""`kinerja run`: the whole platform on the embedded stack; `kinerja stack`: infrastructure only."""

import argparse
import asyncio
import os
import signal
import sys
import threading
from pathlib import Path

from shared.kafka_admin import ensure_topics
from shared.settings import DEFAULT_PORTS

from .banner import banner
from .demo import load_demo
from .embedded import EmbeddedStack
from .mail_sink import DEFAULT_PORT as SMTP_PORT
from .mail_sink import MailSink
from .platform import SERVICES, Platform
from .processes import PortInUseError


def _port(env_var: str, default: int) -> int:
    raw = os.environ.get(env_var, str(default))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        sys.exit(f"{env_var} must be a TCP port number, got {raw!r}")
    return int(raw)


def _wait_for_signal(stack: "EmbeddedStack", platform: "Platform | None", mail: "MailSink | None" = None) -> None:
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
    from .embedded import HOST
    from .processes import Supervised, Supervisor, port_open

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kinerja", description=__doc__)
    parser.add_argument("command", choices=["run", "stack"], help="run: platform + demo; stack: broker and database")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    parser.add_argument("--data-dir", default=os.environ.get("KINERJA_DATA_DIR", ".kinerja-data"))
    args = parser.parse_args(argv)

    data_dir = Path(args.data_dir).resolve()
    stack = EmbeddedStack(data_dir, _port("KINERJA_KAFKA_PORT", 9092), _port("KINERJA_MONGO_PORT", 27017))
    ports = {name: _port(f"KINERJA_{name.upper()}_PORT", DEFAULT_PORTS[name]) for name in SERVICES}
    platform, demo, mail = None, None, None
    try:
        print("starting Kafka broker and MongoDB server ...", flush=True)
        stack.start()
        asyncio.run(ensure_topics(stack.kafka_bootstrap, int(os.environ.get("KINERJA_TOPIC_PARTITIONS", "6"))))
        if args.command == "run":
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
            if not args.no_demo:
                demo = load_demo(platform.url("intake"))
                print(demo, flush=True)
        print(banner(stack, platform, demo, data_dir, mail), flush=True)
        _wait_for_signal(stack, platform, mail)
    except PortInUseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (TimeoutError, RuntimeError) as exc:
        print(f"error: {exc}\nlogs are in {data_dir / 'logs'}", file=sys.stderr)
        return 1
    finally:
        print("stopping ...", flush=True)
        if platform:
            platform.stop()
        if mail:
            mail.stop()
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
